import { Q } from '../queries.ts';
import { barGauge, dashboard, pieChart, query, row, statPanel, tablePanel, timeSeries } from '../panels.ts';

/** Who uses the bandwidth and what they ask DNS for. */
export function clients() {
  return dashboard('routerscope-clients', 'Clients', ['client'])
    .withPanel(
      statPanel('Clients online', 'short', [query(Q.clientsOnline, { legend: '{{router}}' })], { w: 6, h: 4 }).description(
        'Clients in the neighbour table as reachable or stale.',
      ),
    )
    .withPanel(
      statPanel('DHCP leases', 'short', [query(Q.dhcpLeases, { legend: '{{router}}' })], { w: 6, h: 4 }).description(
        'Leases dnsmasq holds now, expired ones not counted.',
      ),
    )
    .withPanel(
      pieChart('Protocol share', 'bytes', [query(Q.protocolShare, { instant: true, legend: '{{protocol}}' })], { w: 12, h: 8 }).description(
        "Bytes per protocol (nlbwmon's classification) in the time range, both directions.",
      ),
    )
    .withPanel(
      barGauge('Top 10 download', 'bytes', [query(Q.topDownload, { instant: true, legend: '{{hostname}} {{mac}}' })]).description(
        'The ten clients that downloaded most in the time range; one whose lease has ended keeps its place, by MAC.',
      ),
    )
    .withPanel(
      barGauge('Top 10 upload', 'bytes', [query(Q.topUpload, { instant: true, legend: '{{hostname}} {{mac}}' })]).description(
        'The ten clients that uploaded most in the time range.',
      ),
    )
    .withPanel(
      timeSeries('Top 5 download over time', 'bps', [query(Q.topDownloadOverTime, { legend: '{{hostname}} {{mac}}' })], {
        w: 24,
        h: 8,
      }).description(
        'Download rate of the five clients that downloaded most over the whole time range (five lines, not the top five of each moment).',
      ),
    )
    .withPanel(
      barGauge('Connections per client', 'short', [query(Q.topConnections, { instant: true, legend: '{{hostname}} {{mac}}' })]).description(
        'Connections each client made in the time range (nlbwmon): a device opening thousands is worth a look.',
      ),
    )
    .withPanel(
      tablePanel(
        'Client activity',
        [query(Q.clientTable, { instant: true, format: 'table' }), query(Q.clientDownloadRate, { instant: true, format: 'table' })],
        { w: 12, h: 8 },
        { merge: true, values: ['Lease', 'Download'], units: { Download: 'bps', Lease: 'none' } },
      ).description("Every client's addresses and host name, with its download rate now."),
    )
    .withRow(row('DNS'))
    .withPanel(
      barGauge('Top DNS clients', 'short', [query(Q.topDnsClients, { instant: true, legend: '{{hostname}} {{client}}' })], {
        w: 8,
        h: 8,
      }).description('Clients by DNS queries in the time range, with their host name from the DHCP leases.'),
    )
    .withPanel(
      barGauge('Unique domains per client', 'short', [query(Q.uniqueDomains, { instant: true, legend: '{{hostname}} {{client}}' })], {
        w: 8,
        h: 8,
      }).description("Distinct domains each client asked for within the exporter's window (a day by default)."),
    )
    .withPanel(
      tablePanel(
        'Top domains per client',
        [query(Q.topDomains, { instant: true, format: 'table' })],
        { w: 8, h: 8 },
        { values: ['Queries'] },
      ).description("Each client's most asked domains within the exporter's window."),
    )
    .withPanel(
      pieChart('DNS queries by type', 'short', [query(Q.dnsByType, { instant: true, legend: '{{type}}' })], { w: 12, h: 8 }).description(
        'Queries in the time range by record type (A, AAAA, HTTPS...).',
      ),
    )
    .withPanel(
      pieChart('DNS answers by result', 'short', [query(Q.dnsByResult, { instant: true, legend: '{{result}}' })], {
        w: 12,
        h: 8,
      }).description('Answers in the time range: from the cache, forwarded, local, blocked, NXDOMAIN, or errors and no answer at all.'),
    );
}
