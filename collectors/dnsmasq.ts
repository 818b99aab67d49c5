// DNS queries per client from dnsmasq's query log (`log-queries`, plain or `=extra`), followed in
// the background from its log-facility file or from syslog through `logread -f`: queries by type,
// answers by result, unique domains and top domains per client over a sliding window, and
// /api/dns/clients/<ip> with a client's recent domains ("what is my TV trying to reach").
import * as z from 'zod/mini';
import { defineCollector, type CollectContext } from '../exporter/collector.ts';
import { errorMessage, parseJson } from '../exporter/errors.ts';
import type { MetricSink } from '../exporter/metrics.ts';
import { Follower, Periodic } from '../exporter/follower.ts';
import { parseLogLine } from '../openwrt/logread.ts';
import { readDirOptional, readOptional } from './read.ts';

export const QUERY_TYPES = ['A', 'AAAA', 'PTR', 'HTTPS', 'SVCB', 'SRV', 'TXT', 'MX', 'NS', 'SOA', 'CNAME', 'ANY'] as const;
export const RESULTS = ['cached', 'forwarded', 'local', 'nxdomain', 'blocked', 'error', 'failed'] as const;
/** The results that are failures: an upstream error rcode, or no answer at all. */
const FAILURES = ['error', 'failed'] as const;
export type Result = (typeof RESULTS)[number];

export interface DnsmasqMessage {
  /** Unix seconds of the line, when the line has a full date (syslog); undefined otherwise. */
  readonly time: number | undefined;
  /** `--log-queries=extra`: the per-query serial and the client that sent it. */
  readonly serial: string | undefined;
  readonly message: string;
}

const FACILITY_FILE = /^\w{3} +\d{1,2} \d\d:\d\d:\d\d dnsmasq\[\d+\]: (.*)$/;

/** A dnsmasq line from its log-facility file or from `logread`; undefined for anything else. */
export function parseDnsmasqLine(line: string): DnsmasqMessage | undefined {
  let message: string;
  let time: number | undefined;
  const file = FACILITY_FILE.exec(line);
  if (file) {
    message = file[1]!;
  } else {
    const entry = parseLogLine(line);
    if (!entry || entry.ident !== 'dnsmasq') return undefined;
    message = entry.message;
    time = entry.time;
  }
  const extra = /^(\d+) ([0-9a-fA-F.:]+)\/\d+ (.*)$/.exec(message);
  return extra ? { time, serial: extra[1], message: extra[3]! } : { time, serial: undefined, message };
}

/** `10.2.0.192.in-addr.arpa` -> `192.0.2.10`: dnsmasq logs PTR answers under the address. */
function arpaToAddress(name: string): string | undefined {
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\.in-addr\.arpa$/i.exec(name);
  if (v4) return `${v4[4]}.${v4[3]}.${v4[2]}.${v4[1]}`;
  const v6 = /^((?:[0-9a-f]\.){32})ip6\.arpa$/i.exec(name);
  if (!v6) return undefined;
  const hex = v6[1]!.split('.').filter(Boolean).reverse().join('');
  const groups = hex.match(/.{4}/g)!.map((g) => g.replace(/^0+(?=.)/, ''));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

/**
 * The result a line gives its query. A config NXDOMAIN is how OpenWrt's adblock and
 * `--address=/domain/` block, but `--local=/lan/` names, single-label names (domain-needed) and
 * private PTRs (bogus-priv) get the same line and are plain NXDOMAINs.
 */
export function classifyAnswer(kind: string, answer: string, queryType: string, name: string, localDomains: readonly string[]): Result {
  const negative = answer === 'NXDOMAIN';
  switch (kind) {
    case 'cached':
      return negative ? 'nxdomain' : 'cached';
    case 'reply':
      return negative ? 'nxdomain' : 'forwarded';
    case 'config': {
      if (answer === '0.0.0.0' || answer === '::') return 'blocked';
      if (!negative) return 'local';
      const lower = name.toLowerCase();
      const local = queryType === 'PTR' || !lower.includes('.') || localDomains.some((d) => lower === d || lower.endsWith('.' + d));
      return local ? 'nxdomain' : 'blocked';
    }
    default:
      return 'local'; // hosts files and DHCP names
  }
}

interface Pending {
  readonly client: string;
  readonly type: string;
  readonly name: string;
  readonly key: string;
  readonly since: number;
  forwarded: boolean;
}

export interface DnsEvent {
  readonly kind: 'query' | 'answer';
  readonly client: string;
  readonly type: string;
  readonly name: string;
  readonly result?: Result;
}

/**
 * Ties dnsmasq's lines into queries and their results: by serial with `log-queries=extra`, by name
 * otherwise (PTR answers by address). A forwarded query with no reply within `timeoutMs` failed.
 */
export class QueryTracker {
  private readonly pending = new Map<string, Pending[]>();

  constructor(
    private readonly emit: (event: DnsEvent) => void,
    private readonly localDomains: readonly string[] = ['lan'],
    private readonly timeoutMs = 10_000,
  ) {}

  private take(key: string): Pending | undefined {
    const list = this.pending.get(key);
    const p = list?.shift();
    if (list && list.length === 0) this.pending.delete(key);
    return p;
  }

  private answer(p: Pending, result: Result): void {
    this.emit({ kind: 'answer', client: p.client, type: p.type, name: p.name, result });
  }

  line(m: DnsmasqMessage, now = Date.now()): void {
    const q = /^query\[([^\]]+)\] (\S+) from (\S+)$/.exec(m.message);
    if (q) {
      const [, type = '', name = '', client = ''] = q;
      const key = m.serial ?? (type === 'PTR' ? (arpaToAddress(name) ?? name) : name).toLowerCase();
      const p: Pending = { client, type, name, key, since: now, forwarded: false };
      this.pending.set(key, [...(this.pending.get(key) ?? []), p]);
      this.emit({ kind: 'query', client, type, name });
      return;
    }
    const fwd = /^forwarded (\S+) to \S+$/.exec(m.message);
    if (fwd) {
      const list = this.pending.get(m.serial ?? fwd[1]!.toLowerCase()) ?? this.pending.get(arpaToAddress(fwd[1]!) ?? '');
      if (list?.[0]) list[0].forwarded = true;
      return;
    }
    if (/^reply error is \S+/.test(m.message)) {
      // An upstream error rcode names no query: the oldest forwarded one it is, without a serial.
      const key = m.serial ?? [...this.pending.values()].flat().find((p) => p.forwarded)?.key;
      const p = key === undefined ? undefined : this.take(key);
      if (p) this.answer(p, 'error');
      return;
    }
    const a = /^(cached|reply|config|DHCP|\/\S+) (\S+) is (.+)$/.exec(m.message);
    if (a) {
      const [, kind = '', name = '', answer = ''] = a;
      // A CNAME chain logs several answers for one query: the first one settles it.
      const p = this.take(m.serial ?? name.toLowerCase());
      if (p) this.answer(p, classifyAnswer(kind.startsWith('/') ? 'hosts' : kind, answer.trim(), p.type, p.name, this.localDomains));
    }
  }

  /** Forwarded queries without a reply in time failed; others were dropped (e.g. filtered). */
  sweep(now = Date.now()): void {
    for (const [key, list] of this.pending) {
      while (list[0] && now - list[0].since > this.timeoutMs) this.answer(list.shift()!, 'failed');
      if (list.length === 0) this.pending.delete(key);
    }
  }
}

interface DomainStats {
  queries: number[]; // per hour bucket
  buckets: number[];
  last: number;
}

/** Per-client domains in a sliding window of hourly buckets, bounded in domains per client. */
export class DomainWindow {
  private readonly clients = new Map<string, Map<string, DomainStats>>();
  constructor(
    private readonly windowSeconds: number,
    private readonly maxDomainsPerClient: number,
  ) {}

  add(client: string, domain: string, now = Date.now()): void {
    const bucket = Math.floor(now / 3_600_000);
    const domains = this.clients.get(client) ?? this.clients.set(client, new Map()).get(client)!;
    let s = domains.get(domain);
    if (!s) {
      if (domains.size >= this.maxDomainsPerClient) {
        // Forget the domain seen longest ago.
        let oldest: string | undefined;
        for (const [d, v] of domains) if (!oldest || v.last < domains.get(oldest)!.last) oldest = d;
        if (oldest) domains.delete(oldest);
      }
      s = { queries: [], buckets: [], last: now };
      domains.set(domain, s);
    }
    if (s.buckets.at(-1) === bucket) s.queries[s.queries.length - 1]!++;
    else {
      s.buckets.push(bucket);
      s.queries.push(1);
    }
    s.last = now;
  }

  /** The client's domains seen within the window, with their query counts, most recent first. */
  domains(client: string, now = Date.now()): Array<{ domain: string; queries: number; lastSeen: number }> {
    const since = now - this.windowSeconds * 1000;
    const oldestBucket = Math.floor(since / 3_600_000);
    const domains = this.clients.get(client);
    if (!domains) return [];
    const out: Array<{ domain: string; queries: number; lastSeen: number }> = [];
    for (const [domain, s] of domains) {
      if (s.last < since) {
        domains.delete(domain);
        continue;
      }
      while (s.buckets[0] !== undefined && s.buckets[0] < oldestBucket) {
        s.buckets.shift();
        s.queries.shift();
      }
      out.push({ domain, queries: s.queries.reduce((a, b) => a + b, 0), lastSeen: s.last });
    }
    return out.sort((a, b) => b.lastSeen - a.lastSeen);
  }

  get clientNames(): string[] {
    return [...this.clients.keys()];
  }
}

/** Where OpenWrt's init script has each dnsmasq instance write its pid (`-x`), one per config section. */
const PID_DIR = '/var/run/dnsmasq';

/**
 * Whether each dnsmasq instance runs: its pid file names a process that is dnsmasq. Two small
 * reads, no command: a dnsmasq that crashed leaves its pid file behind, naming no process or
 * another one. No pid directory (a router without dnsmasq) gives no series.
 */
async function reportInstances(ctx: CollectContext, out: MetricSink): Promise<void> {
  for (const entry of await readDirOptional(ctx, PID_DIR)) {
    const section = /^dnsmasq(?:\.(.+))?\.pid$/.exec(entry.name);
    if (!section) continue;
    const pid = (await readOptional(ctx, `${PID_DIR}/${entry.name}`))?.trim() ?? '';
    const command = /^\d+$/.test(pid) ? (await readOptional(ctx, `/proc/${pid}/comm`))?.trim() : undefined;
    out.gauge(
      'openwrt_dnsmasq_up',
      "Whether the dnsmasq instance runs: its pid file names a dnsmasq process (by the instance's config section).",
      { section: section[1] ?? '' },
      command === 'dnsmasq' ? 1 : 0,
    );
  }
}

export const dnsmasq = defineCollector({
  name: 'dnsmasq',
  defaultEnabled: true,
  description: 'DNS queries per client, answers by result and domains per client from the dnsmasq query log',
  options: {
    /** dnsmasq's log-facility file; when unset, syslog lines through `logread -f`. */
    log_file: z.optional(z.string().check(z.minLength(1))),
    window_seconds: z._default(z.int().check(z.gte(60), z.lte(30 * 86400)), 86400),
    top_domains: z._default(z.int().check(z.gte(0), z.lte(1000)), 10),
    /** Clients with their own series; the rest are counted as client="other". */
    max_clients: z._default(z.int().check(z.gte(1), z.lte(100_000)), 256),
    max_domains_per_client: z._default(z.int().check(z.gte(1), z.lte(1_000_000)), 5000),
    /** Read `ubus call dnsmasq metrics` (OpenWrt's dnsmasq) at scrape time. */
    ubus_metrics: z._default(z.boolean(), true),
    /** Domains dnsmasq answers locally (`--local=/lan/`): their NXDOMAINs are not blocks. */
    local_domains: z._default(z.array(z.string().check(z.minLength(1))), ['lan']),
  },
  create: (options, env) => {
    const queries = new Map<string, number>();
    const answers = new Map<string, number>();
    const clientsSeen = new Set<string>();
    const window = new DomainWindow(options.window_seconds, options.max_domains_per_client);
    const clientLabel = (ip: string) => {
      if (clientsSeen.has(ip)) return ip;
      if (clientsSeen.size >= options.max_clients) return 'other';
      clientsSeen.add(ip);
      return ip;
    };
    const tracker = new QueryTracker((e) => {
      const client = clientLabel(e.client);
      if (e.kind === 'query') {
        const type = (QUERY_TYPES as readonly string[]).includes(e.type) ? e.type : 'other';
        const key = `${client}\u0000${type}`;
        queries.set(key, (queries.get(key) ?? 0) + 1);
        if (client !== 'other' && e.type !== 'PTR') window.add(client, e.name.toLowerCase().replace(/\.$/, ''));
      } else {
        const key = `${client}\u0000${e.result}`;
        answers.set(key, (answers.get(key) ?? 0) + 1);
      }
    }, options.local_domains);
    const follower = new Follower({
      sources: env.sources,
      file: options.log_file,
      onLine: (line) => {
        const m = parseDnsmasqLine(line);
        if (m) tracker.line(m);
      },
      log: env.log,
    });
    const sweeper = new Periodic(1, () => tracker.sweep());
    return {
      start() {
        follower.start();
        void sweeper.start();
      },
      async stop() {
        sweeper.stop();
        await follower.stop();
      },
      routes: {
        '/api/dns/clients': (url) => {
          const ip = decodeURIComponent(url.pathname.slice('/api/dns/clients/'.length));
          if (!ip) return { clients: window.clientNames.sort() };
          const domains = window.domains(ip);
          return {
            client: ip,
            window_seconds: options.window_seconds,
            unique_domains: domains.length,
            domains: domains
              .slice(0, 500)
              .map((d) => ({ domain: d.domain, queries: d.queries, last_seen: new Date(d.lastSeen).toISOString() })),
          };
        },
      },
      async collect(ctx, out) {
        const q = out.family('openwrt_dns_queries_total', 'counter', 'DNS queries per client and query type (dnsmasq query log).');
        for (const [key, n] of [...queries].sort()) {
          const [client, type] = key.split('\u0000');
          q.add({ client: client!, type: type! }, n);
        }
        const a = out.family(
          'openwrt_dns_answers_total',
          'counter',
          'DNS answers per client by result: cached, forwarded, local, nxdomain, blocked, error, failed.',
        );
        // Every client that has answers has its failure series from 0: a counter whose series first
        // appears at 20 shows no increase in rate(), and the first upstream outage would go unseen.
        const counts = new Map(answers);
        for (const key of answers.keys()) {
          const client = key.slice(0, key.indexOf('\u0000'));
          for (const result of FAILURES) counts.set(`${client}\u0000${result}`, counts.get(`${client}\u0000${result}`) ?? 0);
        }
        for (const [key, n] of [...counts].sort()) {
          const [client, result] = key.split('\u0000');
          a.add({ client: client!, result: result! }, n);
        }
        for (const client of window.clientNames.sort()) {
          const domains = window.domains(client);
          out.gauge(
            'openwrt_dns_client_unique_domains',
            'Distinct domains the client queried within the window.',
            { client },
            domains.length,
          );
          for (const d of [...domains]
            .sort((x, y) => y.queries - x.queries || (x.domain < y.domain ? -1 : 1))
            .slice(0, options.top_domains)) {
            out.gauge(
              'openwrt_dns_client_domain_queries',
              "Queries of the client's top domains within the window.",
              { client, domain: d.domain },
              d.queries,
            );
          }
        }
        follower.report(out, 'dnsmasq');
        await reportInstances(ctx, out);
        if (options.ubus_metrics) {
          try {
            const { stdout } = await ctx.sources.run('ubus', ['-S', 'call', 'dnsmasq', 'metrics'], { signal: ctx.signal });
            for (const [key, value] of Object.entries(parseJson<Record<string, unknown>>('ubus call dnsmasq metrics', stdout)).sort()) {
              if (typeof value === 'number' && /^[a-z0-9_]+$/.test(key))
                out.family(`openwrt_dnsmasq_${key}`, 'untyped', `dnsmasq's own ${key} (ubus dnsmasq metrics).`).add({}, value);
            }
          } catch (e) {
            ctx.log.debug({ err: errorMessage(e) }, 'no ubus dnsmasq metrics');
          }
        }
      },
    };
  },
});
