// Logical interfaces as netifd and OpenMPTCProuter see them: state, addressing, roles, WAN policy
// and the OMR tracker's verdicts. One `ubus` call and three `uci show` reads per scrape, shared
// with the other collectors that need them; never `ubus call openmptcprouter status`, which
// pings, resolves and even writes UCI.
import * as z from 'zod/mini';
import { defineCollector } from '../exporter/collector.ts';
import type { MetricSink } from '../exporter/metrics.ts';
import {
  interfaceRole,
  isIpv6Proto,
  POLICIES,
  readNetworkView,
  wanGroups,
  wanPolicy,
  type NetifdInterface,
  type Role,
  type WanGroup,
} from '../openwrt/netifd.ts';
import { readUci, uciOption, type UciConfig } from '../openwrt/uci.ts';
function emitInterface(out: MetricSink, iface: NetifdInterface, role: Role, maxRoutes: number): void {
  const labels = { interface: iface.interface };
  const bool = (name: string, help: string, v: boolean) => out.gauge(`openwrt_interface_${name}`, help, labels, v ? 1 : 0);
  bool('up', 'Whether netifd reports the logical interface up.', iface.up);
  bool('pending', 'Whether the interface is being set up (protocol still connecting).', iface.pending);
  bool('available', "Whether the interface's device is present.", iface.available);
  bool('autostart', 'Whether netifd brings the interface up by itself (false after ifdown).', iface.autostart);
  if (iface.up && typeof iface.uptime === 'number') {
    out.gauge('openwrt_interface_uptime_seconds', 'Seconds since the interface went up.', labels, iface.uptime);
  }
  out.gauge(
    'openwrt_interface_info',
    'Logical interface, its devices, protocol and role; value 1.',
    {
      interface: iface.interface,
      device: iface.device ?? '',
      l3_device: iface.l3_device ?? '',
      proto: iface.proto ?? '',
      role,
    },
    1,
  );
  for (const [family, list] of [
    ['ipv4', iface['ipv4-address']],
    ['ipv6', iface['ipv6-address']],
  ] as const) {
    for (const a of list ?? []) {
      out.gauge(
        'openwrt_interface_address_info',
        'Address of a logical interface; value 1.',
        {
          interface: iface.interface,
          family,
          address: a.address,
          prefix_length: String(a.mask),
        },
        1,
      );
    }
  }
  // netifd lists a server once per source of it (pppd's two IPCP rounds give each twice).
  for (const server of new Set(iface['dns-server'] ?? [])) {
    out.gauge(
      'openwrt_interface_dns_server_info',
      'DNS server learned on a logical interface; value 1.',
      { interface: iface.interface, server },
      1,
    );
  }
  // odhcp6c installs the default route once per delegated or assigned prefix, as source-specific
  // routes: the source tells them apart, and the gateway is said once.
  const gateways = new Set<string>();
  for (const route of (iface.route ?? []).slice(0, maxRoutes)) {
    const destination = `${route.target}/${route.mask}`;
    out.gauge(
      'openwrt_interface_route_info',
      'Route installed by netifd for a logical interface; value 1.',
      {
        interface: iface.interface,
        destination,
        gateway: route.nexthop,
        device: iface.l3_device ?? '',
        metric: String(route.metric ?? 0),
        table: route.table === undefined ? 'main' : String(route.table),
        source: route.source ?? '',
      },
      1,
    );
    if (route.mask === 0 && !gateways.has(route.nexthop)) {
      gateways.add(route.nexthop);
      out.gauge(
        'openwrt_interface_gateway_info',
        'Default gateway of a logical interface; value 1.',
        {
          interface: iface.interface,
          family: route.target.includes(':') ? 'ipv6' : 'ipv4',
          gateway: route.nexthop,
        },
        1,
      );
    }
  }
  for (const e of iface.errors ?? []) {
    out.gauge(
      'openwrt_interface_error',
      'An error netifd reports for the interface (e.g. NO_DEVICE, AUTH_TOPEER_FAILED); value 1.',
      {
        interface: iface.interface,
        subsystem: e.subsystem,
        code: e.code,
      },
      1,
    );
  }
}

/**
 * Each WAN once, however many logical interfaces netifd runs on it: its layer-3 device (one series
 * per device, the join every traffic rule and panel makes), its members, and whether it is up,
 * which is its IPv4 interface's state: an IPv6 side that never came up (an ISP without IPv6) is
 * not a WAN outage.
 */
function emitWanGroups(out: MetricSink, groups: readonly WanGroup[]): void {
  for (const g of groups) {
    const labels = { interface: g.name };
    out.gauge(
      'openwrt_wan_up',
      'Whether the WAN is up: its IPv4 interface as netifd reports it (an IPv6 side that never came up does not count).',
      labels,
      g.primary.up ? 1 : 0,
    );
    if (g.device)
      out.gauge(
        'openwrt_wan_device_info',
        "The layer-3 device a WAN's traffic is counted on; exactly one WAN per device; value 1.",
        { interface: g.name, device: g.device },
        1,
      );
    for (const m of g.members) {
      out.gauge(
        'openwrt_wan_member_info',
        'A logical interface netifd runs on the WAN (its IPv4 and IPv6 sides); value 1.',
        {
          interface: g.name,
          member: m.interface,
          family: isIpv6Proto(m.proto) ? 'ipv6' : 'ipv4',
          up: m.up ? 'true' : 'false',
        },
        1,
      );
    }
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
        out.gauge(
          'openwrt_omr_wan_last_check_timestamp_seconds',
          "When the OMR tracker last refreshed the WAN's status and public IP.",
          labels,
          lastCheck,
        );
      }
      out.gauge(
        'openwrt_omr_wan_info',
        'Public IP, AS and MPTCP check result of the WAN as OMR last saw them; value 1.',
        {
          interface: section.name,
          public_ip: uciOption(section, 'publicip') ?? '',
          asn: uciOption(section, 'asn') ?? '',
          mptcp_status: uciOption(section, 'mptcp_status') ?? '',
        },
        1,
      );
    } else if (section.type === 'server') {
      const current = uciOption(section, 'current') === '1';
      for (const address of section.options.get('ip') ?? []) {
        out.gauge(
          'openwrt_omr_server_info',
          'An address of an OMR VPS; value 1.',
          { server: section.name, address, current: current ? 'true' : 'false' },
          1,
        );
      }
    } else if (section.name === 'settings') {
      out.gauge(
        'openwrt_omr_settings_info',
        'How OMR picks the master WAN (change, dynamic, static, balancing); value 1.',
        { master: uciOption(section, 'master') ?? '' },
        1,
      );
    } else if (section.name === 'omr') {
      const vpn = uciOption(section, 'vpn');
      if (vpn) out.gauge('openwrt_omr_vpn_up', "OMR's verdict on the VPN to the VPS: 1 up, 0 down.", {}, vpn === 'up' ? 1 : 0);
    }
  }
}

export const wan = defineCollector({
  name: 'wan',
  defaultEnabled: true,
  description: 'logical interfaces from netifd, WAN roles and policies from UCI, OMR tracker state',
  options: {
    /** Routes per interface exported as info series; the rest are dropped. */
    max_routes_per_interface: z._default(z.int().check(z.gte(0), z.lte(1000)), 16),
  },
  create: (options) => ({
    async collect(ctx, out) {
      const [view, omr] = await Promise.all([readNetworkView(ctx), readUci(ctx, 'openmptcprouter')]);
      const { interfaces, network, firewall } = view;
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
          out.gauge(
            'openwrt_wan_policy',
            "The WAN's policy (primary, bonded, standby, disabled); 1 for the current one.",
            { interface: iface.interface, policy: p },
            p === policy ? 1 : 0,
          );
        }
        out.gauge(
          'openwrt_wan_multipath_info',
          "The WAN's raw UCI multipath value (master, on, backup, off, handover); value 1.",
          { interface: iface.interface, multipath },
          1,
        );
      }
      emitWanGroups(out, wanGroups(view));
      emitOmr(out, omr, wans);
    },
  }),
});
