// In-kernel MPTCP: endpoints and limits (`ip mptcp`), connections and subflows per device (`ss`),
// the MPTcpExt counters, and per WAN the mode OMR configured against the one in force.
import { defineCollector } from '../exporter/collector.ts';
import { ParseError } from '../exporter/errors.ts';
import { readOptional } from './read.ts';
import { uciOption } from '../openwrt/uci.ts';
import { interfaceRole, readNetworkView } from '../openwrt/netifd.ts';
import { effectiveMode, parseMptcpEndpoints, parseMptcpLimits, type EffectiveMode } from '../openwrt/mptcp.ts';

export interface SsMptcp {
  readonly connections: number;
  /** Local address (and the device when ss prints `addr%dev`) of each TCP subflow. */
  readonly subflows: ReadonlyArray<{ readonly address: string; readonly device: string | undefined }>;
}

function splitLocal(local: string): { address: string; device: string | undefined } {
  // `192.0.2.2:43684`, `198.51.100.2%eth2:51925`, `[2001:db8::2]:443`, `[2001:db8::2%eth1]:443`
  const host = local.slice(0, local.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  const pct = host.indexOf('%');
  return pct < 0 ? { address: host, device: undefined } : { address: host.slice(0, pct), device: host.slice(pct + 1) };
}

/**
 * `ss -tinM`: each subflow is a `tcp` row whose info line carries `tcp-ulp-mptcp`; each MPTCP
 * connection is an `mptcp` row.
 */
export function parseSsMptcp(text: string): SsMptcp {
  const lines = text.split('\n');
  // `ss -M` alone lists only MPTCP sockets, without the Netid column.
  const onlyMptcp = (lines[0] ?? '').startsWith('State');
  let connections = 0;
  const subflows: Array<{ address: string; device: string | undefined }> = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('mptcp') || (onlyMptcp && i > 0 && /^[A-Z]/.test(line))) {
      connections++;
    } else if (line.startsWith('tcp') && (lines[i + 1] ?? '').includes('tcp-ulp-mptcp')) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 6) throw new ParseError('ss -tinM', `short row "${line.trim()}"`);
      subflows.push(splitLocal(fields[4]!));
    }
  }
  return { connections, subflows };
}

/** One protocol's counters from `/proc/net/netstat`: a header line of names, then values. */
export function parseNetstat(text: string, protocol: string): Map<string, number> {
  const lines = text.split('\n').filter((l) => l.startsWith(`${protocol}:`));
  if (lines.length === 0) return new Map();
  if (lines.length !== 2) throw new ParseError('/proc/net/netstat', `expected a header and a value line for ${protocol}`);
  const names = lines[0]!.split(/\s+/).slice(1).filter(Boolean);
  const values = lines[1]!.split(/\s+/).slice(1).filter(Boolean).map(Number);
  if (names.length !== values.length || values.some((v) => !Number.isFinite(v))) {
    throw new ParseError('/proc/net/netstat', `${protocol}: ${names.length} names but ${values.length} values`);
  }
  return new Map(names.map((n, i) => [n, values[i]!]));
}

const CONFIGURED = ['master', 'on', 'backup', 'off', 'handover'] as const;
const EFFECTIVE: readonly EffectiveMode[] = ['on', 'backup', 'signal', 'off'];
/** What the kernel shows for each configured mode: OMR logs master as on. */
const EXPECTED: Record<string, EffectiveMode> = { master: 'on', on: 'on', backup: 'backup', handover: 'backup', off: 'off' };

export const mptcp = defineCollector({
  name: 'mptcp',
  defaultEnabled: true,
  description: 'MPTCP endpoints, limits, subflows per device, configured against effective mode, MPTcpExt counters',
  options: {},
  create: () => ({
    async collect(ctx, out) {
      if ((await readOptional(ctx, '/proc/sys/net/mptcp/enabled')) === undefined) {
        ctx.log.debug('kernel without MPTCP; nothing to report');
        return;
      }
      const run = (args: string[]) => ctx.sources.run(args[0]!, args.slice(1), { signal: ctx.signal }).then((r) => r.stdout);
      const [endpointText, limitText, ssText, netstat, { interfaces, network, firewall }] = await Promise.all([
        run(['ip', '-j', 'mptcp', 'endpoint', 'show']),
        run(['ip', 'mptcp', 'limits', 'show']),
        run(['ss', '-tinM']),
        ctx.sources.readFile('/proc/net/netstat', { signal: ctx.signal }),
        readNetworkView(ctx),
      ]);
      const endpoints = parseMptcpEndpoints(endpointText);
      const limits = parseMptcpLimits(limitText);
      const ss = parseSsMptcp(ssText);
      const counters = parseNetstat(netstat, 'MPTcpExt');

      for (const e of endpoints) {
        out.gauge(
          'openwrt_mptcp_endpoint_info',
          'An in-kernel MPTCP endpoint; value 1.',
          { id: String(e.id), address: e.address, device: e.device, flags: e.flags.join(',') },
          1,
        );
      }
      for (const [name, value] of limits) {
        out.gauge(`openwrt_mptcp_limit_${name}`, `MPTCP path manager limit ${name}.`, {}, value);
      }
      out.gauge('openwrt_mptcp_connections', 'Established MPTCP connections.', {}, ss.connections);

      // Subflows by device: ss names the device only for joined subflows, the endpoints map the rest.
      const deviceOf = new Map(endpoints.filter((e) => e.device).map((e) => [e.address, e.device]));
      for (const iface of interfaces) {
        for (const a of [...(iface['ipv4-address'] ?? []), ...(iface['ipv6-address'] ?? [])]) {
          if (iface.l3_device && !deviceOf.has(a.address)) deviceOf.set(a.address, iface.l3_device);
        }
      }
      const perDevice = new Map<string, number>();
      for (const e of endpoints) if (e.device) perDevice.set(e.device, 0);
      for (const s of ss.subflows) {
        const device = s.device ?? deviceOf.get(s.address) ?? '';
        perDevice.set(device, (perDevice.get(device) ?? 0) + 1);
      }
      for (const [device, n] of perDevice) {
        out.gauge('openwrt_mptcp_subflows', 'TCP subflows of MPTCP connections, by the local device they leave on.', { device }, n);
      }

      for (const iface of interfaces) {
        const configured = uciOption(network.get(iface.interface), 'multipath');
        if (configured === undefined || interfaceRole(iface, network, firewall) !== 'wan') continue;
        const device = iface.l3_device ?? iface.device ?? '';
        const effective = effectiveMode(endpoints, device);
        const labels = { interface: iface.interface, device };
        for (const mode of CONFIGURED) {
          out.gauge(
            'openwrt_mptcp_configured_mode',
            'MPTCP mode configured in UCI network.<if>.multipath; 1 for the current one.',
            { ...labels, mode },
            mode === configured ? 1 : 0,
          );
        }
        for (const mode of EFFECTIVE) {
          out.gauge(
            'openwrt_mptcp_effective_mode',
            "MPTCP mode in force from the kernel's endpoints; 1 for the current one.",
            { ...labels, mode },
            mode === effective ? 1 : 0,
          );
        }
        out.gauge(
          'openwrt_mptcp_mode_mismatch',
          'Whether the mode in force differs from the configured one (e.g. a WAN the tracker took down).',
          labels,
          EXPECTED[configured] === effective ? 0 : 1,
        );
      }
      for (const [name, value] of counters) {
        out.family(`node_netstat_MPTcpExt_${name}`, 'untyped', `Statistic MPTcpExt${name}.`).add({}, value);
      }
    },
  }),
});
