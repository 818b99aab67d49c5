// The snmp collector against Debian's snmpd, started by the test on a loopback port.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createSocket } from 'node:dgram';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitions } from '../collectors/index.ts';
import { pollInterfaces, snmpTargetSchema } from '../collectors/snmp.ts';
import { parseNetDev } from '../collectors/netdev.ts';
import { createSources } from '../exporter/cli.ts';
import { parseConfig } from '../exporter/config.ts';
import { Exporter } from '../exporter/exporter.ts';
import { render } from '../exporter/metrics.ts';
import { parseExposition, toSeriesMap } from '../exporter/parse-exposition.ts';
import { freePort, stopProcess, tempDir, waitFor } from './helpers.ts';

const run = promisify(execFile);

async function procNetDev(device: string) {
  const d = parseNetDev(await readFile('/proc/net/dev', 'utf8')).find((x) => x.device === device)!;
  return { rx: d.stats.get('receive_bytes')!, tx: d.stats.get('transmit_bytes')! };
}

describe('snmp collector with a real snmpd', () => {
  let snmpd: ChildProcess;
  let port: number;
  let work: Awaited<ReturnType<typeof tempDir>>;
  const dummy = `rsveth${process.pid % 10000}`;
  const peerNs = `rs-snmp-${process.pid % 10000}`;

  beforeAll(async () => {
    work = await tempDir('routerscope-snmp-');
    // An interface only this test sends on (a veth into a namespace of its own; this kernel has
    // no dummy driver), with IPv6 off so no autoconfiguration traffic moves its counters.
    await run('ip', ['netns', 'add', peerNs]);
    await run('ip', ['link', 'add', dummy, 'type', 'veth', 'peer', 'name', 'peer0', 'netns', peerNs]);
    await run('sysctl', ['-qw', `net.ipv6.conf.${dummy}.disable_ipv6=1`]);
    await run('ip', ['netns', 'exec', peerNs, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
    await run('ip', ['addr', 'add', '10.203.77.1/24', 'dev', dummy]);
    await run('ip', ['-n', peerNs, 'addr', 'add', '10.203.77.2/24', 'dev', 'peer0']);
    await run('ip', ['link', 'set', dummy, 'up']);
    await run('ip', ['-n', peerNs, 'link', 'set', 'peer0', 'up']);
    const socket = createSocket('udp4');
    for (let i = 0; i < 100; i++) await new Promise<void>((resolve) => socket.send(Buffer.alloc(500), 9, '10.203.77.2', () => resolve()));
    socket.close();
    await new Promise((r) => setTimeout(r, 500));
    port = await freePort();
    const conf = path.join(work.dir, 'snmpd.conf');
    await writeFile(conf, `agentaddress udp:127.0.0.1:${port}\nrocommunity public 127.0.0.1\n`);
    snmpd = spawn('snmpd', ['-f', '-Lo', '-C', '-c', conf, '-p', path.join(work.dir, 'pid')], { stdio: 'ignore' });
    const target = snmpTargetSchema.parse({ name: 'probe', host: '127.0.0.1', port, timeout_seconds: 1 });
    await waitFor(
      () =>
        pollInterfaces(target).then(
          () => true,
          () => undefined,
        ),
      15000,
      'snmpd',
    );
  });
  afterAll(async () => {
    if (snmpd) await stopProcess(snmpd);
    await run('ip', ['netns', 'del', peerNs]).catch(() => undefined);
    await work?.remove();
  });

  it("reads IF-MIB octet counters equal to /proc/net/dev within one poll's traffic", async () => {
    const target = snmpTargetSchema.parse({ name: 'local', host: '127.0.0.1', port });
    const interfaces = await pollInterfaces(target);
    const after = { lo: await procNetDev('lo'), dummy: await procNetDev(dummy) };
    const byName = (n: string) => interfaces.find((i) => i.labels.ifName === n)!;
    // Nothing but this test sends on the veth: its counters match exactly.
    expect(byName(dummy).values.get('ifHCOutOctets')).toBe(after.dummy.tx);
    expect(after.dummy.tx).toBeGreaterThan(50_000);
    expect(byName(dummy).values.get('ifHCInOctets')).toBe(after.dummy.rx);
    expect(byName(dummy).values.get('ifOperStatus')).toBe(1);
    // Loopback carries the polls and other tests' traffic, and snmpd caches its interface table
    // for a few seconds: its reading is one the kernel had, never ahead of it.
    const lo = byName('lo').values.get('ifHCInOctets')!;
    expect(lo).toBeGreaterThan(0);
    expect(lo).toBeLessThanOrEqual(after.lo.rx);
  });

  it('an unreachable target fails alone, with a timeout', async () => {
    const dead = await freePort(); // nothing answers SNMP there
    const yaml = JSON.stringify({
      collectors: {
        ...Object.fromEntries(definitions.map((d) => [d.name, { enabled: false }])),
        snmp: {
          enabled: true,
          targets: [
            { name: 'switch', host: '127.0.0.1', port, interval_seconds: 1 },
            { name: 'dead-ap', host: '127.0.0.1', port: dead, interval_seconds: 60, timeout_seconds: 0.5, retries: 0 },
          ],
        },
      },
    });
    const warnings: string[] = [];
    const config = parseConfig(yaml, { definitions });
    const exporter = new Exporter(
      config,
      definitions,
      createSources(config),
      pino({ level: 'warn' }, { write: (s: string) => warnings.push(s) }),
    );
    exporter.start();
    try {
      const series = await waitFor(
        async () => {
          const s = toSeriesMap(parseExposition(render(await exporter.scrape({ timeoutSeconds: 5 }))));
          return s.get('openwrt_snmp_up{target="switch"}') === 1 && warnings.length > 0 ? s : undefined;
        },
        15000,
        'both targets polled',
      );
      expect(series.get('openwrt_snmp_up{target="dead-ap"}')).toBe(0);
      expect(series.get('routerscope_scrape_collector_success{collector="snmp"}')).toBe(1);
      expect([...series.keys()].some((k) => k.startsWith('ifHCInOctets{') && k.includes('target="switch"'))).toBe(true);
      expect([...series.keys()].some((k) => k.includes('target="dead-ap"') && k.startsWith('if'))).toBe(false);
      expect(warnings.map((w) => JSON.parse(w) as { target: string; err: string })).toEqual([
        expect.objectContaining({ target: 'dead-ap', err: 'Request timed out' }),
      ]);
    } finally {
      await exporter.stop();
    }
  });

  it('wants v3 credentials for version 3', () => {
    expect(() =>
      parseConfig(JSON.stringify({ collectors: { snmp: { targets: [{ name: 'x', host: 'h', version: '3' }] } } }), { definitions }),
    ).toThrow('collectors.snmp.targets.0.v3: version 3 needs v3 credentials');
  });
});
