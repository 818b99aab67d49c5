import { Q } from '../queries.ts';
import { dashboard, failoverAnnotations, query, row, stateTimeline, statPanel, tablePanel, timeSeries } from '../panels.ts';

/** The WANs as OpenWrt and OMR see them: policy, state, traffic, MPTCP subflows, failovers. */
export function wan() {
  return dashboard('routerscope-wan', 'WAN & MPTCP', ['interface'])
    .annotation(failoverAnnotations())
    .withRow(row('Policy and state'))
    .withPanel(tablePanel('Policy per WAN', [query(Q.wanPolicy, { instant: true, format: 'table' })], { w: 8, h: 8 }))
    .withPanel(
      tablePanel(
        'MPTCP mode: configured and in force',
        [query(Q.mptcpConfigured, { instant: true, format: 'table' }), query(Q.mptcpEffective, { instant: true, format: 'table' })],
        { w: 10, h: 8 },
      ),
    )
    .withPanel(
      statPanel('Mode mismatch', 'short', [query(Q.mptcpMismatch, { legend: '{{interface}}' })], { w: 6, h: 8 }, [
        [null, 'green'],
        [1, 'orange'],
      ]),
    )
    .withPanel(stateTimeline('WAN up (netifd)', [query(Q.wanUp, { legend: '{{interface}}' })]))
    .withPanel(stateTimeline('WAN up (OMR tracker)', [query(Q.trackerUp, { legend: '{{interface}}' })]))
    .withPanel(
      statPanel('Availability in the time range', 'percentunit', [query(Q.wanAvailability, { instant: true, legend: '{{interface}}' })], {
        w: 24,
        h: 4,
      }),
    )
    .withRow(row('Traffic'))
    .withPanel(
      timeSeries('Download per WAN', 'bps', [query(Q.wanReceiveBits, { legend: '{{interface}}' })], { w: 12, h: 8 }, { stack: true }),
    )
    .withPanel(
      timeSeries('Upload per WAN', 'bps', [query(Q.wanTransmitBits, { legend: '{{interface}}' })], { w: 12, h: 8 }, { stack: true }),
    )
    .withPanel(timeSeries('Tunnel throughput', 'bps', [query(Q.tunnelReceiveBits, { legend: '{{interface}} down' })], { w: 12, h: 8 }))
    .withPanel(timeSeries('Tracker latency per WAN', 's', [query(Q.trackerLatency, { legend: '{{interface}}' })], { w: 12, h: 8 }))
    .withRow(row('MPTCP'))
    .withPanel(
      timeSeries(
        'Subflows per device',
        'short',
        [query(Q.mptcpSubflows, { legend: '{{device}}' }), query(Q.mptcpConnections, { legend: 'connections' })],
        { w: 12, h: 8 },
      ),
    )
    .withPanel(timeSeries('Subflow joins', 'ops', [query(Q.mptcpJoins, { legend: 'joins/s' })], { w: 12, h: 8 }))
    .withRow(row('Events'))
    .withPanel(tablePanel('Events in the time range', [query(Q.wanEvents, { instant: true, format: 'table' })], { w: 16, h: 9 }))
    .withPanel(tablePanel('Last state change', [query(Q.lastChange, { instant: true, format: 'table' })], { w: 8, h: 9 }));
}
