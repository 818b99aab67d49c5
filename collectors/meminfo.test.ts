import { describe, expect, it } from 'vitest';
import { capture } from '../test/captures.ts';
import { parseMeminfo } from './meminfo.ts';

describe('parseMeminfo', () => {
  const fields = parseMeminfo(capture('procfs/proc-meminfo.txt'));
  it('converts kB to bytes and names fields as node_exporter does', () => {
    expect(fields.get('MemTotal_bytes')).toBe(24683656 * 1024);
    expect(fields.get('MemAvailable_bytes')).toBe(23961336 * 1024);
    expect(fields.has('Active_anon_bytes')).toBe(true);
  });
  it('keeps unitless fields as counts', () => {
    expect(fields.get('HugePages_Total')).toBe(0);
    expect(fields.has('HugePages_Total_bytes')).toBe(false);
  });
  it('rejects a malformed line', () => {
    expect(() => parseMeminfo('MemTotal: lots\n')).toThrow('/proc/meminfo: unexpected line "MemTotal: lots"');
  });
});
