import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { routerDir } from '../test/helpers.ts';
import { parseConntrackStat } from './conntrack.ts';

describe('parseConntrackStat', () => {
  it('sums the per-CPU hex rows', () => {
    const stats = parseConntrackStat(readFileSync(path.join(routerDir('bpi-r4-omr'), 'rootfs/proc/net/stat/nf_conntrack'), 'utf8'));
    expect(stats.get('invalid')).toBe(0x2a + 0x11 + 0x07 + 0x03);
    expect(stats.get('search_restart')).toBe(0x12 + 0x04 + 0x01);
    expect(stats.get('insert_failed')).toBe(1);
  });
  it('rejects a row that does not fit the header', () => {
    expect(() => parseConntrackStat('entries found\n00000001\n')).toThrow('/proc/net/stat/nf_conntrack: row has 1 fields, header 2');
  });
});
