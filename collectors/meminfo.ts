import { defineCollector } from '../exporter/collector.ts';
import { ParseError } from '../exporter/errors.ts';

/**
 * `/proc/meminfo` as node_exporter names it: `Active(anon):  123 kB` becomes
 * `Active_anon_bytes` (kB times 1024); fields without a unit (HugePages_*) keep their name.
 */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^([^:]+):\s+(\d+)(?:\s+(kB))?\s*$/.exec(line);
    if (!m) throw new ParseError('/proc/meminfo', `unexpected line "${line}"`);
    const key = m[1]!.replace(/\((.*)\)/, '_$1');
    const value = Number(m[2]);
    if (m[3]) out.set(`${key}_bytes`, value * 1024);
    else out.set(key, value);
  }
  if (out.size === 0) throw new ParseError('/proc/meminfo', 'no fields');
  return out;
}

export const meminfo = defineCollector({
  name: 'meminfo',
  defaultEnabled: true,
  description: 'memory statistics from /proc/meminfo',
  options: {},
  create: () => ({
    async collect(ctx, out) {
      const fields = parseMeminfo(await ctx.sources.readFile('/proc/meminfo', { signal: ctx.signal }));
      for (const [key, value] of fields) {
        out.gauge(`node_memory_${key}`, `Memory information field ${key}.`, {}, value);
      }
    },
  }),
});
