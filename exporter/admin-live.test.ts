import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../test/helpers.ts';
import { LiveWans, readWans } from './admin-live.ts';
import type { MetricFamily } from './metrics.ts';
import { parseExposition } from './parse-exposition.ts';

// The BPI-R4 test router's own /metrics: four WANs, one of them disabled with NO_DEVICE.
const golden = parseExposition(readFileSync(path.join(ROOT, 'fixtures/routers/bpi-r4-omr/metrics.golden.prom'), 'utf8'));

/** The golden families with the counters of one sample changed. */
function withCounters(values: Record<string, number>): MetricFamily[] {
  return golden.map((f) => ({
    ...f,
    samples: f.samples.map((s) => {
      const key = `${f.name}${s.suffix}{${s.labels.device ?? s.labels.source ?? ''}}`;
      return key in values ? { ...s, value: values[key]! } : s;
    }),
  }));
}

describe('live WAN state', () => {
  it('reads each WAN of a collection: state, uptime, device, modes, public IP and ping targets', () => {
    const wans = new Map(readWans(golden).map((w) => [w.interface, w]));
    expect([...wans.keys()]).toEqual(['wan1', 'wan2', 'wan3', 'wan4']);
    expect(wans.get('wan1')).toMatchObject({
      state: 'up',
      uptimeSeconds: 18843,
      device: 'wan',
      rxBytes: 48123456789,
      configuredMode: 'master',
      publicIp: '198.51.100.7',
      tracker: 'up',
    });
    expect(wans.get('wan1')!.targets.get('vps')).toEqual({ requests: 10, responses: 10, lastRtt: 0.011300000000000001 });
    expect(wans.get('wan3')!.targets.get('vps')).toEqual({ requests: 11, responses: 9, lastRtt: 0.0072 });
    // The access point's probe has no WAN.
    expect([...wans.values()].flatMap((w) => [...w.targets.keys()])).not.toContain('ap:garden');
    expect(wans.get('wan4')).toMatchObject({ state: 'disabled', errors: ['NO_DEVICE'], uptimeSeconds: null });
  });

  it('takes an error code over down, and pending over down', () => {
    const edit = (name: string, match: (l: Record<string, string>) => boolean, value: number) =>
      golden.map((f) => (f.name === name ? { ...f, samples: f.samples.map((s) => (match(s.labels) ? { ...s, value } : s)) } : f));
    const wan4Enabled = edit('openwrt_wan_policy', (l) => l.interface === 'wan4', 0);
    expect(readWans(wan4Enabled).find((w) => w.interface === 'wan4')).toMatchObject({ state: 'error', errors: ['NO_DEVICE'] });
    const wan3Down = edit('openwrt_wan_up', (l) => l.interface === 'wan3', 0);
    expect(readWans(wan3Down).find((w) => w.interface === 'wan3')!.state).toBe('down');
    const wan3Pending = edit('openwrt_interface_pending', (l) => l.interface === 'wan3', 1).map((f) =>
      f.name === 'openwrt_wan_up' ? wan3Down.find((g) => g.name === f.name)! : f,
    );
    expect(readWans(wan3Pending).find((w) => w.interface === 'wan3')!.state).toBe('pending');
  });

  it('gives rates between the last two samples, loss over the window, and shares polls a few seconds apart', async () => {
    let now = 1_000_000;
    const collections: MetricFamily[][] = [
      golden,
      withCounters({
        'node_network_receive_bytes_total{wan}': 48123456789 + 1_250_000,
        'node_network_transmit_bytes_total{wan}': 0, // a counter that went back: a reset, no rate
        'openwrt_ping_requests_total{100.64.17.23}': 21,
        'openwrt_ping_responses_total{100.64.17.23}': 17,
      }),
    ];
    let collected = 0;
    const live = new LiveWans(
      async () => collections[collected++]!,
      () => now,
    );

    const first = await live.view();
    expect(first.interval_seconds).toBeNull();
    const wan1 = first.wans.find((w) => w.interface === 'wan1')!;
    expect(wan1.receive_bps).toBeNull();
    // One sample: loss since the probe started (9 of 11 answered).
    expect(first.wans.find((w) => w.interface === 'wan3')!.targets[0]!.loss_ratio).toBeCloseTo(2 / 11);

    now += 1500; // within the spacing: the same sample, no collection
    await Promise.all([live.view(), live.view()]);
    expect(collected).toBe(1);

    now += 8500; // ten seconds after the first
    const [second, concurrent] = await Promise.all([live.view(), live.view()]);
    expect(collected).toBe(2);
    expect(concurrent).toEqual(second);
    expect(second.interval_seconds).toBe(10);
    const wan1Now = second.wans.find((w) => w.interface === 'wan1')!;
    expect(wan1Now.receive_bps).toBe((1_250_000 * 8) / 10);
    expect(wan1Now.transmit_bps).toBeNull();
    const vps3 = second.wans.find((w) => w.interface === 'wan3')!.targets[0]!;
    // Over the window: 10 more requests, 8 more answers.
    expect(vps3.loss_ratio).toBeCloseTo(0.2);
    expect(vps3.latency_history).toEqual([0.0072, 0.0072]);
  });
});
