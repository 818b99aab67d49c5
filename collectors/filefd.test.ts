import { describe, expect, it } from 'vitest';
import { capture } from '../test/captures.ts';
import { parseFileNr } from './filefd.ts';

describe('parseFileNr', () => {
  it('reads the real capture', () => {
    const [allocated, , maximum] = capture('procfs/proc-sys-fs-file-nr.txt').trim().split('\t').map(Number);
    expect(parseFileNr(capture('procfs/proc-sys-fs-file-nr.txt'))).toEqual({ allocated, maximum });
    expect(allocated).toBeGreaterThan(0);
  });
  it.each([[''], ['306\t0'], ['306 0 x'], ['306 0 246617 9'], ['3.5 0 10']])('rejects %j', (text) => {
    expect(() => parseFileNr(text)).toThrow(/^\/proc\/sys\/fs\/file-nr: expected three whole numbers/);
  });
});
