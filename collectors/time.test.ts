// The time collector: the system's zone from its files, and, agentless, the router's clock.
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { EXPOSE_ALL } from '../exporter/identity.ts';
import { LocalSources, scrapeView, type Sources } from '../exporter/sources.ts';
import { collectSeries, tempDir } from '../test/helpers.ts';
import { glibcZones, tzifBytes } from '../test/time-zones.ts';
import { time } from './time.ts';

async function collect(files: Record<string, string | Buffer>, remoteClock = false) {
  const tmp = await tempDir('routerscope-time-');
  try {
    for (const [file, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(tmp.dir, file)), { recursive: true });
      await writeFile(path.join(tmp.dir, file), content);
    }
    const local = new LocalSources({ rootfs: tmp.dir, binPath: [], commandTimeoutMs: 1000, maxOutputBytes: 1 << 20 });
    // Agentless sources say the clock is the system's, not this process's.
    const sources: Sources = remoteClock ? { ...scrapeView(local, {}), remoteClock: true } : local;
    const warnings: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
    const before = Date.now();
    return { series: await collectSeries(time.create({}, { sources, log, identities: EXPOSE_ALL }), sources, log), warnings, before };
  } finally {
    await tmp.remove();
  }
}
const zoneSeries = (series: Map<string, number>) => [...series].filter(([key]) => key.startsWith('node_time_zone_offset_seconds'));

describe('the time collector', () => {
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

describe("agentless: the router's clock", () => {
  const ROUTER_FILES = {
    'proc/stat': 'cpu  1 2 3 4 5 6 7 0 0 0\ncpu0 1 2 3 4 5 6 7 0 0 0\nbtime 1795219200\n',
    'proc/uptime': '178934.52 690112.80\n',
  };
  const timeOf = (series: Map<string, number>) => [...series].find(([key]) => key.startsWith('node_time_seconds'))?.[1];

  it("is /proc/stat's btime plus /proc/uptime, and names the zone at that time", async () => {
    const { series } = await collect({ ...ROUTER_FILES, 'etc/TZ': 'NZST-12NZDT,M9.5.0,M4.1.0/3\n' }, true);
    expect(timeOf(series)).toBeCloseTo(1795219200 + 178934.52, 2);
    // 23 November 2026, 01:42 UTC: summer in New Zealand.
    expect(zoneSeries(series)).toEqual([['node_time_zone_offset_seconds{time_zone="NZDT"}', 46800]]);
  });
  it("is this process's clock on the router itself, whatever the files say", async () => {
    const { series, before } = await collect(ROUTER_FILES);
    expect(timeOf(series)! * 1000).toBeGreaterThanOrEqual(before);
    expect(timeOf(series)! * 1000).toBeLessThan(before + 60_000);
  });
  it.each([
    [{ ...ROUTER_FILES, 'proc/uptime': 'up a while\n' }, /\/proc\/uptime: expected seconds since boot, got "up a while\\n"/],
    [{ ...ROUTER_FILES, 'proc/stat': 'cpu  1 2 3 4\n' }, /\/proc\/stat: no "btime" line/],
  ])("fails with what is wrong when the files are not the kernel's", async (files, message) => {
    await expect(collect(files, true)).rejects.toThrow(message);
  });
});
