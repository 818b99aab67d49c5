// Every PromQL expression the dashboards use, in one place. `$router`, `$interface` and `$client`
// are Grafana variables (regex-matched, so "All" works); `$__rate_interval` and `$__range` are
// Grafana's. The integration test runs each of these against a real Prometheus.

const R = 'router=~"$router"';

/**
 * Attaches the WAN to per-device series (netdev counters, rates) through openwrt_wan_device_info,
 * which has exactly one WAN per layer-3 device: wan and wan6 on one device are one WAN, so the
 * join is one-to-one on every router. With a `window`, the WAN's device over that window: a total
 * over the time range keeps a WAN that is down (and has no device) now.
 */
export const onWan = (expr: string, window?: string) =>
  window
    ? `${expr} * on (router, device) group_left (interface) max by (router, device, interface) (max_over_time(openwrt_wan_device_info{${R}, interface=~"$interface"}[${window}]))`
    : `${expr} * on (router, device) group_left (interface) openwrt_wan_device_info{${R}, interface=~"$interface"}`;

/** Attaches a tunnel's logical interface to its layer-3 device's series (one interface per tunnel device). */
export const onTunnel = (expr: string) =>
  `${expr} * on (router, device) group_left (interface) label_replace(openwrt_interface_info{${R}, role="vpn", l3_device!=""}, "device", "$1", "l3_device", "(.+)")`;

/**
 * Attaches each MAC's host name (client_info has one series per address; max dedups them). A MAC
 * with no lease now (a phone that left) keeps its place, by its MAC alone.
 */
export const withHostname = (expr: string) =>
  `(${expr} * on (router, mac) group_left (hostname) max by (router, mac, hostname) (openwrt_client_info{${R}})) or on (router, mac) ${expr}`;

/** Attaches the host name to series keyed by a client's address (dnsmasq's `client`). */
const dnsWithHostname = (expr: string) =>
  `(${expr} * on (router, client) group_left (hostname) topk by (router, client) (1, max by (router, client, hostname) (label_replace(openwrt_client_info{${R}}, "client", "$1", "ip", "(.+)")))) or on (router, client) ${expr}`;

/** One host's MACs (a laptop on cable and WiFi is one host), for the client page. */
const ofHost = (expr: string) =>
  `(${expr}) * on (router, mac) group_left (hostname) max by (router, mac, hostname) (last_over_time(openwrt_client_info{${R}, hostname=~"$host"}[$__range]))`;

/** The top `n` by their total over the whole time range: a range query shows those n and no more. */
const topOverRange = (n: number, expr: string, byTotal: string) => `(${expr}) and on (router, mac) topk(${n}, ${byTotal})`;

export const Q = {
  // Overview and health
  vpnUp: `openwrt_omr_vpn_up{${R}}`,
  tunnelUp: `openwrt_interface_up{${R}} * on (router, interface) group_left () openwrt_interface_info{${R}, role="vpn"}`,
  wireguardHandshakeAge: `(time() - openwrt_wireguard_peer_last_handshake_timestamp_seconds{${R}}) and openwrt_wireguard_peer_last_handshake_timestamp_seconds{${R}} > 0`,
  cpuBusy: `1 - avg by (router) (rate(node_cpu_seconds_total{${R}, mode="idle"}[$__rate_interval]))`,
  memoryUsed: `1 - node_memory_MemAvailable_bytes{${R}} / node_memory_MemTotal_bytes{${R}}`,
  cpuTemperature: `max by (router) (node_thermal_zone_temp{${R}})`,
  load1: `node_load1{${R}}`,
  conntrackUsed: `node_nf_conntrack_entries{${R}} / node_nf_conntrack_entries_limit{${R}}`,
  uptime: `time() - node_boot_time_seconds{${R}}`,
  wanUptime: `openwrt_interface_uptime_seconds{${R}} * on (router, interface) group_left () openwrt_wan_up{${R}, interface=~"$interface"}`,
  omrPublicIp: `openwrt_omr_wan_info{${R}}`,
  wanAddresses: `openwrt_interface_address_info{${R}} * on (router, interface) group_left () openwrt_interface_info{${R}, role="wan"}`,
  openwrtRelease: `node_openwrt_info{${R}}`,
  collectorSuccess: `routerscope_scrape_collector_success{${R}}`,
  collectorDuration: `routerscope_scrape_collector_duration_seconds{${R}}`,
  seriesPerCollector: `routerscope_collector_series{${R}}`,
  fanState: `node_cooling_device_cur_state{${R}} / node_cooling_device_max_state{${R}}`,
  hwmonTemperature: `node_hwmon_temp_celsius{${R}}`,
  thermalZones: `node_thermal_zone_temp{${R}}`,
  filesystemUsed: `1 - node_filesystem_avail_bytes{${R}, mountpoint=~"/|/overlay|/tmp"} / node_filesystem_size_bytes{${R}, mountpoint=~"/|/overlay|/tmp"}`,

  // WAN and MPTCP
  wanUp: `openwrt_wan_up{${R}, interface=~"$interface"}`,
  // Over the dashboard's range; a disabled WAN has no availability to speak of (the rule leaves it out).
  wanAvailability: `avg_over_time(router_interface:openwrt_wan_up:avg5m{${R}, interface=~"$interface"}[$__range])`,
  trackerUp: `openwrt_omr_wan_up{${R}, interface=~"$interface"}`,
  trackerLatency: `openwrt_omr_wan_latency_seconds{${R}, interface=~"$interface"}`,
  wanPolicy: `openwrt_wan_policy{${R}, interface=~"$interface"} == 1`,
  wanReceiveBits: `8 * router_interface:openwrt_wan_receive_bytes:rate5m{${R}, interface=~"$interface"}`,
  wanTransmitBits: `8 * router_interface:openwrt_wan_transmit_bytes:rate5m{${R}, interface=~"$interface"}`,
  wanReceiveLive: onWan(`8 * rate(node_network_receive_bytes_total{${R}}[$__rate_interval])`),
  wanTransmitLive: onWan(`8 * rate(node_network_transmit_bytes_total{${R}}[$__rate_interval])`),
  tunnelReceiveBits: onTunnel(`8 * rate(node_network_receive_bytes_total{${R}}[$__rate_interval])`),
  mptcpConnections: `openwrt_mptcp_connections{${R}}`,
  mptcpSubflows: `sum by (router, device) (openwrt_mptcp_subflows{${R}})`,
  mptcpConfigured: `openwrt_mptcp_configured_mode{${R}, interface=~"$interface"} == 1`,
  mptcpEffective: `openwrt_mptcp_effective_mode{${R}, interface=~"$interface"} == 1`,
  mptcpMismatch: `openwrt_mptcp_mode_mismatch{${R}, interface=~"$interface"}`,
  mptcpJoins: `rate(node_netstat_MPTcpExt_MPJoinSynAckRx{${R}}[$__rate_interval])`,
  // Only events that happened, each with when it last did (to within two minutes: a minute's steps
  // over two minutes of samples, so that no change between two scrapes falls between windows).
  wanEvents: `round(sum by (router, interface, event) (increase(openwrt_interface_events_total{${R}, interface=~"$interface"}[$__range]))) > 0`,
  wanEventsLastSeen: `1000 * max by (router, interface, event) (last_over_time((timestamp(changes(openwrt_interface_events_total{${R}, interface=~"$interface"}[2m]) > 0))[$__range:1m]))`,
  failoverAnnotations: `changes(openwrt_interface_events_total{${R}, event=~"master_changed|tracker_down|down|ppp_down"}[2m]) > 0`,
  lastChange: `openwrt_interface_last_change_timestamp_seconds{${R}} * 1000`,

  // Latency
  // Mean and p95 over the same window and the same series, so the p95 is never computed on more.
  rttMean5m: `router_target:openwrt_ping_rtt_seconds:mean5m{${R}, interface=~"$interface"}`,
  rttMean: `sum by (router, target, source, interface) (rate(openwrt_ping_rtt_seconds_sum{${R}, kind="target", interface=~"$interface"}[$__rate_interval])) / sum by (router, target, source, interface) (rate(openwrt_ping_rtt_seconds_count{${R}, kind="target", interface=~"$interface"}[$__rate_interval]) > 0)`,
  rttP95: `histogram_quantile(0.95, sum by (router, target, source, interface, le) (rate(openwrt_ping_rtt_seconds_bucket{${R}, kind="target", interface=~"$interface"}[$__rate_interval])))`,
  // One target through one WAN (the panel repeats per target, its row per WAN).
  rttHeatmap: `sum by (le) (increase(openwrt_ping_rtt_seconds_bucket{${R}, kind="target", target=~"$target", interface=~"$interface"}[$__rate_interval]))`,
  apRtt: `router_target:openwrt_ping_rtt_seconds:mean5m{${R}, kind="ap"}`,
  apLoss: `router_target:openwrt_ping_loss:ratio5m{${R}, kind="ap"}`,
  loss: `router_target:openwrt_ping_loss:ratio5m{${R}, kind="target", interface=~"$interface"}`,
  jitter: `openwrt_ping_jitter_seconds{${R}, interface=~"$interface"}`,
  lastRtt: `openwrt_ping_last_rtt_seconds{${R}}`,
  probeUp: `openwrt_ping_up{${R}}`,

  // Bandwidth
  interfaceReceiveBits: `8 * rate(node_network_receive_bytes_total{${R}, device!="lo"}[$__rate_interval])`,
  interfaceTransmitBits: `8 * rate(node_network_transmit_bytes_total{${R}, device!="lo"}[$__rate_interval])`,
  wanReceivedHourly: `router_interface:openwrt_wan_receive_bytes:increase1h{${R}, interface=~"$interface"}`,
  wanTransmittedHourly: `router_interface:openwrt_wan_transmit_bytes:increase1h{${R}, interface=~"$interface"}`,
  wanReceivedDaily: `router_interface:openwrt_wan_receive_bytes:increase1d{${R}, interface=~"$interface"}`,
  wanTransmittedDaily: `router_interface:openwrt_wan_transmit_bytes:increase1d{${R}, interface=~"$interface"}`,
  // Each bar the 30 days before it: Prometheus has no calendar months.
  wanReceivedMonthly: onWan(`increase(node_network_receive_bytes_total{${R}}[30d])`, '30d'),
  wanTransmittedMonthly: onWan(`increase(node_network_transmit_bytes_total{${R}}[30d])`, '30d'),
  wanReceivedInRange: onWan(`increase(node_network_receive_bytes_total{${R}}[$__range])`, '$__range'),
  wanTransmittedInRange: onWan(`increase(node_network_transmit_bytes_total{${R}}[$__range])`, '$__range'),

  // Clients
  topDownload: `topk(10, ${withHostname(`sum by (router, mac) (increase(openwrt_client_receive_bytes_total{${R}, mac=~"$client"}[$__range]))`)})`,
  topUpload: `topk(10, ${withHostname(`sum by (router, mac) (increase(openwrt_client_transmit_bytes_total{${R}, mac=~"$client"}[$__range]))`)})`,
  topDownloadOverTime: topOverRange(
    5,
    withHostname(`8 * router_mac:openwrt_client_receive_bytes:rate5m{${R}, mac=~"$client"}`),
    `sum by (router, mac) (increase(openwrt_client_receive_bytes_total{${R}, mac=~"$client"}[$__range] @ end()))`,
  ),
  topConnections: `topk(10, ${withHostname(`sum by (router, mac) (increase(openwrt_client_connections_total{${R}, mac=~"$client"}[$__range]))`)})`,
  clientsOnline: `sum by (router) (openwrt_client_up{${R}})`,
  dhcpLeases: `openwrt_dhcp_leases{${R}}`,
  clientTable: `openwrt_client_info{${R}, mac=~"$client"}`,
  clientDownloadRate: withHostname(`8 * router_mac:openwrt_client_receive_bytes:rate5m{${R}, mac=~"$client"}`),
  protocolShare: `sum by (router, protocol) (increase(openwrt_protocol_receive_bytes_total{${R}}[$__range]) + increase(openwrt_protocol_transmit_bytes_total{${R}}[$__range]))`,
  topDnsClients: `topk(10, ${dnsWithHostname(`sum by (router, client) (increase(openwrt_dns_queries_total{${R}}[$__range]))`)})`,
  uniqueDomains: dnsWithHostname(`openwrt_dns_client_unique_domains{${R}}`),
  topDomains: dnsWithHostname(`openwrt_dns_client_domain_queries{${R}}`),
  dnsByType: `sum by (router, type) (increase(openwrt_dns_queries_total{${R}}[$__range]))`,
  dnsByResult: `sum by (router, result) (increase(openwrt_dns_answers_total{${R}}[$__range]))`,

  // One client (by host name)
  hostReceiveBits: ofHost(`8 * rate(openwrt_client_receive_bytes_total{${R}}[$__rate_interval])`),
  hostTransmitBits: ofHost(`8 * rate(openwrt_client_transmit_bytes_total{${R}}[$__rate_interval])`),
  hostConnections: ofHost(`increase(openwrt_client_connections_total{${R}}[$__rate_interval])`),
  hostVolume: ofHost(
    `increase(openwrt_client_receive_bytes_total{${R}}[$__range]) + increase(openwrt_client_transmit_bytes_total{${R}}[$__range])`,
  ),
  hostAddresses: `openwrt_client_info{${R}, hostname=~"$host"}`,
  hostDomains: `openwrt_dns_client_domain_queries{${R}} * on (router, client) group_left (hostname) topk by (router, client) (1, max by (router, client, hostname) (label_replace(openwrt_client_info{${R}, hostname=~"$host"}, "client", "$1", "ip", "(.+)")))`,

  // Interfaces, routes, errors, conntrack, SNMP devices
  interfacesByRole: `openwrt_interface_info{${R}}`,
  interfaceUp: `openwrt_interface_up{${R}}`,
  interfaceGateways: `openwrt_interface_gateway_info{${R}}`,
  interfaceDnsServers: `openwrt_interface_dns_server_info{${R}}`,
  interfaceAddresses: `openwrt_interface_address_info{${R}}`,
  routes: `openwrt_interface_route_info{${R}}`,
  interfaceErrorRatio: `(rate(node_network_receive_errs_total{${R}, device!="lo"}[$__rate_interval]) + rate(node_network_transmit_errs_total{${R}, device!="lo"}[$__rate_interval])) / ((rate(node_network_receive_packets_total{${R}, device!="lo"}[$__rate_interval]) + rate(node_network_transmit_packets_total{${R}, device!="lo"}[$__rate_interval])) > 0)`,
  interfaceDrops: `rate(node_network_receive_drop_total{${R}, device!="lo"}[$__rate_interval]) + rate(node_network_transmit_drop_total{${R}, device!="lo"}[$__rate_interval])`,
  interfacePackets: `rate(node_network_receive_packets_total{${R}, device!="lo"}[$__rate_interval]) + rate(node_network_transmit_packets_total{${R}, device!="lo"}[$__rate_interval])`,
  conntrackEntries: `node_nf_conntrack_entries{${R}}`,
  conntrackLimit: `node_nf_conntrack_entries_limit{${R}}`,
  snmpReceiveBits: `8 * rate(ifHCInOctets{${R}}[$__rate_interval])`,
  snmpTransmitBits: `8 * rate(ifHCOutOctets{${R}}[$__rate_interval])`,
  snmpUp: `openwrt_snmp_up{${R}}`,

  // WiFi
  stations: `wifi_stations{${R}}`,
  stationSignal: `wifi_station_signal_dbm{${R}}`,
  // iwinfo counts from the access point: what it transmits is the station's download.
  stationDownloadBits: `8 * rate(wifi_station_transmit_bytes_total{${R}}[$__rate_interval])`,
  stationUploadBits: `8 * rate(wifi_station_receive_bytes_total{${R}}[$__rate_interval])`,
  stationTransmitRate: `1000 * wifi_station_transmit_kilobits_per_second{${R}}`,
  radioNoise: `wifi_network_noise_dbm{${R}}`,
  radioQuality: `wifi_network_quality{${R}}`,
  radioChannel: `openwrt_wifi_channel{${R}}`,
  radioTxPower: `openwrt_wifi_txpower_dbm{${R}}`,
  radioInfo: `openwrt_wifi_info{${R}}`,

  // Optics
  rxPower: `openwrt_optics_rx_power_dbm{${R}}`,
  txPower: `openwrt_optics_tx_power_dbm{${R}}`,
  rxThresholds: `openwrt_optics_threshold{${R}, reading="rx_power_dbm", level=~"warning_low|alarm_low"}`,
  opticsTemperature: `openwrt_optics_temperature_celsius{${R}}`,
  opticsVoltage: `openwrt_optics_voltage_volts{${R}}`,
  opticsBias: `openwrt_optics_bias_current_amperes{${R}}`,
  opticsLos: `openwrt_optics_rx_los{${R}}`,
  opticsInfo: `openwrt_optics_info{${R}}`,

  // Variables
  routers: 'label_values(routerscope_build_info, router)',
  wans: 'label_values(openwrt_wan_up{router=~"$router"}, interface)',
  clients: 'label_values(openwrt_client_info{router=~"$router"}, mac)',
  targets: 'label_values(openwrt_ping_up{router=~"$router", kind="target"}, target)',
  hosts: 'label_values(openwrt_client_info{router=~"$router", hostname!=""}, hostname)',
} as const;
