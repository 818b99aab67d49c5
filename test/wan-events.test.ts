// The WAN/MPTCP/VPN/events issue end to end: secrets never leave, the log follower survives being
// killed without losing or repeating a line, and a scrape forks each command once.
import { execFile } from 'node:child_process';
import { appendFile, chmod, readFile, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { definitions } from '../collectors/index.ts';
import { EventClassifier, EventCounter } from '../collectors/events.ts';
import { createSources } from '../exporter/cli.ts';
import { parseConfig } from '../exporter/config.ts';
import { Exporter } from '../exporter/exporter.ts';
import { render } from '../exporter/metrics.ts';
import { parseExposition, toSeriesMap } from '../exporter/parse-exposition.ts';
import { copyRouter, processes, routerDir, scrape, startExporter, waitFor } from './helpers.ts';

const run = promisify(execFile);

describe('secrets', () => {
  it('no WireGuard private or preshared key, PPPoE password or VPS token appears in /metrics, /api/events, /status or the logs', async () => {
    const router = await copyRouter('bpi-r4-omr');
    const commands = path.join(router.dir, 'commands');
    const dump = await readFile(path.join(commands, 'wg_show_all_dump'), 'utf8');
    const secrets = [
      ...dump
        .split('\n')
        .filter((l) => l.split('\t').length === 5)
        .map((l) => l.split('\t')[1]!),
      ...dump
        .split('\n')
        .filter((l) => l.split('\t').length === 9)
        .map((l) => l.split('\t')[2]!)
        .filter((k) => k !== '(none)'),
      'S3cr3t-pppoe-pass',
      'vps-api-token-do-not-leak',
    ];
    expect(secrets).toHaveLength(4);
    // A log line that quotes a key must not reach /api/events either.
    await appendFile(
      path.join(commands, 'logread.log'),
      `Sun Nov 22 11:30:00 2026 daemon.notice netifd: Interface 'wg0' is now up ${secrets[0]}\n`,
    );
    const exporter = await startExporter([...router.flags, '--log.level', 'debug']);
    try {
      const metrics = await scrape(exporter.url);
      expect(metrics).toContain('openwrt_wireguard_peer_last_handshake_timestamp_seconds');
      // A malformed dump holding the key makes the collector fail: its error must not quote it.
      await writeFile(path.join(commands, 'wg_show_all_dump'), `wg0\t${secrets[0]}\tbroken\n`);
      const failed = await scrape(exporter.url);
      expect(failed).toContain('routerscope_scrape_collector_success{collector="vpn"} 0');
      const events = await (await fetch(`${exporter.url}/api/events`)).text();
      const status = await (await fetch(`${exporter.url}/status`)).text();
      const logs = JSON.stringify(exporter.logs);
      expect(logs).toContain('wg show all dump: line 1 has 3 fields');
      for (const secret of secrets) {
        for (const [where, text] of [
          ['metrics', metrics + failed],
          ['events', events],
          ['status', status],
          ['logs', logs],
        ]) {
          expect(text, `${where} contains a secret`).not.toContain(secret);
        }
      }
    } finally {
      await exporter.stop();
      await router.remove();
    }
  });
});

describe('events follower', () => {
  it('killing logread mid-stream loses and repeats nothing', async () => {
    const router = await copyRouter('bpi-r4-omr');
    const story = (await readFile(path.join(routerDir('bpi-r4-omr'), 'commands', 'logread.log'), 'utf8')).split('\n').filter(Boolean);
    const buffer = path.join(router.dir, 'live.log');
    await writeFile(buffer, story.slice(0, 20).join('\n') + '\n');
    process.env.LOGREAD_FILE = buffer;
    const [, , , rootfs, , bin] = router.flags;
    const only = ['events'];
    const config = parseConfig('collectors:\n' + definitions.map((d) => `  ${d.name}:\n    enabled: ${only.includes(d.name)}\n`).join(''), {
      definitions,
      flags: [
        { flag: 'r', path: ['path', 'rootfs'], value: rootfs },
        { flag: 'b', path: ['path', 'bin'], value: [bin] },
      ],
    });
    const exporter = new Exporter(config, definitions, createSources(config), pino({ level: 'silent' }));
    const series = async () => toSeriesMap(parseExposition(render(await exporter.scrape({ timeoutSeconds: 5 }))));
    exporter.start();
    try {
      // Line by line: each appended line is counted once, as it arrives.
      await waitFor(
        async () => ((await series()).get('routerscope_follower_lines_total{collector="events"}') === 20 ? true : undefined),
        10000,
        '20 lines',
      );
      for (const line of story.slice(20, 30)) {
        await appendFile(buffer, line + '\n');
      }
      await waitFor(
        async () => ((await series()).get('routerscope_follower_lines_total{collector="events"}') === 30 ? true : undefined),
        10000,
        '30 lines',
      );

      // Kill the follower: the exporter restarts it, the new logread replays the whole buffer.
      const pid = (await processes()).find((p) => p.args.includes(`tail -n +1 -f ${buffer}`))?.pid;
      expect(pid).toBeDefined();
      process.kill(pid!, 'SIGKILL');
      for (const line of story.slice(30)) await appendFile(buffer, line + '\n');
      const final = await waitFor(
        async () => {
          const s = await series();
          return s.get('routerscope_follower_lines_total{collector="events"}') === story.length &&
            s.get('routerscope_follower_restarts_total{collector="events"}') === 1
            ? s
            : undefined;
        },
        15000,
        'all lines after the restart',
      );

      const reference = new EventCounter(
        new EventClassifier(
          new Map([
            ['wan', 'wan1'],
            ['lan3', 'wan2'],
            ['eth1', 'wan3'],
          ]),
        ),
        100,
      );
      for (const line of story) reference.add(line);
      for (const [key, count] of reference.counts) {
        const [iface, event] = key.split('\u0000');
        expect(final.get(`openwrt_interface_events_total{event="${event}",interface="${iface}"}`), key).toBe(count);
      }
      const total = [...final].filter(([k]) => k.startsWith('openwrt_interface_events_total')).reduce((a, [, v]) => a + v, 0);
      expect(total).toBe([...reference.counts.values()].reduce((a, b) => a + b, 0));
      expect(total).toBeGreaterThan(25);
    } finally {
      await exporter.stop();
      delete process.env.LOGREAD_FILE;
      await router.remove();
    }
  });
});

describe('commands per scrape', () => {
  /** A copy of a test router whose every command first appends its command line to a log. */
  async function routerWithCommandLog(
    name: string,
  ): Promise<Awaited<ReturnType<typeof copyRouter>> & { commands: () => Promise<string[]> }> {
    const router = await copyRouter(name);
    const bin = path.join(router.dir, 'bin');
    const real = path.join(router.dir, 'bin-real');
    const log = path.join(router.dir, 'commands.log');
    await rename(bin, real);
    await run('mkdir', [bin]);
    await writeFile(log, '');
    const { readdir } = await import('node:fs/promises');
    for (const command of [...(await readdir(real)), 'uname']) {
      const wrapper = path.join(bin, command);
      const target = command === 'uname' ? '/bin/uname' : `'${real}/${command}'`; // this machine's uname
      await writeFile(wrapper, `#!/bin/sh\necho "${command} $*" >> '${log}'\nexec ${target} "$@"\n`);
      await chmod(wrapper, 0o755);
    }
    return { ...router, commands: async () => (await readFile(log, 'utf8')).split('\n').filter(Boolean) };
  }

  it('a scrape of the BPI-R4 runs each external command at most once', async () => {
    const router = await routerWithCommandLog('bpi-r4-omr');
    const exporter = await startExporter(router.flags);
    try {
      // Let the background follower start (its logread and uci reads are not on the scrape path).
      await waitFor(
        async () => ((await scrape(exporter.url)).includes('routerscope_follower_up{collector="events"} 1') ? true : undefined),
        10000,
        'follower',
      );
      const before = (await router.commands()).length;
      const text = await scrape(exporter.url);
      expect(text).not.toMatch(/routerscope_scrape_collector_success\{collector="[^"]+"\} 0/);
      const ran = (await router.commands()).slice(before);
      expect(ran.sort()).toEqual([
        'ethtool -m eth1 raw on',
        'ip -j mptcp endpoint show',
        'ip -j neigh show',
        'ip mptcp limits show',
        // no nlbw: its result is reused for nlbwmon's refresh interval (30 s) after the first scrape
        'ss -tinM',
        'ubus -S call dnsmasq metrics',
        'ubus -S call iwinfo assoclist {"device":"phy0-ap0"}',
        'ubus -S call iwinfo assoclist {"device":"phy1-ap0"}',
        'ubus -S call iwinfo info {"device":"phy0-ap0"}',
        'ubus -S call iwinfo info {"device":"phy1-ap0"}',
        'ubus -S call network.interface dump',
        'ubus -S call network.wireless status',
        'uci -q show dhcp',
        'uci -q show firewall',
        'uci -q show network',
        'uci -q show openmptcprouter',
        'wg show all dump',
      ]);
    } finally {
      await exporter.stop();
      await router.remove();
    }
  });

  it('a kernel without /proc/sys/kernel/arch (the GL-MT2500A) forks uname -m once, not every scrape', async () => {
    const router = await routerWithCommandLog('gl-mt2500a');
    const exporter = await startExporter(router.flags);
    try {
      for (let i = 0; i < 3; i++) expect(await scrape(exporter.url)).toContain('routerscope_scrape_collector_success{collector="uname"} 1');
      expect((await router.commands()).filter((c) => c.startsWith('uname'))).toEqual(['uname -m']);
    } finally {
      await exporter.stop();
      await router.remove();
    }
  });
});
