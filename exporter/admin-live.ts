// Live WAN state for the admin page, read from the exporter's own collectors (wan, netdev, mptcp,
// ping): the admin runs no command of its own for it. Open pages share the polls: one within
// MIN_SPACING_MS of the last sample reuses it, so any number of tabs cost one collection per few
// seconds. Rates and loss are differences between the samples kept for the last WINDOW_MS.
import type { MetricFamily, Sample } from './metrics.ts';

/** The collectors the live view reads. */
export const LIVE_COLLECTORS: ReadonlySet<string> = new Set(['wan', 'netdev', 'mptcp', 'ping']);

const MIN_SPACING_MS = 2000;
const WINDOW_MS = 10 * 60_000;

/** What one collection says about a WAN: its state and the counters that rates are made of. */
interface WanReading {
  readonly interface: string;
  readonly state: 'up' | 'down' | 'pending' | 'disabled' | 'error';
  readonly errors: string[];
  readonly uptimeSeconds: number | null;
  readonly device: string;
  readonly rxBytes: number | null;
  readonly txBytes: number | null;
  readonly configuredMode: string;
  readonly effectiveMode: string;
  readonly modeMismatch: boolean;
  readonly publicIp: string;
  readonly tracker: 'up' | 'down' | '';
  readonly targets: ReadonlyMap<string, { requests: number; responses: number; lastRtt: number | null }>;
}

export interface TargetLive {
  readonly target: string;
  readonly latency_seconds: number | null;
  /** Lost share of the echo requests answered or timed out within the window (since the probe started, on the first sample). */
  readonly loss_ratio: number | null;
  /** The latest round-trip time at each sample of the window, oldest first. */
  readonly latency_history: Array<number | null>;
}

export interface WanLive {
  readonly interface: string;
  readonly state: WanReading['state'];
  readonly errors: string[];
  readonly uptime_seconds: number | null;
  readonly device: string;
  /** Bits per second between the last two samples; null until there are two. */
  readonly receive_bps: number | null;
  readonly transmit_bps: number | null;
  readonly configured_mode: string;
  readonly effective_mode: string;
  readonly mode_mismatch: boolean;
  readonly public_ip: string;
  readonly tracker: WanReading['tracker'];
  readonly targets: TargetLive[];
}

export interface LiveView {
  readonly sampled_at: string;
  /** Seconds between the two samples the rates come from; null with one sample. */
  readonly interval_seconds: number | null;
  readonly wans: WanLive[];
}

function samplesOf(families: readonly MetricFamily[], name: string): readonly Sample[] {
  return families.find((f) => f.name === name)?.samples ?? [];
}

/** The label `label` of the first sample of `name` matching `match` whose value is 1. */
function chosen(families: readonly MetricFamily[], name: string, match: Record<string, string>, label: string): string {
  const s = samplesOf(families, name).find((x) => x.value === 1 && Object.entries(match).every(([k, v]) => x.labels[k] === v));
  return s?.labels[label] ?? '';
}

function valueOf(families: readonly MetricFamily[], name: string, match: Record<string, string>): number | null {
  const s = samplesOf(families, name).find((x) => x.suffix === '' && Object.entries(match).every(([k, v]) => x.labels[k] === v));
  return s ? s.value : null;
}

/** Each WAN of one collection (the WANs are those the wan collector groups). */
export function readWans(families: readonly MetricFamily[]): WanReading[] {
  return samplesOf(families, 'openwrt_wan_up').map((up) => {
    const name = up.labels.interface ?? '';
    const one = { interface: name };
    const device = chosen(families, 'openwrt_wan_device_info', one, 'device');
    const errors = samplesOf(families, 'openwrt_interface_error')
      .filter((s) => s.labels.interface === name)
      .map((s) => s.labels.code ?? '');
    const state: WanReading['state'] =
      chosen(families, 'openwrt_wan_policy', one, 'policy') === 'disabled'
        ? 'disabled'
        : errors.length > 0
          ? 'error'
          : up.value === 1
            ? 'up'
            : valueOf(families, 'openwrt_interface_pending', one) === 1
              ? 'pending'
              : 'down';
    const tracker = valueOf(families, 'openwrt_omr_wan_up', one);
    const targets = new Map<string, { requests: number; responses: number; lastRtt: number | null }>();
    for (const s of samplesOf(families, 'openwrt_ping_requests_total')) {
      if (s.labels.interface !== name || s.labels.kind === 'ap') continue;
      const target = s.labels.target ?? '';
      targets.set(target, {
        requests: s.value,
        responses: valueOf(families, 'openwrt_ping_responses_total', s.labels) ?? 0,
        lastRtt: valueOf(families, 'openwrt_ping_last_rtt_seconds', s.labels),
      });
    }
    return {
      interface: name,
      state,
      errors,
      uptimeSeconds: up.value === 1 ? valueOf(families, 'openwrt_interface_uptime_seconds', one) : null,
      device,
      rxBytes: device ? valueOf(families, 'node_network_receive_bytes_total', { device }) : null,
      txBytes: device ? valueOf(families, 'node_network_transmit_bytes_total', { device }) : null,
      configuredMode: chosen(families, 'openwrt_mptcp_configured_mode', one, 'mode'),
      effectiveMode: chosen(families, 'openwrt_mptcp_effective_mode', one, 'mode'),
      modeMismatch: valueOf(families, 'openwrt_mptcp_mode_mismatch', one) === 1,
      publicIp: samplesOf(families, 'openwrt_omr_wan_info').find((s) => s.labels.interface === name)?.labels.public_ip ?? '',
      tracker: tracker === null ? '' : tracker === 1 ? 'up' : 'down',
      targets,
    };
  });
}

interface Snapshot {
  readonly at: number;
  readonly wans: ReadonlyMap<string, WanReading>;
}

const rate = (now: number | null, before: number | null | undefined, seconds: number): number | null =>
  now === null || before === null || before === undefined || now < before ? null : ((now - before) * 8) / seconds;

/** The view of the latest snapshot, with rates against the one before and loss over the window. */
export function liveView(history: readonly Snapshot[]): LiveView {
  const latest = history.at(-1);
  if (!latest) return { sampled_at: new Date(0).toISOString(), interval_seconds: null, wans: [] };
  const previous = history.at(-2);
  const seconds = previous ? (latest.at - previous.at) / 1000 : null;
  const wans = [...latest.wans.values()].map((w): WanLive => {
    const before = previous?.wans.get(w.interface);
    const targets = [...w.targets].map(([target, now]): TargetLive => {
      const first = history.length > 1 ? history.find((h) => h.wans.get(w.interface)?.targets.has(target)) : undefined;
      const base = first === latest ? undefined : first?.wans.get(w.interface)?.targets.get(target);
      const requests = now.requests - (base?.requests ?? 0);
      const responses = now.responses - (base?.responses ?? 0);
      return {
        target,
        latency_seconds: now.lastRtt,
        loss_ratio: requests > 0 ? Math.max(0, 1 - responses / requests) : null,
        latency_history: history.map((h) => h.wans.get(w.interface)?.targets.get(target)?.lastRtt ?? null),
      };
    });
    return {
      interface: w.interface,
      state: w.state,
      errors: w.errors,
      uptime_seconds: w.uptimeSeconds,
      device: w.device,
      receive_bps: seconds ? rate(w.rxBytes, before?.rxBytes, seconds) : null,
      transmit_bps: seconds ? rate(w.txBytes, before?.txBytes, seconds) : null,
      configured_mode: w.configuredMode,
      effective_mode: w.effectiveMode,
      mode_mismatch: w.modeMismatch,
      public_ip: w.publicIp,
      tracker: w.tracker,
      targets,
    };
  });
  return { sampled_at: new Date(latest.at).toISOString(), interval_seconds: seconds, wans };
}

/** The samples of the last minutes, taken when a page asks and the latest is a few seconds old. */
export class LiveWans {
  private history: Snapshot[] = [];
  private sampling: Promise<void> | undefined;

  constructor(
    private readonly collect: () => Promise<MetricFamily[]>,
    private readonly now: () => number = Date.now,
  ) {}

  async view(): Promise<LiveView> {
    const latest = this.history.at(-1);
    if (!latest || this.now() - latest.at >= MIN_SPACING_MS) {
      this.sampling ??= this.sample().finally(() => (this.sampling = undefined));
      await this.sampling;
    }
    return liveView(this.history);
  }

  private async sample(): Promise<void> {
    const families = await this.collect();
    const at = this.now();
    this.history = [
      ...this.history.filter((h) => at - h.at <= WINDOW_MS),
      { at, wans: new Map(readWans(families).map((w) => [w.interface, w])) },
    ];
  }
}
