import { Q } from '../queries.ts';
import { dashboard, query, statPanel, tablePanel, timeSeries } from '../panels.ts';

/** One client, chosen by host name: its traffic, its DNS domains and its connections. */
export function host() {
  return dashboard('routerscope-host', 'Client', ['host'])
    .withPanel(
      statPanel('Traffic in the time range', 'bytes', [query(Q.hostVolume, { instant: true, legend: '{{hostname}} {{mac}}' })], {
        w: 8,
        h: 5,
      }).description('Bytes the host downloaded and uploaded in the time range, per MAC (cable and WiFi are two).'),
    )
    .withPanel(
      tablePanel(
        'Addresses',
        [query(Q.hostAddresses, { instant: true, format: 'table' })],
        { w: 16, h: 5 },
        { values: ['Lease'] },
      ).description("The host's MAC and IP addresses from the DHCP leases and the neighbour table."),
    )
    .withPanel(
      timeSeries(
        'Traffic',
        'bps',
        [query(Q.hostReceiveBits, { legend: '{{mac}} down' }), query(Q.hostTransmitBits, { legend: '{{mac}} up' })],
        { w: 24, h: 8 },
      ).description('Download and upload of the host, per MAC.'),
    )
    .withPanel(
      tablePanel(
        'DNS domains',
        [query(Q.hostDomains, { instant: true, format: 'table' })],
        { w: 12, h: 9 },
        { values: ['Queries'] },
      ).description("The domains the host asked for most within the exporter's window (a day by default)."),
    )
    .withPanel(
      timeSeries('Connections', 'short', [query(Q.hostConnections, { legend: '{{mac}}' })], { w: 12, h: 9 }).description(
        'Connections the host made in each interval (nlbwmon).',
      ),
    );
}
