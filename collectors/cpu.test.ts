import { describe, expect, it } from 'vitest';
import { capture } from '../test/captures.ts';
import { parseProcStat } from './cpu.ts';

describe('parseProcStat', () => {
  const stat = parseProcStat(capture('procfs/proc-stat.txt'));
  it('gives per-CPU seconds from USER_HZ ticks, skipping the summed line', () => {
    expect(stat.cpus.map((c) => c.cpu)).toEqual(['0', '1']);
    expect(stat.cpus[0]!.modes.user).toBe(683.95);
    expect(stat.cpus[1]!.modes.nice).toBe(0.01);
    expect(stat.cpus[0]!.modes.steal).toBe(0.7);
  });
  it('reads the scalar lines', () => {
    expect(stat.contextSwitches).toBe(4289733);
    expect(stat.interrupts).toBe(2881995);
    expect(stat.bootTime).toBeGreaterThan(1.7e9);
  });
  it('names the missing line', () => {
    expect(() => parseProcStat('cpu0 1 2 3 4\nctxt 1\n')).toThrow('/proc/stat: missing or bad "btime" line');
    expect(() => parseProcStat('ctxt 1\n')).toThrow('/proc/stat: no cpuN lines');
  });
});
