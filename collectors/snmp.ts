// SNMP devices beside the router (a switch, an access point): IF-MIB polled in the background
// with net-snmp, exported under snmp_exporter's if_mib names with a `target` label so its
// dashboards work. A slow or dead device is that target's failure, never the scrape's.
import type NetSnmp from 'net-snmp';
import * as z from 'zod/mini';
import { Periodic } from '../exporter/follower.ts';
import { defineCollector } from '../exporter/collector.ts';
import { errorMessage } from '../exporter/errors.ts';
import type { MetricSink } from '../exporter/metrics.ts';

const IF_TABLE = '1.3.6.1.2.1.2.2';
const IF_X_TABLE = '1.3.6.1.2.1.31.1.1';
/** Column numbers of ifTable and ifXTable, and how snmp_exporter's if_mib exports them. */
const IF_COLUMNS: Record<string, { readonly type: 'counter' | 'gauge'; readonly help: string }> = {
  ifOperStatus: { type: 'gauge', help: 'The current operational state of the interface (1 up, 2 down, ...) - 1.3.6.1.2.1.2.2.1.8' },
  ifInDiscards: { type: 'counter', help: 'Inbound packets discarded though free of errors - 1.3.6.1.2.1.2.2.1.13' },
  ifInErrors: { type: 'counter', help: 'Inbound packets that contained errors - 1.3.6.1.2.1.2.2.1.14' },
  ifOutDiscards: { type: 'counter', help: 'Outbound packets discarded though free of errors - 1.3.6.1.2.1.2.2.1.19' },
  ifOutErrors: { type: 'counter', help: 'Outbound packets that could not be sent because of errors - 1.3.6.1.2.1.2.2.1.20' },
  ifHCInOctets: { type: 'counter', help: 'The total number of octets received on the interface - 1.3.6.1.2.1.31.1.1.1.6' },
  ifHCOutOctets: { type: 'counter', help: 'The total number of octets transmitted out of the interface - 1.3.6.1.2.1.31.1.1.1.10' },
  ifHighSpeed: {
    type: 'gauge',
    help: "An estimate of the interface's current bandwidth in units of 1,000,000 bits per second - 1.3.6.1.2.1.31.1.1.1.15",
  },
};
const IF_TABLE_COLUMNS: Record<string, string> = {
  '2': 'ifDescr',
  '8': 'ifOperStatus',
  '13': 'ifInDiscards',
  '14': 'ifInErrors',
  '19': 'ifOutDiscards',
  '20': 'ifOutErrors',
};
const IF_X_TABLE_COLUMNS: Record<string, string> = {
  '1': 'ifName',
  '6': 'ifHCInOctets',
  '10': 'ifHCOutOctets',
  '15': 'ifHighSpeed',
  '18': 'ifAlias',
};

export interface SnmpInterface {
  readonly ifIndex: string;
  readonly labels: { ifName: string; ifDescr: string; ifAlias: string };
  readonly values: ReadonlyMap<string, number>;
}

const v3Schema = z.strictObject({
  username: z.string().check(z.minLength(1)),
  security_level: z._default(z.enum(['noAuthNoPriv', 'authNoPriv', 'authPriv']), 'authPriv'),
  auth_protocol: z._default(z.enum(['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512']), 'sha'),
  auth_password: z.optional(z.string()),
  priv_protocol: z._default(z.enum(['des', 'aes', 'aes256b', 'aes256r']), 'aes'),
  priv_password: z.optional(z.string()),
});

export const snmpTargetSchema = z
  .strictObject({
    name: z.string().check(z.minLength(1)),
    host: z.string().check(z.minLength(1)),
    port: z._default(z.int().check(z.gte(1), z.lte(65535)), 161),
    version: z._default(z.enum(['1', '2c', '3']), '2c'),
    community: z._default(z.string(), 'public'),
    v3: z.optional(v3Schema),
    interval_seconds: z._default(z.number().check(z.gte(1), z.lte(86400)), 30),
    timeout_seconds: z._default(z.number().check(z.positive(), z.lte(60)), 3),
    retries: z._default(z.int().check(z.gte(0), z.lte(5)), 1),
  })
  .check(z.refine((t) => t.version !== '3' || t.v3 !== undefined, { message: 'version 3 needs v3 credentials', path: ['v3'] }));
export type SnmpTarget = z.infer<typeof snmpTargetSchema>;

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  // net-snmp returns Counter64 as big-endian bytes.
  if (Buffer.isBuffer(value)) return value.length === 0 ? 0 : Number(BigInt('0x' + value.toString('hex')));
  return Number(value);
}

// Loaded with the first poll: most routers poll no SNMP device, and net-snmp's start (its
// tables of constants and MIB types) is 2.4 MiB of RSS (`BENCH_SECTIONS=startup npm run bench`).
let netSnmp: Promise<typeof NetSnmp> | undefined;
const loadNetSnmp = () => (netSnmp ??= import('net-snmp').then((m) => m.default));

async function openSession(target: SnmpTarget): Promise<NetSnmp.Session> {
  const snmp = await loadNetSnmp();
  const options = { port: target.port, timeout: target.timeout_seconds * 1000, retries: target.retries };
  if (target.version !== '3') {
    return snmp.createSession(target.host, target.community, {
      ...options,
      version: target.version === '1' ? snmp.Version1 : snmp.Version2c,
    });
  }
  const v3 = target.v3!;
  const level = snmp.SecurityLevel[v3.security_level];
  return snmp.createV3Session(
    target.host,
    {
      name: v3.username,
      level,
      ...(level !== snmp.SecurityLevel.noAuthNoPriv
        ? { authProtocol: snmp.AuthProtocols[v3.auth_protocol], authKey: v3.auth_password ?? '' }
        : {}),
      ...(level === snmp.SecurityLevel.authPriv
        ? { privProtocol: snmp.PrivProtocols[v3.priv_protocol], privKey: v3.priv_password ?? '' }
        : {}),
    },
    options,
  );
}

function tableColumns(session: NetSnmp.Session, oid: string, columns: string[]): Promise<Record<string, Record<number, unknown>>> {
  return new Promise((resolve, reject) => {
    session.tableColumns(oid, columns, 20, (error, table) => (error ? reject(error) : resolve(table ?? {})));
  });
}

/** One poll of IF-MIB: ifTable and ifXTable joined by ifIndex (ifXTable is missing on SNMPv1 agents). */
export async function pollInterfaces(target: SnmpTarget): Promise<SnmpInterface[]> {
  const session = await openSession(target);
  try {
    // tableColumns answers table -> row index -> column number -> value.
    const rows = new Map<string, Map<string, unknown>>();
    const collect = (table: Record<string, Record<string, unknown>>, names: Record<string, string>) => {
      for (const [index, row] of Object.entries(table)) {
        const r = rows.get(index) ?? new Map<string, unknown>();
        for (const [column, value] of Object.entries(row)) if (names[column]) r.set(names[column], value);
        rows.set(index, r);
      }
    };
    collect(await tableColumns(session, IF_TABLE, Object.keys(IF_TABLE_COLUMNS)), IF_TABLE_COLUMNS);
    if (target.version !== '1') collect(await tableColumns(session, IF_X_TABLE, Object.keys(IF_X_TABLE_COLUMNS)), IF_X_TABLE_COLUMNS);
    return [...rows]
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([ifIndex, row]) => {
        const str = (k: string) => (row.has(k) ? String(row.get(k)) : '');
        const values = new Map<string, number>();
        for (const name of Object.keys(IF_COLUMNS)) if (row.has(name)) values.set(name, toNumber(row.get(name)));
        return { ifIndex, labels: { ifName: str('ifName'), ifDescr: str('ifDescr'), ifAlias: str('ifAlias') }, values };
      });
  } finally {
    session.close();
  }
}

interface TargetState {
  interfaces: SnmpInterface[] | undefined;
  durationSeconds: number;
  lastSuccess: number | undefined;
  error: string | undefined;
}

function emit(out: MetricSink, target: SnmpTarget, state: TargetState): void {
  const t = { target: target.name };
  out.gauge('openwrt_snmp_up', 'Whether the last poll of the SNMP target succeeded.', t, state.interfaces ? 1 : 0);
  out.gauge('snmp_scrape_duration_seconds', 'Total SNMP time of the last poll.', t, state.durationSeconds);
  if (state.lastSuccess !== undefined)
    out.gauge('openwrt_snmp_last_success_timestamp_seconds', 'When the SNMP target last answered a poll.', t, state.lastSuccess);
  for (const i of state.interfaces ?? []) {
    const labels = { target: target.name, ifIndex: i.ifIndex, ...i.labels };
    for (const [name, value] of i.values) out.family(name, IF_COLUMNS[name]!.type, IF_COLUMNS[name]!.help).add(labels, value);
  }
}

export const snmpCollector = defineCollector({
  name: 'snmp',
  defaultEnabled: true,
  description: 'IF-MIB traffic, errors and state of SNMP devices (switches, access points)',
  options: {
    targets: z._default(z.array(snmpTargetSchema), []),
  },
  create: (options, env) => {
    const states = new Map<string, TargetState>(
      options.targets.map((t) => [t.name, { interfaces: undefined, durationSeconds: 0, lastSuccess: undefined, error: undefined }]),
    );
    const timers: Periodic[] = [];
    const poll = async (target: SnmpTarget) => {
      const state = states.get(target.name)!;
      const started = performance.now();
      try {
        state.interfaces = await pollInterfaces(target);
        state.lastSuccess = Date.now() / 1000;
        state.error = undefined;
      } catch (e) {
        // Stale counters would lie: a failed poll drops the target's interface series.
        state.interfaces = undefined;
        if (state.error !== errorMessage(e)) env.log.warn({ target: target.name, err: errorMessage(e) }, 'SNMP poll failed');
        state.error = errorMessage(e);
      }
      state.durationSeconds = (performance.now() - started) / 1000;
    };
    return {
      start() {
        for (const target of options.targets) {
          const timer = new Periodic(target.interval_seconds, () => poll(target));
          timers.push(timer);
          void timer.start(true);
        }
      },
      async stop() {
        for (const t of timers.splice(0)) t.stop();
      },
      async collect(_ctx, out) {
        for (const target of options.targets) emit(out, target, states.get(target.name)!);
      },
    };
  },
});
