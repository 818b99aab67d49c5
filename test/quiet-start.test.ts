// `npm start` on a plain Linux machine, not a router: collectors whose source is not here (no
// ubus, uci, nlbw or logread) say so once at start, at info, stay quiet afterwards, and keep the
// reason in /status and routerscope_collector_absent; nothing is logged as a warning.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition, toSeriesMap } from '../exporter/parse-exposition.ts';
import { scrape, startExporter, type RunningExporter } from './helpers.ts';
import { findCommand } from './setup/preflight.ts';

const OPENWRT_ONLY = ['clients', 'mptcp', 'nlbwmon', 'wan', 'wifi'];

describe('quiet start on plain Linux', () => {
  let exporter: RunningExporter;
  beforeAll(async () => {
    // The premise: this machine is not OpenWrt.
    for (const command of ['ubus', 'uci', 'nlbw', 'logread']) expect(findCommand(command), `${command} on this machine`).toBeUndefined();
    exporter = await startExporter([]);
  });
  afterAll(() => exporter?.stop());

  it('says once, at info, which sources are absent, and warns about nothing over several scrapes', async () => {
    let last = '';
    for (let i = 0; i < 4; i++) {
      last = await scrape(exporter.url);
      await new Promise((r) => setTimeout(r, 600));
    }
    const warnings = exporter.logs.filter((l) => (l.level as string) !== 'info' && (l.level as string) !== 'debug');
    expect(warnings).toEqual([]);
    const absentLines = exporter.logs.filter((l) => l.msg === 'source not present on this system; collector stays quiet');
    expect(absentLines.map((l) => l.collector).sort()).toEqual(OPENWRT_ONLY);
    // The log followers retry with backoff but say it once.
    const followers = exporter.logs.filter((l) => l.command === 'logread');
    expect(followers.map((l) => l.collector).sort()).toEqual(['dnsmasq', 'events']);

    const series = toSeriesMap(parseExposition(last));
    for (const c of OPENWRT_ONLY) {
      expect(series.get(`routerscope_collector_absent{collector="${c}"}`), c).toBe(1);
      expect(series.get(`routerscope_scrape_collector_success{collector="${c}"}`), c).toBe(1);
    }
    expect(series.get('routerscope_collector_absent{collector="cpu"}')).toBe(0);
  });

  it('keeps the reason in /status', async () => {
    const status = (await (await fetch(`${exporter.url}/status`)).json()) as {
      collectors: Array<{ name: string; absent: string | null; last_error: string | null }>;
    };
    const wan = status.collectors.find((c) => c.name === 'wan')!;
    expect(wan.absent).toMatch(/^command "(ubus|uci)" not found in --path\.bin/); // whichever of the two the model asked for first
    expect(wan.last_error).toBeNull();
    expect(status.collectors.find((c) => c.name === 'cpu')!.absent).toBeNull();
  });
});
