// POSIX TZ rules evaluated as the C library evaluates them: every answer is checked against GNU
// `date` (glibc) given the same rule in TZ, hour by hour over four years and to the second around
// each change.
import { describe, expect, it } from 'vitest';
import { glibcZones, tzdataRules, tzifBytes } from '../test/time-zones.ts';
import { parsePosixTz, tzifFooter, zoneAt, type ZoneType } from './posix-tz.ts';

const tzif = (name: string) => tzifBytes(name).toString('utf8');

const described = (zone: ZoneType) => `${zone.utcOffsetSeconds} ${zone.name}`;

/** glibc's "+0530 IST" as described() says it: "19800 IST" ("-0000", the offset of "-00" zones, is 0). */
function fromGlibc(line: string): string {
  const m = /^([+-])(\d\d)(\d\d) (.+)$/.exec(line);
  if (!m) throw new Error(`date printed ${JSON.stringify(line)}`);
  const seconds = Number(m[2]) * 3600 + Number(m[3]) * 60;
  return `${m[1] === '-' && seconds ? -seconds : seconds} ${m[4]}`;
}

const HOUR = 3_600_000;
const FROM = Date.UTC(2025, 0, 1);
const TO = Date.UTC(2029, 0, 1); // 2028 is a leap year: J60 and day 59 fall on other dates

/** Our answers that differ from glibc's for `rule`, every `stepMs` and to the second around each change. */
async function differencesFromGlibc(rule: string, stepMs: number): Promise<{ checked: number; differences: object[] }> {
  const zone = parsePosixTz(rule);
  const at = (t: number) => described(zoneAt(zone, t));
  const instants: number[] = [];
  for (let t = FROM; t < TO; t += stepMs) {
    instants.push(t);
    if (t === FROM || at(t) === at(t - stepMs)) continue;
    let [low, high] = [t - stepMs, t];
    while (high - low > 1000) {
      const mid = low + Math.floor((high - low) / 2000) * 1000;
      if (at(mid) === at(low)) low = mid;
      else high = mid;
    }
    instants.push(high - 1000, high, high + 1000);
  }
  const expected = await glibcZones(rule, instants);
  const differences = instants
    .map((t, i) => ({ rule, at: new Date(t).toISOString(), ours: at(t), glibc: fromGlibc(expected[i]!) }))
    .filter((row) => row.ours !== row.glibc);
  return { checked: instants.length, differences };
}

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
    const { checked, differences } = await differencesFromGlibc(rule, HOUR);
    expect(differences.slice(0, 5)).toEqual([]);
    expect(checked).toBeGreaterThan(35_000);
  });

  it('matches glibc for every rule that ends a zone file of tzdata 2025b', async () => {
    // Among them: changes at 24:00 and 50:00, half-hour summer time, a 12:45 offset.
    const rules = tzdataRules();
    expect(rules).toHaveLength(95);
    // One date at a time: 95 at once would take every core from the suite's timing-sensitive tests.
    const results: Array<Awaited<ReturnType<typeof differencesFromGlibc>>> = [];
    for (const rule of rules) results.push(await differencesFromGlibc(rule, 12 * HOUR));
    expect(results.flatMap((r) => r.differences).slice(0, 5)).toEqual([]);
    expect(results.reduce((sum, r) => sum + r.checked, 0)).toBeGreaterThan(95 * 2900);
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
