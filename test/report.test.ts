// routerscope report against a real Prometheus serving a backfilled week of a test home: the daily,
// weekly and monthly reports give exactly the figures the data was made with, and each error case
// exits non-zero with one line that says what to do.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { createWriteStream } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../reports/report.ts';
import { parseExposition } from '../exporter/parse-exposition.ts';
import { exporterCommand, freePort, ROOT, routerFlags, scrape, startExporter, stopProcess, tempDir, waitFor } from './helpers.ts';
import { quantileBucket } from '../reports/report.ts';
import { CLIENTS, homeSeries, openMetrics, OUTAGE, STEP, TUNNEL_OUTAGE, wanRx, wanTx } from './report-data.ts';
import { MOVES } from './router-moves.ts';
import { requireCommand } from './setup/preflight.ts';
import { simpleParser } from 'mailparser';

// Debian's python3-aiosmtpd: a real SMTP server that keeps what it receives in a Maildir.
const AIOSMTPD = requireCommand('aiosmtpd');

const connectable = (port: number) =>
  new Promise<true | undefined>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(undefined));
  });

const run = promisify(execFile);
const update = process.env.UPDATE_GOLDEN === '1';

async function startPrometheus(dataDir: string, extra: string[] = []): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const config = path.join(dataDir, '..', `prometheus-${port}.yml`);
  await writeFile(config, 'global: {scrape_interval: 1m}\n');
  const child = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=10y',
      ...extra,
    ],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    () =>
      fetch(`${url}/api/v1/query?query=up`).then(
        (r) => (r.ok ? true : undefined),
        () => undefined,
      ),
    20000,
    'prometheus',
  );
  return { url, process: child };
}

async function report(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...exporterCommand(), 'report', ...args], {
      cwd: ROOT,
      maxBuffer: 1 << 24,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('routerscope report over a backfilled week', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let prom: { url: string; process: ChildProcess };

  beforeAll(async () => {
    work = await tempDir('routerscope-report-');
    const om = path.join(work.dir, 'home.om');
    const out = createWriteStream(om);
    for (const chunk of openMetrics(homeSeries())) if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    await new Promise<void>((r) => out.end(() => r()));
    await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', om, path.join(work.dir, 'blocks')], { maxBuffer: 1 << 24 });
    // Prometheus serves a copy: it compacts and writes into its data directory.
    await cp(path.join(work.dir, 'blocks'), path.join(work.dir, 'data'), { recursive: true });
    prom = await startPrometheus(path.join(work.dir, 'data'));
  }, 300_000);

  afterAll(async () => {
    if (prom) await stopProcess(prom.process);
    await work?.remove();
  });

  /** A report of the backfilled week's 2026-10-14 (its day, week or month), in UTC, with `extra`. */
  const of14th = (kind: string, ...extra: string[]) =>
    report([kind, '--date', '2026-10-14', '--prometheus', prom.url, '--tz', 'UTC', ...extra]);

  const json = async (kind: string, date: string): Promise<Report> => {
    const r = await report([kind, '--date', date, '--prometheus', prom.url, '--tz', 'UTC', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as Report;
  };
  const dayBytes = (perDay: (d: number) => number, days: number[]) => days.reduce((a, d) => a + 288 * perDay(d), 0);

  it("aligns the periods to this machine's time zone when --tz is not given", async () => {
    const r = await report(['daily', '--date', '2026-10-14', '--prometheus', prom.url, '--format', 'json'], { TZ: 'Pacific/Auckland' });
    expect(r.stderr).toBe('');
    // 14 October 00:00 in New Zealand's summer time (UTC+13).
    expect((JSON.parse(r.stdout) as Report).period).toMatchObject({ timeZone: 'Pacific/Auckland', start: '2026-10-13T11:00:00.000Z' });
  });

  it('gives the known figures for a day with an outage', async () => {
    const r = await json('daily', '2026-10-14'); // day index 3
    expect(r.router).toBe('home');
    expect(r.period).toEqual({
      firstDay: '2026-10-14',
      start: '2026-10-14T00:00:00.000Z',
      end: '2026-10-15T00:00:00.000Z',
      timeZone: 'UTC',
    });
    expect(r.summary.wans).toEqual([{ interface: 'wan', download: dayBytes(wanRx, [3]), upload: dayBytes(wanTx, [3]) }]);
    expect(r.summary.total).toEqual({ download: 1_152_000_000, upload: 288_000_000 });
    expect(r.summary.previous).toEqual({ download: dayBytes(wanRx, [2]), upload: dayBytes(wanTx, [2]) });
    expect(r.traffic).toHaveLength(24);
    expect(r.traffic.reduce((a, t) => a + t.download, 0)).toBe(1_152_000_000);
    expect(r.topDownload).toEqual([
      { mac: CLIENTS[0]!.mac, hostname: 'tv-living', ip: '192.168.8.10', value: 288 * 600_000 },
      { mac: CLIENTS[1]!.mac, hostname: 'laptop', ip: '192.168.8.11', value: 288 * 300_000 },
    ]);
    expect(r.topUpload.map((c) => [c.hostname, c.value])).toEqual([
      ['laptop', 288 * 100_000],
      ['tv-living', 288 * 20_000],
    ]);
    expect(r.topConnections.map((c) => [c.hostname, c.value])).toEqual([
      ['laptop', 288 * 5],
      ['tv-living', 288 * 2],
    ]);
    // Host names from the leases; each client's three most asked domains at their peak in the day.
    expect(r.dns).toEqual([
      {
        client: '192.168.8.10',
        hostname: 'tv-living',
        queries: 864,
        uniqueDomains: 42,
        topDomains: [
          { domain: 'netflix.com', queries: 400 },
          { domain: 'nflxvideo.net', queries: 310 },
          { domain: 'updates.example', queries: 12 },
        ],
      },
      { client: '192.168.8.11', hostname: 'laptop', queries: 288, uniqueDomains: 17, topDomains: [{ domain: 'github.com', queries: 90 }] },
    ]);
    expect(r.protocols.map((p) => [p.protocol, p.bytes])).toEqual([
      ['HTTPS', 288 * 800_000],
      ['QUIC', 288 * 200_000],
    ]);
    // Every minute of the day, ends included, the WAN's state then: down 14:00 to 14:29. wanb,
    // disabled all day, has no availability to speak of and is left out.
    expect(r.wans.map((w) => w.interface)).toEqual(['wan']);
    expect(r.wans[0]!.availability).toBeCloseTo((1441 - OUTAGE.steps * 5) / 1441, 12);
    expect(r.tunnels).toEqual([{ tunnel: 'wg0', availability: 1 }]);
    expect(r.wans[0]!.outages).toEqual([{ start: '2026-10-14T14:00:00.000Z', end: '2026-10-14T14:30:00.000Z', minutes: 30 }]);
    expect(r.failovers).toBe(1);
    expect(r.pppoeReconnects).toEqual([{ interface: 'wan', count: 1 }]);
    expect(r.latency).toHaveLength(1);
    const l = r.latency[0]!;
    expect([l.target, l.interface]).toEqual(['vps', 'wan']);
    expect(l.meanMs).toBeCloseTo(20, 9);
    // Every reply took 20 ms: interpolating within the (10, 20] ms bucket puts the p95 at 19.5 ms,
    // below the mean, so the report states the bucket instead.
    expect(l.p95Ms).toBeCloseTo(19.5, 9);
    expect(l.p95BucketMs).toEqual([10, 20]);
    expect(l.loss).toBeCloseTo(0.01, 12);
    expect(l.jitterMs).toBeCloseTo(3, 9);
    expect(r.alerts).toEqual([
      {
        alertname: 'WanDown',
        severity: 'critical',
        subject: 'interface=wan',
        minutes: 25,
        firings: [{ start: '2026-10-14T14:05:00.000Z', end: '2026-10-14T14:30:00.000Z', minutes: 25 }],
      },
    ]);
    expect(r.temperatures).toEqual([{ sensor: 'cpu-thermal', min: 50, max: 61 }]);
    expect(r.optics).toEqual([{ device: 'eth1', rxMinDbm: -19.1, rxMaxDbm: -19.1, txMinDbm: 2.5, txMaxDbm: 2.5 }]);
    expect(r.newClients).toEqual([]);
  });

  it('writes the daily markdown as committed (client-activity-2026-10-14.md)', async () => {
    const out = path.join(work.dir, 'out');
    const r = await report(['daily', '--date', '2026-10-14', '--prometheus', prom.url, '--tz', 'UTC', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(path.join(out, 'client-activity-2026-10-14.md'));
    const text = await readFile(path.join(out, 'client-activity-2026-10-14.md'), 'utf8');
    const golden = path.join(ROOT, 'fixtures', 'reports', 'client-activity-2026-10-14.md');
    if (update) await writeFile(golden, text);
    expect(text).toBe(await readFile(golden, 'utf8'));
    expect(text).toContain('| wan | 1.15 GB | 288.00 MB |');
    expect(text).toContain('| wan | 97.92% | 2026-10-14 14:00 – 14:30 (30 min) |');
    expect(text).not.toContain('| wanb |'); // disabled all day
    expect(text).toContain('| tv-living | 192.168.8.10 | 864 | 42 | netflix.com (400), nflxvideo.net (310), updates.example (12) |');
    expect(text).toContain('| wg0 | 100.00% |');
    // The p95 that interpolation would put below the mean, as its bucket.
    expect(text).toContain('| vps | wan | 20.0 ms | 10.0–20.0 ms |');
    expect(text).toContain('xychart-beta');
    // The paragraph on top, from the figures below it; no failover line on a one-WAN home.
    expect(text).toContain(
      '**In short:** home moved 1.15 GB down and 288.00 MB up (+33.3% on the previous day). The longest outage: wan, 30 min from 2026-10-14 14:00. 1 alert fired (WanDown). No new clients.',
    );
    expect(text).not.toContain('Failovers');
    expect(text).toContain('_Connections: the new connections (flows) nlbwmon counted');
  });

  it('gives the known figures for the week, with a client new in it', async () => {
    const r = await json('weekly', '2026-10-15');
    expect(r.period.firstDay).toBe('2026-10-12');
    expect(r.summary.total).toEqual({ download: dayBytes(wanRx, [1, 2, 3, 4, 5, 6, 7]), upload: dayBytes(wanTx, [1, 2, 3, 4, 5, 6, 7]) });
    expect(r.summary.total.download).toBe(10_080_000_000);
    expect(r.summary.previous.download).toBe(dayBytes(wanRx, [0]));
    expect(r.traffic.map((t) => [t.label, t.download])).toEqual([1, 2, 3, 4, 5, 6, 7].map((d) => [`10-${11 + d}`, dayBytes(wanRx, [d])]));
    expect(r.topDownload.map((c) => [c.hostname, c.value])).toEqual([
      ['tv-living', 7 * 288 * 600_000],
      ['laptop', 7 * 288 * 300_000],
      ['phone', 3 * 288 * 50_000],
    ]);
    expect(r.newClients).toEqual([{ mac: '02:00:00:00:00:0c', hostname: 'phone', ip: '192.168.8.12', value: 1 }]);
    expect(r.pppoeReconnects).toEqual([{ interface: 'wan', count: 2 }]);
    const weekMinutes = 7 * 1440 + 1;
    expect(r.wans[0]!.availability).toBeCloseTo((weekMinutes - OUTAGE.steps * 5) / weekMinutes, 12);
    // The tunnel down two hours on 10-15.
    expect(r.tunnels.map((t) => t.tunnel)).toEqual(['wg0']);
    expect(r.tunnels[0]!.availability).toBeCloseTo((weekMinutes - TUNNEL_OUTAGE.steps * 5) / weekMinutes, 12);
    expect(r.dns.find((d) => d.client === '192.168.8.11')!.uniqueDomains).toBe(25);
    expect(r.optics[0]!.rxMinDbm).toBe(-21.5);
  });

  it('gives the known figures for the month', async () => {
    const r = await json('monthly', '2026-10-01');
    expect(r.period).toMatchObject({ firstDay: '2026-10-01', start: '2026-10-01T00:00:00.000Z', end: '2026-11-01T00:00:00.000Z' });
    expect(r.summary.total.download).toBe(dayBytes(wanRx, [0, 1, 2, 3, 4, 5, 6, 7]));
    expect(r.summary.previous.download).toBe(0);
    expect(r.traffic).toHaveLength(31);
    expect(r.traffic.filter((t) => t.download > 0).map((t) => t.label)).toEqual([
      '10-11',
      '10-12',
      '10-13',
      '10-14',
      '10-15',
      '10-16',
      '10-17',
      '10-18',
    ]);
  });

  it.each([
    [
      'a router that does not exist',
      ['--router', 'nosuch'],
      'routerscope report: router "nosuch" not found in Prometheus; known routers: home. Pass one of them with --router.\n',
    ],
    [
      'a period without data',
      ['--date', '2026-09-01'],
      'routerscope report: no data for router "home" between 2026-09-01T00:00:00.000Z and 2026-09-02T00:00:00.000Z: check --date, and that Prometheus keeps data that long (--storage.tsdb.retention.time).\n',
    ],
    ['a bad date', ['--date', '2026-02-30'], 'routerscope report: date "2026-02-30" does not exist: pass --date YYYY-MM-DD.\n'],
    [
      'a bad time zone',
      ['--tz', 'Mars/Olympus'],
      'routerscope report: unknown time zone "Mars/Olympus": use an IANA name such as Europe/Berlin or UTC.\n',
    ],
  ])('exits 1 for %s', async (_what, args, message) => {
    const r = await report(['daily', '--prometheus', prom.url, '--tz', 'UTC', '--date', '2026-10-14', ...args]);
    expect(r.stderr).toBe(message);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
  });

  it('mails the report through a real SMTP server (aiosmtpd), with the file attached', async () => {
    const port = await freePort();
    const box = path.join(work.dir, 'mailbox');
    const smtp = spawn(AIOSMTPD, ['-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', box], { stdio: 'ignore' });
    try {
      await waitFor(() => connectable(port), 15000, 'aiosmtpd');
      const target = `smtp://127.0.0.1:${port}?to=owner@example.net&from=router@example.net`;
      const r = await of14th('daily', '--send', target);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`mailed to owner@example.net through smtp://127.0.0.1:${port}\n`);
      expect(r.code).toBe(0);
      const [file] = await readdir(path.join(box, 'new'));
      const message = await simpleParser(await readFile(path.join(box, 'new', file!)));
      expect(message.subject).toBe('routerscope daily report for home: 2026-10-14 (UTC)');
      expect(message.from?.text).toBe('router@example.net');
      const golden = await readFile(path.join(ROOT, 'fixtures', 'reports', 'client-activity-2026-10-14.md'), 'utf8');
      expect(message.text?.trim()).toBe(golden.trim());
      expect(message.attachments.map((a) => [a.filename, a.content.toString('utf8')])).toEqual([['client-activity-2026-10-14.md', golden]]);
    } finally {
      await stopProcess(smtp);
    }
  });

  it('posts the report to a webhook, and says so when a target fails, without its password', async () => {
    const received: Array<Record<string, unknown>> = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body) as Record<string, unknown>);
        res.statusCode = req.url === '/broken' ? 500 : 204;
        res.end();
      });
    });
    hook.listen(0, '127.0.0.1');
    await once(hook, 'listening');
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
    try {
      const r = await of14th('weekly', '--send', `${url}/reports?token=t0ken`);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`posted to ${url}/reports\n`);
      const markdown = await of14th('weekly');
      expect(received[0]).toMatchObject({
        router: 'home',
        kind: 'weekly',
        file: 'client-activity-week-2026-10-12.md',
        text: markdown.stdout,
      });

      const closed = await freePort();
      const failing = await of14th(
        'daily',
        '--send',
        `smtp://me:s3cret@127.0.0.1:${closed}?to=owner@example.net`,
        '--send',
        `${url}/broken`,
      );
      expect(failing.code).toBe(1);
      // The first failure is the one said, without the target's password; the webhook after it was
      // still tried (and failed too).
      expect(failing.stderr).toMatch(
        new RegExp(`^routerscope report: cannot mail the report through smtp://127\\.0\\.0\\.1:${closed}: .*ECONNREFUSED.*\\n$`),
      );
      expect(failing.stdout + failing.stderr).not.toContain('s3cret');
      expect(received.length).toBe(2);
      const refused = await of14th('daily', '--send', `${url}/broken`);
      expect(refused.stderr).toBe(`routerscope report: the webhook ${url}/broken answered 500\n`);
      expect(refused.code).toBe(1);
    } finally {
      hook.close();
    }
  });

  it('refuses a --send target it cannot use, with what it takes', async () => {
    for (const [target, message] of [
      [
        'ftp://example.net/x',
        '--send ftp://example.net/x: use smtp://host:587?to=you@example.net, smtps://host:465?to=..., or an http(s):// webhook',
      ],
      ['smtp://127.0.0.1:25', '--send smtp://127.0.0.1:25: say who gets it, e.g. smtp://host:587?to=you@example.net'],
      ['mail me', '--send needs a URL: smtp://host:587?to=you@example.net, smtps://..., or an http(s):// webhook'],
    ]) {
      const r = await of14th('daily', '--send', target!);
      expect(r.stderr).toBe(`routerscope report: ${message}\n`);
      expect(r.code).toBe(1);
    }
  });

  it('exits 1 when Prometheus is unreachable', async () => {
    const port = await freePort();
    const r = await report(['daily', '--date', '2026-10-14', '--prometheus', `http://127.0.0.1:${port}`]);
    expect(r.stderr).toBe(
      `routerscope report: cannot reach Prometheus at http://127.0.0.1:${port} (ECONNREFUSED): is it running? Pass its address with --prometheus URL.\n`,
    );
    expect(r.code).toBe(1);
  });

  it('exits 1 when Prometheus rejects a query', async () => {
    // The same data behind a Prometheus that refuses queries loading more than a few samples.
    await cp(path.join(work.dir, 'blocks'), path.join(work.dir, 'data2'), { recursive: true });
    const strict = await startPrometheus(path.join(work.dir, 'data2'), ['--query.max-samples=10']);
    try {
      const r = await report(['daily', '--date', '2026-10-14', '--prometheus', strict.url, '--router', 'home', '--tz', 'UTC']);
      expect(r.stderr).toMatch(
        /^routerscope report: Prometheus rejected a query \(query processing would load too many samples into memory in query execution\): query was .+\n$/,
      );
      expect(r.code).toBe(1);
    } finally {
      await stopProcess(strict.process);
    }
  });
});

// The report on the real OpenWrt shapes: a day of each router's own /metrics (every series the
// exporter gives, its counters advanced at the known rates of test/router-moves.ts), backfilled
// into a real Prometheus. The WAN section must give each WAN's bytes once: wan6 on the same
// device, PPPoE's ethernet under pppoe-wan and the LAN bridge move too and must not count.
describe('the bucket that holds a quantile', () => {
  const bucket = (le: string, value: number) => ({ labels: { le }, value });
  it('is the first whose count reaches the rank, from the bound below it; past the last bound, open', () => {
    const buckets = [bucket('+Inf', 100), bucket('0.01', 50), bucket('0.02', 96), bucket('0.05', 100)];
    expect(quantileBucket(buckets, 0.95)).toEqual([10, 20]);
    expect(quantileBucket(buckets, 0.5)).toEqual([0, 10]);
    expect(quantileBucket([bucket('0.01', 90), bucket('+Inf', 100)], 0.95)).toEqual([10, null]);
  });
});

describe('routerscope report on the real router shapes', () => {
  const DAY_BEFORE = Date.UTC(2026, 10, 1); // the report is for 2026-11-02
  let work: Awaited<ReturnType<typeof tempDir>>;
  let prom: { url: string; process: ChildProcess };

  beforeAll(async () => {
    work = await tempDir('routerscope-report-routers-');
    const series: Parameters<typeof openMetrics>[0] = [];
    const escape = (v: string) => v.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
    for (const [router, { devices }] of Object.entries(MOVES)) {
      const exporter = await startExporter(routerFlags(router));
      const families = parseExposition(await scrape(exporter.url).finally(() => exporter.stop()));
      for (const family of families) {
        for (const sample of family.samples) {
          const name = family.name + sample.suffix;
          const direction = { node_network_receive_bytes_total: 0, node_network_transmit_bytes_total: 1 }[name];
          const rate = direction === undefined ? 0 : (devices[sample.labels.device ?? '']?.[direction] ?? 0);
          const labels = Object.fromEntries(
            Object.entries({ ...sample.labels, router, job: 'routerscope', instance: `${router}:9100` }).map(([k, v]) => [k, escape(v)]),
          );
          series.push({ name, labels, value: (k) => sample.value + rate * k * STEP });
        }
      }
    }
    const om = path.join(work.dir, 'routers.om');
    await writeFile(om, [...openMetrics(series, DAY_BEFORE, 3 * 288)].join(''));
    await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', om, path.join(work.dir, 'data')], { maxBuffer: 1 << 24 });
    prom = await startPrometheus(path.join(work.dir, 'data'));
  }, 300_000);

  afterAll(async () => {
    if (prom) await stopProcess(prom.process);
    await work?.remove();
  });

  it.each(Object.entries(MOVES))("%s: the day's bytes per WAN, each WAN once and always up", async (router, { wans }) => {
    const r = await report([
      'daily',
      '--date',
      '2026-11-02',
      '--prometheus',
      prom.url,
      '--router',
      router,
      '--tz',
      'UTC',
      '--format',
      'json',
    ]);
    expect(r.stderr).toBe('');
    const parsed = JSON.parse(r.stdout) as Report;
    const day = 86_400;
    expect(parsed.summary.wans).toEqual(
      Object.entries(wans).map(([wan, [rx, tx]]) => ({ interface: wan, download: rx * day, upload: tx * day })),
    );
    const total = Object.values(wans).reduce((a, [rx, tx]) => ({ download: a.download + rx * day, upload: a.upload + tx * day }), {
      download: 0,
      upload: 0,
    });
    expect(parsed.summary.total).toEqual(total);
    expect(parsed.wans.map((w) => [w.interface, w.availability, w.outages])).toEqual(Object.keys(wans).map((wan) => [wan, 1, []]));
  });

  it.each(['openwrt-stock', 'openwrt-pppoe'])('%s: the markdown shows the known bytes per WAN', async (router) => {
    const r = await report(['daily', '--date', '2026-11-02', '--prometheus', prom.url, '--router', router, '--tz', 'UTC']);
    expect(r.code).toBe(0);
    // stock: 125 kB/s down, 25 kB/s up; PPPoE: 250 and 50 (its ethernet's 262 and 53 not counted).
    const row = router === 'openwrt-stock' ? '| wan | 10.80 GB | 2.16 GB |' : '| wan | 21.60 GB | 4.32 GB |';
    expect(r.stdout).toContain(row);
    expect(r.stdout).toContain('| wan | 100.00% | none |');
    expect(r.stdout).not.toMatch(/\| wan6 \|/);
  });
});
