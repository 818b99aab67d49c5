import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createIdentities, EXPOSE_ALL } from '../exporter/identity.ts';
import { MetricSink } from '../exporter/metrics.ts';
import { toSeriesMap } from '../exporter/parse-exposition.ts';
import type { CollectContext } from '../exporter/collector.ts';
import { capture } from '../test/captures.ts';
import { ROOT } from '../test/helpers.ts';
import { nlbwmon, parseNlbwJson, protocolName, StickySelection, summarize } from './nlbwmon.ts';

describe('parseNlbwJson on every capture', () => {
  const files = readdirSync(path.join(ROOT, 'fixtures/captures/nlbwmon')).filter((f) => f.endsWith('.json'));
  it.each(files)('%s', (file) => {
    const rows = parseNlbwJson(capture(`nlbwmon/${file}`));
    if (file.includes('empty')) expect(rows).toEqual([]);
    else expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.rx_bytes).toBeGreaterThanOrEqual(0);
  });

  it('gives the same per-client totals from the default grouping as from -g family,mac,ip', () => {
    const byHost = summarize(parseNlbwJson(capture('nlbwmon/nlbw-c-json-g-family-mac-ip-o-rx_bytes-tx_bytes-desc.json')), EXPOSE_ALL).clients;
    const fromDefault = summarize(parseNlbwJson(capture('nlbwmon/nlbw-c-json-default-grouping.json')), EXPOSE_ALL).clients;
    expect(Object.fromEntries(fromDefault)).toEqual(Object.fromEntries(byHost));
    // IPv4 and IPv6 of one MAC are one client.
    expect(fromDefault.get('02:11:22:33:44:55')!.rx_bytes).toBe(118578188 + 32853336);
  });

  it('names protocols from layer 7, else the IP protocol of either C library', () => {
    expect(protocolName({ layer7: 'IPv6-ICMP', proto: 'IPV6-ICMP' } as never)).toBe('IPv6-ICMP');
    expect(protocolName({ layer7: null, proto: 'IP' } as never)).toBe('unknown');
    expect(protocolName({ layer7: null, proto: '   unspec.' } as never)).toBe('unknown');
    expect(protocolName({ layer7: null, proto: 'IPSEC-ESP' } as never)).toBe('ESP'); // glibc
    expect(protocolName({ layer7: null, proto: 'ESP' } as never)).toBe('ESP'); // musl
    expect(protocolName({ layer7: null, proto: 'GRE' } as never)).toBe('GRE');
  });

  it('accounts the all-zero MAC to "unknown" and pseudonymises MACs when asked', () => {
    const rows = parseNlbwJson('{"columns":["mac","ip","conns","rx_bytes","rx_pkts","tx_bytes","tx_pkts"],"data":[["00:00:00:00:00:00","192.168.1.9",1,10,1,5,1],["02:AA:BB:CC:DD:EE","192.168.1.8",1,20,1,5,1]]}');
    expect([...summarize(rows, EXPOSE_ALL).clients.keys()]).toEqual(['unknown', '02:aa:bb:cc:dd:ee']);
    const hidden = [...summarize(rows, createIdentities({ expose: false, anonymize: 'hash', salt: 'test-salt' })).clients.keys()];
    expect(hidden[0]).toBe('unknown');
    expect(hidden[1]).toMatch(/^anon-[0-9a-f]{12}$/);
  });

  it.each([
    ['no data', '{"columns":[]}', 'nlbw -c json: expected "columns" and "data" arrays'],
    ['a missing counter', '{"columns":["mac"],"data":[]}', 'nlbw -c json: column "conns" is missing'],
    ['a short row', '{"columns":["conns","rx_bytes","rx_pkts","tx_bytes","tx_pkts"],"data":[[1,2]]}', 'nlbw -c json: row 0 has 2 fields for 5 columns'],
    ['daemon down', '', /^nlbw -c json: invalid JSON/],
  ])('rejects %s', (_what, text, message) => {
    expect(() => parseNlbwJson(text)).toThrow(message);
  });
});

describe('StickySelection', () => {
  it('keeps a chosen key and never moves bytes out of "other"', () => {
    const s = new StickySelection(2);
    expect([...s.select(new Map([['a', 10], ['b', 5], ['c', 1]]), (v) => v)]).toEqual(['a', 'b']);
    // c grows past b: b stays chosen, c stays in "other", which therefore only grows.
    expect([...s.select(new Map([['a', 10], ['b', 5], ['c', 100]]), (v) => v)]).toEqual(['a', 'b']);
    s.reset();
    expect([...s.select(new Map([['c', 100], ['a', 1]]), (v) => v)]).toEqual(['c', 'a']);
  });
});

describe('nlbwmon collector', () => {
  /** Runs the collector over playback output given as text, through a seam whose nlbw prints it. */
  async function collectWith(outputs: string[], options: object) {
    let i = 0;
    const sources = { run: async () => ({ stdout: outputs[i++]!, stdoutBytes: Buffer.alloc(0), stderr: '' }) } as unknown as CollectContext['sources'];
    const log = pino({ level: 'silent' });
    const instance = nlbwmon.create({ refresh_seconds: 0, max_clients: 1, protocols: true, client_protocols: true, top_protocols_per_client: 2, ...options } as never, { sources, log, identities: EXPOSE_ALL });
    const results: Map<string, number>[] = [];
    for (let n = 0; n < outputs.length; n++) {
      const sink = new MetricSink();
      await instance.collect({ sources, signal: new AbortController().signal, log }, sink);
      results.push(toSeriesMap(sink.result()));
    }
    return results;
  }

  it('bounds clients and per-client protocols, and a new accounting period is a counter reset', async () => {
    const month = capture('nlbwmon/nlbw-c-json-default-grouping.json');
    const [first, reset] = await collectWith([month, capture('nlbwmon/nlbw-c-json-empty-database.json').replace('"data":[]', '"data":[[4,"TCP",443,"02:11:22:33:44:55","192.168.1.100",1,1000,1,100,1,"HTTPS"]]')], {});
    // One client of its own (the biggest), the other summed into "other".
    expect(first!.get('openwrt_client_receive_bytes_total{mac="02:66:77:88:99:aa"}')).toBe(150275252 + 2045700);
    expect(first!.get('openwrt_client_receive_bytes_total{mac="other"}')).toBe(118578188 + 32853336);
    expect([...first!.keys()].filter((k) => k.startsWith('openwrt_client_protocol_receive_bytes_total'))).toEqual([
      'openwrt_client_protocol_receive_bytes_total{mac="02:66:77:88:99:aa",protocol="HTTPS"}',
      'openwrt_client_protocol_receive_bytes_total{mac="02:66:77:88:99:aa",protocol="SSH"}',
      'openwrt_client_protocol_receive_bytes_total{mac="02:66:77:88:99:aa",protocol="other"}',
    ]);
    expect(first!.get('openwrt_protocol_receive_bytes_total{protocol="HTTPS"}')).toBe(287428300);
    // The period rolled over: the counters drop, which Prometheus' rate() reads as a reset, and
    // the selection starts again with the new period's biggest client.
    expect(reset!.get('openwrt_client_receive_bytes_total{mac="02:11:22:33:44:55"}')).toBe(1000);
    expect(reset!.has('openwrt_client_receive_bytes_total{mac="02:66:77:88:99:aa"}')).toBe(false);
  });
});
