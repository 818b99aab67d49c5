// Logical interfaces as netifd and OpenMPTCProuter see them: state, addressing, roles, WAN policy
// and the OMR tracker's verdicts. One `ubus` call and three `uci show` reads per scrape, shared
// with the other collectors that need them; never `ubus call openmptcprouter status`, which
// pings, resolves and even writes UCI.
import { z } from 'zod';
import { defineCollector, type CollectContext } from '../exporter/collector.ts';
import { parseJson, ParseError } from '../exporter/errors.ts';
import type { MetricSink } from '../exporter/metrics.ts';
import { readUci, uciOption, type UciConfig } from './uci.ts';

export interface NetifdAddress {
  readonly address: string;
  readonly mask: number;
  readonly ptpaddress?: string;
}
export interface NetifdRoute {
  readonly target: string;
  readonly mask: number;
  readonly nexthop: string;
  readonly metric?: number;
  readonly table?: number;
}
export interface NetifdInterface {
  readonly interface: string;
  readonly up: boolean;
  readonly pending: boolean;
  readonly available: boolean;
  readonly autostart: boolean;
  readonly dynamic: boolean;
  readonly uptime?: number;
  readonly l3_device?: string;
  readonly proto?: string;
  readonly device?: string;
  readonly 'ipv4-address'?: NetifdAddress[];
  readonly 'ipv6-address'?: NetifdAddress[];
  readonly route?: NetifdRoute[];
  readonly 'dns-server'?: string[];
  readonly errors?: Array<{ subsystem: string; code: string }>;
}

export const INTERFACE_DUMP = ['-S', 'call', 'network.interface', 'dump'] as const;

/** `ubus call network.interface dump`: every field after `dynamic` is optional. */
export function parseInterfaceDump(text: string): NetifdInterface[] {
  const source = 'ubus call network.interface dump';
  const doc = parseJson<{ interface?: unknown }>(source, text);
  if (!doc || !Array.isArray(doc.interface)) throw new ParseError(source, 'no "interface" array');
  return doc.interface.map((entry: unknown, i) => {
    const e = entry as Record<string, unknown>;
    if (typeof e?.interface !== 'string' || typeof e.up !== 'boolean') {
      throw new ParseError(source, `entry ${i} has no interface name or up flag`);
    }
    return e as unknown as NetifdInterface;
  });
}

/** Reads the dump through the seam; collectors that need it share the one call per scrape. */
export async function readInterfaceDump(ctx: CollectContext): Promise<NetifdInterface[]> {
  const { stdout } = await ctx.sources.run('ubus', [...INTERFACE_DUMP], { signal: ctx.signal });
  return parseInterfaceDump(stdout);
}

export type Role = 'wan' | 'lan' | 'vpn' | 'wifi' | 'other';
const VPN_PROTOS = new Set(['wireguard', 'openvpn', 'vpnc', 'openconnect', 'zerotier', 'tailscale']);
const VPN_DEVICE = /^(tun|tap|wg|mlvpn|ipsec|gt-|tailscale|zt)/;
const WIFI_DEVICE = /^(phy\d+-|wlan|ath\d|ra\d)/;

/** Groups interfaces as a dashboard would: tunnels, then firewall zones, then multipath, then names. */
export function interfaceRole(iface: NetifdInterface, network: UciConfig, firewall: UciConfig): Role {
  const device = iface.l3_device ?? iface.device ?? uciOption(network.get(iface.interface), 'device') ?? '';
  if (device === 'lo' || iface.interface === 'loopback') return 'other';
  if (VPN_PROTOS.has(iface.proto ?? '') || VPN_DEVICE.test(device)) return 'vpn';
  for (const zone of firewall.values()) {
    if (zone.type !== 'zone' || !(zone.options.get('network') ?? []).includes(iface.interface)) continue;
    const name = uciOption(zone, 'name');
    if (name === 'wan' || uciOption(zone, 'masq') === '1') return 'wan';
    if (name === 'lan') return 'lan';
  }
  const multipath = uciOption(network.get(iface.interface), 'multipath');
  if (multipath && multipath !== 'off') return 'wan';
  if (WIFI_DEVICE.test(device)) return 'wifi';
  if (/^lan/.test(iface.interface)) return 'lan';
  if (/^(wan|wwan)/.test(iface.interface)) return 'wan';
  return 'other';
}

export const POLICIES = ['primary', 'bonded', 'standby', 'disabled'] as const;
export type Policy = (typeof POLICIES)[number];

/** OMR's `multipath` values as the four policies users drag WANs between. */
export function wanPolicy(multipath: string | undefined, disabled: string | undefined): Policy {
  if (disabled === '1') return 'disabled';
  switch (multipath) {
    case 'master':
      return 'primary';
    case 'on':
      return 'bonded';
    case 'backup':
    case 'handover':
      return 'standby';
    default:
      return 'disabled';
  }
}

function emitInterface(out: MetricSink, iface: NetifdInterface, role: Role, maxRoutes: number): void {
  const labels = { interface: iface.interface };
  const bool = (name: string, help: string, v: boolean) => out.gauge(`openwrt_interface_${name}`, help, labels, v ? 1 : 0);
  bool('up', 'Whether netifd reports the logical interface up.', iface.up);
  bool('pending', 'Whether the interface is being set up (protocol still connecting).', iface.pending);
  bool('available', 'Whether the interface\'s device is present.', iface.available);
  bool('autostart', 'Whether netifd brings the interface up by itself (false after ifdown).', iface.autostart);
  if (iface.up && typeof iface.uptime === 'number') {
    out.gauge('openwrt_interface_uptime_seconds', 'Seconds since the interface went up.', labels, iface.uptime);
  }
  out.gauge('openwrt_interface_info', 'Logical interface, its devices, protocol and role; value 1.', {
    interface: iface.interface,
    device: iface.device ?? '',
    l3_device: iface.l3_device ?? '',
    proto: iface.proto ?? '',
    role,
  }, 1);
  for (const [family, list] of [['ipv4', iface['ipv4-address']], ['ipv6', iface['ipv6-address']]] as const) {
    for (const a of list ?? []) {
      out.gauge('openwrt_interface_address_info', 'Address of a logical interface; value 1.', {
        interface: iface.interface, family, address: a.address, prefix_length: String(a.mask),
      }, 1);
    }
  }
  for (const server of iface['dns-server'] ?? []) {
    out.gauge('openwrt_interface_dns_server_info', 'DNS server learned on a logical interface; value 1.', { interface: iface.interface, server }, 1);
  }
  for (const route of (iface.route ?? []).slice(0, maxRoutes)) {
    const destination = `${route.target}/${route.mask}`;
    out.gauge('openwrt_interface_route_info', 'Route installed by netifd for a logical interface; value 1.', {
      interface: iface.interface,
      destination,
      gateway: route.nexthop,
      device: iface.l3_device ?? '',
      metric: String(route.metric ?? 0),
      table: route.table === undefined ? 'main' : String(route.table),
    }, 1);
    if (route.mask === 0) {
      out.gauge('openwrt_interface_gateway_info', 'Default gateway of a logical interface; value 1.', {
        interface: iface.interface, family: route.target.includes(':') ? 'ipv6' : 'ipv4', gateway: route.nexthop,
      }, 1);
    }
  }
  for (const e of iface.errors ?? []) {
    out.gauge('openwrt_interface_error', 'An error netifd reports for the interface (e.g. NO_DEVICE, AUTH_TOPEER_FAILED); value 1.', {
      interface: iface.interface, subsystem: e.subsystem, code: e.code,
    }, 1);
  }
}

function emitOmr(out: MetricSink, omr: UciConfig, wans: ReadonlySet<string>): void {
  for (const section of omr.values()) {
    const labels = { interface: section.name };
    if (section.type === 'interface' && wans.has(section.name)) {
      const state = uciOption(section, 'state');
      if (state === 'up' || state === 'down') {
        out.gauge('openwrt_omr_wan_up', 'OMR tracker verdict for the WAN: 1 up, 0 down.', labels, state === 'up' ? 1 : 0);
      }
      const latency = Number(uciOption(section, 'latency'));
      if (uciOption(section, 'latency') !== undefined && Number.isFinite(latency)) {
        out.gauge('openwrt_omr_wan_latency_seconds', 'Last latency the OMR tracker measured through the WAN.', labels, latency / 1000);
      }
      const lastCheck = Number(uciOption(section, 'lc'));
      if (Number.isFinite(lastCheck) && lastCheck > 0) {
        out.gauge('openwrt_omr_wan_last_check_timestamp_seconds', 'When the OMR tracker last refreshed the WAN\'s status and public IP.', labels, lastCheck);
      }
      out.gauge('openwrt_omr_wan_info', 'Public IP, AS and MPTCP check result of the WAN as OMR last saw them; value 1.', {
        interface: section.name,
        public_ip: uciOption(section, 'publicip') ?? '',
        asn: uciOption(section, 'asn') ?? '',
        mptcp_status: uciOption(section, 'mptcp_status') ?? '',
      }, 1);
    } else if (section.type === 'server') {
      const current = uciOption(section, 'current') === '1';
      for (const address of section.options.get('ip') ?? []) {
        out.gauge('openwrt_omr_server_info', 'An address of an OMR VPS; value 1.', { server: section.name, address, current: current ? 'true' : 'false' }, 1);
      }
    } else if (section.name === 'settings') {
      out.gauge('openwrt_omr_settings_info', 'How OMR picks the master WAN (change, dynamic, static, balancing); value 1.', { master: uciOption(section, 'master') ?? '' }, 1);
    } else if (section.name === 'omr') {
      const vpn = uciOption(section, 'vpn');
      if (vpn) out.gauge('openwrt_omr_vpn_up', 'OMR\'s verdict on the VPN to the VPS: 1 up, 0 down.', {}, vpn === 'up' ? 1 : 0);
    }
  }
}

export const wan = defineCollector({
  name: 'wan',
  defaultEnabled: true,
  description: 'logical interfaces from netifd, WAN roles and policies from UCI, OMR tracker state',
  options: {
    /** Routes per interface exported as info series; the rest are dropped. */
    max_routes_per_interface: z.number().int().min(0).max(1000).default(16),
  },
  create: (options) => ({
    async collect(ctx, out) {
      const [interfaces, network, firewall, omr] = await Promise.all([
        readInterfaceDump(ctx),
        readUci(ctx, 'network'),
        readUci(ctx, 'firewall'),
        readUci(ctx, 'openmptcprouter'),
      ]);
      const wans = new Set<string>();
      for (const iface of interfaces) {
        const role = interfaceRole(iface, network, firewall);
        emitInterface(out, iface, role, options.max_routes_per_interface);
        if (role !== 'wan') continue;
        wans.add(iface.interface);
        const section = network.get(iface.interface);
        const multipath = uciOption(section, 'multipath');
        if (multipath === undefined) continue;
        const policy = wanPolicy(multipath, uciOption(section, 'disabled'));
        for (const p of POLICIES) {
          out.gauge('openwrt_wan_policy', 'The WAN\'s policy (primary, bonded, standby, disabled); 1 for the current one.', { interface: iface.interface, policy: p }, p === policy ? 1 : 0);
        }
        out.gauge('openwrt_wan_multipath_info', 'The WAN\'s raw UCI multipath value (master, on, backup, off, handover); value 1.', { interface: iface.interface, multipath }, 1);
      }
      emitOmr(out, omr, wans);
    },
  }),
});
