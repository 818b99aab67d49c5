import { defineCollector } from '../exporter/collector.ts';
import { regexOption } from '../exporter/config.ts';
import { ParseError } from '../exporter/errors.ts';

export interface NetDevStats {
  readonly device: string;
  /** `receive_bytes`, `transmit_colls`, ... -> value. */
  readonly stats: ReadonlyMap<string, number>;
}

/**
 * `/proc/net/dev`: two header lines name the columns of each direction; then
 * `<name>: <rx fields...> <tx fields...>`. Split on the first colon: long names are not truncated.
 */
export function parseNetDev(text: string): NetDevStats[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[1]?.split('|');
  if (!header || header.length < 3) throw new ParseError('/proc/net/dev', 'missing the column header line');
  const columns = [
    ...header[1]!
      .trim()
      .split(/\s+/)
      .map((c) => `receive_${c}`),
    ...header[2]!
      .trim()
      .split(/\s+/)
      .map((c) => `transmit_${c}`),
  ];
  return lines.slice(2).map((line) => {
    const colon = line.indexOf(':');
    if (colon < 0) throw new ParseError('/proc/net/dev', `no device name in "${line.trim()}"`);
    const values = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (values.length !== columns.length || values.some((v) => !Number.isFinite(v))) {
      throw new ParseError('/proc/net/dev', `expected ${columns.length} numbers in "${line.trim()}"`);
    }
    return { device: line.slice(0, colon).trim(), stats: new Map(columns.map((c, i) => [c, values[i]!])) };
  });
}

export const netdev = defineCollector({
  name: 'netdev',
  defaultEnabled: true,
  description: 'network device statistics from /proc/net/dev',
  options: {
    /** Regular expression of devices to leave out. */
    device_exclude: regexOption('^$'),
  },
  create: (options) => {
    const exclude = new RegExp(options.device_exclude);
    return {
      async collect(ctx, out) {
        const devices = parseNetDev(await ctx.sources.readFile('/proc/net/dev', { signal: ctx.signal }));
        for (const d of devices) {
          if (exclude.test(d.device)) continue;
          for (const [stat, value] of d.stats) {
            out.counter(`node_network_${stat}_total`, `Network device statistic ${stat}.`, { device: d.device }, value);
          }
        }
      },
    };
  },
});
