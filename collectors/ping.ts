// A smokeping-grade background ping prober: one long-lived `ping` per target and source, every
// reply parsed into an RTT histogram, requests and responses (loss is derived in PromQL), RFC 3550
// jitter and the last RTT. Without configured targets it probes 1.1.1.1, and on OMR the VPS,
// through every WAN that is up, and the tunnel endpoint through the tunnel.
import * as z from 'zod/mini';
import { defineCollector, type CollectorEnv } from '../exporter/collector.ts';
import { errorMessage, isAbsent } from '../exporter/errors.ts';
import { Periodic } from '../exporter/follower.ts';
import { LineStream } from '../exporter/line-stream.ts';
import type { Labels, MetricSink } from '../exporter/metrics.ts';
import { parsePingLine, type PingFlavor } from './ping-parse.ts';
import { readUci, uciOption } from '../openwrt/uci.ts';
import { interfaceRole, readNetworkView } from '../openwrt/netifd.ts';

/** 1 ms to 2 s: LAN hops, good and bad WANs, satellite and congested mobile links. */
export const RTT_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2];

/**
 * The state of one probe. Requests are counted when their fate is known: a reply, an ICMP error
 * back, a gap in the sequence numbers, or silence for longer than the timeout. So loss = 1 - responses / requests never counts a request still in flight.
 */
export class PingProbe {
  requests = 0;
  responses = 0;
  readonly bucketCounts = RTT_BUCKETS.map(() => 0);
  rttSum = 0;
  rttCount = 0;
  jitter = 0;
  lastRtt: number | undefined;
  private previousRtt: number | undefined;
  /** Unwrapped sequence number of the last request whose fate is known, in this process run. */
  private resolved = 0;
  private lastProgress: number;

  constructor(
    private readonly intervalSeconds: number,
    private readonly timeoutSeconds: number,
    now = Date.now(),
  ) {
    this.lastProgress = now;
  }

  /**
   * A new ping process: sequence numbers start again (iputils at 1, BusyBox at 0). The silence
   * clock keeps running: a ping that keeps failing to start (a name that does not resolve) is loss.
   */
  restart(): void {
    this.resolved = 0;
  }

  /** ping's 16-bit sequence numbers wrap after 18 hours at one a second. */
  private unwrap(seq: number): number {
    let u = seq;
    while (u <= this.resolved - 32768) u += 65536;
    return u;
  }

  private advanceTo(seq: number, now: number): boolean {
    const u = this.unwrap(seq);
    if (u <= this.resolved) return false; // late or duplicate: its fate was already counted
    this.requests += u - this.resolved;
    this.resolved = u;
    this.lastProgress = now;
    return true;
  }

  line(text: string, now = Date.now()): void {
    const parsed = parsePingLine(text);
    if (!parsed) return;
    if (parsed.kind === 'header') {
      this.resolved = parsed.flavor === 'busybox' ? -1 : 0;
      return;
    }
    if (parsed.kind === 'lost') {
      this.advanceTo(parsed.seq, now);
      return;
    }
    if (parsed.duplicate || !this.advanceTo(parsed.seq, now)) return;
    this.responses++;
    if (parsed.rttSeconds !== undefined) this.observe(parsed.rttSeconds);
  }

  private observe(rtt: number): void {
    this.rttSum += rtt;
    this.rttCount++;
    RTT_BUCKETS.forEach((le, i) => {
      if (rtt <= le) this.bucketCounts[i]!++;
    });
    // RFC 3550 interarrival jitter: J += (|D| - J) / 16, D the difference of consecutive RTTs.
    if (this.previousRtt !== undefined) this.jitter += (Math.abs(rtt - this.previousRtt) - this.jitter) / 16;
    this.previousRtt = rtt;
    this.lastRtt = rtt;
  }

  /** Called every interval: silence beyond the timeout counts one lost request per interval. */
  tick(now = Date.now()): void {
    while (now - this.lastProgress > (this.timeoutSeconds + this.intervalSeconds) * 1000) {
      this.requests++;
      this.resolved++;
      this.lastProgress += this.intervalSeconds * 1000;
    }
  }
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RESERVED = new Set(['target', 'source', 'kind', 'le', 'instance', 'job', 'reading', 'level']);

/** A warning and a critical level, the warning below the critical. */
const levelsSchema = (what: string, max: number) =>
  z.optional(
    z
      .strictObject({
        warning: z.optional(z.number().check(z.positive(), z.lte(max))),
        critical: z.optional(z.number().check(z.positive(), z.lte(max))),
      })
      .check(
        z.refine((l) => l.warning === undefined || l.critical === undefined || l.warning < l.critical, {
          message: `${what}: warning must be below critical`,
        }),
      ),
  );

const targetSchema = z.strictObject({
  name: z.string().check(z.minLength(1)),
  host: z.string().check(z.minLength(1), z.regex(/^[^-\s][^\s]*$/, 'must be an address or host name')),
  source: z.optional(z.string().check(z.regex(/^[^-\s][^\s]*$/, 'must be an interface or address'))),
  interval_seconds: z.optional(z.number().check(z.gte(0.01), z.lte(3600))),
  labels: z._default(
    z.record(z.string(), z.string()).check(
      z.superRefine((labels, ctx) => {
        for (const key of Object.keys(labels)) {
          if (!LABEL_NAME.test(key) || RESERVED.has(key)) ctx.addIssue({ code: 'custom', message: `"${key}" cannot be a label name here` });
        }
      }),
    ),
    {},
  ),
  /**
   * The target's own alert levels, over the rules' defaults (mean RTT 100 ms warning, 500 ms
   * critical; loss 1 % warning, 20 % sustained critical): a far server or an LTE WAN has its own.
   */
  thresholds: z.optional(
    z.strictObject({ latency_ms: levelsSchema('latency_ms', 60_000), loss_percent: levelsSchema('loss_percent', 100) }),
  ),
});

/** A reading the alert rules compare with a target's level, in the unit of its series. */
export interface Threshold {
  readonly reading: 'rtt_seconds' | 'loss_ratio';
  readonly level: 'warning' | 'critical';
  readonly value: number;
}

function thresholdsOf(t: z.infer<typeof targetSchema>['thresholds']): Threshold[] {
  const out: Threshold[] = [];
  for (const level of ['warning', 'critical'] as const) {
    const ms = t?.latency_ms?.[level];
    if (ms !== undefined) out.push({ reading: 'rtt_seconds', level, value: ms / 1000 });
    const percent = t?.loss_percent?.[level];
    if (percent !== undefined) out.push({ reading: 'loss_ratio', level, value: percent / 100 });
  }
  return out;
}

export interface ProbeSpec {
  readonly name: string;
  readonly host: string;
  readonly source: string | undefined;
  readonly interval: number;
  readonly kind: string;
  readonly labels: Labels;
  readonly thresholds?: readonly Threshold[];
}

const key = (p: ProbeSpec) => `${p.name}\u0000${p.source ?? ''}`;

/** Default targets from what the router knows: WANs that are up, OMR's VPS and tunnel. */
export async function defaultProbes(env: CollectorEnv, internetHosts: readonly string[], interval: number): Promise<ProbeSpec[]> {
  const ctx = { sources: env.sources, signal: AbortSignal.timeout(10_000), log: env.log };
  const [{ interfaces, network, firewall }, omr] = await Promise.all([readNetworkView(ctx), readUci(ctx, 'openmptcprouter')]);
  const probes: ProbeSpec[] = [];
  const vps = [...omr.values()]
    .filter((s) => s.type === 'server' && uciOption(s, 'current') !== '0')
    .flatMap((s) => (s.options.get('ip') ?? []).filter((ip) => !ip.includes(':')).slice(0, 1));
  for (const iface of interfaces) {
    if (!iface.up) continue;
    const role = interfaceRole(iface, network, firewall);
    const address = iface['ipv4-address']?.[0]?.address;
    if (role === 'wan' && address) {
      for (const host of internetHosts)
        probes.push({ name: host, host, source: address, interval, kind: 'internet', labels: { interface: iface.interface } });
      for (const host of vps)
        probes.push({ name: 'vps', host, source: address, interval, kind: 'vps', labels: { interface: iface.interface } });
    }
    const tunnelGateway = iface.route?.find((r) => r.mask === 0 && r.nexthop !== '0.0.0.0')?.nexthop;
    if (role === 'vpn' && iface.interface === 'omrvpn' && tunnelGateway) {
      probes.push({
        name: 'tunnel',
        host: tunnelGateway,
        source: iface.l3_device,
        interval,
        kind: 'tunnel',
        labels: { interface: iface.interface },
      });
    }
  }
  return probes;
}

interface RunningProbe {
  readonly spec: ProbeSpec;
  readonly probe: PingProbe;
  readonly stream: LineStream;
  readonly timers: Periodic[];
}

function pingArgs(flavor: PingFlavor, spec: ProbeSpec, timeout: number): string[] {
  const source = spec.source ? ['-I', spec.source] : [];
  return flavor === 'iputils'
    ? ['-n', '-i', String(spec.interval), '-W', String(timeout), ...source, spec.host]
    : ['-i', String(spec.interval), ...source, spec.host];
}

export const ping = defineCollector({
  name: 'ping',
  defaultEnabled: true,
  description: 'latency, loss and jitter per target and WAN from long-lived ping processes',
  options: {
    targets: z._default(z.array(targetSchema), []),
    /** Remote access points, probed as target "ap:<name>" with kind "ap". */
    access_points: z._default(
      z.array(
        z.strictObject({
          name: z.string().check(z.minLength(1)),
          host: z.string().check(z.minLength(1), z.regex(/^[^-\s]\S*$/)),
          /** The LAN interface or address to ping it from, on a router with several LANs. */
          source: z.optional(z.string().check(z.regex(/^[^-\s][^\s]*$/, 'must be an interface or address'))),
        }),
      ),
      [],
    ),
    interval_seconds: z._default(z.number().check(z.gte(0.01), z.lte(3600)), 1),
    timeout_seconds: z._default(z.number().check(z.positive(), z.lte(60)), 2),
    /** Host names are resolved by ping at start; restart it this often to follow DNS changes. */
    resolve_interval_seconds: z._default(z.number().check(z.positive()), 300),
    /** Used when no targets are configured: probed through every WAN that is up. */
    default_internet_hosts: z._default(z.array(z.string().check(z.minLength(1))), ['1.1.1.1']),
    default_targets: z._default(z.boolean(), true),
    /** How often the default targets are re-derived from the router's WANs. */
    discovery_interval_seconds: z._default(z.number().check(z.positive()), 60),
    flavor: z._default(z.enum(['auto', 'iputils', 'busybox']), 'auto'),
  },
  create: (options, env) => {
    const running = new Map<string, RunningProbe>();
    let flavor: PingFlavor | undefined = options.flavor === 'auto' ? undefined : options.flavor;
    let stopped = false;

    const configured: ProbeSpec[] = [
      ...options.targets.map((t) => ({
        name: t.name,
        host: t.host,
        source: t.source,
        interval: t.interval_seconds ?? options.interval_seconds,
        kind: 'target',
        labels: t.labels,
        thresholds: thresholdsOf(t.thresholds),
      })),
      ...options.access_points.map((a) => ({
        name: `ap:${a.name}`,
        host: a.host,
        source: a.source,
        interval: options.interval_seconds,
        kind: 'ap',
        labels: {},
      })),
    ];

    const detectFlavor = async (): Promise<PingFlavor> => {
      if (flavor) return flavor;
      try {
        const { stdout, stderr } = await env.sources.run('ping', ['-V'], { timeoutMs: 5000 });
        flavor = /iputils/.test(stdout + stderr) ? 'iputils' : 'busybox';
      } catch {
        flavor = 'busybox'; // BusyBox ping rejects -V
      }
      return flavor;
    };

    const startProbe = (spec: ProbeSpec, pingFlavor: PingFlavor) => {
      const probe = new PingProbe(spec.interval, options.timeout_seconds);
      const stream = new LineStream({
        sources: env.sources,
        command: 'ping',
        args: pingArgs(pingFlavor, spec, options.timeout_seconds),
        onLine: (line) => probe.line(line),
        onStart: () => probe.restart(),
        log: env.log.child({ target: spec.name, source: spec.source }),
        minBackoffMs: 1000,
      });
      const timers = [new Periodic(spec.interval, () => probe.tick())];
      if (!/^[\d.:a-fA-F]+$/.test(spec.host)) {
        // A name may move: restart ping now and then so that it resolves again.
        timers.push(
          new Periodic(options.resolve_interval_seconds, () =>
            stream.stop().then(() => !stopped && running.has(key(spec)) && stream.start()),
          ),
        );
      }
      for (const t of timers) void t.start();
      stream.start();
      running.set(key(spec), { spec, probe, stream, timers });
    };

    const stopProbe = async (k: string) => {
      const r = running.get(k);
      if (!r) return;
      running.delete(k);
      for (const t of r.timers) t.stop();
      await r.stream.stop();
    };

    const reconcile = async (wanted: ProbeSpec[]) => {
      const pingFlavor = await detectFlavor();
      if (stopped) return;
      const wantedKeys = new Set(wanted.map(key));
      for (const k of [...running.keys()]) if (!wantedKeys.has(k)) await stopProbe(k);
      for (const spec of wanted) if (!running.has(key(spec))) startProbe(spec, pingFlavor);
    };

    // Discovery repeats every discovery_interval_seconds: a failure is logged when it changes, and
    // a router without netifd (plain Linux) is said once, at info.
    let lastDiscoveryError: string | undefined;
    const discover = async () => {
      try {
        await reconcile(await defaultProbes(env, options.default_internet_hosts, options.interval_seconds));
        lastDiscoveryError = undefined;
      } catch (e) {
        const err = errorMessage(e);
        if (err !== lastDiscoveryError) {
          if (isAbsent(e)) env.log.info({ err }, 'no netifd here: no default ping targets (configure targets to probe)');
          else env.log.warn({ err }, 'cannot derive default ping targets');
        }
        lastDiscoveryError = err;
      }
    };

    const discovery = new Periodic(options.discovery_interval_seconds, discover);

    return {
      start() {
        stopped = false;
        if (configured.length > 0 || !options.default_targets) {
          void reconcile(configured);
          return;
        }
        void discovery.start(true);
      },
      async stop() {
        stopped = true;
        discovery.stop();
        await Promise.all([...running.keys()].map(stopProbe));
      },
      async collect(_ctx, out) {
        // Configured targets have their series from the start, before their first reply.
        const probes: ReportedProbe[] = [...running.values()];
        for (const spec of configured) {
          if (!running.has(key(spec))) probes.push({ spec, probe: new PingProbe(spec.interval, options.timeout_seconds) });
        }
        emitProbes(out, probes);
      },
    };
  },
});

/** A probe to report: a configured target that has not started yet has no stream. */
type ReportedProbe = Pick<RunningProbe, 'spec' | 'probe'> & { readonly stream?: LineStream };

function emitProbes(out: MetricSink, probes: readonly ReportedProbe[]): void {
  const rtt = out.family('openwrt_ping_rtt_seconds', 'histogram', 'Round-trip times of ping replies.');
  for (const { spec, probe, stream } of [...probes].sort((a, b) => (key(a.spec) < key(b.spec) ? -1 : 1))) {
    const labels = { target: spec.name, source: spec.source ?? '', kind: spec.kind, ...spec.labels };
    out.gauge(
      'openwrt_ping_up',
      'Whether the ping process for the target is running (0 while it keeps dying at once).',
      labels,
      stream?.up ? 1 : 0,
    );
    out.counter(
      'openwrt_ping_requests_total',
      'Echo requests whose fate is known (answered, or lost after the timeout).',
      labels,
      probe.requests,
    );
    out.counter('openwrt_ping_responses_total', 'Echo replies received in time (duplicates not counted).', labels, probe.responses);
    out.gauge('openwrt_ping_jitter_seconds', 'RFC 3550 interarrival jitter of the round-trip time.', labels, probe.jitter);
    for (const t of spec.thresholds ?? [])
      out.gauge(
        'openwrt_ping_threshold',
        "A target's own alert level (reading rtt_seconds: mean round-trip time; loss_ratio: share of echo requests lost); the rules' defaults apply where a target has none.",
        { ...labels, reading: t.reading, level: t.level },
        t.value,
      );
    if (probe.lastRtt !== undefined)
      out.gauge('openwrt_ping_last_rtt_seconds', 'Round-trip time of the latest reply.', labels, probe.lastRtt);
    rtt.addHistogram(
      labels,
      [...RTT_BUCKETS.map((le, i) => [le, probe.bucketCounts[i]!] as const), [Infinity, probe.rttCount]],
      probe.rttSum,
      probe.rttCount,
    );
  }
}
