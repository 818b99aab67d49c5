import { Q } from '../queries.ts';
import { barGauge, dashboard, pieChart, query, row, statPanel, tablePanel, timeSeries } from '../panels.ts';

/** Who uses the bandwidth and what they ask DNS for. */
export function clients() {
  return dashboard('routerscope-clients', 'Clients', ['client'])
    .withPanel(statPanel('Clients online', 'short', [query(Q.clientsOnline, { legend: '{{router}}' })], { w: 6, h: 4 }))
    .withPanel(statPanel('DHCP leases', 'short', [query(Q.dhcpLeases, { legend: '{{router}}' })], { w: 6, h: 4 }))
    .withPanel(pieChart('Protocol share', 'bytes', [query(Q.protocolShare, { instant: true, legend: '{{protocol}}' })], { w: 12, h: 8 }))
    .withPanel(barGauge('Top 10 download', 'bytes', [query(Q.topDownload, { instant: true, legend: '{{hostname}} {{mac}}' })]))
    .withPanel(barGauge('Top 10 upload', 'bytes', [query(Q.topUpload, { instant: true, legend: '{{hostname}} {{mac}}' })]))
    .withPanel(
      timeSeries('Top 5 download over time', 'Bps', [query(Q.topDownloadOverTime, { legend: '{{hostname}} {{mac}}' })], { w: 24, h: 8 }),
    )
    .withPanel(barGauge('Connections per client', 'short', [query(Q.topConnections, { instant: true, legend: '{{hostname}} {{mac}}' })]))
    .withPanel(
      tablePanel(
        'Client activity',
        [query(Q.clientTable, { instant: true, format: 'table' }), query(Q.clientDownloadRate, { instant: true, format: 'table' })],
        { w: 12, h: 8 },
        true,
      ),
    )
    .withRow(row('DNS'))
    .withPanel(barGauge('Top DNS clients', 'short', [query(Q.topDnsClients, { instant: true, legend: '{{client}}' })], { w: 8, h: 8 }))
    .withPanel(
      barGauge('Unique domains per client', 'short', [query(Q.uniqueDomains, { instant: true, legend: '{{client}}' })], { w: 8, h: 8 }),
    )
    .withPanel(tablePanel('Top domains per client', [query(Q.topDomains, { instant: true, format: 'table' })], { w: 8, h: 8 }))
    .withPanel(pieChart('DNS queries by type', 'short', [query(Q.dnsByType, { instant: true, legend: '{{type}}' })], { w: 12, h: 8 }))
    .withPanel(
      pieChart('DNS answers by result', 'short', [query(Q.dnsByResult, { instant: true, legend: '{{result}}' })], { w: 12, h: 8 }),
    );
}
