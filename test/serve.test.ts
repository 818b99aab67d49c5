// `routerscope serve` as a process: endpoints, deadlines, collect[] filters and reloads.
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitions } from '../collectors/index.ts';
import { parseExposition, toSeriesMap } from '../exporter/parse-exposition.ts';
import { copyRouter, isAlive, ROOT, scrape, startExporter, waitFor, writeScript, type RunningExporter } from './helpers.ts';

describe('serve over a test router', () => {
  let router: Awaited<ReturnType<typeof copyRouter>>;
  let exporter: RunningExporter;

  beforeAll(async () => {
    router = await copyRouter('gl-mt2500a');
    exporter = await startExporter(router.flags);
  });
  afterAll(async () => {
    await exporter.stop();
    await router.remove();
  });

  it('serves the landing page, health, readiness and status', async () => {
    const landing = await fetch(`${exporter.url}/`);
    expect(await landing.text()).toContain('<a href="/metrics">/metrics</a>');
    expect((await fetch(`${exporter.url}/-/healthy`)).status).toBe(200);
    expect((await fetch(`${exporter.url}/-/ready`)).status).toBe(200);
    await scrape(exporter.url);
    const status = (await (await fetch(`${exporter.url}/status`)).json()) as { collectors: Array<{ name: string; last_success: boolean }> };
    expect(status.collectors.find((c) => c.name === 'netdev')).toMatchObject({ last_success: true });
    expect((await fetch(`${exporter.url}/nosuch`)).status).toBe(404);
  });

  it('filters collectors with collect[] and rejects unknown ones', async () => {
    const series = toSeriesMap(parseExposition(await (await fetch(`${exporter.url}/metrics?collect[]=loadavg&collect[]=uname`)).text()));
    const collectors = [...series.keys()].filter((k) => k.startsWith('routerscope_scrape_collector_success'));
    expect(collectors).toEqual([
      'routerscope_scrape_collector_success{collector="loadavg"}',
      'routerscope_scrape_collector_success{collector="uname"}',
    ]);
    expect(series.has('node_load1{}')).toBe(true);
    expect([...series.keys()].some((k) => k.startsWith('node_network_'))).toBe(false);
    const bad = await fetch(`${exporter.url}/metrics?collect[]=nosuch`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe('collect[]: unknown or disabled collector: nosuch\n');
  });

  it('answers within the scrape deadline when a command hangs, and kills the whole command', async () => {
    // A router of its own: uname -m is forked once per exporter, so it must hang from the first scrape.
    const hung = await copyRouter('gl-mt2500a');
    const pidFile = path.join(hung.dir, 'sleep.pid');
    // A shell whose child outlives it unless the process group is killed.
    await writeScript(path.join(hung.dir, 'bin', 'uname'), `sleep 600 & echo $! > '${pidFile}'; wait`);
    const exporter = await startExporter(hung.flags);
    try {
      const text = await scrape(exporter.url, { 'X-Prometheus-Scrape-Timeout-Seconds': '2' });
      const series = toSeriesMap(parseExposition(text));
      expect(series.get('routerscope_scrape_collector_success{collector="uname"}')).toBe(0);
      // Every other collector's series are there.
      const others = [...series].filter(([k]) => k.startsWith('routerscope_scrape_collector_success') && !k.includes('uname'));
      expect(others.length).toBe(definitions.filter((d) => d.defaultEnabled).length - 1);
      expect(others.every(([, v]) => v === 1)).toBe(true);
      expect(series.has('node_network_receive_bytes_total{device="pppoe-wan"}')).toBe(true);
      // The collector's own duration says it stopped at the deadline (2 s less the 0.5 s offset).
      expect(series.get('routerscope_scrape_collector_duration_seconds{collector="uname"}')).toBeLessThan(2);
      const failure = await waitFor(
        () => exporter.logs.find((l) => l.collector === 'uname' && l.msg === 'collector failed'),
        5000,
        'log line',
      );
      expect(failure.err).toBe('uname -m: aborted (scrape deadline)');
      const sleepPid = Number(await readFile(pidFile, 'utf8'));
      await waitFor(() => (isAlive(sleepPid) ? undefined : true), 5000, 'the hung child to be killed');
    } finally {
      await exporter.stop();
      await hung.remove();
    }
  });
});

describe('reload', () => {
  it('reloads on POST /-/reload and SIGHUP; a bad config keeps the old one and says so', async () => {
    const router = await copyRouter('gl-mt2500a');
    const configFile = path.join(router.dir, 'config.yml');
    const exporter = await startExporter([...router.flags, '--web.enable-lifecycle']);
    try {
      const has = async (prefix: string) => (await scrape(exporter.url)).includes(prefix);
      expect(await has('node_network_receive_bytes_total')).toBe(true);

      expect((await fetch(`${exporter.url}/-/reload`)).status).toBe(405);

      await writeFile(configFile, 'collectors:\n  netdev:\n    enabled: false\n');
      const ok = await fetch(`${exporter.url}/-/reload`, { method: 'POST' });
      expect(ok.status).toBe(200);
      expect(await has('node_network_receive_bytes_total')).toBe(false);

      await writeFile(configFile, 'collectors:\n  netdev:\n    enabeld: true\n');
      const bad = await fetch(`${exporter.url}/-/reload`, { method: 'POST' });
      expect(bad.status).toBe(500);
      expect(await bad.text()).toBe(`failed to reload config: ${configFile}:3: collectors.netdev.enabeld: unknown key\n`);
      const text = await scrape(exporter.url);
      expect(text).toContain('routerscope_config_last_reload_successful 0');
      expect(text).not.toContain('node_network_receive_bytes_total');

      await writeFile(configFile, 'collectors:\n  netdev:\n    enabled: true\n');
      exporter.process.kill('SIGHUP');
      await waitFor(async () => ((await has('routerscope_config_last_reload_successful 1')) ? true : undefined), 5000, 'SIGHUP reload');
      expect(await has('node_network_receive_bytes_total')).toBe(true);
    } finally {
      await exporter.stop();
      await router.remove();
    }
  });
});

describe('a FIFO in the textfile directory', () => {
  it('is skipped with node_textfile_scrape_error 1, and neither /metrics nor /-/healthy waits for it', async () => {
    const router = await copyRouter('gl-mt2500a');
    const dir = path.join(router.dir, 'rootfs', 'var', 'prometheus');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'good.prom'), 'routerscope_test_good 1\n');
    await promisify(execFile)('mkfifo', [path.join(dir, 'stuck.prom')]);
    const exporter = await startExporter(router.flags);
    try {
      const text = await scrape(exporter.url);
      expect(text).toContain('routerscope_test_good 1\n');
      expect(text).toContain('node_textfile_scrape_error 1\n');
      expect(text).toContain('routerscope_scrape_collector_success{collector="textfile"} 1\n');
      expect((await fetch(`${exporter.url}/-/healthy`)).status).toBe(200);
      expect(exporter.logs.some((l) => l.msg === 'textfile skipped: not a regular file' && String(l.file).endsWith('/stuck.prom'))).toBe(
        true,
      );
    } finally {
      await exporter.stop();
      await router.remove();
    }
  });
});

describe('a command printing a flood, under the Node flags procd ships', () => {
  let shippedFlags: string[] = [];
  beforeAll(async () => {
    const uci = await readFile(path.join(ROOT, 'procd', 'routerscope.uci'), 'utf8');
    shippedFlags = /option node_flags '([^']+)'/.exec(uci)![1]!.split(' ');
    expect(shippedFlags).toContain('--max-old-space-size=48');
  });

  it.each([6, 15, 40])(
    '%i MB from one command: that collector fails with the cap named, the exporter lives, no child is left',
    async (mb) => {
      const router = await copyRouter('bpi-r4-omr');
      // ss -tinM on a router with a huge MPTCP connection table: the recorded table over and over.
      const table = await readFile(path.join(router.dir, 'commands', 'ss_-tinM'), 'utf8');
      await writeFile(path.join(router.dir, 'big-ss'), table.repeat(Math.ceil((mb * 1024 * 1024) / table.length)));
      await writeScript(path.join(router.dir, 'bin', 'ss'), `echo "$$" > '${router.dir}/ss.pid'; cat '${router.dir}/big-ss'`);
      const exporter = await startExporter([...router.flags, '--no-collector.ping'], { bundle: true, nodeFlags: shippedFlags });
      try {
        for (let i = 0; i < 3; i++) {
          const text = await scrape(exporter.url);
          expect(text).toContain('routerscope_scrape_collector_success{collector="mptcp"} 0');
          expect(text).toContain('routerscope_scrape_collector_success{collector="wan"} 1');
        }
        const status = (await (await fetch(`${exporter.url}/status`)).json()) as {
          collectors: Array<{ name: string; last_error: string | null }>;
        };
        expect(status.collectors.find((c) => c.name === 'mptcp')?.last_error).toMatch(/^ss -tinM: output exceeds \d+ bytes$/);
        expect(isAlive(exporter.process.pid!)).toBe(true);
      } finally {
        await exporter.stop();
        await router.remove();
      }
      const pid = Number(await readFile(path.join(router.dir, 'ss.pid'), 'utf8').catch(() => '0'));
      if (pid) expect(isAlive(pid)).toBe(false);
    },
  );
});
