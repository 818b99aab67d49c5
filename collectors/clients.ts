// Who is who: DHCP leases (dnsmasq), odhcpd's state file, static hosts from UCI dhcp and the
// neighbour table, joined by MAC into one info series per MAC and address.
import * as z from 'zod/mini';
import { defineCollector } from '../exporter/collector.ts';
import { parseJson, ParseError } from '../exporter/errors.ts';
import { readOptional } from './read.ts';
import { readUci } from '../openwrt/uci.ts';

export interface Lease {
  readonly expiry: number;
  readonly mac: string | undefined;
  readonly ip: string;
  readonly hostname: string | undefined;
}

/** dnsmasq's lease file: `<expiry> <mac> <ip> <name|*> <client-id|*>`, then `duid` and IPv6 leases. */
export function parseDnsmasqLeases(text: string): Lease[] {
  const leases: Lease[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4 || !/^\d+$/.test(f[0]!)) continue; // duid, agent-info and blank lines
    const ipv6 = f[2]!.includes(':');
    // IPv4: a MAC (with a hardware type prefix when not Ethernet); IPv6: an IAID (T-prefixed if temporary).
    const mac = ipv6 ? undefined : f[1]!.replace(/^[0-9a-f]{2}-/, '').toLowerCase();
    leases.push({
      expiry: Number(f[0]),
      mac: mac && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(mac) ? mac : undefined,
      ip: f[2]!,
      hostname: f[3] === '*' ? undefined : f[3],
    });
  }
  return leases;
}

/** odhcpd's state file: `# <iface> <duid|mac> <iaid|ipv4> <name|-> <valid-until> ... <addr>/<len>...`. */
export function parseOdhcpdLeases(text: string): Lease[] {
  const leases: Lease[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('# ')) continue;
    const f = line.slice(2).trim().split(/\s+/);
    if (f.length < 8) continue;
    const hostname =
      f[3] === '-' || f[3]!.startsWith('broken')
        ? undefined
        : f[3]!.replace(/\\x([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    const mac = f[2] === 'ipv4' ? f[1]!.toLowerCase() : undefined;
    for (const addr of f.slice(7)) leases.push({ expiry: Number(f[4]), mac, ip: addr.split('/')[0]!, hostname });
  }
  return leases;
}

export interface Neighbour {
  readonly ip: string;
  readonly mac: string;
  readonly device: string;
  readonly state: string;
}

/** `ip -j neigh show`: FAILED and INCOMPLETE entries have no lladdr and are skipped. */
export function parseNeighbours(text: string): Neighbour[] {
  const rows = parseJson<unknown>('ip -j neigh show', text || '[]');
  if (!Array.isArray(rows)) throw new ParseError('ip -j neigh show', 'expected a JSON array');
  return rows
    .filter((r: Record<string, unknown>) => typeof r.lladdr === 'string' && typeof r.dst === 'string')
    .map((r: Record<string, unknown>) => ({
      ip: r.dst as string,
      mac: (r.lladdr as string).toLowerCase(),
      device: typeof r.dev === 'string' ? r.dev : '',
      state: ((r.state as string[] | undefined) ?? [''])[0]!,
    }));
}

const PRESENT = new Set(['REACHABLE', 'STALE', 'DELAY', 'PROBE', 'PERMANENT']);

export interface Client {
  readonly mac: string;
  hostname: string;
  readonly ips: Set<string>;
  up: boolean;
}

/** Joins the sources by MAC; IPv6 leases find their MAC through the neighbour table. */
export function joinClients(
  leases: readonly Lease[],
  statics: readonly { mac: string; ip?: string; name?: string }[],
  neighbours: readonly Neighbour[],
  lanDevices: ReadonlySet<string>,
): Map<string, Client> {
  const clients = new Map<string, Client>();
  const client = (mac: string) => clients.get(mac) ?? clients.set(mac, { mac, hostname: '', ips: new Set(), up: false }).get(mac)!;
  const macOf = new Map(neighbours.map((n) => [n.ip, n.mac]));
  for (const n of neighbours) {
    // Only the LAN side: the WAN's gateway is a neighbour too, but not a client.
    if (lanDevices.size > 0 && !lanDevices.has(n.device)) continue;
    if (n.ip.startsWith('fe80:')) continue;
    const c = client(n.mac);
    c.ips.add(n.ip);
    if (PRESENT.has(n.state)) c.up = true;
  }
  for (const l of leases) {
    const mac = l.mac ?? macOf.get(l.ip);
    if (!mac) continue;
    const c = client(mac);
    c.ips.add(l.ip);
    if (l.hostname && !c.hostname) c.hostname = l.hostname;
  }
  // Static hosts name the client whatever name its DHCP request carried.
  for (const s of statics) {
    const c = client(s.mac);
    if (s.ip) c.ips.add(s.ip);
    if (s.name) c.hostname = s.name;
  }
  return clients;
}

export const clients = defineCollector({
  name: 'clients',
  defaultEnabled: true,
  description: 'who is who: DHCP leases, static hosts and the neighbour table, joined by MAC',
  options: {
    lease_file: z._default(z.string(), '/tmp/dhcp.leases'),
    odhcpd_file: z._default(z.string(), '/tmp/hosts/odhcpd'),
    /** Devices whose neighbours are clients (the LAN bridge); empty for all. */
    lan_devices: z._default(z.array(z.string()), ['br-lan']),
  },
  create: (options, env) => ({
    async collect(ctx, out) {
      const [leaseText, odhcpdText, dhcp, neigh] = await Promise.all([
        readOptional(ctx, options.lease_file),
        readOptional(ctx, options.odhcpd_file),
        readUci(ctx, 'dhcp'),
        ctx.sources.run('ip', ['-j', 'neigh', 'show'], { signal: ctx.signal }).then((r) => r.stdout),
      ]);
      const leases = [...parseDnsmasqLeases(leaseText ?? ''), ...parseOdhcpdLeases(odhcpdText ?? '')];
      const statics = [...dhcp.values()]
        .filter((s) => s.type === 'host')
        .flatMap((s) =>
          (s.options.get('mac') ?? [])
            .flatMap((m) => m.split(/\s+/))
            .map((mac) => ({ mac: mac.toLowerCase(), ip: s.options.get('ip')?.[0], name: s.options.get('name')?.[0] })),
        );
      const joined = joinClients(leases, statics, parseNeighbours(neigh), new Set(options.lan_devices));

      out.gauge('openwrt_dhcp_leases', 'Active DHCP leases (dnsmasq IPv4 and IPv6, odhcpd).', {}, leases.length);
      const up = new Map<string, number>();
      for (const c of [...joined.values()].sort((a, b) => (a.mac < b.mac ? -1 : 1))) {
        const mac = env.identities.mac(c.mac);
        const hostname = env.identities.hostname(c.hostname);
        for (const ip of [...c.ips].sort()) {
          out.gauge(
            'openwrt_client_info',
            'A client, one series per MAC and address, with its host name; value 1.',
            { mac, ip, hostname },
            1,
          );
        }
        up.set(mac, Math.max(up.get(mac) ?? 0, c.up ? 1 : 0));
      }
      for (const [mac, value] of up)
        out.gauge('openwrt_client_up', 'Whether the client is in the neighbour table as reachable or stale.', { mac }, value);
    },
  }),
});
