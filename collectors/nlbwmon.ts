// Per-client bandwidth from nlbwmon: one `nlbw -c json` (or `-c csv`) per refresh (its default
// grouping has family, protocol, port, MAC and address, so per-client, per-protocol and router-wide
// totals all come from one fork), bounded in cardinality.
import * as z from 'zod/mini';
import { defineCollector } from '../exporter/collector.ts';
import { parseJson, ParseError } from '../exporter/errors.ts';
import type { Identities } from '../exporter/identity.ts';

export interface NlbwRow {
  readonly family?: number;
  readonly proto?: string;
  readonly port?: number;
  readonly mac?: string;
  readonly ip?: string;
  readonly conns: number;
  readonly rx_bytes: number;
  readonly rx_pkts: number;
  readonly tx_bytes: number;
  readonly tx_pkts: number;
  readonly layer7?: string | null;
}

const COUNTERS = ['conns', 'rx_bytes', 'rx_pkts', 'tx_bytes', 'tx_pkts'] as const;

/** `nlbw -c json`: `{"columns":[...],"data":[[...],...]}`, columns named, counters as numbers. */
export function parseNlbwJson(text: string): NlbwRow[] {
  const doc = parseJson<{ columns?: unknown; data?: unknown }>('nlbw -c json', text);
  if (!Array.isArray(doc?.columns) || !Array.isArray(doc.data))
    throw new ParseError('nlbw -c json', 'expected "columns" and "data" arrays');
  const columns = doc.columns as string[];
  for (const c of COUNTERS) if (!columns.includes(c)) throw new ParseError('nlbw -c json', `column "${c}" is missing`);
  return (doc.data as unknown[][]).map((row, i) => {
    if (!Array.isArray(row) || row.length !== columns.length)
      throw new ParseError('nlbw -c json', `row ${i} has ${Array.isArray(row) ? row.length : 0} fields for ${columns.length} columns`);
    // eslint-disable-next-line no-restricted-syntax -- every counter is checked to be a number below; the other columns are optional
    const r = Object.fromEntries(columns.map((c, j) => [c, row[j]])) as unknown as NlbwRow;
    for (const c of COUNTERS) if (typeof r[c] !== 'number') throw new ParseError('nlbw -c json', `row ${i}: ${c} is not a number`);
    return r;
  });
}

const NUMERIC_COLUMNS = new Set(['family', 'port', ...COUNTERS]);

/** Splits one CSV line; nlbw quotes with `"` and escapes a quote by doubling it (its defaults). */
function splitCsvLine(line: string, separator: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (line[i + 1] === '"') field += line[++i];
      else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === separator) {
      fields.push(field);
      field = '';
    } else field += c;
  }
  if (quoted) throw new ParseError('nlbw -c csv', `unterminated quote in: ${line.slice(0, 80)}`);
  fields.push(field);
  return fields;
}

/**
 * `nlbw -c csv`: a header of column names, then one row per line. The separator is TAB by default
 * (`-s,` makes it a comma, as LuCI's download does); strings are quoted unless `-q`; an unknown
 * layer7 is an empty field. A record never spans lines: names come from nlbwmon's protocols file.
 */
export function parseNlbwCsv(text: string): NlbwRow[] {
  const lines = text.split('\n').filter((l) => l !== '');
  if (lines.length === 0) throw new ParseError('nlbw -c csv', 'no header line');
  const header = lines[0]!;
  const separator = header.includes('\t') ? '\t' : ',';
  const columns = splitCsvLine(header, separator);
  for (const c of COUNTERS) if (!columns.includes(c)) throw new ParseError('nlbw -c csv', `column "${c}" is missing`);
  return lines.slice(1).map((line, i) => {
    const fields = splitCsvLine(line, separator);
    if (fields.length !== columns.length)
      throw new ParseError('nlbw -c csv', `row ${i} has ${fields.length} fields for ${columns.length} columns`);
    const row: Record<string, string | number | null> = {};
    columns.forEach((c, j) => {
      const value = fields[j]!;
      if (!NUMERIC_COLUMNS.has(c)) row[c] = c === 'layer7' && value === '' ? null : value;
      else if (/^\d+$/.test(value)) row[c] = Number(value);
      else throw new ParseError('nlbw -c csv', `row ${i}: ${c} is not a number: ${JSON.stringify(value)}`);
    });
    // eslint-disable-next-line no-restricted-syntax -- the counters are numbers by construction above, the rest strings or null
    return row as unknown as NlbwRow;
  });
}

/** glibc's /etc/protocols aliases against musl's plain names (OpenWrt): one name per protocol. */
const PROTO_ALIASES: Record<string, string> = { 'IPSEC-ESP': 'ESP', 'IPSEC-AH': 'AH', 'IP-ENCAP': 'IPENCAP', L2TP: '115' };

/** The protocol a row is accounted to: nlbwmon's layer-7 name, else its IP protocol. */
export function protocolName(row: Pick<NlbwRow, 'layer7' | 'proto'>): string {
  if (row.layer7) return row.layer7;
  const proto = (row.proto ?? '').trim().toUpperCase();
  if (proto === '' || proto === 'IP' || proto === 'UNSPEC.') return 'unknown';
  return PROTO_ALIASES[proto] ?? proto;
}

interface Totals {
  conns: number;
  rx_bytes: number;
  rx_pkts: number;
  tx_bytes: number;
  tx_pkts: number;
}
const zero = (): Totals => ({ conns: 0, rx_bytes: 0, rx_pkts: 0, tx_bytes: 0, tx_pkts: 0 });
function add(into: Totals, row: Totals): void {
  for (const c of COUNTERS) into[c] += row[c];
}
const volume = (t: Totals) => t.rx_bytes + t.tx_bytes;

export interface ClientUsage {
  readonly clients: Map<string, Totals>;
  readonly protocols: Map<string, Totals>;
  readonly clientProtocols: Map<string, Map<string, Totals>>;
}

/** Sums rows per client (MAC, IPv4 and IPv6 together), per protocol, and per client and protocol. */
export function summarize(rows: readonly NlbwRow[], identities: Identities): ClientUsage {
  const clients = new Map<string, Totals>();
  const protocols = new Map<string, Totals>();
  const clientProtocols = new Map<string, Map<string, Totals>>();
  for (const row of rows) {
    // No neighbour entry for the address: nlbwmon records the all-zero MAC.
    const raw = !row.mac || row.mac === '00:00:00:00:00:00' ? 'unknown' : row.mac;
    const mac = raw === 'unknown' ? raw : identities.mac(raw);
    const protocol = protocolName(row);
    const get = <K>(map: Map<K, Totals>, key: K) => map.get(key) ?? map.set(key, zero()).get(key)!;
    add(get(clients, mac), row);
    add(get(protocols, protocol), row);
    const perClient = clientProtocols.get(mac) ?? clientProtocols.set(mac, new Map()).get(mac)!;
    add(get(perClient, protocol), row);
  }
  return { clients, protocols, clientProtocols };
}

/**
 * Bounds a set of keys to `limit` while keeping counters monotonic: a key once chosen stays chosen
 * (until the counters reset), new keys are chosen only while there is room, and what is left out
 * is summed into "other", which therefore only grows.
 */
export class StickySelection {
  private chosen = new Set<string>();
  constructor(private readonly limit: number) {}

  select<T>(entries: Map<string, T>, size: (t: T) => number): Set<string> {
    for (const [key] of [...entries].filter(([k]) => !this.chosen.has(k)).sort((a, b) => size(b[1]) - size(a[1]))) {
      if (this.chosen.size >= this.limit) break;
      this.chosen.add(key);
    }
    return this.chosen;
  }

  reset(): void {
    this.chosen = new Set();
  }
}

export const nlbwmon = defineCollector({
  name: 'nlbwmon',
  defaultEnabled: true,
  description: 'per-client and per-protocol traffic from nlbwmon',
  options: {
    /**
     * How to ask nlbw: `json` (`nlbw -c json`), or `csv` (`nlbw -c csv`, the format LuCI's download
     * and older scripts read), for a `commands.nlbw` wrapper that only gives CSV.
     */
    format: z._default(z.enum(['json', 'csv']), 'json'),
    /** nlbwmon refreshes its counters from conntrack this often (OpenWrt default 30 s). */
    refresh_seconds: z._default(z.number().check(z.gte(0), z.lte(3600)), 30),
    /** Clients with their own series; the rest are summed as mac="other". */
    max_clients: z._default(z.int().check(z.gte(1), z.lte(100_000)), 500),
    /** Router-wide traffic per protocol. */
    protocols: z._default(z.boolean(), true),
    /** Per-client traffic per protocol: top N per client plus "other". */
    client_protocols: z._default(z.boolean(), false),
    top_protocols_per_client: z._default(z.int().check(z.gte(1), z.lte(100)), 5),
  },
  create: (options, env) => {
    const clientSelection = new StickySelection(options.max_clients);
    const protocolSelections = new Map<string, StickySelection>();
    let previousTotal = 0;
    return {
      minIntervalSeconds: options.refresh_seconds,
      async collect(ctx, out) {
        const { stdout } = await ctx.sources.run('nlbw', ['-c', options.format], { signal: ctx.signal });
        const usage = summarize(options.format === 'json' ? parseNlbwJson(stdout) : parseNlbwCsv(stdout), env.identities);
        // A new accounting period (or a wiped database) starts every counter again: so do the
        // selections, and Prometheus sees an ordinary counter reset.
        const total = [...usage.clients.values()].reduce((a, t) => a + volume(t), 0);
        if (total < previousTotal) {
          clientSelection.reset();
          protocolSelections.clear();
        }
        previousTotal = total;

        const chosen = clientSelection.select(usage.clients, volume);
        const perClient = new Map<string, Totals>();
        for (const [mac, t] of usage.clients) {
          const key = chosen.has(mac) ? mac : 'other';
          add(perClient.get(key) ?? perClient.set(key, zero()).get(key)!, t);
        }
        const metric = (name: string, help: string) => out.family(name, 'counter', help);
        const rxB = metric('openwrt_client_receive_bytes_total', 'Bytes the client downloaded (nlbwmon, current accounting period).');
        const txB = metric('openwrt_client_transmit_bytes_total', 'Bytes the client uploaded (nlbwmon, current accounting period).');
        const rxP = metric('openwrt_client_receive_packets_total', 'Packets the client received (nlbwmon).');
        const txP = metric('openwrt_client_transmit_packets_total', 'Packets the client sent (nlbwmon).');
        const conns = metric('openwrt_client_connections_total', 'Connections the client made (nlbwmon).');
        for (const [mac, t] of [...perClient].sort(([a], [b]) => (a < b ? -1 : 1))) {
          const labels = { mac };
          rxB.add(labels, t.rx_bytes);
          txB.add(labels, t.tx_bytes);
          rxP.add(labels, t.rx_pkts);
          txP.add(labels, t.tx_pkts);
          conns.add(labels, t.conns);
        }
        if (options.protocols) {
          for (const [protocol, t] of [...usage.protocols].sort(([a], [b]) => (a < b ? -1 : 1))) {
            out.counter(
              'openwrt_protocol_receive_bytes_total',
              'Bytes downloaded by all clients, per protocol (nlbwmon).',
              { protocol },
              t.rx_bytes,
            );
            out.counter(
              'openwrt_protocol_transmit_bytes_total',
              'Bytes uploaded by all clients, per protocol (nlbwmon).',
              { protocol },
              t.tx_bytes,
            );
            out.counter('openwrt_protocol_connections_total', 'Connections of all clients, per protocol (nlbwmon).', { protocol }, t.conns);
          }
        }
        if (options.client_protocols) {
          for (const [mac, protocols] of [...usage.clientProtocols].sort(([a], [b]) => (a < b ? -1 : 1))) {
            if (!chosen.has(mac)) continue;
            const selection =
              protocolSelections.get(mac) ?? protocolSelections.set(mac, new StickySelection(options.top_protocols_per_client)).get(mac)!;
            const top = selection.select(protocols, volume);
            const rows = new Map<string, Totals>();
            for (const [protocol, t] of protocols) {
              const key = top.has(protocol) ? protocol : 'other';
              add(rows.get(key) ?? rows.set(key, zero()).get(key)!, t);
            }
            for (const [protocol, t] of [...rows].sort(([a], [b]) => (a < b ? -1 : 1))) {
              out.counter(
                'openwrt_client_protocol_receive_bytes_total',
                'Bytes the client downloaded per protocol (top N per client, rest as other).',
                { mac, protocol },
                t.rx_bytes,
              );
              out.counter(
                'openwrt_client_protocol_transmit_bytes_total',
                'Bytes the client uploaded per protocol (top N per client, rest as other).',
                { mac, protocol },
                t.tx_bytes,
              );
            }
          }
        }
      },
    };
  },
});
