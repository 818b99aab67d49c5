// Tunnels: WireGuard peers from `wg show all dump` and OpenVPN status files. OMR's glorytun/tun0
// needs nothing here: its traffic is in netdev and the wan collector's openwrt_interface_info
// joins the `omrvpn` interface to its device with role "vpn".
import * as z from 'zod/mini';
import { defineCollector } from '../exporter/collector.ts';
import { ParseError, RouterscopeError } from '../exporter/errors.ts';
import { readDirOptional } from './read.ts';
import { parseWireguardDump } from '../openwrt/wireguard.ts';

export interface OpenvpnClient {
  readonly commonName: string;
  readonly realAddress: string;
  readonly virtualAddress: string;
  readonly receiveBytes: number;
  readonly transmitBytes: number;
  readonly connectedSince: number | undefined;
}
export interface OpenvpnStatus {
  readonly mode: 'server' | 'client';
  readonly updated: number | undefined;
  readonly clients: OpenvpnClient[];
  /** Client mode: `TUN/TAP read bytes` and the other STATISTICS lines. */
  readonly statistics: ReadonlyMap<string, number>;
}

/** `YYYY-MM-DD HH:MM:SS` in the router's local time, as status version 1 prints it. */
function localTime(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const t = new Date(text.replace(' ', 'T')).getTime();
  return Number.isFinite(t) ? t / 1000 : undefined;
}

/** OpenVPN status files, versions 1 (CSV), 2 (CSV with HEADER rows), 3 (TAB), and client mode. */
export function parseOpenvpnStatus(text: string): OpenvpnStatus {
  const lines = text
    .replace(/\r/g, '')
    .split('\n')
    .filter((l) => l !== '');
  const first = lines[0] ?? '';
  if (first === 'OpenVPN STATISTICS') {
    const statistics = new Map<string, number>();
    let updated: number | undefined;
    for (const line of lines.slice(1)) {
      const [key, value] = line.split(',');
      if (key === 'Updated') updated = localTime(value);
      else if (key !== 'END' && value !== undefined && Number.isFinite(Number(value))) statistics.set(key!, Number(value));
    }
    return { mode: 'client', updated, clients: [], statistics };
  }
  if (first === 'OpenVPN CLIENT LIST') {
    const clients: OpenvpnClient[] = [];
    let updated: number | undefined;
    let header: string[] | undefined;
    for (const line of lines.slice(1)) {
      if (line === 'ROUTING TABLE' || line === 'GLOBAL STATS' || line === 'END') break;
      const f = line.split(',');
      if (f[0] === 'Updated') updated = localTime(f[1]);
      else if (!header) header = f;
      else {
        const col = (name: string) => f[header!.indexOf(name)] ?? '';
        clients.push({
          commonName: col('Common Name'),
          realAddress: col('Real Address'),
          virtualAddress: '',
          receiveBytes: Number(col('Bytes Received')),
          transmitBytes: Number(col('Bytes Sent')),
          connectedSince: localTime(col('Connected Since')),
        });
      }
    }
    return { mode: 'server', updated, clients, statistics: new Map() };
  }
  const sep = first.startsWith('TITLE\t') ? '\t' : first.startsWith('TITLE,') ? ',' : undefined;
  if (!sep) throw new ParseError('openvpn status', `unknown status format (first line "${first.slice(0, 40)}")`);
  let updated: number | undefined;
  let header: string[] = [];
  const clients: OpenvpnClient[] = [];
  for (const line of lines) {
    const f = line.split(sep);
    if (f[0] === 'TIME') updated = Number(f[2]);
    else if (f[0] === 'HEADER' && f[1] === 'CLIENT_LIST') header = f.slice(1);
    else if (f[0] === 'CLIENT_LIST') {
      // Columns differ between 2.4, 2.5 and 2.6: find them by the HEADER row.
      const col = (name: string) => f[header.indexOf(name)] ?? '';
      clients.push({
        commonName: col('Common Name'),
        realAddress: col('Real Address'),
        virtualAddress: col('Virtual Address'),
        receiveBytes: Number(col('Bytes Received')),
        transmitBytes: Number(col('Bytes Sent')),
        connectedSince: col('Connected Since (time_t)') ? Number(col('Connected Since (time_t)')) : undefined,
      });
    }
  }
  return { mode: 'server', updated, clients, statistics: new Map() };
}

const CLIENT_STATISTICS: Record<string, string> = {
  'TUN/TAP read bytes': 'tuntap_read_bytes_total',
  'TUN/TAP write bytes': 'tuntap_write_bytes_total',
  'TCP/UDP read bytes': 'link_read_bytes_total',
  'TCP/UDP write bytes': 'link_write_bytes_total',
  'Auth read bytes': 'auth_read_bytes_total',
};

export const vpn = defineCollector({
  name: 'vpn',
  defaultEnabled: true,
  description: 'WireGuard peers (handshakes, traffic) and OpenVPN status files',
  options: {
    /** OpenVPN status files; by default every /var/run/openvpn.<name>.status (OpenWrt's naming). */
    openvpn_status_files: z.optional(
      z.array(z.strictObject({ name: z.string().check(z.minLength(1)), path: z.string().check(z.minLength(1)) })),
    ),
  },
  create: (options) => ({
    async collect(ctx, out) {
      let dump = '';
      try {
        dump = (await ctx.sources.run('wg', ['show', 'all', 'dump'], { signal: ctx.signal })).stdout;
      } catch (e) {
        if (!(e instanceof RouterscopeError && e.code === 'COMMAND_NOT_FOUND')) throw e;
        ctx.log.debug('no wg command: WireGuard is not installed');
      }
      const wg = parseWireguardDump(dump);
      for (const i of wg.interfaces) {
        out.gauge(
          'openwrt_wireguard_interface_info',
          'A WireGuard interface and its public key; value 1.',
          { interface: i.interface, public_key: i.publicKey, listen_port: String(i.listenPort) },
          1,
        );
      }
      for (const p of wg.peers) {
        const labels = { interface: p.interface, public_key: p.publicKey };
        out.gauge(
          'openwrt_wireguard_peer_info',
          'A WireGuard peer, its endpoint and allowed IPs; value 1.',
          { ...labels, endpoint: p.endpoint, allowed_ips: p.allowedIps },
          1,
        );
        out.gauge(
          'openwrt_wireguard_peer_last_handshake_timestamp_seconds',
          "Unix time of the peer's latest handshake; 0 if never.",
          labels,
          p.latestHandshake,
        );
        out.counter('openwrt_wireguard_peer_receive_bytes_total', 'Bytes received from the peer.', labels, p.receiveBytes);
        out.counter('openwrt_wireguard_peer_transmit_bytes_total', 'Bytes sent to the peer.', labels, p.transmitBytes);
      }

      const files =
        options.openvpn_status_files ??
        (await readDirOptional(ctx, '/var/run'))
          .map((e) => /^openvpn\.(.+)\.status$/.exec(e.name))
          .filter((m): m is RegExpExecArray => m !== null)
          .map((m) => ({ name: m[1]!, path: `/var/run/${m[0]}` }));
      for (const file of files) {
        const status = parseOpenvpnStatus(await ctx.sources.readFile(file.path, { signal: ctx.signal }));
        const instance = { openvpn_instance: file.name };
        if (status.updated !== undefined) {
          out.gauge(
            'openwrt_openvpn_status_update_timestamp_seconds',
            'When OpenVPN last wrote its status file.',
            instance,
            status.updated,
          );
        }
        if (status.mode === 'client') {
          for (const [key, metric] of Object.entries(CLIENT_STATISTICS)) {
            const v = status.statistics.get(key);
            if (v !== undefined) out.counter(`openwrt_openvpn_${metric}`, `OpenVPN client statistic "${key}".`, instance, v);
          }
          continue;
        }
        out.gauge('openwrt_openvpn_connected_clients', 'Clients connected to the OpenVPN server.', instance, status.clients.length);
        for (const c of status.clients) {
          const labels = { openvpn_instance: file.name, common_name: c.commonName };
          out.gauge(
            'openwrt_openvpn_client_info',
            'A client connected to the OpenVPN server; value 1.',
            { ...labels, real_address: c.realAddress, virtual_address: c.virtualAddress },
            1,
          );
          out.counter('openwrt_openvpn_client_receive_bytes_total', 'Bytes the server received from the client.', labels, c.receiveBytes);
          out.counter('openwrt_openvpn_client_transmit_bytes_total', 'Bytes the server sent to the client.', labels, c.transmitBytes);
          if (c.connectedSince !== undefined)
            out.gauge('openwrt_openvpn_client_connected_since_timestamp_seconds', 'When the client connected.', labels, c.connectedSince);
        }
      }
    },
  }),
});
