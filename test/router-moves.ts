// Known traffic on the real-shape test routers: bytes per second that the tests add to each
// device's /proc/net/dev counters, and what each WAN must show for it. A device that is not a
// WAN's layer-3 device (PPPoE's underlying ethernet, the LAN bridge) moves too and must not be
// counted; wan6 on the WAN's device must not count it twice.

export interface Moves {
  /** Receive and transmit bytes per second, per device. */
  readonly devices: Record<string, [number, number]>;
  /** What each WAN must show: receive and transmit bytes per second. */
  readonly wans: Record<string, [number, number]>;
}

export const MOVES: Record<string, Moves> = {
  'openwrt-stock': { devices: { wan: [125_000, 25_000], 'br-lan': [24_000, 120_000] }, wans: { wan: [125_000, 25_000] } },
  'openwrt-no-ipv6': { devices: { wan: [80_000, 8_000], 'br-lan': [7_000, 77_000] }, wans: { wan: [80_000, 8_000] } },
  // PPPoE: the session's traffic is counted on pppoe-wan; the ethernet under it carries it again.
  'openwrt-pppoe': { devices: { 'pppoe-wan': [250_000, 50_000], wan: [262_000, 53_000] }, wans: { wan: [250_000, 50_000] } },
  'openwrt-two-wans': {
    devices: { wan: [100_000, 10_000], eth2: [50_000, 5_000] },
    wans: { wan: [100_000, 10_000], wanb: [50_000, 5_000] },
  },
};

/** /proc/net/dev with the moving devices advanced to `seconds` after the start. */
export function advance(original: string, moves: Record<string, [number, number]>, seconds: number): string {
  return original
    .split('\n')
    .map((line) => {
      const m = /^(\s*)([^:\s]+):(.*)$/.exec(line);
      if (!m || !moves[m[2]!]) return line;
      const cols = m[3]!.trim().split(/\s+/).map(Number);
      cols[0] = cols[0]! + Math.round(moves[m[2]!]![0] * seconds);
      cols[8] = cols[8]! + Math.round(moves[m[2]!]![1] * seconds);
      return `${m[1]}${m[2]}: ${cols.join(' ')}`;
    })
    .join('\n');
}
