// What an OpenWrt router is, as netifd and UCI describe it: the interface dump, each interface's
// role, WAN policy in both directions, and WAN groups (a WAN and its IPv6 companion on one device).
// Collectors, the admin listener and the rules' expectations share this one model; it imports
// nothing from the collectors.
import type { CollectContext } from '../exporter/collector.ts';
import { parseJson, ParseError } from '../exporter/errors.ts';
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
  /** A source-specific route's source prefix (odhcp6c's default routes per prefix). */
  readonly source?: string;
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
    // eslint-disable-next-line no-restricted-syntax -- the two fields every entry has are checked above; netifd omits the others when they do not apply
    return e as unknown as NetifdInterface;
  });
}

/** Reads the dump through the seam; collectors that need it share the one call per scrape. */
export async function readInterfaceDump(ctx: Pick<CollectContext, 'sources' | 'signal'>): Promise<NetifdInterface[]> {
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

/** The netifd dump and the two UCI configs that say what each interface is for. */
/** OMR's multipath value for each policy; `disabled` also sets network.<wan>.disabled=1. */
export const MULTIPATH: Record<Policy, string> = { primary: 'master', bonded: 'on', standby: 'backup', disabled: 'off' };

/** The WAN interfaces in UCI: firewall wan zone members, or interfaces with multipath set. */
export function wanNames(network: UciConfig, firewall: UciConfig): string[] {
  return [...network.values()]
    .filter((s) => s.type === 'interface')
    .filter(
      (s) =>
        interfaceRole(
          {
            interface: s.name,
            up: false,
            pending: false,
            available: false,
            autostart: false,
            dynamic: false,
            proto: uciOption(s, 'proto'),
            device: uciOption(s, 'device'),
          },
          network,
          firewall,
        ) === 'wan',
    )
    .map((s) => s.name)
    .sort();
}

export interface NetworkView {
  readonly interfaces: readonly NetifdInterface[];
  readonly network: UciConfig;
  readonly firewall: UciConfig;
}

/** One read of the network view; collectors sharing a scrape share its commands. */
export async function readNetworkView(ctx: Pick<CollectContext, 'sources' | 'signal'>): Promise<NetworkView> {
  const [interfaces, network, firewall] = await Promise.all([readInterfaceDump(ctx), readUci(ctx, 'network'), readUci(ctx, 'firewall')]);
  return { interfaces, network, firewall };
}

// Protocols that carry only IPv6: an interface of these is a WAN's IPv6 side, never a WAN alone.
const IPV6_PROTOS = new Set(['dhcpv6', '6in4', '6to4', '6rd', 'dslite', 'map']);
export const isIpv6Proto = (proto: string | undefined) => IPV6_PROTOS.has(proto ?? '');

/**
 * A WAN as a user sees it: one uplink with the logical interfaces netifd runs on it (`wan` and
 * `wan6` on one device, `wan6` on `@wan`, PPPoE's `pppoe-wan` under both). Named after its IPv4
 * interface; `device` is the one layer-3 device its traffic is counted on, if it has one now.
 */
export interface WanGroup {
  readonly name: string;
  readonly members: readonly NetifdInterface[];
  readonly primary: NetifdInterface;
  readonly device: string | undefined;
}

/**
 * Groups the WAN-role interfaces: two are one WAN when one is an alias of the other (`@wan`) or
 * they share a device (netifd's `device` or `l3_device`). Each layer-3 device belongs to at most
 * one group, so every join from a device to a WAN is one-to-one by construction.
 */
export function wanGroups(view: NetworkView): WanGroup[] {
  const wans = view.interfaces.filter((i) => interfaceRole(i, view.network, view.firewall) === 'wan');
  const parent = new Map(wans.map((w) => [w.interface, w.interface]));
  const find = (n: string): string => {
    let p = parent.get(n) ?? n;
    while (p !== (parent.get(p) ?? p)) p = parent.get(p)!;
    return p;
  };
  const union = (a: string, b: string) => {
    const [ra, rb] = [find(a), find(b)];
    if (ra !== rb) parent.set(rb, ra);
  };
  const byDevice = new Map<string, string>();
  for (const w of wans) {
    const alias = uciOption(view.network.get(w.interface), 'device');
    if (alias?.startsWith('@') && parent.has(alias.slice(1))) union(alias.slice(1), w.interface);
    for (const d of [w.device, w.l3_device]) {
      if (!d) continue;
      const other = byDevice.get(d);
      if (other) union(other, w.interface);
      else byDevice.set(d, w.interface);
    }
  }
  const groups = new Map<string, NetifdInterface[]>();
  for (const w of wans) groups.set(find(w.interface), [...(groups.get(find(w.interface)) ?? []), w]);
  const result: WanGroup[] = [];
  const claimed = new Set<string>();
  for (const members of groups.values()) {
    // The IPv4 interface names the WAN; only IPv6 interfaces (a tunnel alone): the first.
    const primary = members.find((m) => !isIpv6Proto(m.proto)) ?? members[0]!;
    const device = [primary, ...members].map((m) => m.l3_device).find((d) => d !== undefined && d !== '' && !claimed.has(d));
    if (device) claimed.add(device);
    result.push({ name: primary.interface, members, primary, device });
  }
  return result.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
