import { describe, expect, it } from 'vitest';
import { capture } from '../test/captures.ts';
import { parseLoadavg } from './loadavg.ts';

describe('parseLoadavg', () => {
  it('reads the real capture', () => {
    expect(parseLoadavg(capture('procfs/proc-loadavg.txt'))).toEqual({ load1: 1.97, load5: 2.02, load15: 1.5 });
  });
  it.each([[''], ['1.0 2.0'], ['a b c 1/2 3']])('rejects %j', (text) => {
    expect(() => parseLoadavg(text)).toThrow(/^\/proc\/loadavg: expected three load averages/);
  });
});
