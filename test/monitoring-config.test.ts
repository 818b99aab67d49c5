// The monitoring host's configuration: promtool and amtool on everything shipped, the generated
// alert tests free of drift, and the inhibitions checked against a real Alertmanager.
import { execFile, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildTestFiles } from '../prometheus/tests/alert-cases.ts';
import { freePort, ROOT, stopProcess, tempDir, waitFor } from './helpers.ts';

const run = promisify(execFile);
const PROM = path.join(ROOT, 'prometheus');

async function tool(cmd: string, args: string[], cwd = PROM): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout + err.stderr };
  }
}

describe('prometheus', () => {
  it('promtool check config and check rules pass', async () => {
    const config = await tool('promtool', ['check', 'config', 'prometheus.yml']);
    expect(config.out).toContain('SUCCESS: 2 rule files found');
    expect(config.code).toBe(0);
    const rules = await tool('promtool', ['check', 'rules', 'rules/recording.yml', 'rules/alerts.yml']);
    expect(rules.code).toBe(0);
  });

  it('every alert has firing and silent cases, and the generated test files are current', async () => {
    const files = buildTestFiles(path.join(PROM, 'rules', 'alerts.yml'));
    for (const [name, content] of Object.entries(files))
      expect(await readFile(path.join(PROM, 'tests', name), 'utf8'), `${name}: run npm run rules:tests`).toBe(content);
  });

  it("the README's alert table lists every alert with each severity it has, and nothing else", async () => {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('### Alerts'), readme.indexOf('### Receivers'));
    const documented = [...table.matchAll(/^\| `(\w+)` \| ([^|]+) \|/gm)].map(([, alert, severity]) => `${alert} ${severity!.trim()}`);
    const { groups } = parse(await readFile(path.join(PROM, 'rules', 'alerts.yml'), 'utf8')) as {
      groups: Array<{ rules: Array<{ alert?: string; labels?: { severity?: string } }> }>;
    };
    const severities = new Map<string, Set<string>>();
    for (const r of groups.flatMap((g) => g.rules).filter((r) => r.alert))
      severities.set(r.alert!, (severities.get(r.alert!) ?? new Set()).add(r.labels!.severity!));
    const shipped = [...severities].map(([alert, s]) => `${alert} ${[...s].sort().reverse().join(' / ')}`);
    expect(documented.sort()).toEqual(shipped.sort());
  });

  it('keeps every waiting alert firing through a missed scrape, the scrape-failure alert aside', async () => {
    const { groups } = parse(await readFile(path.join(PROM, 'rules', 'alerts.yml'), 'utf8')) as {
      groups: Array<{ rules: Array<{ alert?: string; for?: string; keep_firing_for?: string }> }>;
    };
    const waiting = groups.flatMap((g) => g.rules).filter((r) => r.alert && r.for);
    expect(waiting.length).toBeGreaterThan(30);
    expect(waiting.filter((r) => r.keep_firing_for !== '2m').map((r) => r.alert)).toEqual(['RouterscopeDown']);
  });

  it('promtool test rules passes', async () => {
    const result = await tool(
      'promtool',
      ['test', 'rules', 'alerts_test.yml', 'alerts_daily_test.yml', 'recording_test.yml'],
      path.join(PROM, 'tests'),
    );
    expect(result.out).not.toContain('FAILED');
    expect(result.out.match(/SUCCESS/g)).toHaveLength(3);
    expect(result.code).toBe(0);
  });
});

describe("the README's native install (Debian's prometheus, no compose)", () => {
  it('keeps a year as the compose stack does, with the files laid out as the README copies them', async () => {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf("### Without compose: Debian's own Prometheus"));
    const args = /ARGS="([^"]+)"/.exec(section)?.[1];
    expect(args, 'the README sets ARGS in /etc/default/prometheus').toBeDefined();
    const flags = args!.split(' ');
    // The same retention as docker-compose.yml gives.
    const compose = await readFile(path.join(ROOT, 'docker-compose.yml'), 'utf8');
    for (const flag of flags) expect(compose, flag).toContain(flag);
    expect(flags).toContain('--storage.tsdb.retention.time=1y');

    // /etc/prometheus as the README's cp lines leave it.
    const etc = await tempDir('routerscope-etc-prometheus-');
    try {
      const copies = [...section.matchAll(/^sudo cp (-r )?(.+) \/etc\/prometheus\/(\S*)$/gm)];
      expect(copies.length).toBeGreaterThanOrEqual(3);
      for (const [, recursive, sources, target] of copies)
        for (const source of sources!.split(' '))
          await run('cp', [...(recursive ? ['-r'] : []), path.join(ROOT, source), path.join(etc.dir, target || path.basename(source))]);
      const check = await tool('promtool', ['check', 'config', path.join(etc.dir, 'prometheus.yml')], etc.dir);
      expect(check.out).toContain('SUCCESS: 2 rule files found');
      expect(check.code).toBe(0);

      // Debian's prometheus takes the flags and says so on /api/v1/status/flags.
      const port = await freePort();
      const prometheus = spawn(
        'prometheus',
        [
          `--config.file=${etc.dir}/prometheus.yml`,
          `--storage.tsdb.path=${etc.dir}/data`,
          `--web.listen-address=127.0.0.1:${port}`,
          ...flags,
        ],
        { stdio: 'ignore' },
      );
      try {
        const running = await waitFor(
          async () => {
            const res = await fetch(`http://127.0.0.1:${port}/api/v1/status/flags`).catch(() => undefined);
            return res?.ok ? ((await res.json()) as { data: Record<string, string> }).data : undefined;
          },
          30000,
          'prometheus with the README flags',
        );
        expect(running['storage.tsdb.retention.time']).toBe('1y');
        expect(running['storage.tsdb.retention.size']).toBe('50GiB'); // Prometheus' own spelling of 50GB
      } finally {
        await stopProcess(prometheus);
      }
    } finally {
      await etc.remove();
    }
  });
});

describe('alertmanager', () => {
  it('amtool check-config passes', async () => {
    const result = await tool('amtool', ['check-config', 'alertmanager.yml']);
    expect(result.out).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it("accepts the README's receiver examples", async () => {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Receivers'));
    const block = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
    const work = await tempDir('routerscope-receivers-');
    try {
      await writeFile(path.join(work.dir, 'alertmanager.yml'), `route:\n  receiver: email\nreceivers:\n${block}`);
      const result = await tool('amtool', ['check-config', path.join(work.dir, 'alertmanager.yml')]);
      expect(result.out).toContain('SUCCESS');
      expect(result.out).toContain(' - 5 receivers');
      expect(result.code).toBe(0);
    } finally {
      await work.remove();
    }
  });

  it.each([
    [['severity=critical', 'router=omr-bpi-r4', 'alertname=WanDown'], 'oncall'],
    [['severity=warning', 'router=omr-bpi-r4', 'alertname=WanLatencyHigh'], 'email'],
    [['severity=info', 'router=home', 'alertname=NewClientSeen'], 'email'],
    [['severity=none', 'alertname=Watchdog'], 'watchdog'],
  ])('routes %j to %s', async (labels, receiver) => {
    const result = await tool('amtool', [
      'config',
      'routes',
      'test',
      '--config.file=alertmanager.yml',
      `--verify.receivers=${receiver}`,
      ...labels,
    ]);
    // amtool also warns that --config.file overrides --alertmanager.url: the receiver is its own line.
    expect(result.out.split('\n').map((l) => l.trim())).toContain(receiver);
    expect(result.code).toBe(0);
  });

  it("inhibits warnings by their critical alert for the same target only, and a down WAN's latency alerts, in a real Alertmanager", async () => {
    const work = await tempDir('routerscope-am-');
    const port = await freePort();
    const am = spawn(
      'prometheus-alertmanager',
      [
        `--config.file=${path.join(PROM, 'alertmanager.yml')}`,
        `--storage.path=${work.dir}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      { stdio: 'ignore' },
    );
    const url = `http://127.0.0.1:${port}/api/v2/alerts`;
    try {
      await waitFor(
        () =>
          fetch(url).then(
            (r) => (r.ok ? true : undefined),
            () => undefined,
          ),
        15000,
        'alertmanager',
      );
      const alert = (labels: Record<string, string>) => ({ labels: { router: 'r1', ...labels }, startsAt: new Date().toISOString() });
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify([
          alert({ alertname: 'WanDown', severity: 'critical', interface: 'wan1' }),
          alert({ alertname: 'WanLatencyHigh', severity: 'warning', interface: 'wan1', target: 'vps' }),
          alert({ alertname: 'WanLatencyHigh', severity: 'warning', interface: 'wan2', target: 'vps' }),
          alert({ alertname: 'ConntrackTableFull', severity: 'critical' }),
          alert({ alertname: 'ConntrackTableFull', severity: 'warning' }),
          // A critical loss to one target through wan3 hides its own warning, not another target's.
          alert({ alertname: 'WanPacketLoss', severity: 'critical', interface: 'wan3', target: 'vps' }),
          alert({ alertname: 'WanPacketLoss', severity: 'warning', interface: 'wan3', target: 'vps' }),
          alert({ alertname: 'WanPacketLoss', severity: 'warning', interface: 'wan3', target: 'dns' }),
        ]),
      });
      expect(res.status).toBe(200);
      const states = await waitFor(
        async () => {
          const alerts = (await (await fetch(url)).json()) as Array<{ labels: Record<string, string>; status: { state: string } }>;
          const byKey = new Map(
            alerts.map((a) => [
              `${a.labels.alertname}/${a.labels.severity}/${a.labels.interface ?? ''}${a.labels.target ? `/${a.labels.target}` : ''}`,
              a.status.state,
            ]),
          );
          return byKey.size === 8 && [...byKey.values()].every((s) => s !== 'unprocessed') ? byKey : undefined;
        },
        15000,
        'alerts processed',
      );
      expect(Object.fromEntries(states)).toEqual({
        'WanDown/critical/wan1': 'active',
        'WanLatencyHigh/warning/wan1/vps': 'suppressed',
        'WanLatencyHigh/warning/wan2/vps': 'active',
        'ConntrackTableFull/critical/': 'active',
        'ConntrackTableFull/warning/': 'suppressed',
        'WanPacketLoss/critical/wan3/vps': 'active',
        'WanPacketLoss/warning/wan3/vps': 'suppressed',
        'WanPacketLoss/warning/wan3/dns': 'active',
      });
    } finally {
      await stopProcess(am);
      await work.remove();
    }
  });
});
