import { mkdir, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { EXPOSE_ALL } from '../exporter/identity.ts';
import { MetricSink, render } from '../exporter/metrics.ts';
import { LocalSources } from '../exporter/sources.ts';
import { capture } from '../test/captures.ts';
import { tempDir } from '../test/helpers.ts';
import { classifyAnswer, dnsmasq, DomainWindow, parseDnsmasqLine, QueryTracker, type DnsEvent } from './dnsmasq.ts';

function track(text: string): string[] {
  const out: string[] = [];
  const tracker = new QueryTracker(
    (e: DnsEvent) => out.push(e.kind === 'query' ? `${e.client} ${e.type} ${e.name}` : `  ${e.result}`),
    ['lan'],
  );
  for (const line of text.split('\n')) {
    const m = parseDnsmasqLine(line);
    if (m) tracker.line(m, 0);
  }
  tracker.sweep(1e9);
  return out;
}

const EXPECTED = [
  '127.0.0.1 A www.example.test',
  '  forwarded',
  '127.0.0.1 AAAA www.example.test',
  '  forwarded',
  '127.0.0.1 A www.example.test',
  '  cached',
  '::1 AAAA www.example.test',
  '  cached',
  '127.0.0.1 A alias.example.test',
  '  forwarded',
  '127.0.0.1 TXT txt.example.test',
  '  forwarded',
  '127.0.0.1 PTR 10.2.0.192.in-addr.arpa',
  '  forwarded',
  '127.0.0.1 PTR 1.1.168.192.in-addr.arpa',
  '  local',
  '127.0.0.1 PTR 77.1.168.192.in-addr.arpa',
  '  nxdomain',
  '127.0.0.1 A router.lan',
  '  local',
  '127.0.0.1 AAAA router',
  '  local',
  '127.0.0.1 A missing.example.test',
  '  nxdomain',
  '127.0.0.1 A nosuch.lan',
  '  nxdomain',
  '127.0.0.1 A blocked.test',
  '  blocked',
  '127.0.0.1 A ads.test',
  '  blocked',
  '127.0.0.1 A www.refused.test',
  '  error',
  '127.0.0.1 A www.openwrt.org',
  '127.0.0.1 MX www.example.test',
  '  forwarded',
  '127.0.0.1 HTTPS www.example.test',
  '  forwarded',
  '127.0.0.1 ANY www.example.test',
  '  forwarded',
  '127.0.0.1 A nodots',
  '  nxdomain',
  '  failed', // www.openwrt.org was forwarded to a dead upstream and never answered
];

describe('dnsmasq query log', () => {
  it('ties queries to their results in the plain log-queries capture', () => {
    expect(track(capture('dnsmasq/dnsmasq-2.90-log-queries-logfacility-file.log'))).toEqual(EXPECTED);
  });

  it('gives the same from the log-queries=extra capture (tied by serial)', () => {
    expect(track(capture('dnsmasq/dnsmasq-2.90-log-queries-extra-logfacility-file.log'))).toEqual(EXPECTED);
  });

  it('reads dnsmasq through logread (the syslog layout)', () => {
    const out = track(capture('logread/logread-layout-dnsmasq-real-messages.log'));
    expect(out.filter((l) => !l.startsWith(' ')).length).toBeGreaterThan(5);
    expect(out.filter((l) => l.startsWith(' ')).length).toBe(out.filter((l) => !l.startsWith(' ')).length);
    expect(
      parseDnsmasqLine('Sun Nov 22 02:55:19 2026 daemon.info dnsmasq-dhcp[12]: DHCPACK(br-lan) 192.168.1.5 02:aa:bb:cc:dd:ee tv'),
    ).toBeUndefined();
  });

  it.each([
    ['config', '0.0.0.0', 'A', 'ads.test', 'blocked'],
    ['config', 'NXDOMAIN', 'A', 'tracker.example', 'blocked'],
    ['config', 'NXDOMAIN', 'A', 'printer.lan', 'nxdomain'],
    ['config', 'NXDOMAIN', 'A', 'printer', 'nxdomain'],
    ['config', 'NXDOMAIN', 'PTR', '192.168.1.77', 'nxdomain'],
    ['config', 'NODATA-IPv6', 'AAAA', 'router.lan', 'local'],
    ['config', '192.168.1.1', 'A', 'router.lan', 'local'],
    ['cached', 'NXDOMAIN', 'A', 'x.example', 'nxdomain'],
    ['reply', 'NODATA', 'MX', 'x.example', 'forwarded'],
    ['DHCP', '192.168.1.5', 'A', 'tv.lan', 'local'],
  ])('%s %s for %s %s is %s', (kind, answer, type, name, result) => {
    expect(classifyAnswer(kind, answer, type, name, ['lan'])).toBe(result);
  });

  it('keeps per-client domains in a sliding window of hours', () => {
    const w = new DomainWindow(3600, 2);
    const h = 3_600_000;
    w.add('10.0.0.5', 'a.example', 0);
    w.add('10.0.0.5', 'a.example', 10);
    w.add('10.0.0.5', 'b.example', h / 2);
    expect(w.domains('10.0.0.5', h / 2).map((d) => [d.domain, d.queries])).toEqual([
      ['b.example', 1],
      ['a.example', 2],
    ]);
    // A third domain evicts the one seen longest ago; an hour later a.example has left the window.
    w.add('10.0.0.5', 'c.example', h);
    expect(w.domains('10.0.0.5', h + h / 4).map((d) => d.domain)).toEqual(['c.example', 'b.example']);
    expect(w.domains('10.0.0.5', 3 * h)).toEqual([]);
  });
});

describe('dnsmasq instances', () => {
  it('reads each instance up from its pid file and the process it names; a crashed one down', async () => {
    const tmp = await tempDir('routerscope-dnsmasq-');
    const file = (p: string, text: string) =>
      mkdir(path.dirname(path.join(tmp.dir, p)), { recursive: true }).then(() => writeFile(path.join(tmp.dir, p), text));
    await file('var/run/dnsmasq/dnsmasq.cfg01411c.pid', '1402\n');
    await file('proc/1402/comm', 'dnsmasq\n');
    // Crashed: its pid now belongs to a shell; another's pid names no process; one file is junk.
    await file('var/run/dnsmasq/dnsmasq.guest.pid', '2210\n');
    await file('proc/2210/comm', 'sh\n');
    await file('var/run/dnsmasq/dnsmasq.iot.pid', '3333\n');
    await file('var/run/dnsmasq/dnsmasq.broken.pid', 'not a pid\n');
    await file('var/run/dnsmasq/README', 'not a pid file\n');
    const sources = new LocalSources({ rootfs: tmp.dir, binPath: [], commandTimeoutMs: 1000, maxOutputBytes: 4096 });
    const log = pino({ level: 'silent' });
    const scrape = async () => {
      const sink = new MetricSink();
      const options = {
        window_seconds: 86400,
        top_domains: 10,
        max_clients: 256,
        max_domains_per_client: 5000,
        ubus_metrics: false,
        local_domains: ['lan'],
      };
      await dnsmasq
        .create(options, { sources, log, identities: EXPOSE_ALL })
        .collect({ sources, signal: new AbortController().signal, log }, sink);
      return render(sink.result())
        .split('\n')
        .filter((l) => l.startsWith('openwrt_dnsmasq_up'));
    };
    try {
      expect(await scrape()).toEqual([
        'openwrt_dnsmasq_up{section="broken"} 0',
        'openwrt_dnsmasq_up{section="cfg01411c"} 1',
        'openwrt_dnsmasq_up{section="guest"} 0',
        'openwrt_dnsmasq_up{section="iot"} 0',
      ]);
      // A router without dnsmasq has no pid directory: no series, not a 0.
      await rm(path.join(tmp.dir, 'var'), { recursive: true });
      expect(await scrape()).toEqual([]);
    } finally {
      await tmp.remove();
    }
  });
});
