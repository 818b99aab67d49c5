// End to end: `routerscope serve` over each test router; /metrics equals the committed golden file
// (after masking the listed volatile values), and the golden file passes `promtool check metrics`.
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExposition, seriesKey } from '../exporter/parse-exposition.ts';
import { normalizeForGolden } from './golden.ts';
import { routerDir, routerFlags, ROUTERS, scrape, startExporter, waitFor } from './helpers.ts';
import { promtoolCheckMetrics } from './promtool.ts';

const update = process.env.UPDATE_GOLDEN === '1';

describe.each(ROUTERS)('golden /metrics of %s', (router) => {
  const goldenFile = path.join(routerDir(router), 'metrics.golden.prom');

  it('matches the committed golden file', async () => {
    // The logread playback's times are local: pin the zone so the timestamps are the same everywhere.
    const exporter = await startExporter(routerFlags(router), { env: { TZ: 'UTC' } });
    try {
      // Background followers and probers read their playback after start: wait until the events
      // follower has the whole log and two scrapes in a row agree.
      const logLines = (await readFile(path.join(routerDir(router), 'commands', 'logread.log'), 'utf8')).split('\n').filter(Boolean).length;
      let previous = '';
      const actual = await waitFor(
        async () => {
          const t = await scrape(exporter.url);
          const normalized = normalizeForGolden(t);
          const settled = t.includes(`routerscope_follower_lines_total{collector="events"} ${logLines}\n`) && normalized === previous;
          previous = normalized;
          return settled ? normalized : undefined;
        },
        15000,
        'the background collectors to settle',
      );
      if (update) await writeFile(goldenFile, actual);
      expect(actual).toBe(await readFile(goldenFile, 'utf8'));
      // Every collector succeeded on the test router.
      expect(actual).not.toMatch(/routerscope_scrape_collector_success\{collector="[^"]+"\} 0/);
    } finally {
      await exporter.stop();
    }
  });

  it('passes promtool check metrics', async () => {
    expect(await promtoolCheckMetrics(await readFile(goldenFile, 'utf8'))).toEqual([]);
  });

  it('has every series once (Prometheus drops a second sample of a series in one scrape)', async () => {
    // Real netifd dumps list a PPPoE DNS server twice and odhcp6c's default route once per prefix.
    const seen = new Map<string, number>();
    for (const f of parseExposition(await readFile(goldenFile, 'utf8')))
      for (const s of f.samples) {
        const key = seriesKey(f.name, s);
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
    expect([...seen].filter(([, n]) => n > 1)).toEqual([]);
  });
});
