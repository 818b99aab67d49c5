// `wg show all dump`, public columns only: the collector and the diagnostics bundle both read it,
// and neither may ever hold a private or preshared key.
import { ParseError } from '../exporter/errors.ts';

export interface WireguardInterface {
  readonly interface: string;
  readonly publicKey: string;
  readonly listenPort: number;
}
export interface WireguardPeer {
  readonly interface: string;
  readonly publicKey: string;
  readonly endpoint: string;
  readonly allowedIps: string;
  /** Unix time of the latest handshake; 0 means never. */
  readonly latestHandshake: number;
  readonly receiveBytes: number;
  readonly transmitBytes: number;
}

/**
 * `wg show all dump`: an interface line (if, PRIVATE KEY, public key, port, fwmark) then one line
 * per peer (if, public key, PRESHARED KEY, endpoint, allowed ips, handshake, rx, tx, keepalive).
 * The two secret columns are skipped by position, and no error message ever quotes a line.
 */
export function parseWireguardDump(text: string): { interfaces: WireguardInterface[]; peers: WireguardPeer[] } {
  const interfaces: WireguardInterface[] = [];
  const peers: WireguardPeer[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const f = line.split('\t');
    const number = (i: number, what: string): number => {
      const v = Number(f[i]);
      if (!Number.isFinite(v)) throw new ParseError('wg show all dump', `line ${index + 1}: ${what} is not a number`);
      return v;
    };
    if (f.length === 5) {
      interfaces.push({ interface: f[0]!, publicKey: f[2]!, listenPort: number(3, 'listen port') });
    } else if (f.length === 9) {
      const none = (v: string) => (v === '(none)' ? '' : v);
      peers.push({
        interface: f[0]!,
        publicKey: f[1]!,
        endpoint: none(f[3]!),
        allowedIps: none(f[4]!),
        latestHandshake: number(5, 'latest handshake'),
        receiveBytes: number(6, 'rx bytes'),
        transmitBytes: number(7, 'tx bytes'),
      });
    } else {
      throw new ParseError('wg show all dump', `line ${index + 1} has ${f.length} fields, expected 5 (interface) or 9 (peer)`);
    }
  });
  return { interfaces, peers };
}
