// The monitoring host end to end: a real Prometheus scrapes the real exporter on each test router,
// evaluates the shipped rules, and answers every expression of every dashboard panel, variable,
// recording rule and alert rule; Prometheus remote-writes to a real VictoriaMetrics, which answers
// the Overview dashboard's queries. Plus: no dashboard drift, every metric name is real.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { GENERATED_DIR, renderDashboards } from '../grafana/generate.ts';
import {
  copyRouter,
  freePort,
  ROOT,
  routerDir,
  ROUTERS,
  startExporter,
  stopProcess,
  tempDir,
  waitFor,
  writeScript,
  type RunningExporter,
} from './helpers.ts';
import { alertRulesAtPace, dashboards, promQuery, rules, substitute } from './prometheus-lab.ts';

const run = promisify(execFile);

describe('dashboards', () => {
  it('regenerate to the committed JSON byte for byte', async () => {
    for (const [name, json] of renderDashboards())
      expect(await readFile(path.join(GENERATED_DIR, name), 'utf8'), `${name}: run npm run grafana`).toBe(json);
    expect((await readdir(GENERATED_DIR)).sort()).toEqual([...renderDashboards().keys()].sort());
  });

  it('have unique uids and titles, panel ids, and one refId per query', async () => {
    const all = await dashboards();
    expect(new Set(all.map((d) => d.uid)).size).toBe(all.length);
    expect(new Set(all.map((d) => d.title)).size).toBe(all.length);
    expect(all.map((d) => d.title).sort()).toEqual([
      'Bandwidth',
      'Client',
      'Clients',
      'Interfaces & routing',
      'Latency',
      'Optics & health',
      'Router overview',
      'WAN & MPTCP',
      'WiFi',
    ]);
    for (const d of all) {
      const ids = d.panels.map((p) => p.id);
      expect(new Set(ids).size, d.uid).toBe(ids.length);
      for (const p of d.panels) {
        if (p.type === 'row') continue;
        expect(p.targets?.length, `${d.uid}: ${p.title}`).toBeGreaterThan(0);
        expect(p.description, `${d.uid}: ${p.title} has no description`).toMatch(/\w{3,}.*\.$/);
        expect(p.targets!.map((t) => t.refId)).toEqual(p.targets!.map((_, i) => String.fromCharCode(65 + i)));
      }
      expect(d.templating.list.map((v) => v.name).slice(0, 2)).toEqual(['datasource', 'router']);
    }
  });

  it('pass docker-compose config', async () => {
    const { stderr } = await run('docker-compose', ['-f', path.join(ROOT, 'docker-compose.yml'), 'config', '-q'], {
      env: { ...process.env, GRAFANA_ADMIN_PASSWORD: 'test' },
    });
    expect(stderr).toBe('');
  });

  it("runs the compose stack's report schedule as the compose file says", async () => {
    const { stdout } = await run('docker-compose', ['-f', path.join(ROOT, 'docker-compose.yml'), 'config'], {
      env: { ...process.env, GRAFANA_ADMIN_PASSWORD: 'test', TZ: 'Europe/Berlin' },
    });
    const compose = parse(stdout) as { services: Record<string, { command: string[]; volumes: string[] }> };
    const { command, volumes } = compose.services.reports!;
    expect(volumes).toContainEqual(expect.stringMatching(/\/dist\/routerscope\.mjs:\/app\/routerscope\.mjs:ro$/));
    expect(command.slice(0, 4)).toEqual(['node', '/app/routerscope.mjs', 'report', 'schedule']);
    // The same command on this machine's bundle (npm test builds it): it accepts every argument,
    // the unset --send included, and waits for its first run.
    const out = await tempDir('routerscope-compose-reports-');
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'dist/routerscope.mjs'), ...command.slice(2).map((a) => (a === '--out=/reports' ? `--out=${out.dir}` : a))],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let said = '';
      child.stdout.on('data', (d: Buffer) => (said += d.toString()));
      child.stderr.on('data', (d: Buffer) => (said += d.toString()));
      await waitFor(() => (said.includes('\n') ? true : undefined), 15000, 'the schedule');
      expect(said).toMatch(/^next: daily(, weekly)?(, monthly)? at \d{4}-\d\d-\d\dT0[45]:00:00\.000Z\n$/);
    } finally {
      await stopProcess(child);
      await out.remove();
    }
  });
});

describe('every shipped expression against a real Prometheus', () => {
  const exporters: RunningExporter[] = [];
  const processes: ChildProcess[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  let prometheus = '';
  let victoria = '';

  beforeAll(async () => {
    const work = await tempDir('routerscope-prom-');
    cleanups.push(work.remove);
    const targets: Array<{ targets: string[]; labels: { router: string } }> = [];
    for (const router of ROUTERS) {
      const copy = await copyRouter(router);
      cleanups.push(copy.remove);
      // Live pings (so rates and loss are not all zero): whatever the target, ping loopback.
      await writeScript(
        path.join(copy.dir, 'bin', 'ping'),
        '[ "$1" = -V ] && exec /usr/bin/ping -V\nexec /usr/bin/ping -n -i 0.5 127.0.0.1',
      );
      const exporter = await startExporter(copy.flags);
      exporters.push(exporter);
      targets.push({ targets: [exporter.url.replace('http://', '')], labels: { router } });
    }
    const [promPort, vmPort] = [await freePort(), await freePort()];
    processes.push(
      spawn(
        'victoria-metrics',
        [
          `-storageDataPath=${work.dir}/vm`,
          `-httpListenAddr=127.0.0.1:${vmPort}`,
          '-retentionPeriod=1',
          '-search.latencyOffset=1s',
          '-loggerLevel=ERROR',
        ],
        { stdio: 'ignore' },
      ),
    );
    await writeFile(path.join(work.dir, 'routers.yml'), JSON.stringify(targets));
    // The shipped alerts, every group evaluated at this Prometheus' pace.
    const alerts = await alertRulesAtPace(work.dir, { interval: () => undefined });
    await writeFile(
      path.join(work.dir, 'prometheus.yml'),
      JSON.stringify({
        // Six test routers on two cores: a 1 s timeout (0.5 s for the collectors) was too tight for
        // the BPI-R4 under that load, and a missed deadline marks its series stale for a moment.
        global: { scrape_interval: '2s', scrape_timeout: '2s', evaluation_interval: '1s' },
        rule_files: [path.join(ROOT, 'prometheus/rules/recording.yml'), alerts],
        scrape_configs: [{ job_name: 'routerscope', file_sd_configs: [{ files: [path.join(work.dir, 'routers.yml')] }] }],
        remote_write: [{ url: `http://127.0.0.1:${vmPort}/api/v1/write`, queue_config: { batch_send_deadline: '1s' } }],
      }),
    );
    processes.push(
      spawn(
        'prometheus',
        [`--config.file=${work.dir}/prometheus.yml`, `--storage.tsdb.path=${work.dir}/data`, `--web.listen-address=127.0.0.1:${promPort}`],
        { stdio: 'ignore' },
      ),
    );
    prometheus = `http://127.0.0.1:${promPort}`;
    victoria = `http://127.0.0.1:${vmPort}`;
    // Discovery takes ~5 s; then rates need a few samples, and the recording rules their inputs.
    await waitFor(
      async () => {
        const r = await promQuery(prometheus, 'router_target:openwrt_ping_loss:ratio5m').catch(() => undefined);
        return r?.data?.result.length ? true : undefined;
      },
      60000,
      'recording rules over live pings',
    );
    await new Promise((r) => setTimeout(r, 3000));
  }, 120_000);

  afterAll(async () => {
    for (const p of processes) await stopProcess(p);
    for (const e of exporters) await e.stop();
    for (const c of cleanups) await c();
  });

  it('answers every dashboard query and variable with data', async () => {
    const empty: string[] = [];
    const failed: string[] = [];
    // Annotations mark changes: in a steady test router there are none to mark.
    const onlyInTrouble = new Set<string>();
    // Panels a steady test router leaves empty, each shown with known series where named.
    const provenElsewhere = new Map([
      ['Events in the time range', 'test/dashboard-values.test.ts'],
      ['SNMP device traffic', 'test/dashboard-values.test.ts'],
      // A share of packets, and a test router's counters stand still.
      ['Errors per packet', 'test/dashboard-values.test.ts'],
    ]);
    for (const [title, file] of provenElsewhere)
      expect(await readFile(path.join(ROOT, file), 'utf8'), `${file} shows ${title}`).toContain(`'${title}'`);
    for (const d of await dashboards()) {
      for (const a of d.annotations?.list ?? []) if (a.expr) onlyInTrouble.add(a.expr);
      for (const p of d.panels) if (provenElsewhere.has(p.title)) for (const t of p.targets ?? []) onlyInTrouble.add(t.expr);
      const exprs = [
        ...d.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `${d.uid}: ${p.title}`, expr: t.expr }))),
        ...(d.annotations?.list ?? []).filter((a) => a.expr).map((a) => ({ where: `${d.uid}: annotation`, expr: a.expr! })),
      ];
      for (const { where, expr } of exprs) {
        const r = await promQuery(prometheus, substitute(expr));
        if (r.status !== 'success') failed.push(`${where}: ${r.error}`);
        else if (!r.data!.result.length && !onlyInTrouble.has(expr)) empty.push(`${where}: ${expr}`);
      }
      for (const v of d.templating.list.filter((x) => x.type === 'query')) {
        const m = /^label_values\((.+), (\w+)\)$/.exec(v.query!);
        expect(m, v.query).not.toBeNull();
        const res = await fetch(`${prometheus}/api/v1/label/${m![2]}/values?match[]=${encodeURIComponent(substitute(m![1]!))}`);
        const values = ((await res.json()) as { data: string[] }).data;
        if (values.length === 0) empty.push(`${d.uid}: variable ${v.name}`);
      }
    }
    expect(failed).toEqual([]);
    expect(empty).toEqual([]);
  });

  it('answers every recording rule with data, and parses every alert rule', async () => {
    const empty: string[] = [];
    for (const rule of await rules('recording.yml')) {
      const r = await promQuery(prometheus, rule.record!);
      expect(r.status).toBe('success');
      if (!r.data!.result.length) empty.push(rule.record!);
    }
    expect(empty).toEqual([]);
    // Alerts are only non-empty in trouble; each has promtool cases that fire and that stay silent.
    for (const rule of await rules('alerts.yml')) {
      const r = await promQuery(prometheus, rule.expr);
      expect(r.status, `${rule.alert}: ${r.error}`).toBe('success');
    }
    const api = (await (await fetch(`${prometheus}/api/v1/rules`)).json()) as {
      data: { groups: Array<{ rules: Array<{ health: string; name: string; lastError?: string }> }> };
    };
    const unhealthy = api.data.groups
      .flatMap((g) => g.rules)
      .filter((r) => r.health !== 'ok')
      .map((r) => `${r.name}: ${r.lastError}`);
    expect(unhealthy).toEqual([]);
  });

  it('uses only metric names that some test router exports', async () => {
    const golden = (await Promise.all(ROUTERS.map((r) => readFile(path.join(routerDir(r), 'metrics.golden.prom'), 'utf8')))).join('\n');
    const exported = new Set(
      golden
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.split(/[{ ]/)[0]!.replace(/_(bucket|sum|count)$/, '')),
    );
    const recorded = new Set((await rules('recording.yml')).map((r) => r.record!));
    const exprs = [
      ...(await dashboards()).flatMap((d) => [
        ...d.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
        ...(d.annotations?.list ?? []).map((a) => a.expr ?? ''),
        ...d.templating.list.map((v) => v.query ?? ''),
      ]),
      ...(await rules('recording.yml')).map((r) => r.expr),
      ...(await rules('alerts.yml')).map((r) => r.expr),
    ];
    const names = new Set(
      exprs.flatMap((e) => e.match(/\b(?:node|openwrt|routerscope|wifi|process)_[a-zA-Z0-9_]+|\b[a-z_]+:[a-z0-9_]+:[a-z0-9_]+/g) ?? []),
    );
    // No test router has an SNMP device: its series come from a real snmpd in its own test.
    const elsewhere = new Map([['openwrt_snmp_up', 'test/snmp.test.ts']]);
    for (const [name, file] of elsewhere) expect(await readFile(path.join(ROOT, file), 'utf8'), `${file} shows ${name}`).toContain(name);
    const unknown = [...names].filter((n) => !exported.has(n.replace(/_(bucket|sum|count)$/, '')) && !recorded.has(n) && !elsewhere.has(n));
    expect(names.size).toBeGreaterThan(80);
    expect(unknown).toEqual([]);
  });

  it("fills the new views' tables with the routers' own interfaces, routes and hosts", async () => {
    const all = await dashboards();
    const exprOf = (uid: string, title: string, i = 0) =>
      substitute(all.find((d) => d.uid === uid)!.panels.find((p) => p.title === title)!.targets![i]!.expr);
    const rows = async (expr: string) =>
      ((await promQuery(prometheus, expr)).data!.result as Array<{ metric: Record<string, string>; value: [number, string] }>).map(
        (r) => r.metric,
      );
    const pick = (m: Record<string, string>, keys: string[]) => keys.map((k) => m[k] ?? '').join(' ');
    // PPPoE with wan6 on it: both logical interfaces in the wan role, each on its layer-3 device.
    const roles = (await rows(exprOf('routerscope-network', 'Interfaces by role')))
      .filter((m) => m.router === 'openwrt-pppoe')
      .map((m) => pick(m, ['interface', 'role', 'proto', 'l3_device']))
      .sort();
    expect(roles).toEqual(['lan lan static br-lan', 'loopback other static lo', 'wan wan pppoe pppoe-wan', 'wan6 wan dhcpv6 pppoe-wan']);
    // Two WANs, each with its own default route through its own gateway.
    const defaults = (await rows(exprOf('routerscope-network', 'Routing table')))
      .filter((m) => m.router === 'openwrt-two-wans' && m.destination === '0.0.0.0/0')
      .map((m) => pick(m, ['interface', 'gateway', 'device']))
      .sort();
    expect(defaults).toEqual(['wan 198.51.100.1 wan', 'wanb 192.0.2.1 eth2']);
    const dns = (await rows(exprOf('routerscope-network', 'DNS servers')))
      .filter((m) => m.router === 'openwrt-two-wans' && m.interface === 'wanb')
      .map((m) => m.server)
      .sort();
    expect(dns).toEqual(['192.0.2.53', '192.0.2.54']);
    // The client page for one host: its lease, by name.
    const host = exprOf('routerscope-host', 'Addresses').replaceAll('hostname=~".+"', 'hostname=~"tv-living-0"');
    expect((await rows(host)).filter((m) => m.router === 'gl-mt2500a').map((m) => pick(m, ['mac', 'ip']))).toEqual([
      '02:8c:00:00:5e:c4 192.168.8.100',
    ]);
  });

  it('remote-writes to VictoriaMetrics, which answers the Overview dashboard', async () => {
    const overview = (await dashboards()).find((d) => d.uid === 'routerscope-overview')!;
    const exprs = overview.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: p.title, expr: substitute(t.expr) })));
    await waitFor(
      async () => {
        const r = await promQuery(victoria, 'router_target:openwrt_ping_rtt_seconds:mean5m').catch(() => undefined);
        return r?.data?.result.length ? true : undefined;
      },
      30000,
      'VictoriaMetrics to receive recorded series',
    );
    const empty: string[] = [];
    for (const { where, expr } of exprs) {
      const r = await promQuery(victoria, expr);
      expect(r.status, `${where}: ${r.error}`).toBe('success');
      if (!r.data!.result.length) empty.push(`${where}: ${expr}`);
    }
    expect(empty).toEqual([]);
  });
});
