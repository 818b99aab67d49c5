import { defineCollector } from '../exporter/collector.ts';
import { ParseError } from '../exporter/errors.ts';

export interface LoadAverage {
  readonly load1: number;
  readonly load5: number;
  readonly load15: number;
}

/** `/proc/loadavg`: `1.97 2.02 1.50 2/107 5594`. */
export function parseLoadavg(text: string): LoadAverage {
  const fields = text.trim().split(/\s+/).slice(0, 3).map(Number);
  if (fields.length < 3 || fields.some((n) => !Number.isFinite(n))) {
    throw new ParseError('/proc/loadavg', `expected three load averages, got "${text.trim().slice(0, 80)}"`);
  }
  const [load1, load5, load15] = fields as [number, number, number];
  return { load1, load5, load15 };
}

export const loadavg = defineCollector({
  name: 'loadavg',
  defaultEnabled: true,
  description: 'load averages from /proc/loadavg',
  options: {},
  create: () => ({
    async collect(ctx, out) {
      const load = parseLoadavg(await ctx.sources.readFile('/proc/loadavg', { signal: ctx.signal }));
      out.gauge('node_load1', '1m load average.', {}, load.load1);
      out.gauge('node_load5', '5m load average.', {}, load.load5);
      out.gauge('node_load15', '15m load average.', {}, load.load15);
    },
  }),
});
