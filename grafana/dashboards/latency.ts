import { Q } from '../queries.ts';
import { dashboard, heatmapPanel, query, statPanel, timeSeries } from '../panels.ts';

/** Smokeping-style latency per target and WAN: mean and p95, the RTT distribution, loss, jitter. */
export function latency() {
  return dashboard('routerscope-latency', 'Latency', ['interface'])
    .withPanel(
      timeSeries(
        'Round-trip time (mean and p95)',
        's',
        [
          query(Q.rttMean, { legend: '{{target}} via {{interface}} mean' }),
          query(Q.rttP95, { legend: '{{target}} via {{interface}} p95' }),
        ],
        { w: 24, h: 9 },
      ),
    )
    .withPanel(heatmapPanel('RTT distribution', [query(Q.rttHeatmap, { format: 'heatmap', legend: '{{le}}' })]))
    .withPanel(timeSeries('Packet loss', 'percentunit', [query(Q.loss, { legend: '{{target}} via {{interface}}' })], { w: 12, h: 8 }))
    .withPanel(timeSeries('Jitter (RFC 3550)', 's', [query(Q.jitter, { legend: '{{target}} via {{interface}}' })], { w: 12, h: 8 }))
    .withPanel(
      statPanel('Last RTT', 's', [query(Q.lastRtt, { legend: '{{target}} {{source}}' })], { w: 16, h: 5 }, [
        [null, 'green'],
        [0.1, 'orange'],
        [0.5, 'red'],
      ]),
    )
    .withPanel(
      statPanel('Probes running', 'short', [query(Q.probeUp, { legend: '{{target}} {{source}}' })], { w: 8, h: 5 }, [
        [null, 'red'],
        [1, 'green'],
      ]),
    );
}
