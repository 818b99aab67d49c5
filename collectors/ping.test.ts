import { describe, expect, it } from 'vitest';
import { parsePingLine } from './ping-parse.ts';
import { PingProbe, RTT_BUCKETS } from './ping.ts';

describe('parsePingLine', () => {
  it.each([
    ['PING 1.1.1.1 (1.1.1.1) 56(84) bytes of data.', { kind: 'header', flavor: 'iputils', address: '1.1.1.1' }],
    ['PING 10.201.9.9 (10.201.9.9) from 10.201.1.2 : 56(84) bytes of data.', { kind: 'header', flavor: 'iputils', address: '10.201.9.9' }],
    ['PING 1.1.1.1 (1.1.1.1): 56 data bytes', { kind: 'header', flavor: 'busybox', address: '1.1.1.1' }],
    ['PING 10.201.9.9 (10.201.9.9) from 10.201.2.2: 56 data bytes', { kind: 'header', flavor: 'busybox', address: '10.201.9.9' }],
    ['PING one.one.one.one(2606:4700:4700::1111) 56 data bytes', undefined],
    [
      'PING 2606:4700:4700::1111 (2606:4700:4700::1111) 56 data bytes',
      { kind: 'header', flavor: 'busybox', address: '2606:4700:4700::1111' },
    ],
    ['64 bytes from 1.1.1.1: icmp_seq=1 ttl=57 time=12.3 ms', { kind: 'reply', seq: 1, rttSeconds: 0.0123, duplicate: false }],
    ['64 bytes from 1.1.1.1: seq=0 ttl=57 time=12.345 ms', { kind: 'reply', seq: 0, rttSeconds: 0.012345, duplicate: false }],
    ['64 bytes from 1.1.1.1: icmp_seq=7 ttl=57 time=1234 ms', { kind: 'reply', seq: 7, rttSeconds: 1.234, duplicate: false }],
    ['64 bytes from 1.1.1.1: icmp_seq=3 ttl=57 time=12.9 ms (DUP!)', { kind: 'reply', seq: 3, rttSeconds: 0.0129, duplicate: true }],
    ['64 bytes from 1.1.1.1: seq=3 ttl=57 time=12.901 ms (DUP!)', { kind: 'reply', seq: 3, rttSeconds: 0.012901, duplicate: true }],
    ['64 bytes from 2001:db8::1: icmp_seq=2 ttl=64 time=0.052 ms', { kind: 'reply', seq: 2, rttSeconds: 0.000052, duplicate: false }],
    ['64 bytes from 2001:db8::1: seq=2 ttl=64 time=0.052 ms', { kind: 'reply', seq: 2, rttSeconds: 0.000052, duplicate: false }],
    ['8 bytes from 1.1.1.1: icmp_seq=4 ttl=57 (truncated)', { kind: 'reply', seq: 4, rttSeconds: undefined, duplicate: false }],
    ['no answer yet for icmp_seq=5', undefined],
    ['From 10.201.1.1 icmp_seq=6 Destination Host Unreachable', { kind: 'lost', seq: 6, reason: 'Destination Host Unreachable' }],
    ['From 10.201.1.1: icmp_seq=6 Time to live exceeded', { kind: 'lost', seq: 6, reason: 'Time to live exceeded' }],
    ['ping: sendmsg: Network is unreachable', undefined],
    ["ping: bad address 'nosuch.example'", undefined],
    ['64 bytes from 1.1.1.1: icmp_seq=', undefined],
    ['--- 1.1.1.1 ping statistics ---', undefined],
  ])('%s', (line, expected) => {
    expect(parsePingLine(line)).toEqual(expected);
  });
});

describe('PingProbe', () => {
  const t0 = 1_000_000;
  it('counts gaps in BusyBox sequence numbers as losses once a later reply arrives', () => {
    const p = new PingProbe(1, 2, t0);
    p.line('PING x (10.0.0.1): 56 data bytes', t0);
    p.line('64 bytes from 10.0.0.1: seq=0 ttl=64 time=10.0 ms', t0);
    p.line('64 bytes from 10.0.0.1: seq=3 ttl=64 time=30.0 ms', t0 + 3000);
    expect([p.requests, p.responses]).toEqual([4, 2]);
  });

  it('ignores duplicates and replies later than the loss was counted', () => {
    const p = new PingProbe(1, 2, t0);
    p.line('PING x (10.0.0.1) 56(84) bytes of data.', t0);
    p.line('From 10.0.0.254 icmp_seq=1 Destination Host Unreachable', t0 + 1000);
    p.line('64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=2500 ms', t0 + 2500);
    p.line('64 bytes from 10.0.0.1: icmp_seq=2 ttl=64 time=10 ms', t0 + 2600);
    p.line('64 bytes from 10.0.0.1: icmp_seq=2 ttl=64 time=11 ms (DUP!)', t0 + 2601);
    expect([p.requests, p.responses, p.rttCount]).toEqual([2, 1, 1]);
  });

  it('counts silence beyond the timeout as one lost request per interval', () => {
    const p = new PingProbe(1, 2, t0);
    p.tick(t0 + 2999);
    expect(p.requests).toBe(0);
    p.tick(t0 + 10_000);
    // Requests sent at 0..6 s have been silent for longer than timeout + interval.
    expect([p.requests, p.responses]).toEqual([7, 0]);
    // A reply after the silence continues from the sequence number the silence reached.
    p.line('64 bytes from 10.0.0.1: icmp_seq=9 ttl=64 time=10 ms', t0 + 10_100);
    expect([p.requests, p.responses]).toEqual([9, 1]);
  });

  it('follows sequence numbers across the 16-bit wrap', () => {
    const p = new PingProbe(1, 2, t0);
    p.line('64 bytes from 10.0.0.1: icmp_seq=65535 ttl=64 time=10 ms', t0);
    p.line('64 bytes from 10.0.0.1: icmp_seq=0 ttl=64 time=10 ms', t0 + 1000);
    p.line('64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=10 ms', t0 + 2000);
    expect([p.requests, p.responses]).toEqual([65537, 3]);
  });

  it('keeps cumulative buckets and RFC 3550 jitter', () => {
    const p = new PingProbe(1, 2, t0);
    for (const [seq, ms] of [
      [1, 10],
      [2, 30],
      [3, 20],
    ] as const)
      p.line(`64 bytes from 10.0.0.1: icmp_seq=${seq} ttl=64 time=${ms} ms`, t0 + seq);
    expect(p.bucketCounts[RTT_BUCKETS.indexOf(0.01)]).toBe(1);
    expect(p.bucketCounts[RTT_BUCKETS.indexOf(0.02)]).toBe(2);
    expect(p.bucketCounts[RTT_BUCKETS.indexOf(0.03)]).toBe(3);
    expect(p.rttSum).toBeCloseTo(0.06, 10);
    const j1 = 0.02 / 16;
    expect(p.jitter).toBeCloseTo(j1 + (0.01 - j1) / 16, 12);
    expect(p.lastRtt).toBe(0.02);
  });

  it('starts sequence numbers again after a restart without counting twice', () => {
    const p = new PingProbe(1, 2, t0);
    p.line('64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=10 ms', t0);
    p.line('64 bytes from 10.0.0.1: icmp_seq=2 ttl=64 time=10 ms', t0 + 1000);
    p.restart();
    p.line('PING x (10.0.0.1) 56(84) bytes of data.', t0 + 1500);
    p.line('64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=10 ms', t0 + 1600);
    expect([p.requests, p.responses]).toEqual([3, 3]);
  });

  it('counts silence across restarts of a ping that keeps failing', () => {
    const p = new PingProbe(1, 2, t0);
    for (let t = 500; t <= 6000; t += 500) {
      p.restart();
      p.tick(t0 + t);
    }
    expect(p.requests).toBe(3);
  });
});

describe('default targets', () => {
  it('probe 1.1.1.1 and the VPS through every WAN that is up, and the tunnel endpoint through the tunnel', async () => {
    const { LocalSources } = await import('../exporter/sources.ts');
    const { pino } = await import('pino');
    const { routerDir } = await import('../test/helpers.ts');
    const { defaultProbes } = await import('./ping.ts');
    const dir = routerDir('bpi-r4-omr');
    const sources = new LocalSources({ rootfs: `${dir}/rootfs`, binPath: [`${dir}/bin`], commandTimeoutMs: 5000, maxOutputBytes: 1 << 20 });
    const probes = await defaultProbes(
      { sources, log: pino({ level: 'silent' }), identities: (await import('../exporter/identity.ts')).EXPOSE_ALL },
      ['1.1.1.1'],
      1,
    );
    expect(probes.map((p) => `${p.kind} ${p.name} ${p.host} via ${p.source} (${p.labels.interface})`)).toEqual([
      'tunnel tunnel 10.255.255.1 via tun0 (omrvpn)',
      'internet 1.1.1.1 1.1.1.1 via 100.66.12.34 (wan1)',
      'vps vps 203.0.113.10 via 100.66.12.34 (wan1)',
      'internet 1.1.1.1 1.1.1.1 via 192.168.2.10 (wan2)',
      'vps vps 203.0.113.10 via 192.168.2.10 (wan2)',
      'internet 1.1.1.1 1.1.1.1 via 100.64.17.23 (wan3)',
      'vps vps 203.0.113.10 via 100.64.17.23 (wan3)',
    ]);
  });

  it('rejects option-looking hosts and reserved label names in the config', async () => {
    const { parseConfig } = await import('../exporter/config.ts');
    const { definitions } = await import('./index.ts');
    const problems = (yaml: string) => {
      try {
        parseConfig(yaml, { definitions, file: 'c.yml' });
        return [];
      } catch (e) {
        return (e as { problems: string[] }).problems;
      }
    };
    expect(problems('collectors:\n  ping:\n    targets:\n      - {name: x, host: -f}\n')).toEqual([
      'c.yml:4: collectors.ping.targets.0.host: must be an address or host name',
    ]);
    expect(problems('collectors:\n  ping:\n    targets:\n      - {name: x, host: 1.1.1.1, labels: {target: y}}\n')).toEqual([
      'c.yml:4: collectors.ping.targets.0.labels: "target" cannot be a label name here',
    ]);
  });

  it("exports a target's own alert levels, and refuses a warning at or above the critical", async () => {
    const { parseConfig } = await import('../exporter/config.ts');
    const { definitions } = await import('./index.ts');
    const { MetricSink } = await import('../exporter/metrics.ts');
    const { pino } = await import('pino');
    const { ping } = await import('./ping.ts');
    const yaml = (levels: string) =>
      `collectors:\n  ping:\n    targets:\n      - {name: far, host: 192.0.2.9, labels: {interface: wan2}, thresholds: ${levels}}\n`;
    const refused = (levels: string) => {
      try {
        parseConfig(yaml(levels), { definitions, file: 'c.yml' });
        return [];
      } catch (e) {
        return (e as { problems: string[] }).problems;
      }
    };
    expect(refused('{latency_ms: {warning: 300, critical: 300}}')).toEqual([
      'c.yml:4: collectors.ping.targets.0.thresholds.latency_ms: latency_ms: warning must be below critical',
    ]);
    expect(refused('{loss_percent: {warning: 150}}')[0]).toMatch(
      /^c\.yml:4: collectors\.ping\.targets\.0\.thresholds\.loss_percent\.warning: /,
    );
    expect(refused('{jitter_ms: {warning: 5}}')).toEqual(['c.yml:4: collectors.ping.targets.0.thresholds.jitter_ms: unknown key']);

    const config = parseConfig(yaml('{latency_ms: {warning: 250, critical: 800}, loss_percent: {critical: 30}}'), {
      definitions,
      file: 'c.yml',
    });
    const { enabled: _enabled, ...options } = config.collectors.ping!;
    const { LocalSources } = await import('../exporter/sources.ts');
    const sources = new LocalSources({ rootfs: '/nonexistent', binPath: [], commandTimeoutMs: 1000, maxOutputBytes: 1 << 10 });
    const log = pino({ level: 'silent' });
    // Not started: collect() reports the configured targets before any probe runs.
    const instance = ping.create(options as Parameters<typeof ping.create>[0], {
      sources,
      log,
      identities: (await import('../exporter/identity.ts')).EXPOSE_ALL,
    });
    const out = new MetricSink();
    await instance.collect({ sources, log, signal: AbortSignal.timeout(1000) }, out);
    const levels = out
      .result()
      .find((f) => f.name === 'openwrt_ping_threshold')!
      .samples.map((s) => `${s.labels.target} ${s.labels.interface} ${s.labels.reading} ${s.labels.level} ${s.value}`);
    expect(levels).toEqual(['far wan2 rtt_seconds warning 0.25', 'far wan2 rtt_seconds critical 0.8', 'far wan2 loss_ratio critical 0.3']);
  });
});
