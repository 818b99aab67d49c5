import { describe, expect, it } from 'vitest';
import { nextRun, parseAt, runSchedule } from './schedule.ts';

const SIX = { hour: 6, minute: 0 };
const run = (after: string, tz = 'Europe/Berlin') => {
  const r = nextRun(new Date(after), tz, SIX);
  return `${r.at.toISOString()} ${r.kinds.join(',')}`;
};

describe('the report schedule', () => {
  it('makes the daily report every day at the local time, the weekly on Mondays, the monthly on the 1st', () => {
    // Saturday 2026-11-28 in Berlin (UTC+1): Sunday's run is the daily only.
    expect(run('2026-11-28T10:00:00Z')).toBe('2026-11-29T05:00:00.000Z daily');
    expect(run('2026-11-29T07:00:00Z')).toBe('2026-11-30T05:00:00.000Z daily,weekly');
    expect(run('2026-11-30T07:00:00Z')).toBe('2026-12-01T05:00:00.000Z daily,monthly');
    // A Monday that is the 1st: all three.
    expect(run('2027-02-28T12:00:00Z')).toBe('2027-03-01T05:00:00.000Z daily,weekly,monthly');
  });

  it('runs strictly after now: at the very minute, the next day', () => {
    expect(run('2026-11-29T05:00:00Z')).toBe('2026-11-30T05:00:00.000Z daily,weekly');
    expect(run('2026-11-29T04:59:59Z')).toBe('2026-11-29T05:00:00.000Z daily');
  });

  it('keeps the local time across daylight saving and in other zones', () => {
    // Berlin moves to UTC+2 at 02:00 on 2026-03-29: 06:00 local is 04:00 UTC that morning.
    expect(run('2026-03-28T12:00:00Z')).toBe('2026-03-29T04:00:00.000Z daily');
    expect(run('2026-10-24T12:00:00Z')).toBe('2026-10-25T05:00:00.000Z daily');
    // 10:00 UTC is 05:00 in New York: that day's 06:00 is still ahead.
    expect(run('2026-11-28T10:00:00Z', 'America/New_York')).toBe('2026-11-28T11:00:00.000Z daily');
    expect(run('2026-11-28T10:00:00Z', 'UTC')).toBe('2026-11-29T06:00:00.000Z daily');
  });

  it('refuses a time that is not one, and a schedule with nowhere to put the reports', async () => {
    expect(parseAt('06:30')).toEqual({ hour: 6, minute: 30 });
    for (const bad of ['25:00', '6', '06:60', 'noon'])
      expect(() => parseAt(bad)).toThrow(`--at "${bad}" is not a time of day: use HH:MM, e.g. 06:00`);
    await expect(runSchedule({ prometheus: 'http://127.0.0.1:9', format: 'markdown', tz: 'UTC', at: '06:00' })).rejects.toThrow(
      'a schedule with nowhere to put the reports: pass --out DIR, --send URL, or both',
    );
  });
});
