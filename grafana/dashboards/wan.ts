import { Q } from '../queries.ts';
import { dashboard, failoverAnnotations, query, row, stateTimeline, statPanel, tablePanel, timeSeries } from '../panels.ts';

/** The WANs as OpenWrt and OMR see them: policy, state, traffic, MPTCP subflows, failovers. */
export function wan() {
  return dashboard('routerscope-wan', 'WAN & MPTCP', ['interface'])
    .annotation(failoverAnnotations())
    .withRow(row('Policy and state'))
    .withPanel(
      tablePanel('Policy per WAN', [query(Q.wanPolicy, { instant: true, format: 'table' })], { w: 8, h: 8 }).description(
        "Each WAN's policy in OpenMPTCProuter terms: primary, bonded, standby or disabled.",
      ),
    )
    .withPanel(
      tablePanel(
        'MPTCP mode: configured and in force',
        [query(Q.mptcpConfigured, { instant: true, format: 'table' }), query(Q.mptcpEffective, { instant: true, format: 'table' })],
        { w: 10, h: 8 },
      ).description('The multipath mode UCI asks for and the one the kernel applies; they differ until the change is applied.'),
    )
    .withPanel(
      statPanel('Mode mismatch', 'short', [query(Q.mptcpMismatch, { legend: '{{interface}}' })], { w: 6, h: 8 }, [
        [null, 'green'],
        [1, 'orange'],
      ]).description('1 where the MPTCP mode in force differs from the configured one.'),
    )
    .withPanel(
      stateTimeline('WAN up (netifd)', [query(Q.wanUp, { legend: '{{interface}}' })]).description('Whether netifd has each WAN up.'),
    )
    .withPanel(
      stateTimeline('WAN up (OMR tracker)', [query(Q.trackerUp, { legend: '{{interface}}' })]).description(
        "The OMR tracker's verdict per WAN: it pings through the WAN and can call a link that netifd has up dead.",
      ),
    )
    .withPanel(
      statPanel('Availability in the time range', 'percentunit', [query(Q.wanAvailability, { instant: true, legend: '{{interface}}' })], {
        w: 24,
        h: 4,
      }).description("Share of the dashboard's range each WAN was up; a disabled WAN is left out."),
    )
    .withRow(row('Traffic'))
    .withPanel(
      timeSeries(
        'Download per WAN',
        'bps',
        [query(Q.wanReceiveBits, { legend: '{{interface}}' })],
        { w: 12, h: 8 },
        { stack: true },
      ).description('Bits per second received per WAN, 5-minute average.'),
    )
    .withPanel(
      timeSeries(
        'Upload per WAN',
        'bps',
        [query(Q.wanTransmitBits, { legend: '{{interface}}' })],
        { w: 12, h: 8 },
        { stack: true },
      ).description('Bits per second sent per WAN, 5-minute average.'),
    )
    .withPanel(
      timeSeries('Tunnel throughput', 'bps', [query(Q.tunnelReceiveBits, { legend: '{{interface}} down' })], { w: 12, h: 8 }).description(
        'Bits per second received through each VPN tunnel.',
      ),
    )
    .withPanel(
      timeSeries('Tracker latency per WAN', 's', [query(Q.trackerLatency, { legend: '{{interface}}' })], { w: 12, h: 8 }).description(
        "The OMR tracker's latency per WAN.",
      ),
    )
    .withRow(row('MPTCP'))
    .withPanel(
      timeSeries(
        'Subflows per device',
        'short',
        [query(Q.mptcpSubflows, { legend: '{{device}}' }), query(Q.mptcpConnections, { legend: 'connections' })],
        { w: 12, h: 8 },
      ).description('MPTCP subflows per network device, and the connections they carry.'),
    )
    .withPanel(
      timeSeries('Subflow joins', 'ops', [query(Q.mptcpJoins, { legend: 'joins/s' })], { w: 12, h: 8 }).description(
        'MPTCP subflow joins per second: a WAN that comes back is joined again.',
      ),
    )
    .withRow(row('Events'))
    .withPanel(
      tablePanel(
        'Events in the time range',
        [query(Q.wanEvents, { instant: true, format: 'table' }), query(Q.wanEventsLastSeen, { instant: true, format: 'table' })],
        { w: 16, h: 9 },
        { merge: true, values: ['Events', 'Last seen'], units: { Events: 'short', 'Last seen': 'dateTimeAsIso' } },
      ).description('Interface events from the system log in the time range: how often, and when last (to within two minutes).'),
    )
    .withPanel(
      tablePanel(
        'Last state change',
        [query(Q.lastChange, { instant: true, format: 'table' })],
        { w: 8, h: 9 },
        {
          unit: 'dateTimeAsIso',
          values: ['Changed at'],
        },
      ).description('When each interface last changed state according to the system log.'),
    );
}
