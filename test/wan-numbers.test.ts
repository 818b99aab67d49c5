// Right numbers, not only non-empty ones: on each real-shape test router, /proc/net/dev counters
// move at known rates (test/router-moves.ts, rewritten by the test as the kernel would advance
// them), a real Prometheus scrapes the exporter with the shipped recording rules, and every WAN
// traffic rule and dashboard query equals the expected bytes per second per WAN and in total,
// within 1 %.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNetDev } from '../collectors/netdev.ts';
import { Q } from '../grafana/queries.ts';
import { copyRouter, freePort, ROOT, startExporter, stopProcess, tempDir, waitFor, type RunningExporter } from './helpers.ts';
import { alertRulesAtPace, promQuery, rules, substitute } from './prometheus-lab.ts';
import { advance, MOVES } from './router-moves.ts';

describe('WAN traffic numbers on the real router shapes', () => {
  const cleanups: Array<() => Promise<void>> = [];
  const exporters: RunningExporter[] = [];
  let prometheus: ChildProcess;
  let url = '';
  let mover: NodeJS.Timeout;

  beforeAll(async () => {
    const work = await tempDir('routerscope-numbers-');
    cleanups.push(work.remove);
    const started = Date.now();
    const files: Array<{ file: string; original: string; moves: Record<string, [number, number]> }> = [];
    const targets: Array<{ targets: string[]; labels: { router: string } }> = [];
    for (const [router, { devices }] of Object.entries(MOVES)) {
      const copy = await copyRouter(router);
      cleanups.push(copy.remove);
      const file = path.join(copy.dir, 'rootfs', 'proc', 'net', 'dev');
      files.push({ file, original: await readFile(file, 'utf8'), moves: devices });
      const exporter = await startExporter([...copy.flags, '--no-collector.ping']);
      exporters.push(exporter);
      targets.push({ targets: [exporter.url.replace('http://', '')], labels: { router } });
    }
    // Written beside and renamed, as the kernel's file never shows half a table to a reader.
    let ticks = 0;
    const tick = () => {
      const n = ++ticks;
      return Promise.all(
        files.map(async (f) => {
          await writeFile(`${f.file}.${n}`, advance(f.original, f.moves, (Date.now() - started) / 1000));
          await rename(`${f.file}.${n}`, f.file);
        }),
      );
    };
    await tick();
    mover = setInterval(() => void tick(), 200);
    const port = await freePort();
    await writeFile(path.join(work.dir, 'routers.yml'), JSON.stringify(targets));
    // The shipped alerts with every `for:` cut to nothing: a healthy router must stay quiet even
    // with no grace at all; and every group evaluated at this Prometheus' pace (the daily one's
    // 5 minutes would leave it unevaluated).
    const alerts = await alertRulesAtPace(work.dir, { interval: () => undefined, for: () => undefined });
    await writeFile(
      path.join(work.dir, 'prometheus.yml'),
      JSON.stringify({
        global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
        rule_files: [path.join(ROOT, 'prometheus/rules/recording.yml'), alerts],
        scrape_configs: [{ job_name: 'routerscope', file_sd_configs: [{ files: [path.join(work.dir, 'routers.yml')] }] }],
      }),
    );
    prometheus = spawn(
      'prometheus',
      [`--config.file=${work.dir}/prometheus.yml`, `--storage.tsdb.path=${work.dir}/data`, `--web.listen-address=127.0.0.1:${port}`],
      { stdio: 'ignore' },
    );
    url = `http://127.0.0.1:${port}`;
    // Enough samples for rate() over a steady counter: 20 s after the first recorded value.
    await waitFor(
      async () => {
        const r = await promQuery(url, 'count(router_interface:openwrt_wan_receive_bytes:rate5m)').catch(() => undefined);
        return (r?.data?.result as Array<{ value: [number, string] }> | undefined)?.[0]?.value[1] === '5' ? true : undefined;
      },
      60000,
      'every WAN in the recording rule',
    );
    await new Promise((r) => setTimeout(r, 92000));
  }, 180_000);

  afterAll(async () => {
    clearInterval(mover);
    if (prometheus) await stopProcess(prometheus);
    for (const e of exporters) await e.stop();
    for (const c of cleanups) await c();
  });

  async function valuesBy(expr: string): Promise<Map<string, number>> {
    const r = await promQuery(url, expr);
    expect(r.status, `${expr}: ${r.error}`).toBe('success');
    return new Map(
      (r.data!.result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((s) => [
        `${s.metric.router}/${s.metric.interface ?? ''}`,
        Number(s.value[1]),
      ]),
    );
  }

  const expected = (direction: 0 | 1, scale = 1) =>
    new Map(
      Object.entries(MOVES).flatMap(([router, { wans }]) =>
        Object.entries(wans).map(([wan, rates]) => [`${router}/${wan}`, rates[direction] * scale] as const),
      ),
    );

  function expectWithin(actual: Map<string, number>, want: Map<string, number>) {
    expect([...actual.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [key, value] of want)
      expect(Math.abs(actual.get(key)! - value) / value, `${key}: ${actual.get(key)} against ${value}`).toBeLessThanOrEqual(0.01);
  }

  it('records receive and transmit per WAN, each WAN once (wan6 and the PPPoE ethernet not counted)', async () => {
    // Each WAN traffic rule's own expression, its window shortened to 90 s: rate() over a series
    // younger than its window divides by the whole window, and this test runs for less than 5m.
    // (90 s: one late scrape at the window's edge costs Prometheus' extrapolation half an
    // interval, 1.7 % of 30 s but 0.6 % of 90 s.)
    const trafficRules = (await rules('recording.yml')).filter((r) => /openwrt_wan_(receive|transmit)_bytes/.test(r.record!));
    expect(trafficRules).toHaveLength(6);
    for (const rule of trafficRules) {
      const direction = rule.record!.includes('receive') ? 0 : 1;
      const expr = rule.expr.replace(/\[(5m|1h|1d)\]/g, '[90s]');
      expectWithin(await valuesBy(expr), expected(direction, rule.record!.endsWith(':rate5m') ? 1 : 90));
    }
    // And the recorded series themselves: one per WAN, named after its IPv4 interface.
    expect([...(await valuesBy('router_interface:openwrt_wan_receive_bytes:rate5m')).keys()].sort()).toEqual(
      [...expected(0).keys()].sort(),
    );
  });

  it("gives the dashboards' live WAN panels in bits per second, and the total per router", async () => {
    const live = (q: string) => substitute(q).replace('15s', '90s');
    expectWithin(await valuesBy(live(Q.wanReceiveLive)), expected(0, 8));
    expectWithin(await valuesBy(live(Q.wanTransmitLive)), expected(1, 8));
    const totals = await valuesBy(`sum by (router) (${live(Q.wanReceiveLive)}) / 8`);
    const want = new Map(
      Object.entries(MOVES).map(([router, { wans }]) => [`${router}/`, Object.values(wans).reduce((a, r) => a + r[0], 0)] as const),
    );
    expectWithin(totals, want);
  });

  it('gives every WAN traffic panel of the dashboards its expected value', async () => {
    // Each panel query with its windows at 90 s; a panel that reads a recording rule reads the
    // rule's own expression at 90 s in its place (a series recorded for less than its window).
    const recorded = new Map(
      (await rules('recording.yml')).filter((r) => r.record).map((r) => [r.record!, `(${r.expr.replace(/\[(5m|1h|1d)\]/g, '[90s]')})`]),
    );
    const panels = Object.entries(Q).filter(([key]) => /^wan(Receive|Transmit|Received|Transmitted)/.test(key));
    expect(panels.map(([key]) => key).sort()).toEqual([
      'wanReceiveBits',
      'wanReceiveLive',
      'wanReceivedDaily',
      'wanReceivedHourly',
      'wanReceivedInRange',
      'wanReceivedMonthly',
      'wanTransmitBits',
      'wanTransmitLive',
      'wanTransmittedDaily',
      'wanTransmittedHourly',
      'wanTransmittedInRange',
      'wanTransmittedMonthly',
    ]);
    for (const [key, query] of panels) {
      let expr = substitute(query).replace('[15s]', '[90s]').replace('[2m]', '[90s]').replace('[30d]', '[90s]');
      expr = expr.replace(/router_interface:openwrt_wan_\w+:\w+(?=\{)/, (name) => recorded.get(name) ?? name).replace(/\)\{[^}]*\}/, ')');
      const direction = /Receive/.test(key) ? 0 : 1;
      const scale = /Bits|Live/.test(key) ? 8 : 90;
      expectWithin(await valuesBy(expr), expected(direction, scale));
    }
  });

  it('is quiet on every healthy router: no alert pending or firing, wan6 without IPv6 included', async () => {
    const res = (await (await fetch(`${url}/api/v1/alerts`)).json()) as {
      data: { alerts: Array<{ labels: Record<string, string>; state: string }> };
    };
    const active = res.data.alerts.map((a) => `${a.labels.alertname} ${a.labels.router} ${a.labels.interface ?? ''} (${a.state})`);
    // The Watchdog always fires: it is what says the pipeline works.
    expect(active).toEqual(['Watchdog undefined  (firing)']);
    const api = (await (await fetch(`${url}/api/v1/rules`)).json()) as {
      data: { groups: Array<{ rules: Array<{ health: string; name: string; lastError?: string }> }> };
    };
    expect(
      api.data.groups
        .flatMap((g) => g.rules)
        .filter((r) => r.health !== 'ok')
        .map((r) => `${r.name}: ${r.lastError}`),
    ).toEqual([]);
  });

  it('keeps every WAN available, including the one whose ISP gives no IPv6', async () => {
    const availability = await valuesBy('router_interface:openwrt_wan_up:avg5m');
    expect(Object.fromEntries(availability)).toEqual(Object.fromEntries([...expected(0).keys()].map((k) => [k, 1])));
  });
});

// The moving devices are real devices of each capture.
describe('the moves', () => {
  it.each(Object.entries(MOVES))('%s moves devices its /proc/net/dev has', async (router, { devices }) => {
    const text = await readFile(path.join(ROOT, 'fixtures', 'routers', router, 'rootfs', 'proc', 'net', 'dev'), 'utf8');
    const names = parseNetDev(text).map((d) => d.device);
    for (const d of Object.keys(devices)) expect(names).toContain(d);
  });
});
