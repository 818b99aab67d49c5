// What each runtime dependency costs a router at start: RSS under the shipped Node flags of a bundle
// that imports only that dependency (all of it: an upper bound on what routerscope's bundle keeps),
// against an empty bundle, both listening on a socket as the exporter does. Also zod against the
// zod/mini the config uses, and idle RSS of the two bundles serving the BPI-R4 test router.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { build } from 'esbuild';
import { ROOT, routerFlags, startExporter, stopProcess, tempDir } from '../test/helpers.ts';

const RUNS = 3;
/** Dependencies only a checkout uses (dashboards are generated there): in neither bundle. */
const CHECKOUT_ONLY = new Set(['@grafana/grafana-foundation-sdk']);
/** What a router's bundle never loads: the report's (monitoring host only). */
const HOST_ONLY = new Set(['nodemailer', 'undici']);
/** Where a dependency is not loaded whole at start on the router. */
const WHERE: Record<string, string> = {
  'net-snmp': 'router, at the first SNMP poll',
  'tar-stream': 'router and host, when a diagnostics download asks',
  'prom-client': 'neither whole: its modules the self-metrics load (row below)',
  zod: 'neither: the config uses zod/mini (rows below)',
};

/**
 * RSS and its file-backed part: the pages of the node binary and its libraries that the process
 * has touched (shared, clean, and the same for any Node program doing the same things); the rest
 * is anonymous memory, the heaps and stacks.
 */
export interface Memory {
  readonly rss: number;
  readonly file: number;
}

export function memoryMiB(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: kib('VmRSS') / 1024, file: kib('RssFile') / 1024 };
}

/** The run with the median RSS. */
const median = <T extends { rss: number }>(runs: T[]): T => [...runs].sort((a, b) => a.rss - b.rss)[Math.floor(runs.length / 2)]!;

/** Memory once the bundle has loaded and listens, a second later; undefined when it does not keep running. */
async function memoryOfBundle(file: string, nodeFlags: readonly string[]): Promise<Memory | undefined> {
  const child = spawn(process.execPath, [...nodeFlags, file], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const ready = await new Promise<boolean>((resolve) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve(true));
      child.on('exit', () => resolve(false));
    });
    if (!ready) return undefined;
    await new Promise((r) => setTimeout(r, 1000));
    // A module can throw after the socket is up (undici wants WebAssembly, which --lite-mode turns off).
    return child.exitCode === null && child.signalCode === null ? memoryMiB(child.pid!) : undefined;
  } finally {
    await stopProcess(child);
  }
}

async function bundleOf(dir: string, name: string, imports: string): Promise<{ file: string; kib: number }> {
  const entry = path.join(dir, `${name}.ts`);
  const file = path.join(dir, `${name}.mjs`);
  await writeFile(
    entry,
    `${imports}\nimport { createServer } from 'node:net';\ncreateServer().listen(0, '127.0.0.1', () => console.log('ready'));\n`,
  );
  await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    minify: true,
    logLevel: 'error',
    nodePaths: [path.join(ROOT, 'node_modules')],
    banner: {
      js: "import { createRequire as __rsCreateRequire } from 'node:module';\nconst require = __rsCreateRequire(import.meta.url);",
    },
  });
  return { file, kib: readFileSync(file).length / 1024 };
}

export async function startupCost(nodeFlags: readonly string[]): Promise<string[][]> {
  const tmp = await tempDir('routerscope-bench-deps-');
  try {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const measure = async (name: string, imports: string) => {
      const { file, kib } = await bundleOf(tmp.dir, name, imports);
      const runs: Array<Memory> = [];
      for (let i = 0; i < RUNS; i++) {
        const memory = await memoryOfBundle(file, nodeFlags);
        if (memory === undefined) return { kib, memory: undefined };
        runs.push(memory);
      }
      return { kib, memory: median(runs) };
    };
    const base = (await measure('node-alone', '')).memory!;
    const rows: string[][] = [['loaded at start', 'where', 'bundled KiB', 'RSS MiB', 'of it file-backed', 'over Node alone']];
    const row = (name: string, where: string, kib: number, memory: Memory | undefined) =>
      rows.push([
        name,
        where,
        kib.toFixed(0),
        memory === undefined ? 'fails under these flags' : memory.rss.toFixed(1),
        memory === undefined ? '' : memory.file.toFixed(1),
        memory === undefined || memory === base ? '' : `+${(memory.rss - base.rss).toFixed(1)}`,
      ]);
    row('Node alone, listening', '', 0, base);
    const deps: Array<[string, string, string]> = Object.keys(pkg.dependencies)
      .filter((d) => !CHECKOUT_ONLY.has(d))
      .map((d) => [
        d,
        WHERE[d] ?? (HOST_ONLY.has(d) ? 'monitoring host (report)' : 'router and host'),
        `import * as m from '${d}'; globalThis.keep = m;`,
      ]);
    deps.push(
      [
        "the self-metrics (prom-client's registry, gauge and process_* modules)",
        'router and host',
        `import { SelfMetrics } from '${path.join(ROOT, 'exporter', 'self-metrics.ts')}'; globalThis.keep = new SelfMetrics();`,
      ],
      // The choice the config made: one schema of its kind (defaults, bounds, an enum, strict objects) in each.
      // What the time collector's zone name cost before it read the zone's rule itself: ICU's data.
      [
        "Intl.DateTimeFormat's zone name",
        'before this change',
        "globalThis.keep = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(new Date());",
      ],
      [
        'node:crypto',
        'router, when the admin listener, agentless or MAC pseudonyms use it',
        "import * as c from 'node:crypto'; globalThis.keep = c;",
      ],
      [
        'a config schema on zod',
        'before this change',
        "import { z } from 'zod'; globalThis.keep = z.strictObject({ a: z.string().min(1).default('x'), b: z.number().int().min(1).max(9).optional(), c: z.array(z.enum(['p', 'q'])).default([]) }).prefault({}).parse(undefined);",
      ],
      [
        'the same schema on zod/mini',
        'router and host',
        "import * as z from 'zod/mini'; globalThis.keep = z.prefault(z.strictObject({ a: z._default(z.string().check(z.minLength(1)), 'x'), b: z.optional(z.int().check(z.gte(1), z.lte(9))), c: z._default(z.array(z.enum(['p', 'q'])), []) }), {}).parse(undefined);",
      ],
    );
    for (const [name, where, imports] of deps) {
      const { kib, memory } = await measure(name.replace(/[^a-z]/g, ''), imports);
      row(name, where, kib, memory);
    }
    // The two bundles serving the same router, idle after start; and the router's with no collector
    // at all: what the program costs before any collector does.
    const routerBundle = path.join(ROOT, 'dist', 'routerscope-router.mjs');
    for (const [name, bundle, flags] of [
      ['dist/routerscope-router.mjs serving no collector', routerBundle, ['--collector.disable-defaults']],
      ['dist/routerscope-router.mjs serving the BPI-R4', routerBundle, ['--no-collector.ping']],
      ['dist/routerscope.mjs serving the BPI-R4', path.join(ROOT, 'dist', 'routerscope.mjs'), ['--no-collector.ping']],
    ] as const) {
      const runs: Array<Memory> = [];
      for (let i = 0; i < RUNS; i++) {
        const exporter = await startExporter([...routerFlags('bpi-r4-omr'), ...flags], { bundle, nodeFlags: [...nodeFlags] });
        await new Promise((r) => setTimeout(r, 1000));
        runs.push(memoryMiB(exporter.process.pid!));
        await exporter.stop();
      }
      row(name, '', readFileSync(bundle).length / 1024, median(runs));
    }
    return rows;
  } finally {
    await tmp.remove();
  }
}
