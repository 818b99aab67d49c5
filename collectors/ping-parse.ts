// Lines of a long-running `ping`, from iputils (Debian, OpenWrt's iputils-ping) or BusyBox
// (OpenWrt's default), IPv4 and IPv6.

export type PingFlavor = 'iputils' | 'busybox';

export type PingLine =
  | { readonly kind: 'header'; readonly flavor: PingFlavor; readonly address: string }
  | { readonly kind: 'reply'; readonly seq: number; readonly rttSeconds: number | undefined; readonly duplicate: boolean }
  /** The request with this sequence number is known lost: an ICMP error came back. */
  | { readonly kind: 'lost'; readonly seq: number; readonly reason: string };

/**
 * iputils: `PING 1.1.1.1 (1.1.1.1) 56(84) bytes of data.` and
 * `64 bytes from 1.1.1.1: icmp_seq=1 ttl=57 time=12.3 ms`;
 * BusyBox: `PING 1.1.1.1 (1.1.1.1): 56 data bytes` and `64 bytes from 1.1.1.1: seq=0 ttl=57 time=12.345 ms`.
 * Either may add ` (DUP!)`; iputils prints `(truncated)` instead of a time for short replies.
 */
export function parsePingLine(line: string): PingLine | undefined {
  // iputils: `... 56(84) bytes of data.`; BusyBox: `...: 56 data bytes` (both may say `from <source>`).
  const header = /^PING \S+ \(([^)]+)\).* (bytes of data\.|data bytes)$/.exec(line);
  if (header) return { kind: 'header', flavor: header[2] === 'data bytes' ? 'busybox' : 'iputils', address: header[1]! };
  const reply = /^\d+ bytes from .*?:? (?:icmp_)?seq=(\d+)(?: ttl=\d+| hlim=\d+)*(?: time=([\d.]+) ms)?(.*)$/.exec(line);
  if (reply && line.includes(' bytes from ')) {
    const time = reply[2] === undefined ? undefined : Number(reply[2]) / 1000;
    return { kind: 'reply', seq: Number(reply[1]), rttSeconds: time, duplicate: /\(DUP!\)/.test(reply[3] ?? '') };
  }
  // iputils -O prints `no answer yet for icmp_seq=N` for every request still in flight when the
  // next is sent, which with an interval shorter than the RTT is all of them: not a loss.
  const icmpError = /^From \S+:? (?:icmp_)?seq=(\d+) (.+)$/.exec(line);
  if (icmpError) return { kind: 'lost', seq: Number(icmpError[1]), reason: icmpError[2]!.trim() };
  return undefined;
}
