// Must-show: on a frozen copy of this machine's /proc and /sys, the bundle gives the same values as
// Debian's node_exporter 1.5 for every node_ series both expose from the system collectors.
import { execFile, spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition, toSeriesMap } from '../exporter/parse-exposition.ts';
import { freePort, ROOT, ROUTER_BUNDLE, SHARED_SYSTEM_COLLECTORS, stopProcess, tempDir, waitFor } from './helpers.ts';

const run = promisify(execFile);

/** Copies a file if the kernel lets us read it; sysfs has attributes that fail with EINVAL. */
async function copyIfReadable(from: string, to: string): Promise<void> {
  let content: Buffer;
  try {
    content = await readFile(from);
  } catch {
    return;
  }
  await mkdir(path.dirname(to), { recursive: true });
  await writeFile(to, content);
}

async function copyDirFiles(from: string, to: string, filter: (name: string) => boolean = () => true): Promise<void> {
  let entries;
  try {
    entries = await readdir(from, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isFile() && filter(e.name)) await copyIfReadable(path.join(from, e.name), path.join(to, e.name));
}

async function freezeSystem(root: string): Promise<void> {
  const procFiles = [
    'loadavg',
    'meminfo',
    'stat',
    'sys/fs/file-nr',
    'net/dev',
    '1/mounts',
    'net/stat/nf_conntrack',
    'sys/net/netfilter/nf_conntrack_count',
    'sys/net/netfilter/nf_conntrack_max',
    'sys/kernel/ostype',
    'sys/kernel/osrelease',
    'sys/kernel/version',
    'sys/kernel/hostname',
    'sys/kernel/domainname',
    'sys/kernel/arch',
  ];
  for (const f of procFiles) await copyIfReadable(`/proc/${f}`, path.join(root, 'proc', f));
  for (const dev of await readdir('/sys/class/net')) await copyDirFiles(`/sys/class/net/${dev}`, path.join(root, 'sys/class/net', dev));
  for (const cls of ['thermal', 'hwmon']) {
    for (const entry of await readdir(`/sys/class/${cls}`).catch(() => [] as string[])) {
      await copyDirFiles(`/sys/class/${cls}/${entry}`, path.join(root, 'sys/class', cls, entry), (n) => !n.startsWith('uevent'));
    }
  }
  for (const cs of await readdir('/sys/devices/system/clocksource').catch(() => [] as string[])) {
    for (const f of ['available_clocksource', 'current_clocksource']) {
      await copyIfReadable(`/sys/devices/system/clocksource/${cs}/${f}`, path.join(root, 'sys/devices/system/clocksource', cs, f));
    }
  }
}

/** Series whose values legitimately move between the two runs, with the allowed difference. */
function tolerance(key: string, value: number): number {
  if (key.startsWith('node_time_seconds')) return 30;
  if (/^node_filesystem_(free|avail)_bytes/.test(key)) return Math.max(64 * 1024 * 1024, value * 0.01);
  if (key.startsWith('node_filesystem_files_free')) return 10000;
  return Math.abs(value) * 1e-12;
}

const NODE_EXPORTER_COLLECTORS = ['filefd', 'stat', ...SHARED_SYSTEM_COLLECTORS];

describe('parity with node_exporter 1.5 on a frozen /proc and /sys', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let ours: Map<string, number>;
  let theirs: Map<string, number>;

  beforeAll(async () => {
    tmp = await tempDir('routerscope-parity-');
    await freezeSystem(tmp.dir);
    await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/build.ts')], { cwd: ROOT });

    const port = await freePort();
    const exporter = spawn(
      'prometheus-node-exporter',
      [
        `--web.listen-address=127.0.0.1:${port}`,
        `--path.rootfs=${tmp.dir}`,
        `--path.procfs=${tmp.dir}/proc`,
        `--path.sysfs=${tmp.dir}/sys`,
        '--collector.disable-defaults',
        ...NODE_EXPORTER_COLLECTORS.map((c) => `--collector.${c}`),
        '--no-collector.netdev.netlink',
        '--no-collector.netclass.netlink',
      ],
      { stdio: 'ignore' },
    );
    try {
      const text = await waitFor(
        async () => {
          try {
            const res = await fetch(`http://127.0.0.1:${port}/metrics`);
            return res.ok ? await res.text() : undefined;
          } catch {
            return undefined;
          }
        },
        15000,
        'node_exporter',
      );
      theirs = toSeriesMap(parseExposition(text));
    } finally {
      await stopProcess(exporter);
    }
    const { stdout } = await run(process.execPath, [ROUTER_BUNDLE, 'once', '--path.rootfs', tmp.dir], {
      cwd: tmp.dir,
      maxBuffer: 1 << 24,
    });
    ours = toSeriesMap(parseExposition(stdout));
  });

  afterAll(async () => {
    await tmp?.remove();
  });

  it('exposes the same node_ series with the same values', () => {
    const common = [...ours.keys()].filter((k) => k.startsWith('node_') && theirs.has(k));
    const mismatches = common
      .filter((k) => Math.abs(ours.get(k)! - theirs.get(k)!) > tolerance(k, theirs.get(k)!))
      .map((k) => `${k}: routerscope ${ours.get(k)} node_exporter ${theirs.get(k)}`);
    expect(mismatches).toEqual([]);
    // The comparison covers every collector, not just a few lucky series.
    const families = new Set(common.map((k) => k.slice(0, k.indexOf('{'))));
    for (const family of [
      'node_load1',
      'node_filefd_allocated',
      'node_filefd_maximum',
      'node_memory_MemTotal_bytes',
      'node_cpu_seconds_total',
      'node_boot_time_seconds',
      'node_context_switches_total',
      'node_forks_total',
      'node_intr_total',
      'node_procs_running',
      'node_network_receive_bytes_total',
      'node_network_transmit_packets_total',
      'node_network_info',
      'node_network_up',
      'node_network_mtu_bytes',
      'node_network_speed_bytes',
      'node_network_carrier',
      'node_nf_conntrack_entries_limit',
      'node_filesystem_size_bytes',
      'node_filesystem_readonly',
      'node_time_seconds',
      'node_time_clocksource_current_info',
      'node_uname_info',
    ]) {
      expect(families, family).toContain(family);
    }
    expect(common.length).toBeGreaterThan(150);
  });

  it('misses none of the node_ series node_exporter has for the mounts and devices we both cover', () => {
    // Mount points and devices differ only by each exporter's default exclusions (Debian excludes
    // lo from netdev and /mnt, /run from filesystem); within what both cover, nothing is missing.
    const ourDevices = new Set([...ours.keys()].map((k) => /device="([^"]*)"/.exec(k)?.[1]).filter(Boolean));
    const ourMounts = new Set([...ours.keys()].map((k) => /mountpoint="([^"]*)"/.exec(k)?.[1]).filter(Boolean));
    const missing = [...theirs.keys()].filter((k) => {
      if (!k.startsWith('node_') || k.startsWith('node_scrape_') || k.startsWith('node_exporter_') || ours.has(k)) return false;
      const device = /device="([^"]*)"/.exec(k)?.[1];
      const mount = /mountpoint="([^"]*)"/.exec(k)?.[1];
      if (mount !== undefined) return ourMounts.has(mount);
      if (device !== undefined && !k.startsWith('node_time_')) return ourDevices.has(device);
      return true;
    });
    expect(missing).toEqual([]);
  });
});
