import { describe, expect, it } from 'vitest';
import { capture } from '../test/captures.ts';
import { classifyAnswer, DomainWindow, parseDnsmasqLine, QueryTracker, type DnsEvent } from './dnsmasq.ts';

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
