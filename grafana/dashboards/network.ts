import { Q } from '../queries.ts';
import { dashboard, query, row, tablePanel, timeSeries } from '../panels.ts';

/** Every interface by role with its addresses, gateways and DNS; the routes; errors; conntrack; SNMP devices. */
export function network() {
  return dashboard('routerscope-network', 'Interfaces & routing')
    .withRow(row('Interfaces'))
    .withPanel(
      tablePanel(
        'Interfaces by role',
        [query(Q.interfacesByRole, { instant: true, format: 'table' }), query(Q.interfaceUp, { instant: true, format: 'table' })],
        { w: 24, h: 8 },
        { merge: true, values: ['Configured', 'Up'], units: { Configured: 'none', Up: 'bool_yes_no' } },
      ).description('Every netifd interface with its role (wan, lan, vpn, wifi), device, protocol, and whether it is up.'),
    )
    .withPanel(
      tablePanel('Addresses', [query(Q.interfaceAddresses, { instant: true, format: 'table' })], { w: 8, h: 8 }).description(
        "Each interface's addresses, the public ones of the WANs included.",
      ),
    )
    .withPanel(
      tablePanel('Gateways', [query(Q.interfaceGateways, { instant: true, format: 'table' })], { w: 8, h: 8 }).description(
        'The gateway netifd routes each interface through.',
      ),
    )
    .withPanel(
      tablePanel('DNS servers', [query(Q.interfaceDnsServers, { instant: true, format: 'table' })], { w: 8, h: 8 }).description(
        'The DNS servers each interface learned (DHCP, PPP, RA) or was given.',
      ),
    )
    .withPanel(
      tablePanel('Routing table', [query(Q.routes, { instant: true, format: 'table' })], { w: 24, h: 9 }).description(
        'The routes netifd installed per interface: destination, gateway, device, metric, table and source.',
      ),
    )
    .withRow(row('Errors and packets'))
    .withPanel(
      timeSeries('Errors per packet', 'percentunit', [query(Q.interfaceErrorRatio, { legend: '{{device}}' })], { w: 8, h: 8 }).description(
        'Receive and transmit errors as a share of the packets each device carries: a bad cable or a failing port.',
      ),
    )
    .withPanel(
      timeSeries('Drops', 'pps', [query(Q.interfaceDrops, { legend: '{{device}}' })], { w: 8, h: 8 }).description(
        'Packets dropped per second, received and sent: full queues or packets no one wanted.',
      ),
    )
    .withPanel(
      timeSeries('Packets', 'pps', [query(Q.interfacePackets, { legend: '{{device}}' })], { w: 8, h: 8 }).description(
        'Packets per second through each device, both directions.',
      ),
    )
    .withPanel(
      timeSeries(
        'Connection tracking',
        'short',
        [query(Q.conntrackEntries, { legend: 'entries' }), query(Q.conntrackLimit, { legend: 'limit' })],
        { w: 24, h: 7 },
      ).description('Tracked connections against the table size: at the limit the router drops new connections.'),
    )
    .withRow(row('SNMP devices'))
    .withPanel(
      timeSeries(
        'SNMP device traffic',
        'bps',
        [
          query(Q.snmpReceiveBits, { legend: '{{target}} {{ifName}} in' }),
          query(Q.snmpTransmitBits, { legend: '{{target}} {{ifName}} out' }),
        ],
        { w: 24, h: 8 },
      ).description('Bits per second on each interface of the switches and access points polled over SNMP (IF-MIB 64-bit counters).'),
    );
}
