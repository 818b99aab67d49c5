// Every PromQL expression the dashboards use, in one place. `$router`, `$interface` and `$client`
// are Grafana variables (regex-matched, so "All" works); `$__rate_interval` and `$__range` are
// Grafana's. The integration test runs each of these against a real Prometheus.

const R = 'router=~"$router"';

/**
 * Attaches the WAN to per-device series (netdev counters, rates) through openwrt_wan_device_info,
 * which has exactly one WAN per layer-3 device: wan and wan6 on one device are one WAN, so the
 * join is one-to-one on every router.
 */
export const onWan = (expr: string) =>
  `${expr} * on (router, device) group_left (interface) openwrt_wan_device_info{${R}, interface=~"$interface"}`;

/** Attaches a tunnel's logical interface to its layer-3 device's series (one interface per tunnel device). */
export const onTunnel = (expr: string) =>
  `${expr} * on (router, device) group_left (interface) label_replace(openwrt_interface_info{${R}, role="vpn", l3_device!=""}, "device", "$1", "l3_device", "(.+)")`;

/** Attaches each MAC's host name (client_info has one series per address; max dedups them). */
export const withHostname = (expr: string) =>
  `${expr} * on (router, mac) group_left (hostname) max by (router, mac, hostname) (openwrt_client_info{${R}})`;

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
  wanEvents: `sum by (router, interface, event) (increase(openwrt_interface_events_total{${R}, interface=~"$interface"}[$__range]))`,
  failoverAnnotations: `changes(openwrt_interface_events_total{${R}, event=~"master_changed|tracker_down|down|ppp_down"}[2m]) > 0`,
  lastChange: `openwrt_interface_last_change_timestamp_seconds{${R}} * 1000`,

  // Latency
  rttMean: `router_target:openwrt_ping_rtt_seconds:mean5m{${R}, interface=~"$interface"}`,
  rttP95: `histogram_quantile(0.95, sum by (router, target, interface, le) (rate(openwrt_ping_rtt_seconds_bucket{${R}, interface=~"$interface"}[$__rate_interval])))`,
  rttHeatmap: `sum by (le) (increase(openwrt_ping_rtt_seconds_bucket{${R}, interface=~"$interface"}[$__rate_interval]))`,
  loss: `router_target:openwrt_ping_loss:ratio5m{${R}, interface=~"$interface"}`,
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
  wanReceivedMonthly: onWan(`increase(node_network_receive_bytes_total{${R}}[30d])`),
  wanTransmittedMonthly: onWan(`increase(node_network_transmit_bytes_total{${R}}[30d])`),
  wanReceivedInRange: onWan(`increase(node_network_receive_bytes_total{${R}}[$__range])`),
  wanTransmittedInRange: onWan(`increase(node_network_transmit_bytes_total{${R}}[$__range])`),

  // Clients
  topDownload: `topk(10, ${withHostname(`sum by (router, mac) (increase(openwrt_client_receive_bytes_total{${R}, mac=~"$client"}[$__range]))`)})`,
  topUpload: `topk(10, ${withHostname(`sum by (router, mac) (increase(openwrt_client_transmit_bytes_total{${R}, mac=~"$client"}[$__range]))`)})`,
  topDownloadOverTime: `topk(5, ${withHostname(`router_mac:openwrt_client_receive_bytes:rate5m{${R}, mac=~"$client"}`)})`,
  topConnections: `topk(10, ${withHostname(`sum by (router, mac) (increase(openwrt_client_connections_total{${R}, mac=~"$client"}[$__range]))`)})`,
  clientsOnline: `sum by (router) (openwrt_client_up{${R}})`,
  dhcpLeases: `openwrt_dhcp_leases{${R}}`,
  clientTable: `openwrt_client_info{${R}, mac=~"$client"}`,
  clientDownloadRate: withHostname(`8 * router_mac:openwrt_client_receive_bytes:rate5m{${R}, mac=~"$client"}`),
  protocolShare: `sum by (protocol) (increase(openwrt_protocol_receive_bytes_total{${R}}[$__range]) + increase(openwrt_protocol_transmit_bytes_total{${R}}[$__range]))`,
  topDnsClients: `topk(10, sum by (router, client) (increase(openwrt_dns_queries_total{${R}}[$__range])))`,
  uniqueDomains: `openwrt_dns_client_unique_domains{${R}}`,
  topDomains: `openwrt_dns_client_domain_queries{${R}}`,
  dnsByType: `sum by (type) (increase(openwrt_dns_queries_total{${R}}[$__range]))`,
  dnsByResult: `sum by (result) (increase(openwrt_dns_answers_total{${R}}[$__range]))`,

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
} as const;
