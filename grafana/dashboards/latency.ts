import { Q } from '../queries.ts';
import { dashboard, heatmapPanel, query, row, statPanel, timeSeries } from '../panels.ts';

/** Smokeping-style latency per target and WAN: mean and p95, the RTT distribution, loss, jitter. */
export function latency() {
  return dashboard('routerscope-latency', 'Latency', ['interface', 'target'])
    .withPanel(
      timeSeries(
        'Round-trip time (mean and p95)',
        's',
        [
          query(Q.rttMean, { legend: '{{target}} via {{interface}} mean' }),
          query(Q.rttP95, { legend: '{{target}} via {{interface}} p95' }),
        ],
        { w: 24, h: 9 },
      ).description(
        "Mean and 95th percentile of the ping round-trip time per target and WAN, both over the same window. The p95 is interpolated within the histogram's bucket.",
      ),
    )
    .withPanel(
      timeSeries('Packet loss', 'percentunit', [query(Q.loss, { legend: '{{target}} via {{interface}}' })], { w: 12, h: 8 }).description(
        'Share of echo requests without a reply in time, over 5 minutes.',
      ),
    )
    .withPanel(
      timeSeries('Jitter (RFC 3550)', 's', [query(Q.jitter, { legend: '{{target}} via {{interface}}' })], { w: 12, h: 8 }).description(
        'Interarrival jitter of the round-trip time, as RTP measures it: what a call or a game feels.',
      ),
    )
    .withPanel(
      statPanel('Last RTT', 's', [query(Q.lastRtt, { legend: '{{target}} {{source}}' })], { w: 16, h: 5 }, [
        [null, 'green'],
        [0.1, 'orange'],
        [0.5, 'red'],
      ]).description('Round-trip time of the latest reply per probe.'),
    )
    .withPanel(
      statPanel('Probes running', 'short', [query(Q.probeUp, { legend: '{{target}} {{source}}' })], { w: 8, h: 5 }, [
        [null, 'red'],
        [1, 'green'],
      ]).description(
        '1 while the ping process for the probe runs; 0 when it keeps exiting (a source address gone, a name that does not resolve).',
      ),
    )
    .withRow(row('Access points'))
    .withPanel(
      timeSeries('Access point round-trip time', 's', [query(Q.apRtt, { legend: '{{target}}' })], { w: 12, h: 7 }).description(
        'Mean round-trip time to each configured remote access point over 5 minutes.',
      ),
    )
    .withPanel(
      timeSeries('Access point loss', 'percentunit', [query(Q.apLoss, { legend: '{{target}}' })], { w: 12, h: 7 }).description(
        'Share of pings each access point left unanswered over 5 minutes: 100 % is an access point that is down.',
      ),
    )
    .withRow(row('RTT distribution via $interface').repeat('interface'))
    .withPanel(
      heatmapPanel('$target via $interface', [query(Q.rttHeatmap, { format: 'heatmap', legend: '{{le}}' })], { w: 12, h: 8 })
        .repeat('target')
        .repeatDirection('h')
        .maxPerRow(2)
        .description("How the round-trip times of one target through one WAN spread over the histogram's buckets: a smokeping view."),
    );
}
