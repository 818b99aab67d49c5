import { Q } from '../queries.ts';
import { dashboard, query, row, tablePanel, timeSeries } from '../panels.ts';

const VOLUME_COLUMNS = { unit: 'bytes', merge: true, values: ['Downloaded', 'Uploaded'] } as const;

/** Bandwidth per WAN and interface: realtime, hourly for a day, daily for a month, monthly for a year. */
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
      ).description('Bits per second through each WAN, stacked: what the router sends to and receives from each uplink.'),
    )
    .withPanel(
      timeSeries('Per interface, received', 'bps', [query(Q.interfaceReceiveBits, { legend: '{{device}}' })], { w: 12, h: 8 }).description(
        'Bits per second each network device receives (LAN, WiFi and WAN devices, bridges and tunnels alike).',
      ),
    )
    .withPanel(
      timeSeries('Per interface, sent', 'bps', [query(Q.interfaceTransmitBits, { legend: '{{device}}' })], { w: 12, h: 8 }).description(
        'Bits per second each network device sends.',
      ),
    )
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
        { stack: true, bars: true, timeFrom: '24h' },
      ).description('Bytes per WAN in each hour of the last 24 hours, whatever range the dashboard shows. Each bar is the hour before it.'),
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
        { stack: true, bars: true, timeFrom: '30d' },
      ).description('Bytes per WAN on each of the last 30 days (UTC days). Each bar is the 24 hours before it.'),
    )
    .withPanel(
      timeSeries(
        'Every 30 days (last year)',
        'bytes',
        [
          query(Q.wanReceivedMonthly, { legend: '{{interface}} down', interval: '30d' }),
          query(Q.wanTransmittedMonthly, { legend: '{{interface}} up', interval: '30d' }),
        ],
        { w: 24, h: 8 },
        { stack: true, bars: true, timeFrom: '1y' },
      ).description(
        'Bytes per WAN in 30-day periods over the last year, for comparing with an ISP volume cap. Prometheus has no calendar months: each bar is the 30 days before it.',
      ),
    )
    .withPanel(
      tablePanel(
        'Last 30 days per WAN',
        [
          query(Q.wanReceivedMonthly, { instant: true, format: 'table' }),
          query(Q.wanTransmittedMonthly, { instant: true, format: 'table' }),
        ],
        { w: 12, h: 7 },
        VOLUME_COLUMNS,
      ).description('Bytes downloaded and uploaded per WAN in the last 30 days, a WAN that is down now included.'),
    )
    .withPanel(
      tablePanel(
        'In the time range per WAN',
        [
          query(Q.wanReceivedInRange, { instant: true, format: 'table' }),
          query(Q.wanTransmittedInRange, { instant: true, format: 'table' }),
        ],
        { w: 12, h: 7 },
        VOLUME_COLUMNS,
      ).description("Bytes downloaded and uploaded per WAN over the dashboard's time range, a WAN that is down now included."),
    );
}
