import { Q } from '../queries.ts';
import { dashboard, query, row, tablePanel, timeSeries } from '../panels.ts';

/** Bandwidth per WAN and interface: realtime, hourly for a day, daily for a month, monthly. */
export function bandwidth() {
  return dashboard('routerscope-bandwidth', 'Bandwidth', ['interface'])
    .withRow(row('Realtime'))
    .withPanel(
      timeSeries(
        'All WANs, download and upload',
        'bps',
        [query(Q.wanReceiveLive, { legend: '{{interface}} down' }), query(Q.wanTransmitLive, { legend: '{{interface}} up' })],
        { w: 24, h: 8 },
        { stack: true },
      ),
    )
    .withPanel(timeSeries('Per interface, received', 'bps', [query(Q.interfaceReceiveBits, { legend: '{{device}}' })], { w: 12, h: 8 }))
    .withPanel(timeSeries('Per interface, sent', 'bps', [query(Q.interfaceTransmitBits, { legend: '{{device}}' })], { w: 12, h: 8 }))
    .withRow(row('History'))
    .withPanel(
      timeSeries(
        'Hourly (last 24 h)',
        'bytes',
        [
          query(Q.wanReceivedHourly, { legend: '{{interface}} down', interval: '1h' }),
          query(Q.wanTransmittedHourly, { legend: '{{interface}} up', interval: '1h' }),
        ],
        { w: 12, h: 8 },
        { stack: true },
      ),
    )
    .withPanel(
      timeSeries(
        'Daily (last 30 days)',
        'bytes',
        [
          query(Q.wanReceivedDaily, { legend: '{{interface}} down', interval: '1d' }),
          query(Q.wanTransmittedDaily, { legend: '{{interface}} up', interval: '1d' }),
        ],
        { w: 12, h: 8 },
        { stack: true },
      ),
    )
    .withPanel(
      tablePanel(
        'Monthly (last 30 days) per WAN',
        [
          query(Q.wanReceivedMonthly, { instant: true, format: 'table' }),
          query(Q.wanTransmittedMonthly, { instant: true, format: 'table' }),
        ],
        { w: 12, h: 7 },
        true,
      ),
    )
    .withPanel(
      tablePanel(
        'In the time range per WAN',
        [
          query(Q.wanReceivedInRange, { instant: true, format: 'table' }),
          query(Q.wanTransmittedInRange, { instant: true, format: 'table' }),
        ],
        { w: 12, h: 7 },
        true,
      ),
    );
}
