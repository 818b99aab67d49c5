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
import { nlbwmon, parseNlbwCsv, parseNlbwJson, protocolName, StickySelection, summarize } from './nlbwmon.ts';

describe('parseNlbwJson on every capture', () => {
  const files = readdirSync(path.join(ROOT, 'fixtures/captures/nlbwmon')).filter((f) => f.endsWith('.json'));
  it.each(files)('%s', (file) => {
    const rows = parseNlbwJson(capture(`nlbwmon/${file}`));
    if (file.includes('empty')) expect(rows).toEqual([]);
    else expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.rx_bytes).toBeGreaterThanOrEqual(0);
  });

  it('gives the same per-client totals from the default grouping as from -g family,mac,ip', () => {
    const byHost = summarize(
      parseNlbwJson(capture('nlbwmon/nlbw-c-json-g-family-mac-ip-o-rx_bytes-tx_bytes-desc.json')),
      EXPOSE_ALL,
    ).clients;
    const fromDefault = summarize(parseNlbwJson(capture('nlbwmon/nlbw-c-json-default-grouping.json')), EXPOSE_ALL).clients;
    expect(Object.fromEntries(fromDefault)).toEqual(Object.fromEntries(byHost));
    // IPv4 and IPv6 of one MAC are one client.
    expect(fromDefault.get('02:11:22:33:44:55')!.rx_bytes).toBe(118578188 + 32853336);
  });

  it.each([
    ['nlbw-c-csv-default-tab-separated.tsv', 'nlbw-c-json-default-grouping.json'],
    ['nlbw-c-csv-s-comma-q-empty-e-empty.csv', 'nlbw-c-json-default-grouping.json'],
    ['nlbw-c-csv-s-comma-g-family-mac-ip.csv', 'nlbw-c-json-g-family-mac-ip-o-rx_bytes-tx_bytes-desc.json'],
  ])('reads %s as the same rows as %s', (csv, json) => {
    const fromCsv = parseNlbwCsv(capture(`nlbwmon/${csv}`));
    expect(fromCsv.length).toBeGreaterThan(3);
    // Quoted or not, strings lose their quotes and an unknown layer7 is null, as in JSON.
    expect(fromCsv).toEqual(parseNlbwJson(capture(`nlbwmon/${json}`)));
  });

  it.each([
    ['daemon down', '', 'nlbw -c csv: no header line'],
    ['a missing counter', 'mac,conns\n', 'nlbw -c csv: column "rx_bytes" is missing'],
    ['a short row', 'conns,rx_bytes,rx_pkts,tx_bytes,tx_pkts\n1,2\n', 'nlbw -c csv: row 0 has 2 fields for 5 columns'],
    ['a word for a number', 'conns,rx_bytes,rx_pkts,tx_bytes,tx_pkts\n1,2,x,4,5\n', 'nlbw -c csv: row 0: rx_pkts is not a number: "x"'],
    ['an open quote', '"mac\tconns\n', 'nlbw -c csv: unterminated quote'],
  ])('rejects CSV with %s', (_what, text, message) => {
    expect(() => parseNlbwCsv(text)).toThrow(message);
  });

  it('unquotes a doubled quote inside a quoted field', () => {
    const rows = parseNlbwCsv('"layer7"\t"conns"\t"rx_bytes"\t"rx_pkts"\t"tx_bytes"\t"tx_pkts"\n"say ""hi"""\t1\t2\t3\t4\t5\n');
    expect(rows).toEqual([{ layer7: 'say "hi"', conns: 1, rx_bytes: 2, rx_pkts: 3, tx_bytes: 4, tx_pkts: 5 }]);
  });

  it('names protocols from layer 7, else the IP protocol of either C library', () => {
    expect(protocolName({ layer7: 'IPv6-ICMP', proto: 'IPV6-ICMP' })).toBe('IPv6-ICMP');
    expect(protocolName({ layer7: null, proto: 'IP' })).toBe('unknown');
    expect(protocolName({ layer7: null, proto: '   unspec.' })).toBe('unknown');
    expect(protocolName({ layer7: null, proto: 'IPSEC-ESP' })).toBe('ESP'); // glibc
    expect(protocolName({ layer7: null, proto: 'ESP' })).toBe('ESP'); // musl
    expect(protocolName({ layer7: null, proto: 'GRE' })).toBe('GRE');
  });

  it('accounts the all-zero MAC to "unknown" and pseudonymises MACs when asked', () => {
    const rows = parseNlbwJson(
      '{"columns":["mac","ip","conns","rx_bytes","rx_pkts","tx_bytes","tx_pkts"],"data":[["00:00:00:00:00:00","192.168.1.9",1,10,1,5,1],["02:AA:BB:CC:DD:EE","192.168.1.8",1,20,1,5,1]]}',
    );
    expect([...summarize(rows, EXPOSE_ALL).clients.keys()]).toEqual(['unknown', '02:aa:bb:cc:dd:ee']);
    const hidden = [...summarize(rows, createIdentities({ expose: false, anonymize: 'hash', salt: 'test-salt' })).clients.keys()];
    expect(hidden[0]).toBe('unknown');
    expect(hidden[1]).toMatch(/^anon-[0-9a-f]{12}$/);
  });

  it.each([
    ['no data', '{"columns":[]}', 'nlbw -c json: expected "columns" and "data" arrays'],
    ['a missing counter', '{"columns":["mac"],"data":[]}', 'nlbw -c json: column "conns" is missing'],
    [
      'a short row',
      '{"columns":["conns","rx_bytes","rx_pkts","tx_bytes","tx_pkts"],"data":[[1,2]]}',
      'nlbw -c json: row 0 has 2 fields for 5 columns',
    ],
    ['daemon down', '', /^nlbw -c json: invalid JSON/],
  ])('rejects %s', (_what, text, message) => {
    expect(() => parseNlbwJson(text)).toThrow(message);
  });
});

describe('StickySelection', () => {
  it('keeps a chosen key and never moves bytes out of "other"', () => {
    const s = new StickySelection(2);
    expect([
      ...s.select(
        new Map([
          ['a', 10],
          ['b', 5],
          ['c', 1],
        ]),
        (v) => v,
      ),
    ]).toEqual(['a', 'b']);
    // c grows past b: b stays chosen, c stays in "other", which therefore only grows.
    expect([
      ...s.select(
        new Map([
          ['a', 10],
          ['b', 5],
          ['c', 100],
        ]),
        (v) => v,
      ),
    ]).toEqual(['a', 'b']);
    s.reset();
    expect([
      ...s.select(
        new Map([
          ['c', 100],
          ['a', 1],
        ]),
        (v) => v,
      ),
    ]).toEqual(['c', 'a']);
  });
});

describe('nlbwmon collector', () => {
  /** Runs the collector over playback output given as text, through a seam whose nlbw prints it. */
  async function collectWith(outputs: string[], options: Partial<Parameters<typeof nlbwmon.create>[0]>) {
    let i = 0;
    const run = async () => ({ stdout: outputs[i++]!, stdoutBytes: Buffer.alloc(0), stderr: '' });
    // eslint-disable-next-line no-restricted-syntax -- a seam with only run(): the collector runs nlbw and reads nothing
    const sources = { run } as unknown as CollectContext['sources'];
    const log = pino({ level: 'silent' });
    const instance = nlbwmon.create(
      {
        format: 'json',
        refresh_seconds: 0,
        max_clients: 1,
        protocols: true,
        client_protocols: true,
        top_protocols_per_client: 2,
        ...options,
      },
      { sources, log, identities: EXPOSE_ALL },
    );
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
    const [first, reset] = await collectWith(
      [
        month,
        capture('nlbwmon/nlbw-c-json-empty-database.json').replace(
          '"data":[]',
          '"data":[[4,"TCP",443,"02:11:22:33:44:55","192.168.1.100",1,1000,1,100,1,"HTTPS"]]',
        ),
      ],
      {},
    );
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

  it('gives the same series from nlbw -c csv as from -c json', async () => {
    const [fromJson] = await collectWith([capture('nlbwmon/nlbw-c-json-default-grouping.json')], {});
    const [fromCsv] = await collectWith([capture('nlbwmon/nlbw-c-csv-default-tab-separated.tsv')], { format: 'csv' });
    expect(fromCsv!.size).toBeGreaterThan(5);
    expect(fromCsv).toEqual(fromJson);
  });
});
