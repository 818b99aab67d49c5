// npm run bench: scrape cost of routerscope against Debian's node_exporter measured in the same
// run, and the render cost of 10k / 100k series against a plain string-building formatter.
// Prints figures and ratios; asserts nothing.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Gauge, Registry } from 'prom-client';
import { Family, render, type MetricFamily } from '../exporter/metrics.ts';
import { generateHome } from '../fixtures/routers/generate-clients.ts';
import { homeSeries, openMetrics } from '../test/report-data.ts';
import {
  copyRouter,
  descendsFrom,
  exporterCommand,
  freePort,
  processes,
  ROOT,
  routerFlags,
  SHARED_SYSTEM_COLLECTORS,
  startExporter,
  stopProcess,
  tempDir,
  transportCounter,
  waitFor,
  type RunningExporter,
} from '../test/helpers.ts';
import { SSH_SERVERS, startSshLab, type SshLab, type SshServer } from '../test/ssh-lab.ts';
import { memoryMiB, startupCost } from './startup-cost.ts';

const SCRAPES = Number(process.env.BENCH_SCRAPES ?? 200);
const CLK_TCK = 100;

/** Fields of /proc/<pid>/stat after the parenthesised command name (field 3 is index 0). */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function cpuSeconds(pid: number): number {
  // utime and stime are fields 14 and 15.
  const fields = statFields(pid);
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/**
 * CPU of a whole process tree: each living process's own time plus that of the children it has
 * reaped (fields 16 and 17), so short-lived commands are counted once, by whoever waited for them.
 */
async function treeCpuSeconds(roots: readonly number[]): Promise<number> {
  const rows = await processes();
  let total = 0;
  for (const { pid } of rows) {
    if (!roots.some((root) => descendsFrom(rows, pid, root))) continue;
    try {
      const f = statFields(pid);
      total += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / CLK_TCK;
    } catch {
      /* exited while reading */
    }
  }
  return total;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface ScrapeFigures {
  name: string;
  p50Ms: number;
  p99Ms: number;
  /** CPU of the exporter and of the commands it ran (the test routers' commands are shell playbacks). */
  cpuMsPerScrape: number;
  /** CPU of the exporter process alone. */
  ownCpuMsPerScrape: number;
  /** RSS after the scrapes. */
  rssMiB: number;
  /** RSS once started and ready, before any scrape. */
  idleRssMiB: number;
  series: number;
}

/** Scrapes `url` (after a warm-up); CPU is the exporter's process tree unless `cpu` says otherwise. */
async function measureScrapes(
  name: string,
  url: string,
  pid: number,
  cpu = () => treeCpuSeconds([pid]),
  scrapes = SCRAPES,
  warmUp = 20,
): Promise<ScrapeFigures & { last: string; latencies: number[] }> {
  const idleRssMiB = memoryMiB(pid).rss;
  let last = '';
  for (let i = 0; i < warmUp; i++) last = await (await fetch(url)).text();
  const series = last.split('\n').filter((l) => l && !l.startsWith('#')).length;
  const cpuBefore = await cpu();
  const ownBefore = cpuSeconds(pid);
  const latencies: number[] = [];
  for (let i = 0; i < scrapes; i++) {
    const start = performance.now();
    last = await (await fetch(url)).text();
    latencies.push(performance.now() - start);
  }
  const cpuUsed = (await cpu()) - cpuBefore;
  const ownUsed = cpuSeconds(pid) - ownBefore;
  latencies.sort((a, b) => a - b);
  return {
    name,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cpuMsPerScrape: (cpuUsed * 1000) / scrapes,
    ownCpuMsPerScrape: (ownUsed * 1000) / scrapes,
    rssMiB: memoryMiB(pid).rss,
    idleRssMiB,
    series,
    last,
    latencies,
  };
}

/** Node flags measured for a router's small heap; the chosen set is the init script's default. */
export const ROUTER_NODE_FLAGS = ['--max-old-space-size=48', '--max-semi-space-size=1', '--optimize-for-size', '--lite-mode'];
const FLAG_SETS: Array<[string, string[]]> = [
  ['none', []],
  ['--max-old-space-size=64 --optimize-for-size', ['--max-old-space-size=64', '--optimize-for-size']],
  ['chosen: ' + ROUTER_NODE_FLAGS.join(' '), ROUTER_NODE_FLAGS],
];

async function withRouterscope(args: string[], name: string, nodeFlags: string[] = []): Promise<ScrapeFigures> {
  const exporter = await startExporter(args, { bundle: true, nodeFlags });
  try {
    return await measureScrapes(name, `${exporter.url}/metrics`, exporter.process.pid!);
  } finally {
    await exporter.stop();
  }
}

/**
 * The GL-MT2500A with a "big home": 250 clients x 20 protocols of nlbwmon rows, leases and
 * neighbours, nlbwmon read on every scrape (no refresh cache) with per-client protocols on.
 */
async function bigHomeRouter(): Promise<Awaited<ReturnType<typeof copyRouter>>> {
  const router = await copyRouter('gl-mt2500a');
  const home = generateHome(250, 20, 250);
  await writeFile(path.join(router.dir, 'commands', 'nlbw_-c_json'), home.nlbwJson);
  await writeFile(path.join(router.dir, 'commands', 'ip_-j_neigh_show'), home.neighJson);
  await writeFile(path.join(router.dir, 'commands', 'uci_-q_show_dhcp'), home.dhcpUci);
  await writeFile(path.join(router.dir, 'rootfs', 'tmp', 'dhcp.leases'), home.leases);
  await appendFile(path.join(router.dir, 'config.yml'), '  nlbwmon:\n    refresh_seconds: 0\n    client_protocols: true\n');
  return router;
}

async function withBigHome(): Promise<ScrapeFigures> {
  const router = await bigHomeRouter();
  try {
    return await withRouterscope(router.flags, 'routerscope, 250-client home (nlbwmon every scrape)');
  } finally {
    await router.remove();
  }
}

const AGENTLESS_SCRAPES = Number(process.env.BENCH_AGENTLESS_SCRAPES ?? 200);

/** PIDs of the OpenSSH control masters an agentless exporter started (they detach from it). */
async function controlMasters(exporterPid: number): Promise<number[]> {
  return (await processes()).filter((p) => p.args.includes(`rs-ssh-${exporterPid}-`)).map((p) => p.pid);
}

/** An agentless exporter reading a copy of the router through one SSH server, and its figures. */
interface AgentlessSide {
  readonly server: SshServer;
  readonly ssh: SshLab;
  readonly router: Awaited<ReturnType<typeof bigHomeRouter>>;
  exporter?: RunningExporter;
  /** CPU of the server's process tree, summed over the blocks. */
  routerCpu: number;
  blocks: Array<Awaited<ReturnType<typeof measureScrapes>>>;
}

/**
 * The 250-client home read on the router (local) and over SSH from the monitoring host
 * (agentless, through OpenSSH's sshd and through dropbear, the router's server, on loopback): latency, CPU on
 * each side, and the SSH round trips and batched file operations each scrape costs.
 */
async function localVersusAgentless(): Promise<string[][]> {
  const header = [
    'transport',
    'p50 ms',
    'p99 ms',
    'CPU ms/scrape on the router',
    'CPU ms/scrape off the router',
    'SSH commands/scrape',
    'file ops/scrape: prefetched + on demand',
  ];
  const router = await bigHomeRouter();
  const local = await startExporter(router.flags, { bundle: true });
  // One agentless exporter per SSH server, each on a copy of the same router: dropbear is what
  // OpenWrt runs.
  const agentless: AgentlessSide[] = [];
  try {
    for (const server of SSH_SERVERS) {
      const side: AgentlessSide = {
        server,
        ssh: await startSshLab({ server }),
        router: await bigHomeRouter(),
        routerCpu: 0,
        blocks: [],
      };
      agentless.push(side);
      await appendFile(
        path.join(side.router.dir, 'config.yml'),
        `target:\n  identity_file: ${side.ssh.identityFile}\n  known_hosts_file: ${side.ssh.knownHostsFile}\n`,
      );
      side.exporter = await startExporter([...side.router.flags, '--target', `ssh://${side.ssh.user}@127.0.0.1:${side.ssh.port}`], {
        bundle: true,
      });
    }
    // All run at once and are measured in alternating blocks, so that the machine's drift (the
    // local reference moves by 20 % between runs) weighs on every side alike.
    const urls = [local, ...agentless.map((side) => side.exporter!)].map((e) => `${e.url}/metrics`);
    for (const url of urls) for (let i = 0; i < 20; i++) await (await fetch(url)).text();
    const blocks = 8;
    const perBlock = Math.ceil(AGENTLESS_SCRAPES / blocks);
    const scrapes = perBlock * blocks;
    const localBlocks = [];
    const before = await Promise.all(agentless.map(async (side) => (await fetch(`${side.exporter!.url}/metrics`)).text()));
    for (let b = 0; b < blocks; b++) {
      localBlocks.push(await measureScrapes('local', urls[0]!, local.process.pid!, undefined, perBlock, 0));
      for (const side of agentless) {
        const pid = side.exporter!.process.pid!;
        // The router's side is the SSH server and everything below it.
        const routerBefore = await treeCpuSeconds([side.ssh.pid]);
        const exporterCpu = async () => treeCpuSeconds([pid, ...(await controlMasters(pid))]);
        side.blocks.push(await measureScrapes(side.server, `${side.exporter!.url}/metrics`, pid, exporterCpu, perBlock, 0));
        side.routerCpu += (await treeCpuSeconds([side.ssh.pid])) - routerBefore;
      }
    }
    const summary = (figures: Array<Awaited<ReturnType<typeof measureScrapes>>>) => {
      const latencies = figures.flatMap((f) => f.latencies).sort((a, b) => a - b);
      const mean = (pick: (f: ScrapeFigures) => number) => figures.reduce((sum, f) => sum + pick(f), 0) / figures.length;
      return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpu: mean((f) => f.cpuMsPerScrape) };
    };
    const localFigures = summary(localBlocks);
    return [
      header,
      [
        'local (on the router)',
        localFigures.p50.toFixed(2),
        localFigures.p99.toFixed(2),
        localFigures.cpu.toFixed(2),
        '0',
        '0',
        '(local reads)',
      ],
      ...agentless.map((side, i) => {
        const figures = summary(side.blocks);
        const routerCpuMs = (side.routerCpu * 1000) / scrapes;
        const last = side.blocks.at(-1)!.last;
        // Between the scrape after the warm-up and the last of the blocks: the blocks' scrapes.
        const perScrape = (op: string) => ((transportCounter(last, op) - transportCounter(before[i]!, op)) / scrapes).toFixed(1);
        return [
          `agentless (over ${side.server === 'openssh' ? "OpenSSH's sshd" : 'dropbear'})`,
          `${figures.p50.toFixed(2)} (${(figures.p50 / localFigures.p50).toFixed(2)}x local)`,
          figures.p99.toFixed(2),
          `${routerCpuMs.toFixed(2)} (${(routerCpuMs / localFigures.cpu).toFixed(2)}x local)`,
          figures.cpu.toFixed(2),
          perScrape('commands'),
          `${perScrape('prefetched_operations')} + ${perScrape('batched_operations')}`,
        ];
      }),
    ];
  } finally {
    for (const side of agentless) {
      await side.exporter?.stop();
      await side.ssh.stop();
      await side.router.remove();
    }
    await local.stop();
    await router.remove();
  }
}

/** The like-for-like comparison of issue 18: the shared system collectors and the textfile one. */
const SYSTEM_COLLECTORS = [...SHARED_SYSTEM_COLLECTORS, 'textfile'];

async function withNodeExporter(): Promise<ScrapeFigures> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'prometheus-node-exporter',
    [
      `--web.listen-address=127.0.0.1:${port}`,
      '--collector.disable-defaults',
      ...[...SYSTEM_COLLECTORS, 'stat'].map((c) => `--collector.${c}`),
    ],
    { stdio: 'ignore' },
  );
  try {
    const url = `http://127.0.0.1:${port}/metrics`;
    await waitFor(
      () =>
        fetch(url).then(
          (r) => (r.ok ? true : undefined),
          () => undefined,
        ),
      15000,
      'node_exporter',
    );
    return await measureScrapes('node_exporter 1.5, this machine', url, child.pid!);
  } finally {
    await stopProcess(child);
  }
}

function families(seriesCount: number): MetricFamily[] {
  const perFamily = 100;
  const out: MetricFamily[] = [];
  for (let f = 0; f < seriesCount / perFamily; f++) {
    const family = new Family(`openwrt_bench_metric_${f}_bytes_total`, 'counter', 'A benchmark family.');
    for (let s = 0; s < perFamily; s++)
      family.add(
        { mac: `02:00:00:00:${(s >> 8).toString(16)}:${(s & 255).toString(16)}`, protocol: `proto${f % 20}`, interface: `wan${s % 3}` },
        f * 1e6 + s * 12345.5,
      );
    out.push(family);
  }
  return out;
}

/** The reference: the simplest formatter one would write, with no escaping and no special values. */
function plainFormatter(fams: readonly MetricFamily[]): string {
  let out = '';
  for (const f of fams) {
    out += `# HELP ${f.name} ${f.help}\n# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) {
      const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      out += `${f.name}{${labels}} ${s.value}\n`;
    }
  }
  return out;
}

async function promClientRender(fams: readonly MetricFamily[]): Promise<string> {
  const registry = new Registry();
  for (const f of fams) {
    const gauge = new Gauge({ name: f.name, help: f.help, labelNames: Object.keys(f.samples[0]!.labels), registers: [registry] });
    for (const s of f.samples) gauge.set(s.labels, s.value);
  }
  return registry.metrics();
}

async function timeIt(fn: () => unknown, minMs = 1500): Promise<number> {
  for (let i = 0; i < 3; i++) await fn();
  const samples: number[] = [];
  const until = performance.now() + minMs;
  while (performance.now() < until || samples.length < 5) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return percentile(samples, 50);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  return [line(rows[0]!), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line)].join('\n');
}

/** A year of a 250-client home every 6 hours, backfilled into Prometheus; times each report. */
async function reportOverAYear(): Promise<string[][]> {
  const run = promisify(execFile);
  const work = await tempDir('routerscope-bench-report-');
  const rows: string[][] = [];
  let prometheus: ChildProcess | undefined;
  try {
    const stepSeconds = 6 * 3600;
    const steps = 365 * 4;
    const first = Date.UTC(2025, 10, 1);
    const clients = Array.from({ length: 250 }, (_, i) => ({
      mac: `02:aa:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
      ip: `10.1.${i >> 8}.${i & 255}`,
      hostname: `client-${i}`,
      rx: 1_000_000 + i * 1000,
      tx: 100_000 + i * 100,
      conns: 1 + (i % 7),
      fromDay: 0,
    }));
    const om = path.join(work.dir, 'year.om');
    const out = createWriteStream(om);
    let lines = 0;
    const t0 = performance.now();
    for (const chunk of openMetrics(homeSeries('bighome', clients, steps), first, steps, stepSeconds)) {
      lines += chunk.split('\n').length - 1;
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((r) => out.end(() => r()));
    await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=744h', om, path.join(work.dir, 'data')], {
      maxBuffer: 1 << 26,
    });
    const backfill = (performance.now() - t0) / 1000;
    const port = await freePort();
    await writeFile(path.join(work.dir, 'p.yml'), 'global: {scrape_interval: 1m}\n');
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${work.dir}/p.yml`,
        `--storage.tsdb.path=${work.dir}/data`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=10y',
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
      30000,
      'prometheus',
    );
    rows.push(['backfill', `${lines} samples, ${clients.length} clients, one year every 6 h`, `${backfill.toFixed(1)} s`]);
    for (const [kind, date] of [
      ['daily', '2026-06-15'],
      ['weekly', '2026-06-15'],
      ['monthly', '2026-06-15'],
    ] as const) {
      const start = performance.now();
      await run(process.execPath, [...exporterCommand(true), 'report', kind, '--date', date, '--prometheus', url, '--tz', 'UTC'], {
        maxBuffer: 1 << 24,
      });
      rows.push([`report ${kind}`, `${date}, 250 clients`, `${((performance.now() - start) / 1000).toFixed(2)} s`]);
    }
  } finally {
    if (prometheus) await stopProcess(prometheus);
    await work.remove();
  }
  return rows;
}

const SOAK_SCRAPES = Number(process.env.BENCH_SOAK_SCRAPES ?? 3000);
const SOAK_RELOADS = Number(process.env.BENCH_SOAK_RELOADS ?? 1000);
const SOAK_PAUSE_SECONDS = 15;

/**
 * The soak: the BPI-R4 test router under the shipped Node flags, SOAK_SCRAPES scrapes with
 * SOAK_RELOADS reloads spread among them (POST /-/reload), RSS and the exporter's child processes
 * sampled ten times. The reference is the same process after its warm-up.
 */
async function soak(): Promise<string[][]> {
  const router = await copyRouter('bpi-r4-omr');
  await appendFile(path.join(router.dir, 'config.yml'), 'web:\n  enable_lifecycle: true\n');
  const exporter = await startExporter(router.flags, { bundle: true, nodeFlags: ROUTER_NODE_FLAGS });
  const pid = exporter.process.pid!;
  const children = async () => {
    const rows = await processes();
    return rows.filter((r) => r.pid !== pid && descendsFrom(rows, r.pid, pid)).length;
  };
  try {
    const url = `${exporter.url}/metrics`;
    for (let i = 0; i < 20; i++) await (await fetch(url)).text();
    const reference = { ...memoryMiB(pid), children: await children() };
    const rows = [['scrapes', 'reloads', 'RSS MiB', 'of it file-backed', 'vs after warm-up', 'child processes', 'vs after warm-up']];
    rows.push(['20 (warm-up)', '0', reference.rss.toFixed(1), reference.file.toFixed(1), '1.00x', String(reference.children), '']);
    const steps = Math.max(SOAK_SCRAPES, SOAK_RELOADS);
    let [scrapes, reloads] = [0, 0];
    for (let step = 1; step <= steps; step++) {
      // Scrapes and reloads spread evenly over the steps, whichever there are more of.
      if (Math.floor((step * SOAK_SCRAPES) / steps) > scrapes) {
        await (await fetch(url)).text();
        scrapes++;
      }
      if (Math.floor((step * SOAK_RELOADS) / steps) > reloads) {
        const answer = await fetch(`${exporter.url}/-/reload`, { method: 'POST' });
        if (!answer.ok) throw new Error(`reload ${reloads + 1}: ${answer.status} ${await answer.text()}`);
        reloads++;
      }
      if (step % Math.ceil(steps / 10) === 0 || step === steps) {
        const { rss, file } = memoryMiB(pid);
        const running = await children();
        rows.push([
          String(scrapes),
          String(reloads),
          rss.toFixed(1),
          file.toFixed(1),
          (rss / reference.rss).toFixed(2) + 'x',
          String(running),
          `${running - reference.children >= 0 ? '+' : ''}${running - reference.children}`,
        ]);
        console.error(`soak: ${rows.at(-1)!.join(' | ')}`); // the soak takes minutes: show it going
      }
    }
    // What a router shows between scrapes 30 s apart: V8's memory reducer runs after 8 s idle.
    await new Promise((r) => setTimeout(r, SOAK_PAUSE_SECONDS * 1000));
    const { rss, file } = memoryMiB(pid);
    rows.push([
      `then ${SOAK_PAUSE_SECONDS} s idle`,
      '',
      rss.toFixed(1),
      file.toFixed(1),
      (rss / reference.rss).toFixed(2) + 'x',
      String(await children()),
      '',
    ]);
    return rows;
  } finally {
    await exporter.stop();
    await router.remove();
  }
}

/** BENCH_SECTIONS=soak,render runs only those; all by default. */
const SECTIONS = new Set((process.env.BENCH_SECTIONS ?? 'scrape,flags,startup,agentless,render,reports,soak').split(','));

async function main(): Promise<void> {
  console.log(`routerscope benchmark: ${SCRAPES} sequential scrapes each, on ${process.version}\n`);
  if (SECTIONS.has('scrape')) await scrapeCost();
  if (SECTIONS.has('flags')) await nodeFlags();
  if (SECTIONS.has('startup')) {
    console.log('\n## What each dependency costs at start (shipped Node flags, median of 3)\n');
    console.log(table(await startupCost(ROUTER_NODE_FLAGS)));
  }
  if (SECTIONS.has('agentless')) {
    console.log('\n## Local and agentless (250-client home, nlbwmon every scrape)\n');
    console.log(table(await localVersusAgentless()));
  }
  if (SECTIONS.has('render')) await renderCost();
  if (SECTIONS.has('reports')) {
    console.log('\n## Reports over a year of 250 clients\n');
    console.log(table([['step', 'what', 'duration'], ...(await reportOverAYear())]));
  }
  if (SECTIONS.has('soak')) {
    console.log(`\n## Soak: ${SOAK_SCRAPES} scrapes and ${SOAK_RELOADS} reloads, BPI-R4 test router, shipped Node flags\n`);
    console.log(table(await soak()));
  }
  for (const bundle of ['dist/routerscope-router.mjs', 'dist/routerscope.mjs'])
    console.log(`${bundle}: ${(readFileSync(path.join(ROOT, bundle)).length / 1024).toFixed(0)} KiB`);
}

async function scrapeCost(): Promise<void> {
  const scrapes = [
    await withRouterscope(routerFlags('bpi-r4-omr'), 'routerscope, BPI-R4 test router'),
    await withBigHome(),
    await withRouterscope(['--path.rootfs', '/'], 'routerscope, this machine, every default collector'),
    await withRouterscope(
      ['--path.rootfs', '/', '--collector.disable-defaults', ...SYSTEM_COLLECTORS.map((c) => `--collector.${c}`)],
      "routerscope, this machine, node_exporter's collectors",
    ),
    await withNodeExporter(),
  ];
  const reference = scrapes.at(-1)!;
  console.log('## Scrape cost\n');
  console.log(
    table([
      [
        'exporter',
        'series',
        'p50 ms',
        'p99 ms',
        'CPU ms/scrape, exporter',
        'CPU ms/scrape, with commands',
        'RSS MiB',
        'p50 vs node_exporter',
        'exporter CPU vs node_exporter',
        'RSS vs node_exporter',
      ],
      ...scrapes.map((s) => [
        s.name,
        String(s.series),
        s.p50Ms.toFixed(2),
        s.p99Ms.toFixed(2),
        s.ownCpuMsPerScrape.toFixed(2),
        s.cpuMsPerScrape.toFixed(2),
        s.rssMiB.toFixed(1),
        (s.p50Ms / reference.p50Ms).toFixed(2) + 'x',
        (s.ownCpuMsPerScrape / reference.ownCpuMsPerScrape).toFixed(2) + 'x',
        (s.rssMiB / reference.rssMiB).toFixed(2) + 'x',
      ]),
    ]),
  );
}

async function nodeFlags(): Promise<void> {
  const reference = await withNodeExporter();
  console.log('\n## Node flags (BPI-R4 test router)\n');
  const flagRows: string[][] = [['Node flags', 'RSS MiB idle', `RSS MiB after ${SCRAPES} scrapes`, 'CPU ms/scrape, exporter', 'p50 ms']];
  for (const [label, flags] of FLAG_SETS) {
    const f = await withRouterscope(routerFlags('bpi-r4-omr'), label, flags);
    flagRows.push([label, f.idleRssMiB.toFixed(1), f.rssMiB.toFixed(1), f.ownCpuMsPerScrape.toFixed(2), f.p50Ms.toFixed(2)]);
  }
  flagRows.push([
    'node_exporter 1.5 (this machine, for scale)',
    reference.idleRssMiB.toFixed(1),
    reference.rssMiB.toFixed(1),
    reference.ownCpuMsPerScrape.toFixed(2),
    reference.p50Ms.toFixed(2),
  ]);
  console.log(table(flagRows));
}

async function renderCost(): Promise<void> {
  console.log('\n## Render cost\n');
  const rows: string[][] = [['series', 'routerscope render ms', 'plain formatter ms', 'ratio', 'prom-client registry ms', 'ratio']];
  for (const n of [10_000, 100_000]) {
    const fams = families(n);
    const ours = await timeIt(() => render(fams));
    const plain = await timeIt(() => plainFormatter(fams));
    const prom = await timeIt(() => promClientRender(fams), n > 10_000 ? 3000 : 1500);
    rows.push([
      String(n),
      ours.toFixed(2),
      plain.toFixed(2),
      (ours / plain).toFixed(2) + 'x',
      prom.toFixed(2),
      (prom / plain).toFixed(2) + 'x',
    ]);
  }
  console.log(table(rows));
}

await main();
