// Gathers one report's figures from Prometheus: every figure is one instant query over the period
// (evaluated at its end), or a range query where windows and runs are needed.
import { ReportError } from '../exporter/errors.ts';
import { PrometheusClient, type Sample } from './prometheus.ts';
import { localMidnight, previousPeriod, type Period } from './period.ts';

export interface ClientRow {
  mac: string;
  hostname: string;
  ip: string;
  value: number;
}
export interface Window {
  start: string;
  end: string;
  minutes: number;
}

export interface Report {
  router: string;
  kind: Period['kind'];
  period: { firstDay: string; start: string; end: string; timeZone: string };
  summary: {
    wans: Array<{ interface: string; download: number; upload: number }>;
    total: { download: number; upload: number };
    previous: { download: number; upload: number };
  };
  /** Traffic per hour (daily report) or per day (weekly, monthly). */
  traffic: Array<{ label: string; download: number; upload: number }>;
  topDownload: ClientRow[];
  topUpload: ClientRow[];
  topConnections: ClientRow[];
  /** Clients by DNS queries: their host name from the leases, and their most asked domains. */
  dns: Array<{
    client: string;
    hostname: string;
    queries: number;
    uniqueDomains: number;
    topDomains: Array<{ domain: string; queries: number }>;
  }>;
  protocols: Array<{ protocol: string; bytes: number; share: number }>;
  /** WANs over the time they were not disabled (one disabled throughout is left out). */
  wans: Array<{ interface: string; availability: number; outages: Window[] }>;
  /** VPN interfaces and OMR's tunnel to the VPS: the share of the period each was up. */
  tunnels: Array<{ tunnel: string; availability: number }>;
  failovers: number;
  pppoeReconnects: Array<{ interface: string; count: number }>;
  latency: Array<{
    target: string;
    interface: string;
    meanMs: number;
    p95Ms: number;
    /** The histogram bucket that holds the p95 (ms; null above the last bound). */
    p95BucketMs: [number, number | null];
    loss: number;
    jitterMs: number;
    hourlyMeanMs: number[];
  }>;
  alerts: Array<{ alertname: string; severity: string; subject: string; firings: Window[]; minutes: number }>;
  temperatures: Array<{ sensor: string; min: number; max: number }>;
  optics: Array<{ device: string; rxMinDbm: number; rxMaxDbm: number; txMinDbm: number; txMaxDbm: number }>;
  newClients: ClientRow[];
}

/**
 * The bucket of a histogram that holds its q-quantile, in ms: histogram_quantile interpolates
 * within it, which can put a p95 below the mean when the samples sit at the bucket's top.
 */
export function quantileBucket(buckets: Sample[], q: number): [number, number | null] {
  const sorted = buckets
    .map((b) => ({ le: b.labels.le === '+Inf' ? Infinity : Number(b.labels.le), count: b.value }))
    .sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  let lower = 0;
  for (const b of sorted) {
    if (b.count >= q * total) return [lower * 1000, Number.isFinite(b.le) ? b.le * 1000 : null];
    lower = b.le;
  }
  return [lower * 1000, null];
}

const seconds = (p: Period) => Math.round((p.end.getTime() - p.start.getTime()) / 1000);
const num = (samples: Sample[]) => samples.reduce((a, s) => a + (Number.isFinite(s.value) ? s.value : 0), 0);

export class ReportBuilder {
  constructor(private readonly prom: PrometheusClient) {}

  /** The router to report on: the one given (which must exist), or the only one there is. */
  async resolveRouter(requested: string | undefined): Promise<string> {
    const routers = (
      await this.prom.labelValues(
        'router',
        '{__name__=~"node_network_receive_bytes_total|openwrt_client_receive_bytes_total|openwrt_interface_up"}',
      )
    ).sort();
    if (requested !== undefined) {
      if (!routers.includes(requested)) {
        throw new ReportError(
          `router "${requested}" not found in Prometheus; known routers: ${routers.join(', ') || 'none'}. Pass one of them with --router.`,
        );
      }
      return requested;
    }
    if (routers.length === 1) return routers[0]!;
    if (routers.length === 0)
      throw new ReportError(
        'no routerscope data in Prometheus at all: check the scrape config, or pass --prometheus for the right server.',
      );
    throw new ReportError(`Prometheus holds several routers (${routers.join(', ')}): pass one with --router.`);
  }

  async build(routerName: string, period: Period): Promise<Report> {
    const r = `router="${routerName}"`;
    const P = `${seconds(period)}s`;
    const at = period.end;
    const q = (expr: string, when = at) => this.prom.query(expr, when);
    const wanJoin = (expr: string) =>
      `${expr} * on (router, device) group_left (interface) max by (router, device, interface) (last_over_time(openwrt_wan_device_info{${r}}[${P}]))`;
    const wanTraffic = async (direction: 'receive' | 'transmit', range: string, when: Date) =>
      q(`sum by (interface) (${wanJoin(`increase(node_network_${direction}_bytes_total{${r}}[${range}])`)})`, when);

    const [rx, tx] = await Promise.all([wanTraffic('receive', P, at), wanTraffic('transmit', P, at)]);
    const prev = previousPeriod(period);
    const prevP = `${seconds(prev)}s`;
    const [prevRx, prevTx] = await Promise.all([wanTraffic('receive', prevP, prev.end), wanTraffic('transmit', prevP, prev.end)]);
    const interfaces = [...new Set([...rx, ...tx].map((s) => s.labels.interface ?? ''))].sort();
    const byInterface = (samples: Sample[], i: string) => samples.find((s) => s.labels.interface === i)?.value ?? 0;

    // Who is who at the end of the period, for host names and addresses.
    const info = await q(`last_over_time(openwrt_client_info{${r}}[${P}])`);
    const identity = (mac: string) => {
      const rows = info.filter((s) => s.labels.mac === mac);
      return {
        hostname: rows.find((s) => s.labels.hostname)?.labels.hostname ?? '',
        ip:
          rows
            .map((s) => s.labels.ip ?? '')
            .filter((ip) => !ip.includes(':'))
            .sort()[0] ??
          rows[0]?.labels.ip ??
          '',
      };
    };
    const topClients = async (metric: string) =>
      (await q(`topk(10, sum by (mac) (increase(${metric}{${r}}[${P}])))`))
        .sort((a, b) => b.value - a.value || (a.labels.mac! < b.labels.mac! ? -1 : 1))
        .map((s) => ({ mac: s.labels.mac ?? '', ...identity(s.labels.mac ?? ''), value: Math.round(s.value) }));

    const [topDownload, topUpload, topConnections] = await Promise.all([
      topClients('openwrt_client_receive_bytes_total'),
      topClients('openwrt_client_transmit_bytes_total'),
      topClients('openwrt_client_connections_total'),
    ]);
    const [dnsQueries, uniqueDomains, domainQueries] = await Promise.all([
      q(`topk(10, sum by (client) (increase(openwrt_dns_queries_total{${r}}[${P}])))`),
      q(`max by (client) (max_over_time(openwrt_dns_client_unique_domains{${r}}[${P}]))`),
      q(`max by (client, domain) (max_over_time(openwrt_dns_client_domain_queries{${r}}[${P}]))`),
    ]);
    const hostnameOfAddress = (ip: string) => info.find((s) => s.labels.ip === ip && s.labels.hostname)?.labels.hostname ?? '';
    const protocols = await q(
      `sum by (protocol) (increase(openwrt_protocol_receive_bytes_total{${r}}[${P}]) + increase(openwrt_protocol_transmit_bytes_total{${r}}[${P}]))`,
    );
    const protocolTotal = num(protocols);

    // A WAN's state while it was not disabled, every minute: time disabled is neither up nor down.
    const enabledWanUp = `openwrt_wan_up{${r}} unless on (interface) (openwrt_wan_policy{${r}, policy="disabled"} == 1)`;
    const [availability, failovers, ppp, tunnels, omrTunnel] = await Promise.all([
      q(`avg_over_time((${enabledWanUp})[${P}:1m])`),
      q(`sum(increase(openwrt_interface_events_total{${r}, event="master_changed"}[${P}]))`),
      q(`sum by (interface) (increase(openwrt_interface_events_total{${r}, event="ppp_up"}[${P}]))`),
      q(`avg_over_time((openwrt_interface_up{${r}} * on (interface) group_left () openwrt_interface_info{${r}, role="vpn"})[${P}:1m])`),
      q(`avg_over_time(openwrt_omr_vpn_up{${r}}[${P}])`),
    ]);
    const step = Math.max(60, Math.ceil(seconds(period) / 10_000 / 60) * 60);
    const upRange = await this.prom.queryRange(enabledWanUp, period.start, period.end, step);

    const latencyBy = 'target, interface';
    const [mean, p95, buckets, loss, jitter, hourly] = await Promise.all([
      q(
        `sum by (${latencyBy}) (increase(openwrt_ping_rtt_seconds_sum{${r}}[${P}])) / sum by (${latencyBy}) (increase(openwrt_ping_rtt_seconds_count{${r}}[${P}]))`,
      ),
      q(`histogram_quantile(0.95, sum by (${latencyBy}, le) (increase(openwrt_ping_rtt_seconds_bucket{${r}}[${P}])))`),
      q(`sum by (${latencyBy}, le) (increase(openwrt_ping_rtt_seconds_bucket{${r}}[${P}]))`),
      q(
        `1 - sum by (${latencyBy}) (increase(openwrt_ping_responses_total{${r}}[${P}])) / sum by (${latencyBy}) (increase(openwrt_ping_requests_total{${r}}[${P}]))`,
      ),
      q(`avg by (${latencyBy}) (avg_over_time(openwrt_ping_jitter_seconds{${r}}[${P}]))`),
      this.prom.queryRange(
        `sum by (${latencyBy}) (increase(openwrt_ping_rtt_seconds_sum{${r}}[1h])) / sum by (${latencyBy}) (increase(openwrt_ping_rtt_seconds_count{${r}}[1h]))`,
        new Date(period.start.getTime() + 3600_000),
        period.end,
        period.kind === 'daily' ? 3600 : 86400,
      ),
    ]);
    const key = (s: { labels: Record<string, string> }) => `${s.labels.target ?? ''}\u0000${s.labels.interface ?? ''}`;

    // Raw samples, not a range query: Prometheus' 5-minute lookback would stretch every firing.
    const alertSamples = await this.prom.querySamples(`ALERTS{${r}, alertstate="firing"}[${P}]`, at);
    const [temps, rxMin, rxMax, txMin, txMax] = await Promise.all([
      q(`min_over_time(node_thermal_zone_temp{${r}}[${P}]) or min_over_time(node_hwmon_temp_celsius{${r}}[${P}])`),
      q(`min_over_time(openwrt_optics_rx_power_dbm{${r}}[${P}])`),
      q(`max_over_time(openwrt_optics_rx_power_dbm{${r}}[${P}])`),
      q(`min_over_time(openwrt_optics_tx_power_dbm{${r}}[${P}])`),
      q(`max_over_time(openwrt_optics_tx_power_dbm{${r}}[${P}])`),
    ]);
    const tempMax = await q(`max_over_time(node_thermal_zone_temp{${r}}[${P}]) or max_over_time(node_hwmon_temp_celsius{${r}}[${P}])`);
    const sensor = (s: Sample) => s.labels.type ?? `${s.labels.chip} ${s.labels.sensor}`;
    const newClients = await q(
      `count by (mac) (last_over_time(openwrt_client_info{${r}}[${P}])) unless count by (mac) (last_over_time(openwrt_client_info{${r}}[30d] offset ${P}))`,
    );

    const traffic = await this.traffic(period, wanTraffic);
    const fmt = (t: number) => new Date(t * 1000).toISOString();
    const report: Report = {
      router: routerName,
      kind: period.kind,
      period: { firstDay: period.firstDay, start: period.start.toISOString(), end: period.end.toISOString(), timeZone: period.timeZone },
      summary: {
        wans: interfaces.map((i) => ({ interface: i, download: Math.round(byInterface(rx, i)), upload: Math.round(byInterface(tx, i)) })),
        total: { download: Math.round(num(rx)), upload: Math.round(num(tx)) },
        previous: { download: Math.round(num(prevRx)), upload: Math.round(num(prevTx)) },
      },
      traffic,
      topDownload,
      topUpload,
      topConnections,
      dns: dnsQueries
        .sort((a, b) => b.value - a.value)
        .map((s) => ({
          client: s.labels.client ?? '',
          hostname: hostnameOfAddress(s.labels.client ?? ''),
          queries: Math.round(s.value),
          uniqueDomains: uniqueDomains.find((u) => u.labels.client === s.labels.client)?.value ?? 0,
          topDomains: domainQueries
            .filter((d) => d.labels.client === s.labels.client)
            .sort((a, b) => b.value - a.value || (a.labels.domain! < b.labels.domain! ? -1 : 1))
            .slice(0, 3)
            .map((d) => ({ domain: d.labels.domain ?? '', queries: d.value })),
        })),
      protocols: protocols
        .sort((a, b) => b.value - a.value)
        .map((s) => ({
          protocol: s.labels.protocol ?? '',
          bytes: Math.round(s.value),
          share: protocolTotal ? s.value / protocolTotal : 0,
        })),
      wans: availability
        .sort((a, b) => (a.labels.interface! < b.labels.interface! ? -1 : 1))
        .map((s) => ({
          interface: s.labels.interface ?? '',
          availability: s.value,
          outages: runs(
            upRange.find((u) => u.labels.interface === s.labels.interface)?.values ?? [],
            (v) => v === 0,
            step,
            period.end.getTime() / 1000,
          ).map((w) => ({ start: fmt(w[0]), end: fmt(w[1]), minutes: Math.round((w[1] - w[0]) / 60) })),
        })),
      tunnels: [
        ...omrTunnel.map((s) => ({ tunnel: 'OMR tunnel to the VPS', availability: s.value })),
        ...tunnels.map((s) => ({ tunnel: s.labels.interface ?? '', availability: s.value })).sort((a, b) => (a.tunnel < b.tunnel ? -1 : 1)),
      ],
      failovers: Math.round(num(failovers)),
      pppoeReconnects: ppp
        .map((s) => ({ interface: s.labels.interface ?? '', count: Math.round(s.value) }))
        .sort((a, b) => (a.interface < b.interface ? -1 : 1)),
      latency: mean
        .sort((a, b) => (key(a) < key(b) ? -1 : 1))
        .map((s) => ({
          target: s.labels.target ?? '',
          interface: s.labels.interface ?? '',
          meanMs: s.value * 1000,
          p95Ms: (p95.find((x) => key(x) === key(s))?.value ?? NaN) * 1000,
          p95BucketMs: quantileBucket(
            buckets.filter((x) => key(x) === key(s)),
            0.95,
          ),
          loss: loss.find((x) => key(x) === key(s))?.value ?? NaN,
          jitterMs: (jitter.find((x) => key(x) === key(s))?.value ?? NaN) * 1000,
          hourlyMeanMs: (hourly.find((x) => key(x) === key(s))?.values ?? []).map(([, v]) => v * 1000),
        })),
      alerts: groupAlerts(alertSamples, period.end.getTime() / 1000).map((a) => ({
        ...a,
        firings: a.firings.map((w) => ({ start: fmt(w[0]), end: fmt(w[1]), minutes: Math.round((w[1] - w[0]) / 60) })),
      })),
      temperatures: temps
        .map((s) => ({ sensor: sensor(s), min: s.value, max: tempMax.find((m) => sensor(m) === sensor(s))?.value ?? s.value }))
        .sort((a, b) => (a.sensor < b.sensor ? -1 : 1)),
      optics: rxMin.map((s) => {
        const d = s.labels.device;
        const pick = (list: Sample[]) => list.find((x) => x.labels.device === d)?.value ?? NaN;
        return { device: d ?? '', rxMinDbm: s.value, rxMaxDbm: pick(rxMax), txMinDbm: pick(txMin), txMaxDbm: pick(txMax) };
      }),
      newClients: newClients
        .map((s) => ({ mac: s.labels.mac ?? '', ...identity(s.labels.mac ?? ''), value: 1 }))
        .sort((a, b) => (a.mac < b.mac ? -1 : 1)),
    };
    if (report.summary.wans.length === 0 && report.topDownload.length === 0 && report.wans.length === 0 && report.latency.length === 0) {
      throw new ReportError(
        `no data for router "${routerName}" between ${report.period.start} and ${report.period.end}: check --date, and that Prometheus keeps data that long (--storage.tsdb.retention.time).`,
      );
    }
    return report;
  }

  /** Per hour for a daily report, per local day otherwise. */
  private async traffic(period: Period, wanTraffic: (d: 'receive' | 'transmit', range: string, when: Date) => Promise<Sample[]>) {
    const out: Report['traffic'] = [];
    if (period.kind === 'daily') {
      for (let h = 1; h <= 24; h++) {
        const when = new Date(period.start.getTime() + h * 3600_000);
        if (when > period.end) break;
        const [rx, tx] = await Promise.all([wanTraffic('receive', '1h', when), wanTraffic('transmit', '1h', when)]);
        out.push({ label: String(h - 1).padStart(2, '0'), download: Math.round(num(rx)), upload: Math.round(num(tx)) });
      }
      return out;
    }
    let [y, m, d] = period.firstDay.split('-').map(Number) as [number, number, number];
    for (let day = localMidnight(y, m, d, period.timeZone); day < period.end;) {
      const next = localMidnight(y, m, d + 1, period.timeZone);
      const range = `${Math.round((next.getTime() - day.getTime()) / 1000)}s`;
      const [rx, tx] = await Promise.all([wanTraffic('receive', range, next), wanTraffic('transmit', range, next)]);
      out.push({
        label: new Date(Date.UTC(y, m - 1, d)).toISOString().slice(5, 10),
        download: Math.round(num(rx)),
        upload: Math.round(num(tx)),
      });
      const t = new Date(Date.UTC(y, m - 1, d + 1));
      [y, m, d] = [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()];
      day = next;
    }
    return out;
  }
}

/** Runs of consecutive points matching `test`, as [start, end) seconds; a run still on at the end closes there. */
export function runs(values: Array<[number, number]>, test: (v: number) => boolean, step: number, end: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start: number | undefined;
  let last = 0;
  for (const [t, v] of values) {
    if (test(v)) {
      if (start === undefined || t - last > step) {
        if (start !== undefined) out.push([start, last + step]);
        start = t;
      }
      last = t;
    } else if (start !== undefined) {
      out.push([start, t]);
      start = undefined;
    }
  }
  if (start !== undefined) out.push([start, Math.min(last + step, end)]);
  return out;
}

/** Firing windows from raw ALERTS samples: a gap longer than 1.5 sampling intervals ends a firing. */
function groupAlerts(series: Array<{ labels: Record<string, string>; values: Array<[number, number]> }>, end: number) {
  const skip = new Set(['__name__', 'alertname', 'alertstate', 'severity', 'router', 'job', 'instance']);
  return series
    .map((s) => {
      const times = s.values.map(([t]) => t);
      const gaps = times
        .slice(1)
        .map((t, i) => t - times[i]!)
        .sort((a, b) => a - b);
      const interval = gaps[Math.floor(gaps.length / 2)] ?? 60;
      const firings: Array<[number, number]> = [];
      for (const t of times) {
        const lastRun = firings.at(-1);
        if (lastRun && t - (lastRun[1] - interval) <= 1.5 * interval) lastRun[1] = Math.min(t + interval, end);
        else firings.push([t, Math.min(t + interval, end)]);
      }
      const subject = Object.entries(s.labels)
        .filter(([k]) => !skip.has(k))
        .map(([k, v]) => `${k}=${v}`)
        .sort()
        .join(', ');
      return {
        alertname: s.labels.alertname ?? '',
        severity: s.labels.severity ?? '',
        subject,
        firings,
        minutes: Math.round(firings.reduce((a, [b, e]) => a + e - b, 0) / 60),
      };
    })
    .sort((a, b) => b.minutes - a.minutes || (a.alertname < b.alertname ? -1 : 1));
}
