// POSIX TZ rules evaluated as the C library evaluates them: every answer is checked against GNU
// `date` (glibc) given the same rule in TZ, hour by hour over two years and to the second around
// each change.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { EXPOSE_ALL } from '../exporter/identity.ts';
import { MetricSink, render } from '../exporter/metrics.ts';
import { parseExposition, toSeriesMap } from '../exporter/parse-exposition.ts';
import { LocalSources } from '../exporter/sources.ts';
import { ROOT, tempDir } from '../test/helpers.ts';
import { parsePosixTz, tzifFooter, zoneAt, type ZoneType } from './posix-tz.ts';
import { time } from './time.ts';

const tzifBytes = (name: string) => readFileSync(path.join(ROOT, 'fixtures', 'captures', 'tzif', name));
const tzif = (name: string) => tzifBytes(name).toString('utf8');

/** `date +%z %Z` as glibc prints it for each instant under TZ=rule: "+0100 CET". */
async function glibcZones(rule: string, instantsMs: number[]): Promise<string[]> {
  const child = promisify(execFile)('date', ['-f', '-', '+%z %Z'], { env: { TZ: rule }, maxBuffer: 1 << 24 });
  child.child.stdin!.end(instantsMs.map((ms) => `@${ms / 1000}`).join('\n') + '\n');
  return (await child).stdout.trimEnd().split('\n');
}

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

describe('the time collector', () => {
  async function collect(files: Record<string, string | Buffer>) {
    const tmp = await tempDir('routerscope-time-');
    try {
      for (const [file, content] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(tmp.dir, file)), { recursive: true });
        await writeFile(path.join(tmp.dir, file), content);
      }
      const sources = new LocalSources({ rootfs: tmp.dir, binPath: [], commandTimeoutMs: 1000, maxOutputBytes: 1 << 20 });
      const warnings: string[] = [];
      const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
      const sink = new MetricSink();
      const before = Date.now();
      await time.create({}, { sources, log, identities: EXPOSE_ALL }).collect({ sources, signal: new AbortController().signal, log }, sink);
      return { series: toSeriesMap(parseExposition(render(sink.result()))), warnings, before };
    } finally {
      await tmp.remove();
    }
  }
  const zoneSeries = (series: Map<string, number>) => [...series].filter(([key]) => key.startsWith('node_time_zone_offset_seconds'));

  it("reports the router's /etc/TZ, not the zone of the machine Node runs on", async () => {
    const { series, before } = await collect({ 'etc/TZ': 'NZST-12NZDT,M9.5.0,M4.1.0/3\n' });
    const [expected] = await glibcZones('NZST-12NZDT,M9.5.0,M4.1.0/3', [Math.floor(before / 1000) * 1000]);
    const [offset, name] = expected!.split(' ');
    const seconds = (Number(offset!.slice(0, 3)) * 60 + Math.sign(Number(offset!.slice(0, 3))) * Number(offset!.slice(3))) * 60;
    expect(zoneSeries(series)).toEqual([[`node_time_zone_offset_seconds{time_zone="${name}"}`, seconds]]);
  });
  it('reads the rule at the end of /etc/localtime when there is no /etc/TZ, and UTC when neither is there', async () => {
    const sydney = zoneSeries((await collect({ 'etc/localtime': tzifBytes('Australia-Sydney') })).series);
    expect(sydney).toHaveLength(1);
    expect(sydney[0]).toEqual(expect.arrayContaining([expect.stringMatching(/time_zone="AE[SD]T"/)]));
    expect([36000, 39600]).toContain(sydney[0]![1]);
    expect(zoneSeries((await collect({})).series)).toEqual([['node_time_zone_offset_seconds{time_zone="UTC"}', 0]]);
  });
  it('leaves out only the zone when /etc/TZ is malformed, and says why', async () => {
    const { series, warnings } = await collect({ 'etc/TZ': 'CET-1CEST,M3.5.0\n' });
    expect(zoneSeries(series)).toEqual([]);
    expect([...series].find(([key]) => key.startsWith('node_time_seconds'))?.[1]).toBeGreaterThan(1e9);
    expect(warnings.join('')).toContain('time zone \\"CET-1CEST,M3.5.0\\": a comma at character 17');
  });
});
