// Open files system-wide, as node_exporter's filefd collector reads them: the last system family
// the stock OpenWrt dashboards query (node_filefd_allocated, node_filefd_maximum).
import { defineCollector } from '../exporter/collector.ts';
import { ParseError } from '../exporter/errors.ts';

export interface FileDescriptors {
  readonly allocated: number;
  readonly maximum: number;
}

/** `/proc/sys/fs/file-nr`: allocated, allocated but unused (always 0 since 2.6), maximum. */
export function parseFileNr(text: string): FileDescriptors {
  const fields = text.trim().split(/\s+/);
  const [allocated, , maximum] = fields.map(Number);
  if (fields.length !== 3 || !Number.isSafeInteger(allocated) || !Number.isSafeInteger(maximum))
    throw new ParseError('/proc/sys/fs/file-nr', `expected three whole numbers, got "${text.trim().slice(0, 80)}"`);
  return { allocated: allocated!, maximum: maximum! };
}

export const filefd = defineCollector({
  name: 'filefd',
  defaultEnabled: true,
  description: 'allocated and maximum file descriptors from /proc/sys/fs/file-nr',
  options: {},
  create: () => ({
    async collect(ctx, out) {
      const fd = parseFileNr(await ctx.sources.readFile('/proc/sys/fs/file-nr', { signal: ctx.signal }));
      out.gauge('node_filefd_allocated', 'File descriptor statistics: allocated.', {}, fd.allocated);
      out.gauge('node_filefd_maximum', 'File descriptor statistics: maximum.', {}, fd.maximum);
    },
  }),
});
