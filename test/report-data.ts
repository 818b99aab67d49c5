// A week (plus the day before) of a test home as OpenMetrics, sampled every 5 minutes, with
// figures simple enough to know exactly: traffic grows by a known amount per day, one outage,
// known reconnects, three clients (one new mid-week), pings with 1% loss at 20 ms, one alert.
// Used by the report tests (backfilled with promtool) and, scaled up, by the benchmark.

export const STEP = 300;
export const FIRST_DAY = Date.UTC(2026, 9, 11); // Sunday 2026-10-11, the day before the week
export const DAYS = 8; // 10-11 .. 10-18: the days with traffic
/** Samples go on (traffic flat) to the end of October, as a router's would: a counter that stopped
 * mid-month would be extrapolated by Prometheus at the window's end. */
export const TOTAL_STEPS = 21 * 288;
export const OUTAGE = { day: 3, from: 14 * 12, steps: 6 }; // 2026-10-14 14:00-14:25 down
/** The WireGuard tunnel down from 03:00 to 04:55 on 2026-10-15 (24 samples of 289 that day). */
export const TUNNEL_OUTAGE = { day: 4, from: 3 * 12, steps: 24 };
const day = (k: number) => Math.floor(k / 288);

export const CLIENTS = [
  { mac: '02:00:00:00:00:0a', ip: '192.168.8.10', hostname: 'tv-living', rx: 600_000, tx: 20_000, conns: 2, fromDay: 0 },
  { mac: '02:00:00:00:00:0b', ip: '192.168.8.11', hostname: 'laptop', rx: 300_000, tx: 100_000, conns: 5, fromDay: 0 },
  { mac: '02:00:00:00:00:0c', ip: '192.168.8.12', hostname: 'phone', rx: 50_000, tx: 50_000, conns: 1, fromDay: 5 },
];

/** WAN bytes added per 5-minute step on day index d. */
export const wanRx = (d: number) => 1_000_000 * (d + 1);
export const wanTx = (d: number) => 250_000 * (d + 1);

type Series = { name: string; labels: Record<string, string>; value: (k: number) => number | undefined };

export function homeSeries(router = 'home', clients = CLIENTS, totalSteps = TOTAL_STEPS): Series[] {
  const base = { router, job: 'routerscope', instance: `${router}:9100` };
  const cumulative = (perStep: (k: number) => number, from = 0) => {
    const values: number[] = [];
    let v = 0;
    for (let k = 0; k <= totalSteps; k++) {
      if (k > from && (totalSteps !== TOTAL_STEPS || k <= DAYS * 288)) v += perStep(k);
      values.push(v);
    }
    return (k: number) => (k < from ? undefined : values[k]);
  };
  const at = (d: number, hour: number, minute = 0) => d * 288 + hour * 12 + minute / 5;
  const events = (times: number[]) => (k: number) => times.filter((t) => t <= k).length;
  const down = (k: number) =>
    day(k) === OUTAGE.day && k - OUTAGE.day * 288 >= OUTAGE.from && k - OUTAGE.day * 288 < OUTAGE.from + OUTAGE.steps;
  const series: Series[] = [
    {
      name: 'openwrt_interface_info',
      labels: { ...base, interface: 'wan', device: 'eth0', l3_device: 'pppoe-wan', proto: 'pppoe', role: 'wan' },
      value: () => 1,
    },
    {
      name: 'openwrt_interface_info',
      labels: { ...base, interface: 'lan', device: 'br-lan', l3_device: 'br-lan', proto: 'static', role: 'lan' },
      value: () => 1,
    },
    { name: 'node_network_receive_bytes_total', labels: { ...base, device: 'pppoe-wan' }, value: cumulative((k) => wanRx(day(k - 1))) },
    { name: 'node_network_transmit_bytes_total', labels: { ...base, device: 'pppoe-wan' }, value: cumulative((k) => wanTx(day(k - 1))) },
    { name: 'node_network_receive_bytes_total', labels: { ...base, device: 'br-lan' }, value: cumulative(() => 777_000) },
    { name: 'node_network_transmit_bytes_total', labels: { ...base, device: 'br-lan' }, value: cumulative(() => 999_000) },
    { name: 'openwrt_interface_up', labels: { ...base, interface: 'wan' }, value: (k) => (down(k) ? 0 : 1) },
    { name: 'openwrt_wan_up', labels: { ...base, interface: 'wan' }, value: (k) => (down(k) ? 0 : 1) },
    { name: 'openwrt_wan_device_info', labels: { ...base, interface: 'wan', device: 'pppoe-wan' }, value: () => 1 },
    { name: 'openwrt_interface_up', labels: { ...base, interface: 'lan' }, value: () => 1 },
    // A second WAN, disabled all along: it has no availability to speak of.
    { name: 'openwrt_wan_up', labels: { ...base, interface: 'wanb' }, value: () => 0 },
    { name: 'openwrt_wan_policy', labels: { ...base, interface: 'wanb', policy: 'disabled' }, value: () => 1 },
    { name: 'openwrt_wan_policy', labels: { ...base, interface: 'wan', policy: 'primary' }, value: () => 1 },
    {
      name: 'openwrt_interface_info',
      labels: { ...base, interface: 'wg0', device: 'wg0', l3_device: 'wg0', proto: 'wireguard', role: 'vpn' },
      value: () => 1,
    },
    {
      name: 'openwrt_interface_up',
      labels: { ...base, interface: 'wg0' },
      value: (k) =>
        day(k) === TUNNEL_OUTAGE.day && k % 288 >= TUNNEL_OUTAGE.from && k % 288 < TUNNEL_OUTAGE.from + TUNNEL_OUTAGE.steps ? 0 : 1,
    },
    {
      name: 'openwrt_interface_events_total',
      labels: { ...base, interface: 'wan', event: 'ppp_up' },
      value: events([at(3, 14, 30), at(5, 3)]),
    },
    { name: 'openwrt_interface_events_total', labels: { ...base, interface: 'wan', event: 'master_changed' }, value: events([at(3, 14)]) },
    { name: 'openwrt_protocol_receive_bytes_total', labels: { ...base, protocol: 'HTTPS' }, value: cumulative(() => 700_000) },
    { name: 'openwrt_protocol_receive_bytes_total', labels: { ...base, protocol: 'QUIC' }, value: cumulative(() => 200_000) },
    { name: 'openwrt_protocol_transmit_bytes_total', labels: { ...base, protocol: 'HTTPS' }, value: cumulative(() => 100_000) },
    { name: 'openwrt_protocol_transmit_bytes_total', labels: { ...base, protocol: 'QUIC' }, value: cumulative(() => 0) },
    { name: 'openwrt_dns_queries_total', labels: { ...base, client: '192.168.8.10', type: 'A' }, value: cumulative(() => 3) },
    { name: 'openwrt_dns_queries_total', labels: { ...base, client: '192.168.8.11', type: 'AAAA' }, value: cumulative(() => 1) },
    { name: 'openwrt_dns_client_unique_domains', labels: { ...base, client: '192.168.8.10' }, value: () => 42 },
    { name: 'openwrt_dns_client_unique_domains', labels: { ...base, client: '192.168.8.11' }, value: (k) => (k === at(2, 12) ? 25 : 17) },
    // The exporter's per-client top domains within its window: the report takes each one's peak.
    ...[
      ['192.168.8.10', 'netflix.com', 400],
      ['192.168.8.10', 'nflxvideo.net', 310],
      ['192.168.8.10', 'updates.example', 12],
      ['192.168.8.10', 'time.example', 3],
      ['192.168.8.11', 'github.com', 90],
    ].map(([client, domain, n]) => ({
      name: 'openwrt_dns_client_domain_queries',
      labels: { ...base, client: client as string, domain: domain as string },
      value: (k: number) => ((n as number) * (1 + (k % 288))) / 288,
    })),
    {
      name: 'openwrt_ping_requests_total',
      labels: { ...base, target: 'vps', source: '100.70.3.9', kind: 'vps', interface: 'wan' },
      value: cumulative(() => 300),
    },
    {
      name: 'openwrt_ping_responses_total',
      labels: { ...base, target: 'vps', source: '100.70.3.9', kind: 'vps', interface: 'wan' },
      value: cumulative(() => 297),
    },
    {
      name: 'openwrt_ping_rtt_seconds_sum',
      labels: { ...base, target: 'vps', source: '100.70.3.9', kind: 'vps', interface: 'wan' },
      value: cumulative(() => 297 * 0.02),
    },
    {
      name: 'openwrt_ping_rtt_seconds_count',
      labels: { ...base, target: 'vps', source: '100.70.3.9', kind: 'vps', interface: 'wan' },
      value: cumulative(() => 297),
    },
    ...[
      ['0.01', 0],
      ['0.02', 297],
      ['0.05', 297],
      ['+Inf', 297],
    ].map(([le, n]) => ({
      name: 'openwrt_ping_rtt_seconds_bucket',
      labels: { ...base, target: 'vps', source: '100.70.3.9', kind: 'vps', interface: 'wan', le: le as string },
      value: cumulative(() => n as number),
    })),
    {
      name: 'openwrt_ping_jitter_seconds',
      labels: { ...base, target: 'vps', source: '100.70.3.9', kind: 'vps', interface: 'wan' },
      value: () => 0.003,
    },
    {
      name: 'ALERTS',
      labels: { ...base, alertname: 'WanDown', alertstate: 'firing', severity: 'critical', interface: 'wan' },
      value: (k) => (down(k) && k - OUTAGE.day * 288 > OUTAGE.from ? 1 : undefined),
    },
    { name: 'node_thermal_zone_temp', labels: { ...base, type: 'cpu-thermal', zone: '0' }, value: (k) => 50 + (k % 12) },
    { name: 'openwrt_optics_rx_power_dbm', labels: { ...base, device: 'eth1' }, value: (k) => (k === at(1, 2) ? -21.5 : -19.1) },
    { name: 'openwrt_optics_tx_power_dbm', labels: { ...base, device: 'eth1' }, value: () => 2.5 },
  ];
  for (const c of clients) {
    const from = c.fromDay * 288;
    const l = { ...base, mac: c.mac };
    series.push(
      { name: 'openwrt_client_receive_bytes_total', labels: l, value: cumulative(() => c.rx, from) },
      { name: 'openwrt_client_transmit_bytes_total', labels: l, value: cumulative(() => c.tx, from) },
      { name: 'openwrt_client_connections_total', labels: l, value: cumulative(() => c.conns, from) },
      { name: 'openwrt_client_info', labels: { ...l, ip: c.ip, hostname: c.hostname }, value: (k) => (k >= from ? 1 : undefined) },
    );
  }
  return series;
}

/** OpenMetrics text, one family after another, each series in time order, ending with # EOF. */
export function* openMetrics(series: Series[], first = FIRST_DAY, steps = TOTAL_STEPS, step = STEP): Generator<string> {
  const byName = new Map<string, Series[]>();
  for (const s of series) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  for (const [name, list] of byName) {
    for (const s of list) {
      const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      let chunk = '';
      for (let k = 0; k <= steps; k++) {
        const v = s.value(k);
        if (v !== undefined) chunk += `${name}{${labels}} ${v} ${(first / 1000 + k * step).toFixed(0)}\n`;
        if (chunk.length > 1 << 16) {
          yield chunk;
          chunk = '';
        }
      }
      yield chunk;
    }
  }
  yield '# EOF\n';
}
