// Shared test helpers: start the real exporter as a process, find free ports, stop by PID.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import type { CollectorInstance } from '../exporter/collector.ts';
import { MetricSink, render } from '../exporter/metrics.ts';
import { parseExposition, toSeriesMap } from '../exporter/parse-exposition.ts';
import type { Sources } from '../exporter/sources.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROUTERS = ['bpi-r4-omr', 'gl-mt2500a', 'openwrt-stock', 'openwrt-no-ipv6', 'openwrt-pppoe', 'openwrt-two-wans'] as const;
export type RouterName = (typeof ROUTERS)[number];

export function routerDir(name: string): string {
  return path.join(ROOT, 'fixtures', 'routers', name);
}

/** Flags that point the exporter at a test router. */
export function routerFlags(name: string): string[] {
  const dir = routerDir(name);
  return ['--config.file', path.join(dir, 'config.yml'), '--path.rootfs', path.join(dir, 'rootfs'), '--path.bin', path.join(dir, 'bin')];
}

/**
 * A loopback port free for both TCP and UDP. dnsmasq and snmpd listen on UDP, where a port free
 * for TCP can still be some other test's ephemeral UDP socket; the daemon would then fail to bind.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const udp = createSocket('udp4');
    const udpFree = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind({ port, address: '127.0.0.1', exclusive: true }, () => resolve(true));
    });
    if (udpFree) udp.close();
    server.close();
    await once(server, 'close');
    if (udpFree) return port;
  }
}

export async function tempDir(prefix = 'routerscope-'): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Stops a child by PID: SIGTERM, then SIGKILL if it lingers; resolves when it has exited. */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export interface RunningExporter {
  readonly url: string;
  readonly process: ChildProcess;
  /** Every JSON log line so far. */
  readonly logs: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** The bundle a router runs (serve, once, check-config): `npm run build` writes it. */
export const ROUTER_BUNDLE = path.join(ROOT, 'dist', 'routerscope-router.mjs');

/** The command that runs the exporter from source (tsx), from the router's bundle, or from a bundle file. */
export function exporterCommand(bundle: boolean | string = false): string[] {
  if (typeof bundle === 'string') return [bundle];
  return bundle ? [ROUTER_BUNDLE] : ['--import', 'tsx', path.join(ROOT, 'exporter', 'main.ts')];
}

/** Starts `routerscope serve` on a free loopback port and waits until it listens. */
export async function startExporter(
  args: string[],
  options: { bundle?: boolean | string; env?: NodeJS.ProcessEnv; nodeFlags?: string[] } = {},
): Promise<RunningExporter> {
  const child = spawn(
    process.execPath,
    [...(options.nodeFlags ?? []), ...exporterCommand(options.bundle), 'serve', '--web.listen-address', '127.0.0.1:0', ...args],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    },
  );
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.msg === 'listening') resolve(`http://${String(entry.address)}`);
        } catch {
          /* not a log line */
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`exporter exited with ${code}: ${stderr}`)));
  });
  return { url, process: child, logs, stop: () => stopProcess(child) };
}

export async function scrape(url: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${url}/metrics`, { headers });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}: ${await res.text()}`);
  return res.text();
}

/**
 * The system collectors node_exporter and routerscope both have, by the same names (node_exporter's
 * `stat` is in routerscope's `cpu`): the parity test and the bench compare them like for like.
 */
export const SHARED_SYSTEM_COLLECTORS = [
  'loadavg',
  'meminfo',
  'cpu',
  'netdev',
  'netclass',
  'thermal_zone',
  'hwmon',
  'conntrack',
  'filesystem',
  'time',
  'uname',
] as const;

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A writable copy of a test router, so a test can change its files or its bin/ scripts. */
export async function copyRouter(name: string): Promise<{ dir: string; flags: string[]; remove: () => Promise<void> }> {
  const { cp, readdir } = await import('node:fs/promises');
  const tmp = await tempDir(`routerscope-${name}-`);
  // bin/ holds symlinks to the shared playback scripts one level up: copy those too.
  const dir = path.join(tmp.dir, name);
  await cp(routerDir(name), dir, { recursive: true, verbatimSymlinks: true });
  const scripts = (await readdir(path.join(ROOT, 'fixtures', 'routers'))).filter((f) => f.endsWith('.sh'));
  for (const script of scripts) await cp(path.join(ROOT, 'fixtures', 'routers', script), path.join(tmp.dir, script));
  return {
    dir,
    flags: ['--config.file', path.join(dir, 'config.yml'), '--path.rootfs', path.join(dir, 'rootfs'), '--path.bin', path.join(dir, 'bin')],
    remove: tmp.remove,
  };
}

/** Writes an executable script. */
export async function writeScript(file: string, body: string): Promise<void> {
  const { writeFile, chmod, rm } = await import('node:fs/promises');
  // Replace, never write through: bin/ entries may be symlinks to shared playback scripts.
  await rm(file, { force: true });
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
}

/** A `routerscope_transport_operations_total{operation}` value in an exposition (NaN when absent). */
export function transportCounter(exposition: string, operation: string): number {
  return (
    toSeriesMap(parseExposition(exposition)).get(`routerscope_transport_operations_total{operation=${JSON.stringify(operation)}}`) ?? NaN
  );
}

export interface ProcessRow {
  readonly pid: number;
  readonly ppid: number;
  /** ps's STAT: Z for a zombie. */
  readonly stat: string;
  readonly args: string;
}

/** Every process on this machine, for tests that find, kill or count what the exporter started. */
export async function processes(): Promise<ProcessRow[]> {
  const { stdout } = await promisify(execFile)('ps', ['-eo', 'pid=,ppid=,stat=,args=']);
  return stdout.split('\n').flatMap((line) => {
    const m = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    return m ? [{ pid: Number(m[1]), ppid: Number(m[2]), stat: m[3]!, args: m[4]! }] : [];
  });
}

/** Whether `pid` is `ancestor` or runs somewhere below it. */
export function descendsFrom(rows: readonly ProcessRow[], pid: number, ancestor: number): boolean {
  const parent = new Map(rows.map((r) => [r.pid, r.ppid]));
  for (let p: number | undefined = pid; p && p > 1; p = parent.get(p)) if (p === ancestor) return true;
  return false;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One collection by a collector, rendered and parsed back as /metrics would carry it: series to values. */
export async function collectSeries(collector: CollectorInstance, sources: Sources, log: Logger): Promise<Map<string, number>> {
  const sink = new MetricSink();
  await collector.collect({ sources, signal: new AbortController().signal, log }, sink);
  return toSeriesMap(parseExposition(render(sink.result())));
}
