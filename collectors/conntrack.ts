import { defineCollector } from '../exporter/collector.ts';
import { ParseError } from '../exporter/errors.ts';
import { readNumber, readOptional } from './read.ts';

const STATS: ReadonlyArray<readonly [field: string, help: string]> = [
  ['found', 'Number of searched entries which were successful.'],
  ['invalid', 'Number of packets seen which can not be tracked.'],
  ['ignore', 'Number of packets seen which are already connected to a conntrack entry.'],
  ['insert', 'Number of entries inserted into the list.'],
  ['insert_failed', 'Number of entries for which list insertion was attempted but failed.'],
  ['drop', 'Number of packets dropped due to conntrack failure.'],
  ['early_drop', 'Number of dropped conntrack entries to make room for new ones, if maximum table size was reached.'],
  ['search_restart', 'Number of conntrack table lookups which had to be restarted due to hashtable resizes.'],
];

/** `/proc/net/stat/nf_conntrack`: a header of field names, then one line of hex values per CPU; summed. */
export function parseConntrackStat(text: string): Map<string, number> {
  const [header, ...rows] = text.trim().split('\n');
  const names = header?.trim().split(/\s+/) ?? [];
  if (names.length === 0 || rows.length === 0) throw new ParseError('/proc/net/stat/nf_conntrack', 'no header or rows');
  const sums = new Map<string, number>(names.map((n) => [n, 0]));
  for (const row of rows) {
    const values = row.trim().split(/\s+/);
    if (values.length !== names.length)
      throw new ParseError('/proc/net/stat/nf_conntrack', `row has ${values.length} fields, header ${names.length}`);
    values.forEach((v, i) => sums.set(names[i]!, sums.get(names[i]!)! + parseInt(v, 16)));
  }
  return sums;
}

export const conntrack = defineCollector({
  name: 'conntrack',
  defaultEnabled: true,
  description: 'connection tracking table size and limit',
  options: {},
  create: () => ({
    async collect(ctx, out) {
      const [entries, limit] = await Promise.all([
        readNumber(ctx, '/proc/sys/net/netfilter/nf_conntrack_count'),
        readNumber(ctx, '/proc/sys/net/netfilter/nf_conntrack_max'),
      ]);
      if (entries === undefined || limit === undefined) {
        ctx.log.debug('no nf_conntrack in this kernel; nothing to report');
        return;
      }
      out.gauge('node_nf_conntrack_entries', 'Number of currently allocated flow entries for connection tracking.', {}, entries);
      out.gauge('node_nf_conntrack_entries_limit', 'Maximum size of connection tracking table.', {}, limit);
      const statText = await readOptional(ctx, '/proc/net/stat/nf_conntrack');
      if (statText === undefined) return;
      const stats = parseConntrackStat(statText);
      for (const [field, help] of STATS) {
        const v = stats.get(field);
        if (v !== undefined) out.gauge(`node_nf_conntrack_stat_${field}`, help, {}, v);
      }
    },
  }),
});
