// POSIX TZ rules evaluated as the C library evaluates them: every answer is checked against GNU
// `date` (glibc) given the same rule in TZ, hour by hour over four years and to the second around
// each change.
import { describe, expect, it } from 'vitest';
import { glibcZones, tzifBytes } from '../test/time-zones.ts';
import { parsePosixTz, tzifFooter, zoneAt, type ZoneType } from './posix-tz.ts';

const tzif = (name: string) => tzifBytes(name).toString('utf8');

function asDate(zone: ZoneType): string {
  const minutes = Math.abs(zone.utcOffsetSeconds) / 60;
  const hhmm = String(Math.floor(minutes / 60)).padStart(2, '0') + String(minutes % 60).padStart(2, '0');
  return `${zone.utcOffsetSeconds < 0 ? '-' : '+'}${hhmm} ${zone.name}`;
}

const HOUR = 3_600_000;
const FROM = Date.UTC(2025, 0, 1);
const TO = Date.UTC(2029, 0, 1); // 2028 is a leap year: J60 and day 59 fall on other dates

describe('zoneAt', () => {
  it.each([
    ['CET-1CEST,M3.5.0,M10.5.0/3'], // Europe/Paris, what OpenWrt writes to /etc/TZ
    ['EST5EDT,M3.2.0,M11.1.0'],
    ['AEST-10AEDT,M10.1.0,M4.1.0/3'], // the south: summer spans the new year
    ['IST-1GMT0,M10.5.0,M3.5.0/1'], // Dublin: "standard" is summer, the winter change is negative
    ['NZST-12NZDT,M9.5.0,M4.1.0/3'],
    ['<-02>2<-01>,M3.5.0/-1,M10.5.0/0'], // America/Nuuk: a change before midnight
    ['WART4WARST,J1/0,J365/25'], // summer all year
    ['XXX3YYY,J60/2,300/3'], // Julian days without and with the leap day
    ['<+0330>-3:30'],
    ['<-03>3'],
    ['UTC0'],
    ['EST5EDT'], // summer named without a rule: the US rule
  ])('matches glibc for %s', async (rule) => {
    const zone = parsePosixTz(rule);
    const instants: number[] = [];
    for (let t = FROM; t < TO; t += HOUR) {
      instants.push(t);
      // Around a change, every second on either side of it.
      if (t > FROM && zoneAt(zone, t).name !== zoneAt(zone, t - HOUR).name) {
        let [low, high] = [t - HOUR, t];
        while (high - low > 1000) {
          const mid = low + Math.floor((high - low) / 2000) * 1000;
          if (zoneAt(zone, mid).name === zoneAt(zone, low).name) low = mid;
          else high = mid;
        }
        instants.push(high - 1000, high, high + 1000);
      }
    }
    const expected = await glibcZones(rule, instants);
    const mismatches = instants
      .map((t, i) => ({ at: new Date(t).toISOString(), ours: asDate(zoneAt(zone, t)), glibc: expected[i] }))
      .filter((row) => row.ours !== row.glibc);
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(instants.length).toBeGreaterThan(35_000);
  });
});

describe('parsePosixTz', () => {
  it('reads a bare name as UTC with that name, as musl does with OpenWrt\'s default "UTC"', () => {
    expect(parsePosixTz('UTC')).toEqual({ standard: { name: 'UTC', utcOffsetSeconds: 0 } });
  });
  it.each([
    ['C1', /a zone name of three or more letters at character 1/],
    ['<+03', /an unclosed < at character 1/],
    ['CET-1CEST,M13.1.0,M10.5.0', /a number from 1 to 12 at character 12/],
    ['CET-1CEST,M3.5.0', /a comma at character 17/],
    ['CET-1CEST,M3.5.0,M10.5.0/3 x', /the end at character 27/],
    ['CET-25', /a time within 24 hours at character 4/],
  ])('rejects %j, saying where', (rule, message) => {
    expect(() => parsePosixTz(rule)).toThrow(message);
  });
});

describe('tzifFooter', () => {
  it('reads the rule at the end of real tzdata files', () => {
    expect(tzifFooter(tzif('Europe-Dublin'))).toBe('IST-1GMT0,M10.5.0,M3.5.0/1');
    expect(tzifFooter(tzif('Australia-Sydney'))).toBe('AEST-10AEDT,M10.1.0,M4.1.0/3');
  });
  it('finds none in a version 1 file or an empty footer, and rejects what is not TZif', () => {
    // What an agentless read gives: the shell drops NUL bytes, and the rule is still the last line.
    expect(tzifFooter(tzif('Europe-Dublin').replaceAll('\0', ''))).toBe('IST-1GMT0,M10.5.0,M3.5.0/1');
    expect(tzifFooter('TZif\0' + '\0'.repeat(39) + '\n')).toBeUndefined();
    expect(tzifFooter('TZif2' + '\0'.repeat(39) + '\n\n')).toBeUndefined(); // a zone with no rule
    expect(() => tzifFooter('CET-1CEST,M3.5.0,M10.5.0/3\n')).toThrow(/not a TZif file/);
  });
});
