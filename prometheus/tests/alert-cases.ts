// The alert rules' unit tests, as data: for every alert a case that fires and one that stays
// silent. `npm run rules:tests` writes alerts_test.yml from these (annotations are rendered from
// the rule templates with the value text each case states, so promtool checks Prometheus' own
// rendering against ours); a test fails when the committed file drifts.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const R = { router: 'r1', job: 'routerscope', instance: '10.0.0.1:9100' };
const sel = (name: string, labels: Record<string, string> = {}) =>
  `${name}{${Object.entries({ ...R, ...labels })
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`;

interface Fire {
  readonly severity: string;
  readonly labels: Record<string, string>;
  /** How the alert's {{ $value }} renders (after its template function). */
  readonly value?: string;
}
interface Case {
  readonly alert: string;
  readonly name: string;
  readonly interval?: string;
  /** Day-long cases are evaluated hourly (a file of their own): evaluating every rule each minute over two days takes seconds. */
  readonly hourly?: boolean;
  readonly series: Array<[string, string]>;
  readonly eval: string;
  readonly fire: Fire[];
}

const member = (wan: string, logical: string): [string, string] => [
  sel('openwrt_wan_member_info', { interface: wan, member: logical, family: logical.endsWith('6') ? 'ipv6' : 'ipv4', up: 'true' }),
  '1x60',
];

/** wan1 the primary (its state as given), wan3 the standby on eth3 (up, with the bytes given). */
const primaryAndStandby = (primaryUp: string, standbyRx: string, standbyTx: string): Array<[string, string]> => [
  [sel('openwrt_wan_up', { interface: 'wan1' }), primaryUp],
  [sel('openwrt_wan_up', { interface: 'wan3' }), '1x5'],
  [sel('openwrt_wan_policy', { interface: 'wan1', policy: 'primary' }), '1x5'],
  [sel('openwrt_wan_policy', { interface: 'wan3', policy: 'standby' }), '1x5'],
  [sel('openwrt_wan_device_info', { interface: 'wan3', device: 'eth3' }), '1x5'],
  [sel('node_network_receive_bytes_total', { device: 'eth3' }), standbyRx],
  [sel('node_network_transmit_bytes_total', { device: 'eth3' }), standbyTx],
];

const ping = { target: 'vps', source: '100.66.12.34', kind: 'target', interface: 'wan1' };

/** A ping target's own alert level, as the ping collector exports it. */
const threshold = (reading: string, level: string, value: number): [string, string] => [
  sel('openwrt_ping_threshold', { ...ping, reading, level }),
  `${value}x20`,
];
const ap = { target: 'ap:garden', kind: 'ap' }; // source="": no label in Prometheus

export const CASES: Case[] = [
  { alert: 'Watchdog', name: 'always', series: [], eval: '1m', fire: [{ severity: 'none', labels: {} }] },
  {
    alert: 'RouterscopeDown',
    name: 'scrapes fail for 2 minutes',
    series: [[sel('up'), '0x5']],
    eval: '3m',
    fire: [{ severity: 'critical', labels: R }],
  },
  { alert: 'RouterscopeDown', name: 'scrapes succeed', series: [[sel('up'), '1x5']], eval: '3m', fire: [] },
  {
    alert: 'RouterscopeCollectorFailing',
    name: 'nlbwmon fails for 10 minutes',
    series: [[sel('routerscope_scrape_collector_success', { collector: 'nlbwmon' }), '0x15']],
    eval: '12m',
    fire: [{ severity: 'warning', labels: { ...R, collector: 'nlbwmon' } }],
  },
  {
    alert: 'RouterscopeCollectorFailing',
    name: 'it fails once',
    series: [[sel('routerscope_scrape_collector_success', { collector: 'nlbwmon' }), '1 1 0 1 1 1 1 1 1 1 1 1 1 1 1']],
    eval: '12m',
    fire: [],
  },
  {
    alert: 'RouterscopeCollectorStale',
    name: 'the last success stays at 0',
    series: [[sel('routerscope_collector_last_success_timestamp_seconds', { collector: 'nlbwmon' }), '0x20']],
    eval: '16m',
    fire: [{ severity: 'warning', labels: { ...R, collector: 'nlbwmon' }, value: '16m 0s' }],
  },
  {
    alert: 'RouterscopeCollectorStale',
    name: 'the last success keeps up',
    series: [[sel('routerscope_collector_last_success_timestamp_seconds', { collector: 'nlbwmon' }), '0+60x20']],
    eval: '16m',
    fire: [],
  },

  {
    alert: 'RouterscopeFollowerDown',
    name: 'logread cannot be followed',
    series: [[sel('routerscope_follower_up', { collector: 'events' }), '1 1 0x10']],
    eval: '9m',
    fire: [{ severity: 'warning', labels: { ...R, collector: 'events' } }],
  },
  {
    alert: 'RouterscopeFollowerDown',
    name: 'a follower restarted once (logd restarted)',
    series: [[sel('routerscope_follower_up', { collector: 'events' }), '1 1 0 1x10']],
    eval: '9m',
    fire: [],
  },
  {
    alert: 'PingProberDown',
    name: 'ping exits for 6 minutes',
    series: [[sel('openwrt_ping_up', ping), '1 0x10']],
    eval: '8m',
    fire: [{ severity: 'warning', labels: { ...R, ...ping } }],
  },
  {
    alert: 'PingProberDown',
    name: 'ping runs',
    series: [[sel('openwrt_ping_up', ping), '1x10']],
    eval: '8m',
    fire: [],
  },
  {
    alert: 'SnmpTargetDown',
    name: 'the switch stops answering',
    series: [[sel('openwrt_snmp_up', { target: 'switch' }), '1 0x10']],
    eval: '8m',
    fire: [{ severity: 'warning', labels: { ...R, target: 'switch' } }],
  },
  {
    alert: 'SnmpTargetDown',
    name: 'the switch answers',
    series: [[sel('openwrt_snmp_up', { target: 'switch' }), '1x10']],
    eval: '8m',
    fire: [],
  },

  {
    alert: 'WanDown',
    name: 'wan1 down for 2 minutes',
    series: [
      [sel('openwrt_wan_up', { interface: 'wan1' }), '0x10'],
      [sel('openwrt_wan_policy', { interface: 'wan1', policy: 'disabled' }), '0x10'],
    ],
    eval: '5m',
    fire: [{ severity: 'critical', labels: { ...R, interface: 'wan1' } }],
  },
  {
    alert: 'WanDown',
    name: 'a disabled WAN is down on purpose',
    series: [
      [sel('openwrt_wan_up', { interface: 'wan1' }), '0x10'],
      [sel('openwrt_wan_policy', { interface: 'wan1', policy: 'disabled' }), '1x10'],
    ],
    eval: '5m',
    fire: [],
  },
  // A scrape that fails marks the router's series stale; the down WAN's alert keeps firing
  // through it (without keep_firing_for it would resolve, wait 2 minutes and notify again).
  {
    alert: 'WanDown',
    name: 'down for 3 minutes, one scrape missed, down since',
    series: [[sel('openwrt_wan_up', { interface: 'wan1' }), '0x3 stale 0x5']],
    eval: '6m',
    fire: [{ severity: 'critical', labels: { ...R, interface: 'wan1' } }],
  },
  {
    alert: 'WanDown',
    name: 'down for 3 minutes, up again for 3',
    series: [[sel('openwrt_wan_up', { interface: 'wan1' }), '0x3 1x5']],
    eval: '7m',
    fire: [],
  },
  // An ISP without IPv6: wan6 stays pending forever while wan is up; the WAN is up.
  {
    alert: 'WanDown',
    name: 'wan up, wan6 pending forever (no IPv6 from the ISP)',
    series: [
      [sel('openwrt_wan_up', { interface: 'wan' }), '1x10'],
      [sel('openwrt_interface_up', { interface: 'wan6' }), '0x10'],
      [sel('openwrt_interface_pending', { interface: 'wan6' }), '1x10'],
    ],
    eval: '5m',
    fire: [],
  },
  {
    alert: 'PublicIpChanged',
    name: 'wan1 gets a new address',
    series: [
      [
        sel('openwrt_omr_wan_info', { interface: 'wan1', public_ip: '198.51.100.7', asn: 'EXAMPLE-FIBRE', mptcp_status: 'MPTCP enabled' }),
        '1x10',
      ],
      [
        sel('openwrt_omr_wan_info', { interface: 'wan1', public_ip: '198.51.100.99', asn: 'EXAMPLE-FIBRE', mptcp_status: 'MPTCP enabled' }),
        '_x10 1x10',
      ],
    ],
    eval: '12m',
    fire: [{ severity: 'info', labels: { router: 'r1', interface: 'wan1' } }],
  },
  {
    alert: 'PublicIpChanged',
    name: 'the same address, the MPTCP check result changing',
    series: [
      [
        sel('openwrt_omr_wan_info', { interface: 'wan1', public_ip: '198.51.100.7', asn: 'EXAMPLE-FIBRE', mptcp_status: 'MPTCP enabled' }),
        '1x10',
      ],
      [
        sel('openwrt_omr_wan_info', { interface: 'wan1', public_ip: '198.51.100.7', asn: 'EXAMPLE-FIBRE', mptcp_status: 'MPTCP disabled' }),
        '_x10 1x10',
      ],
    ],
    eval: '12m',
    fire: [],
  },
  {
    alert: 'AllWansDown',
    name: 'both WANs down, the disabled third too',
    series: [
      [sel('openwrt_wan_up', { interface: 'wan' }), '0x10'],
      [sel('openwrt_wan_up', { interface: 'wanb' }), '0x10'],
      [sel('openwrt_wan_up', { interface: 'wanc' }), '0x10'],
      [sel('openwrt_wan_policy', { interface: 'wanc', policy: 'disabled' }), '1x10'],
    ],
    eval: '5m',
    fire: [{ severity: 'critical', labels: { router: 'r1' } }],
  },
  {
    alert: 'AllWansDown',
    name: 'the one WAN of a single-WAN home down (WanDown says it)',
    series: [[sel('openwrt_wan_up', { interface: 'wan' }), '0x10']],
    eval: '5m',
    fire: [],
  },
  {
    alert: 'AllWansDown',
    name: 'one of two WANs up',
    series: [
      [sel('openwrt_wan_up', { interface: 'wan' }), '0x10'],
      [sel('openwrt_wan_up', { interface: 'wanb' }), '1x10'],
    ],
    eval: '5m',
    fire: [],
  },
  {
    alert: 'AllWansDown',
    name: 'one WAN up, the other disabled',
    series: [
      [sel('openwrt_wan_up', { interface: 'wan' }), '1x10'],
      [sel('openwrt_wan_up', { interface: 'wanc' }), '0x10'],
      [sel('openwrt_wan_policy', { interface: 'wanc', policy: 'disabled' }), '1x10'],
    ],
    eval: '5m',
    fire: [],
  },
  {
    alert: 'WanTrackerDown',
    name: 'the tracker says down',
    series: [[sel('openwrt_omr_wan_up', { interface: 'wan2' }), '0x5']],
    eval: '3m',
    fire: [{ severity: 'warning', labels: { ...R, interface: 'wan2' } }],
  },
  {
    alert: 'WanTrackerDown',
    name: 'the tracker says up',
    series: [[sel('openwrt_omr_wan_up', { interface: 'wan2' }), '1x5']],
    eval: '3m',
    fire: [],
  },
  {
    alert: 'WanFlapping',
    name: 'up and down every minute',
    series: [
      [sel('openwrt_interface_events_total', { interface: 'wan3', event: 'up' }), '0+1x60'],
      [sel('openwrt_interface_events_total', { interface: 'wan3', event: 'down' }), '0+1x60'],
      member('wan3', 'wan3'),
    ],
    eval: '60m',
    fire: [{ severity: 'warning', labels: { router: 'r1', interface: 'wan3' }, value: '120' }],
  },
  {
    alert: 'WanFlapping',
    name: 'three changes in an hour',
    series: [
      [sel('openwrt_interface_events_total', { interface: 'wan3', event: 'up' }), '0x20 1x20 2x20'],
      [sel('openwrt_interface_events_total', { interface: 'wan3', event: 'down' }), '0x30 1x30'],
      member('wan3', 'wan3'),
    ],
    eval: '60m',
    fire: [],
  },
  // A PPPoE line that drops four times takes wan6 down and up with it: one WAN flapping, counted once.
  {
    alert: 'WanFlapping',
    name: 'wan and wan6 drop together four times',
    series: [
      [sel('openwrt_interface_events_total', { interface: 'wan', event: 'up' }), '0x10 1x10 2x10 3x10 4x20'],
      [sel('openwrt_interface_events_total', { interface: 'wan6', event: 'up' }), '0x10 1x10 2x10 3x10 4x20'],
      [sel('openwrt_interface_events_total', { interface: 'wan6', event: 'down' }), '0x5 1x10 2x10 3x10 4x25'],
      member('wan', 'wan'),
      member('wan', 'wan6'),
    ],
    eval: '60m',
    fire: [{ severity: 'warning', labels: { router: 'r1', interface: 'wan' }, value: '12' }],
  },
  {
    alert: 'WanFlapping',
    name: 'the LAN is no WAN',
    series: [
      [sel('openwrt_interface_events_total', { interface: 'lan', event: 'up' }), '0+1x60'],
      [sel('openwrt_interface_events_total', { interface: 'lan', event: 'down' }), '0+1x60'],
      member('wan', 'wan'),
    ],
    eval: '60m',
    fire: [],
  },
  {
    alert: 'BondingDegraded',
    name: 'wan1 configured master, its endpoint gone from the kernel',
    series: [
      [sel('openwrt_mptcp_configured_mode', { interface: 'wan1', device: 'wan', mode: 'master' }), '1x15'],
      [sel('openwrt_mptcp_mode_mismatch', { interface: 'wan1', device: 'wan' }), '0 1x14'],
    ],
    eval: '15m',
    fire: [{ severity: 'warning', labels: { router: 'r1', interface: 'wan1', device: 'wan' } }],
  },
  {
    alert: 'BondingDegraded',
    name: 'a standby (backup) WAN whose mode differs: not part of the bond',
    series: [
      [sel('openwrt_mptcp_configured_mode', { interface: 'wan3', device: 'pppoe-wan3', mode: 'backup' }), '1x15'],
      [sel('openwrt_mptcp_mode_mismatch', { interface: 'wan3', device: 'pppoe-wan3' }), '1x15'],
    ],
    eval: '15m',
    fire: [],
  },
  {
    // time() is 1800 at the evaluation: a refresh at -20000 is 6 h 3 min old.
    alert: 'OmrTrackerStale',
    name: 'no refresh for six hours on a WAN the tracker has up',
    series: [
      [sel('openwrt_omr_wan_last_check_timestamp_seconds', { interface: 'wan1' }), '-20000x30'],
      [sel('openwrt_omr_wan_up', { interface: 'wan1' }), '1x30'],
    ],
    eval: '30m',
    fire: [{ severity: 'warning', labels: { ...R, interface: 'wan1' }, value: '6h 3m 20s' }],
  },
  {
    alert: 'OmrTrackerStale',
    name: 'refreshed 20 minutes ago',
    series: [
      [sel('openwrt_omr_wan_last_check_timestamp_seconds', { interface: 'wan1' }), '600x30'],
      [sel('openwrt_omr_wan_up', { interface: 'wan1' }), '1x30'],
    ],
    eval: '30m',
    fire: [],
  },
  {
    alert: 'OmrTrackerStale',
    name: 'an old refresh on a WAN the tracker holds down (WanTrackerDown says so)',
    series: [
      [sel('openwrt_omr_wan_last_check_timestamp_seconds', { interface: 'wan2' }), '-20000x30'],
      [sel('openwrt_omr_wan_up', { interface: 'wan2' }), '0x30'],
    ],
    eval: '30m',
    fire: [],
  },
  {
    alert: 'WanFailoverToStandby',
    name: 'primary down, the standby carries 6 MB a minute',
    series: primaryAndStandby('0x5', '0+6000000x5', '0+600000x5'),
    eval: '3m',
    fire: [{ severity: 'warning', labels: { ...R, interface: 'wan3' } }],
  },
  {
    alert: 'WanFailoverToStandby',
    name: "primary down, the standby up but carrying only its tracker's pings (nothing moved)",
    series: primaryAndStandby('0x5', '0+6000x5', '0+6000x5'),
    eval: '3m',
    fire: [],
  },
  {
    alert: 'WanFailoverToStandby',
    name: 'primary up',
    series: primaryAndStandby('1x5', '0+6000000x5', '0+600000x5'),
    eval: '3m',
    fire: [],
  },
  {
    alert: 'PppoeReconnects',
    name: 'a new session every hour',
    interval: '1h',
    hourly: true,
    series: [[sel('openwrt_interface_events_total', { interface: 'wan', event: 'ppp_up' }), '0+1x30']],
    eval: '24h',
    fire: [{ severity: 'warning', labels: { router: 'r1', interface: 'wan' }, value: '24' }],
  },
  {
    alert: 'PppoeReconnects',
    name: 'three sessions in a day',
    interval: '1h',
    hourly: true,
    series: [[sel('openwrt_interface_events_total', { interface: 'wan', event: 'ppp_up' }), '0x10 1x5 2x5 3x10']],
    eval: '24h',
    fire: [],
  },
  {
    alert: 'PppoeAuthenticationFailure',
    name: 'the ISP rejects the password',
    series: [[sel('openwrt_interface_events_total', { interface: 'wan', event: 'ppp_auth_failed' }), '0 0 1 1 2 2']],
    eval: '5m',
    fire: [{ severity: 'critical', labels: { router: 'r1', interface: 'wan' } }],
  },
  {
    alert: 'PppoeAuthenticationFailure',
    name: 'netifd reports AUTH_TOPEER_FAILED',
    series: [[sel('openwrt_interface_error', { interface: 'wan', subsystem: 'ppp', code: 'AUTH_TOPEER_FAILED' }), '1x5']],
    eval: '3m',
    fire: [{ severity: 'critical', labels: { router: 'r1', interface: 'wan' } }],
  },
  {
    alert: 'PppoeAuthenticationFailure',
    name: 'no failures',
    series: [[sel('openwrt_interface_events_total', { interface: 'wan', event: 'ppp_auth_failed' }), '3x30']],
    eval: '20m',
    fire: [],
  },

  {
    alert: 'OmrTunnelDown',
    name: 'OMR says the VPN is down',
    series: [[sel('openwrt_omr_vpn_up'), '0x5']],
    eval: '3m',
    fire: [{ severity: 'critical', labels: { router: 'r1' } }],
  },
  {
    alert: 'OmrTunnelDown',
    name: 'OMR and the tunnel interface both say down: one alert',
    series: [
      [sel('openwrt_omr_vpn_up'), '0x5'],
      [sel('openwrt_interface_up', { interface: 'omrvpn' }), '0x5'],
    ],
    eval: '3m',
    fire: [{ severity: 'critical', labels: { router: 'r1' } }],
  },
  {
    alert: 'OmrTunnelDown',
    name: 'the VPN is up',
    series: [
      [sel('openwrt_omr_vpn_up'), '1x5'],
      [sel('openwrt_interface_up', { interface: 'omrvpn' }), '1x5'],
    ],
    eval: '3m',
    fire: [],
  },
  {
    alert: 'WireguardHandshakeStale',
    name: 'no handshake since minute 1, while traffic was flowing',
    series: [
      [sel('openwrt_wireguard_peer_last_handshake_timestamp_seconds', { interface: 'wg0', public_key: 'K=' }), '60x20'],
      [sel('openwrt_wireguard_peer_receive_bytes_total', { interface: 'wg0', public_key: 'K=' }), '0+5000x3 15000x17'],
      [sel('openwrt_wireguard_peer_transmit_bytes_total', { interface: 'wg0', public_key: 'K=' }), '0+9000x20'],
    ],
    eval: '13m',
    fire: [{ severity: 'warning', labels: { ...R, interface: 'wg0', public_key: 'K=' }, value: '12m 0s' }],
  },
  {
    alert: 'WireguardHandshakeStale',
    name: 'a phone asleep: no handshake and no traffic for over an hour',
    series: [
      [sel('openwrt_wireguard_peer_last_handshake_timestamp_seconds', { interface: 'wg0', public_key: 'K=' }), '60x90'],
      [sel('openwrt_wireguard_peer_receive_bytes_total', { interface: 'wg0', public_key: 'K=' }), '0+5000x3 15000x87'],
      [sel('openwrt_wireguard_peer_transmit_bytes_total', { interface: 'wg0', public_key: 'K=' }), '0+5000x3 15000x87'],
    ],
    eval: '85m',
    fire: [],
  },
  {
    alert: 'WireguardHandshakeStale',
    name: 'a peer that never connected, and a fresh one',
    series: [
      [sel('openwrt_wireguard_peer_last_handshake_timestamp_seconds', { interface: 'wg0', public_key: 'A=' }), '0x20'],
      [sel('openwrt_wireguard_peer_last_handshake_timestamp_seconds', { interface: 'wg0', public_key: 'B=' }), '0+60x20'],
    ],
    eval: '13m',
    fire: [],
  },
  {
    alert: 'MptcpSubflowsLost',
    name: 'a bonded WAN without subflows',
    series: [
      [sel('openwrt_mptcp_subflows', { device: 'lan3' }), '0x10'],
      [sel('openwrt_mptcp_configured_mode', { interface: 'wan2', device: 'lan3', mode: 'on' }), '1x10'],
      [sel('openwrt_mptcp_connections'), '2x10'],
    ],
    eval: '7m',
    fire: [{ severity: 'warning', labels: { router: 'r1', interface: 'wan2', device: 'lan3' } }],
  },
  {
    alert: 'MptcpSubflowsLost',
    name: 'a bonded WAN whose device has no endpoint (no subflow series at all)',
    series: [
      [sel('openwrt_mptcp_subflows', { device: 'wan' }), '2x10'],
      [sel('openwrt_mptcp_configured_mode', { interface: 'wan1', device: 'wan', mode: 'master' }), '1x10'],
      [sel('openwrt_mptcp_configured_mode', { interface: 'wan2', device: 'lan3', mode: 'on' }), '1x10'],
      [sel('openwrt_mptcp_connections'), '2x10'],
    ],
    eval: '7m',
    fire: [{ severity: 'warning', labels: { router: 'r1', interface: 'wan2', device: 'lan3' } }],
  },
  {
    alert: 'MptcpSubflowsLost',
    name: "a WAN the tracker took out, its verdict missing from the last scrapes (the cause's gap)",
    series: [
      [sel('openwrt_mptcp_subflows', { device: 'lan3' }), '0x10'],
      [sel('openwrt_mptcp_configured_mode', { interface: 'wan2', device: 'lan3', mode: 'on' }), '1x10'],
      [sel('openwrt_mptcp_connections'), '2x10'],
      [sel('openwrt_omr_wan_up', { interface: 'wan2' }), '0x4 _x6'],
    ],
    eval: '7m',
    fire: [],
  },
  {
    alert: 'MptcpSubflowsLost',
    name: 'the bonded WAN carries subflows',
    series: [
      [sel('openwrt_mptcp_subflows', { device: 'lan3' }), '3x10'],
      [sel('openwrt_mptcp_configured_mode', { interface: 'wan2', device: 'lan3', mode: 'on' }), '1x10'],
      [sel('openwrt_mptcp_connections'), '2x10'],
    ],
    eval: '7m',
    fire: [],
  },

  {
    alert: 'WanLatencyHigh',
    name: '600 ms round trips',
    series: [
      [sel('openwrt_ping_rtt_seconds_sum', ping), '0+36x20'],
      [sel('openwrt_ping_rtt_seconds_count', ping), '0+60x20'],
    ],
    eval: '15m',
    fire: [
      { severity: 'critical', labels: { ...R, ...ping }, value: '600ms' },
      { severity: 'warning', labels: { ...R, ...ping }, value: '600ms' },
    ],
  },
  {
    alert: 'WanLatencyHigh',
    name: '20 ms round trips',
    series: [
      [sel('openwrt_ping_rtt_seconds_sum', ping), '0+1.2x20'],
      [sel('openwrt_ping_rtt_seconds_count', ping), '0+60x20'],
    ],
    eval: '15m',
    fire: [],
  },
  {
    alert: 'WanLatencyHigh',
    name: '600 ms to a far target whose own levels are 700 and 1000 ms',
    series: [
      [sel('openwrt_ping_rtt_seconds_sum', ping), '0+36x20'],
      [sel('openwrt_ping_rtt_seconds_count', ping), '0+60x20'],
      threshold('rtt_seconds', 'warning', 0.7),
      threshold('rtt_seconds', 'critical', 1),
    ],
    eval: '15m',
    fire: [],
  },
  {
    alert: 'WanLatencyHigh',
    name: '60 ms on a target whose own warning is 50 ms (its critical the default)',
    series: [
      [sel('openwrt_ping_rtt_seconds_sum', ping), '0+3.6x20'],
      [sel('openwrt_ping_rtt_seconds_count', ping), '0+60x20'],
      threshold('rtt_seconds', 'warning', 0.05),
    ],
    eval: '15m',
    fire: [{ severity: 'warning', labels: { ...R, ...ping }, value: '60ms' }],
  },
  {
    alert: 'WanLatencyHigh',
    name: 'an access point 600 ms away (not a WAN)',
    series: [
      [sel('openwrt_ping_rtt_seconds_sum', ap), '0+36x20'],
      [sel('openwrt_ping_rtt_seconds_count', ap), '0+60x20'],
    ],
    eval: '15m',
    fire: [],
  },
  {
    alert: 'WanPacketLoss',
    name: '10% loss: a warning, not a page',
    series: [
      [sel('openwrt_ping_requests_total', ping), '0+60x20'],
      [sel('openwrt_ping_responses_total', ping), '0+54x20'],
    ],
    eval: '15m',
    fire: [{ severity: 'warning', labels: { ...R, ...ping }, value: '10%' }],
  },
  {
    alert: 'WanPacketLoss',
    name: '30% loss for 20 minutes',
    series: [
      [sel('openwrt_ping_requests_total', ping), '0+60x25'],
      [sel('openwrt_ping_responses_total', ping), '0+42x25'],
    ],
    eval: '22m',
    fire: [
      { severity: 'critical', labels: { ...R, ...ping }, value: '30%' },
      { severity: 'warning', labels: { ...R, ...ping }, value: '30%' },
    ],
  },
  {
    alert: 'WanPacketLoss',
    name: '10% loss on an LTE target whose own warning is 15%',
    series: [
      [sel('openwrt_ping_requests_total', ping), '0+60x20'],
      [sel('openwrt_ping_responses_total', ping), '0+54x20'],
      threshold('loss_ratio', 'warning', 0.15),
    ],
    eval: '15m',
    fire: [],
  },
  {
    alert: 'WanPacketLoss',
    name: 'an access point that stopped answering (not a WAN)',
    series: [
      [sel('openwrt_ping_requests_total', ap), '0+60x20'],
      [sel('openwrt_ping_responses_total', ap), '0x20'],
    ],
    eval: '15m',
    fire: [],
  },
  {
    alert: 'AccessPointDown',
    name: 'the garden access point stopped answering',
    series: [
      [sel('openwrt_ping_requests_total', ap), '0+60x20'],
      [sel('openwrt_ping_responses_total', ap), '0+60x5 300x15'],
    ],
    eval: '15m',
    fire: [{ severity: 'warning', labels: { ...R, ...ap } }],
  },
  {
    alert: 'AccessPointDown',
    name: 'the access point answers but loses some',
    series: [
      [sel('openwrt_ping_requests_total', ap), '0+60x20'],
      [sel('openwrt_ping_responses_total', ap), '0+50x20'],
    ],
    eval: '15m',
    fire: [],
  },
  {
    alert: 'WanPacketLoss',
    name: 'no loss',
    series: [
      [sel('openwrt_ping_requests_total', ping), '0+60x20'],
      [sel('openwrt_ping_responses_total', ping), '0+60x20'],
    ],
    eval: '15m',
    fire: [],
  },
  {
    alert: 'WanJitterHigh',
    name: '50 ms jitter',
    series: [[sel('openwrt_ping_jitter_seconds', ping), '0.05x20']],
    eval: '15m',
    fire: [{ severity: 'warning', labels: { ...R, ...ping }, value: '50ms' }],
  },
  { alert: 'WanJitterHigh', name: '2 ms jitter', series: [[sel('openwrt_ping_jitter_seconds', ping), '0.002x20']], eval: '15m', fire: [] },

  {
    alert: 'RouterTemperatureHigh',
    name: 'the CPU at 90 °C',
    series: [[sel('node_thermal_zone_temp', { type: 'cpu-thermal', zone: '0' }), '90x10']],
    eval: '7m',
    fire: [
      { severity: 'critical', labels: { ...R, type: 'cpu-thermal', zone: '0' }, value: '90' },
      { severity: 'warning', labels: { ...R, type: 'cpu-thermal', zone: '0' }, value: '90' },
    ],
  },
  {
    alert: 'RouterTemperatureHigh',
    name: 'an x86 router: the package at 92 °C, its coretemp crit 100 °C',
    series: [
      [sel('node_thermal_zone_temp', { type: 'x86_pkg_temp', zone: '1' }), '92x10'],
      [sel('node_thermal_zone_temp', { type: 'acpitz', zone: '0' }), '40x10'],
      [sel('node_hwmon_temp_celsius', { chip: 'platform_coretemp_0', sensor: 'temp1' }), '92x10'],
      [sel('node_hwmon_temp_crit_celsius', { chip: 'platform_coretemp_0', sensor: 'temp1' }), '100x10'],
      [sel('node_hwmon_chip_names', { chip: 'platform_coretemp_0', chip_name: 'coretemp' }), '1x10'],
    ],
    eval: '7m',
    fire: [
      // The zone passes 85; the hwmon sensor is 8 °C below its own crit: a warning, not critical.
      { severity: 'critical', labels: { ...R, type: 'x86_pkg_temp', zone: '1' }, value: '92' },
      { severity: 'warning', labels: { ...R, type: 'x86_pkg_temp', zone: '1' }, value: '92' },
      { severity: 'warning', labels: { ...R, chip: 'platform_coretemp_0', chip_name: 'coretemp', sensor: 'temp1' }, value: '92' },
    ],
  },
  {
    alert: 'RouterTemperatureHigh',
    name: 'the SFP module at 80 °C and a Wi-Fi PHY at 90 °C (not the CPU)',
    series: [
      [sel('node_hwmon_temp_celsius', { chip: 'sfp1', sensor: 'temp1' }), '80x10'],
      [sel('node_hwmon_temp_crit_celsius', { chip: 'sfp1', sensor: 'temp1' }), '85x10'],
      [sel('node_hwmon_chip_names', { chip: 'sfp1', chip_name: 'sfp1' }), '1x10'],
      [sel('node_hwmon_temp_celsius', { chip: 'mt7996_phy0', sensor: 'temp1' }), '90x10'],
      [sel('node_hwmon_chip_names', { chip: 'mt7996_phy0', chip_name: 'mt7996_phy0' }), '1x10'],
      [sel('node_thermal_zone_temp', { type: 'cpu-thermal', zone: '0' }), '61x10'],
    ],
    eval: '7m',
    fire: [],
  },
  {
    alert: 'RouterTemperatureHigh',
    name: 'the CPU at 61 °C',
    series: [[sel('node_thermal_zone_temp', { type: 'cpu-thermal', zone: '0' }), '61x10']],
    eval: '7m',
    fire: [],
  },
  {
    alert: 'DnsmasqDown',
    name: 'dnsmasq crashed and procd cannot bring it back',
    series: [[sel('openwrt_dnsmasq_up', { section: 'cfg01411c' }), '1 1 0x8']],
    eval: '8m',
    fire: [{ severity: 'critical', labels: { ...R, section: 'cfg01411c' } }],
  },
  {
    alert: 'DnsmasqDown',
    name: 'dnsmasq restarted once (a config reload)',
    series: [[sel('openwrt_dnsmasq_up', { section: 'cfg01411c' }), '1 1 0 1x8']],
    eval: '8m',
    fire: [],
  },
  {
    alert: 'DnsFailuresHigh',
    name: 'a third of the answers are SERVFAIL',
    series: [
      [sel('openwrt_dns_answers_total', { client: '192.168.8.100', result: 'forwarded' }), '0+20x20'],
      [sel('openwrt_dns_answers_total', { client: '192.168.8.100', result: 'error' }), '0+10x20'],
    ],
    eval: '15m',
    fire: [{ severity: 'warning', labels: { router: 'r1' }, value: '33.33%' }],
  },
  {
    alert: 'DnsFailuresHigh',
    name: 'one failure among three answers',
    series: [
      [sel('openwrt_dns_answers_total', { client: '192.168.8.100', result: 'cached' }), '0x10 2x10'],
      [sel('openwrt_dns_answers_total', { client: '192.168.8.100', result: 'failed' }), '0x10 1x10'],
    ],
    eval: '15m',
    fire: [],
  },
  {
    alert: 'ConntrackTableFull',
    name: '98% of the table',
    series: [
      [sel('node_nf_conntrack_entries'), '980x10'],
      [sel('node_nf_conntrack_entries_limit'), '1000x10'],
    ],
    eval: '7m',
    fire: [
      { severity: 'critical', labels: R, value: '98%' },
      { severity: 'warning', labels: R, value: '98%' },
    ],
  },
  {
    alert: 'ConntrackTableFull',
    name: '5% of the table',
    series: [
      [sel('node_nf_conntrack_entries'), '3412x10'],
      [sel('node_nf_conntrack_entries_limit'), '65536x10'],
    ],
    eval: '7m',
    fire: [],
  },
  {
    alert: 'RouterMemoryLow',
    name: '5% available',
    series: [
      [sel('node_memory_MemAvailable_bytes'), '50x15'],
      [sel('node_memory_MemTotal_bytes'), '1000x15'],
    ],
    eval: '12m',
    fire: [{ severity: 'warning', labels: R, value: '5%' }],
  },
  {
    alert: 'RouterMemoryLow',
    name: '79% available',
    series: [
      [sel('node_memory_MemAvailable_bytes'), '790x15'],
      [sel('node_memory_MemTotal_bytes'), '1000x15'],
    ],
    eval: '12m',
    fire: [],
  },
  {
    alert: 'OverlayFilesystemFull',
    name: 'the overlay 95% full',
    series: [
      [sel('node_filesystem_avail_bytes', { device: '/dev/ubi0_2', fstype: 'ubifs', mountpoint: '/overlay' }), '5x20'],
      [sel('node_filesystem_size_bytes', { device: '/dev/ubi0_2', fstype: 'ubifs', mountpoint: '/overlay' }), '100x20'],
    ],
    eval: '17m',
    fire: [{ severity: 'warning', labels: { ...R, device: '/dev/ubi0_2', fstype: 'ubifs', mountpoint: '/overlay' } }],
  },
  {
    alert: 'OverlayFilesystemFull',
    name: '/ is the overlay of /overlay: one alert for the one filesystem',
    series: [
      [sel('node_filesystem_avail_bytes', { device: '/dev/ubi0_2', fstype: 'ubifs', mountpoint: '/overlay' }), '5x20'],
      [sel('node_filesystem_size_bytes', { device: '/dev/ubi0_2', fstype: 'ubifs', mountpoint: '/overlay' }), '100x20'],
      [sel('node_filesystem_avail_bytes', { device: 'overlayfs:/overlay', fstype: 'overlay', mountpoint: '/' }), '5x20'],
      [sel('node_filesystem_size_bytes', { device: 'overlayfs:/overlay', fstype: 'overlay', mountpoint: '/' }), '100x20'],
    ],
    eval: '17m',
    fire: [{ severity: 'warning', labels: { ...R, device: '/dev/ubi0_2', fstype: 'ubifs', mountpoint: '/overlay' } }],
  },
  {
    alert: 'OverlayFilesystemFull',
    name: 'an x86 image without /overlay: / itself',
    series: [
      [sel('node_filesystem_avail_bytes', { device: '/dev/sda2', fstype: 'ext4', mountpoint: '/' }), '5x20'],
      [sel('node_filesystem_size_bytes', { device: '/dev/sda2', fstype: 'ext4', mountpoint: '/' }), '100x20'],
    ],
    eval: '17m',
    fire: [{ severity: 'warning', labels: { ...R, device: '/dev/sda2', fstype: 'ext4', mountpoint: '/' } }],
  },
  {
    alert: 'OverlayFilesystemFull',
    name: 'the overlay half full, /tmp full',
    series: [
      [sel('node_filesystem_avail_bytes', { device: '/dev/ubi0_2', fstype: 'ubifs', mountpoint: '/overlay' }), '50x20'],
      [sel('node_filesystem_size_bytes', { device: '/dev/ubi0_2', fstype: 'ubifs', mountpoint: '/overlay' }), '100x20'],
      [sel('node_filesystem_avail_bytes', { device: 'tmpfs', fstype: 'tmpfs', mountpoint: '/tmp' }), '1x20'],
      [sel('node_filesystem_size_bytes', { device: 'tmpfs', fstype: 'tmpfs', mountpoint: '/tmp' }), '100x20'],
    ],
    eval: '17m',
    fire: [],
  },
  {
    alert: 'InterfaceErrorsRising',
    name: '2 % of the packets on eth1 are errors',
    series: [
      [sel('node_network_receive_errs_total', { device: 'eth1' }), '0+2x90'],
      [sel('node_network_transmit_errs_total', { device: 'eth1' }), '0x90'],
      [sel('node_network_receive_packets_total', { device: 'eth1' }), '0+60x90'],
      [sel('node_network_transmit_packets_total', { device: 'eth1' }), '0+40x90'],
    ],
    eval: '85m',
    fire: [{ severity: 'warning', labels: { ...R, device: 'eth1' }, value: '2%' }],
  },
  {
    alert: 'InterfaceErrorsRising',
    name: 'two errors a second on a 10G port carrying 100k packets a second (0.002 %)',
    series: [
      [sel('node_network_receive_errs_total', { device: 'eth1' }), '0+120x90'],
      [sel('node_network_transmit_errs_total', { device: 'eth1' }), '0x90'],
      [sel('node_network_receive_packets_total', { device: 'eth1' }), '0+6000000x90'],
      [sel('node_network_transmit_packets_total', { device: 'eth1' }), '0x90'],
    ],
    eval: '85m',
    fire: [],
  },
  {
    alert: 'InterfaceReceiveErrors',
    name: 'three bad frames on the fibre',
    series: [[sel('node_network_receive_errs_total', { device: 'eth1' }), '0x10 1 2 3x20']],
    eval: '20m',
    fire: [{ severity: 'info', labels: { ...R, device: 'eth1' }, value: '3' }],
  },
  {
    alert: 'InterfaceReceiveErrors',
    name: 'errors from before, none in the last hour',
    series: [[sel('node_network_receive_errs_total', { device: 'eth1' }), '3x90']],
    eval: '85m',
    fire: [],
  },

  {
    alert: 'OpticsRxPowerLow',
    name: "RX below the module's alarm level",
    series: [
      [sel('openwrt_optics_rx_power_dbm', { device: 'eth1' }), '-32x15'],
      [sel('openwrt_optics_threshold', { device: 'eth1', reading: 'rx_power_dbm', level: 'alarm_low' }), '-27.96x15'],
      [sel('openwrt_optics_threshold', { device: 'eth1', reading: 'rx_power_dbm', level: 'warning_low' }), '-26.99x15'],
    ],
    eval: '12m',
    fire: [
      { severity: 'critical', labels: { router: 'r1', device: 'eth1' } },
      { severity: 'warning', labels: { router: 'r1', device: 'eth1' }, value: '-32.00' },
    ],
  },
  {
    alert: 'OpticsRxPowerLow',
    name: 'no light, and a module without thresholds at -31 dBm',
    series: [
      [sel('openwrt_optics_rx_los', { device: 'eth1' }), '1x15'],
      [sel('openwrt_optics_rx_power_dbm', { device: 'sfp2' }), '-31x15'],
    ],
    eval: '12m',
    fire: [
      { severity: 'critical', labels: { ...R, device: 'eth1' } },
      { severity: 'critical', labels: { ...R, device: 'sfp2' } },
      { severity: 'warning', labels: { ...R, device: 'sfp2' }, value: '-31.00' },
    ],
  },
  {
    alert: 'OpticsRxPowerLow',
    name: 'RX at -19 dBm',
    series: [
      [sel('openwrt_optics_rx_power_dbm', { device: 'eth1' }), '-19.1x15'],
      [sel('openwrt_optics_rx_los', { device: 'eth1' }), '0x15'],
      [sel('openwrt_optics_threshold', { device: 'eth1', reading: 'rx_power_dbm', level: 'alarm_low' }), '-27.96x15'],
      [sel('openwrt_optics_threshold', { device: 'eth1', reading: 'rx_power_dbm', level: 'warning_low' }), '-26.99x15'],
    ],
    eval: '12m',
    fire: [],
  },
  {
    alert: 'OpticsTxPowerOutOfRange',
    name: 'TX above the warning level',
    series: [
      [sel('openwrt_optics_tx_power_dbm', { device: 'eth1' }), '6x15'],
      [sel('openwrt_optics_threshold', { device: 'eth1', reading: 'tx_power_dbm', level: 'warning_high' }), '4.5x15'],
      [sel('openwrt_optics_threshold', { device: 'eth1', reading: 'tx_power_dbm', level: 'warning_low' }), '1x15'],
    ],
    eval: '12m',
    fire: [{ severity: 'warning', labels: { router: 'r1', device: 'eth1' }, value: '6.00' }],
  },
  {
    alert: 'OpticsTxPowerOutOfRange',
    name: 'TX at 2.5 dBm',
    series: [
      [sel('openwrt_optics_tx_power_dbm', { device: 'eth1' }), '2.5x15'],
      [sel('openwrt_optics_threshold', { device: 'eth1', reading: 'tx_power_dbm', level: 'warning_high' }), '4.5x15'],
      [sel('openwrt_optics_threshold', { device: 'eth1', reading: 'tx_power_dbm', level: 'warning_low' }), '1x15'],
    ],
    eval: '12m',
    fire: [],
  },

  {
    alert: 'NewClientSeen',
    name: 'a MAC first seen in the last hour',
    interval: '1h',
    hourly: true,
    series: [
      [sel('routerscope_build_info', { version: '0.1.0', revision: 'x', nodeversion: 'v20' }), '1x48'],
      [sel('openwrt_client_info', { mac: '02:00:00:00:00:01', ip: '192.168.1.10', hostname: 'tv' }), '1x48'],
      [sel('openwrt_client_info', { mac: '02:00:00:00:00:99', ip: '192.168.1.99', hostname: '' }), '_x47 1'],
    ],
    eval: '47h',
    fire: [{ severity: 'info', labels: { router: 'r1', mac: '02:00:00:00:00:99' } }],
  },
  {
    alert: 'NewClientSeen',
    name: 'the first day after install',
    interval: '1h',
    hourly: true,
    series: [
      [sel('routerscope_build_info', { version: '0.1.0', revision: 'x', nodeversion: 'v20' }), '_x10 1x5'],
      [sel('openwrt_client_info', { mac: '02:00:00:00:00:99', ip: '192.168.1.99', hostname: '' }), '_x14 1'],
    ],
    eval: '14h',
    fire: [],
  },
  {
    // Hourly: the client's recorded 5-minute rate itself (a week of per-minute counters is too
    // slow to evaluate): eight days at 17 B/s, then 6.7 MB/s.
    alert: 'ClientBandwidthAboveBaseline',
    name: 'eight days at 17 B/s, then 6.7 MB/s',
    interval: '1h',
    hourly: true,
    series: [[sel('router_mac:openwrt_client_receive_bytes:rate5m', { mac: '02:00:00:00:00:05' }), '17x192 6666666x3']],
    eval: '195h',
    fire: [{ severity: 'info', labels: { ...R, mac: '02:00:00:00:00:05' }, value: '6.358Mi' }],
  },
  {
    alert: 'ClientBandwidthAboveBaseline',
    name: 'a client first seen two days ago, then 6.7 MB/s (no week of history)',
    interval: '1h',
    hourly: true,
    series: [[sel('router_mac:openwrt_client_receive_bytes:rate5m', { mac: '02:00:00:00:00:05' }), '_x144 17x48 6666666x3']],
    eval: '195h',
    fire: [],
  },
  {
    alert: 'ClientBandwidthAboveBaseline',
    name: 'eight days at 17 B/s, then a 4K stream at 3.3 MB/s (below the 40 Mbit/s margin)',
    interval: '1h',
    hourly: true,
    series: [[sel('router_mac:openwrt_client_receive_bytes:rate5m', { mac: '02:00:00:00:00:05' }), '17x192 3333333x3']],
    eval: '195h',
    fire: [],
  },
  {
    alert: 'ClientBandwidthAboveBaseline',
    name: 'a steady 6.7 MB/s for eight days',
    interval: '1h',
    hourly: true,
    series: [[sel('router_mac:openwrt_client_receive_bytes:rate5m', { mac: '02:00:00:00:00:05' }), '6666666x195']],
    eval: '195h',
    fire: [],
  },
  {
    // node_time_seconds as the exporter reports it: the router's clock at the scrape's time.
    alert: 'RouterClockSkew',
    name: 'a router that boots with its build date and never reaches NTP (a day behind)',
    series: [[sel('node_time_seconds'), '-86400+60x20']],
    eval: '15m',
    fire: [{ severity: 'warning', labels: R, value: '1d 0h 0m 0s' }],
  },
  {
    alert: 'RouterClockSkew',
    name: 'a synchronised clock, read half a second into the scrape',
    series: [[sel('node_time_seconds'), '0.5+60x20']],
    eval: '15m',
    fire: [],
  },
  {
    alert: 'WifiRadioDown',
    name: 'radio1 enabled but down for 10 minutes',
    series: [
      [sel('openwrt_wifi_radio_up', { device: 'radio1' }), '1 0x10'],
      [sel('openwrt_wifi_radio_disabled', { device: 'radio1' }), '0x10'],
    ],
    eval: '10m',
    fire: [{ severity: 'warning', labels: { ...R, device: 'radio1' } }],
  },
  {
    alert: 'WifiRadioDown',
    name: 'radio1 switched off in the wireless config',
    series: [
      [sel('openwrt_wifi_radio_up', { device: 'radio1' }), '0x10'],
      [sel('openwrt_wifi_radio_disabled', { device: 'radio1' }), '1x10'],
    ],
    eval: '10m',
    fire: [],
  },
];

interface Rule {
  alert?: string;
  labels?: { severity?: string };
  annotations?: Record<string, string>;
}

/** Renders a rule's annotation templates for a firing alert: labels, and the case's value text. */
function render(template: string, labels: Record<string, string>, value: string | undefined): string {
  return template
    .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, l: string) => labels[l] ?? '')
    .replace(/\{\{ \$value[^}]*\}\}/g, () => {
      if (value === undefined) throw new Error(`a case for a template with $value needs a value: ${template}`);
      return value;
    });
}

/** The promtool test files: alerts_test.yml (evaluated every minute) and alerts_daily_test.yml (hourly). */
export function buildTestFiles(rulesFile: string): Record<string, string> {
  const rules = (parse(readFileSync(rulesFile, 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules);
  const alerts = new Set(rules.map((r) => r.alert).filter(Boolean));
  for (const alert of alerts) {
    const cases = CASES.filter((c) => c.alert === alert);
    if (!cases.some((c) => c.fire.length > 0) || (alert !== 'Watchdog' && !cases.some((c) => c.fire.length === 0)))
      throw new Error(`${alert} needs a firing and a silent case`);
  }
  const tests = (cases: Case[]) =>
    cases.map((c) => ({
      name: `${c.alert}: ${c.name}`,
      interval: c.interval ?? '1m',
      input_series: c.series.map(([series, values]) => ({ series, values })),
      alert_rule_test: [
        {
          eval_time: c.eval,
          alertname: c.alert,
          exp_alerts: c.fire.map((f) => {
            const rule = rules.find((r) => r.alert === c.alert && r.labels?.severity === f.severity);
            if (!rule) throw new Error(`no ${f.severity} rule ${c.alert}`);
            return {
              exp_labels: { ...f.labels, severity: f.severity },
              exp_annotations: Object.fromEntries(
                Object.entries(rule.annotations ?? {}).map(([k, t]) => [k, render(t, f.labels, f.value)]),
              ),
            };
          }),
        },
      ],
    }));
  const file = (evaluation: string, cases: Case[]) =>
    '# Generated by prometheus/tests/alert-cases.ts (npm run rules:tests); edit the cases there.\n' +
    stringify(
      { rule_files: ['../rules/recording.yml', '../rules/alerts.yml'], evaluation_interval: evaluation, tests: tests(cases) },
      { lineWidth: 0 },
    );
  return {
    'alerts_test.yml': file(
      '1m',
      CASES.filter((c) => !c.hourly),
    ),
    'alerts_daily_test.yml': file(
      '1h',
      CASES.filter((c) => c.hourly),
    ),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = path.dirname(fileURLToPath(import.meta.url));
  for (const [name, content] of Object.entries(buildTestFiles(path.join(dir, '..', 'rules', 'alerts.yml'))))
    writeFileSync(path.join(dir, name), content);
}
