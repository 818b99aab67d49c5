import { readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { definitions } from '../collectors/index.ts';
import { copyRouter, writeScript } from '../test/helpers.ts';
import { createSources } from './cli.ts';
import { defineCollector, type CollectorDefinition } from './collector.ts';
import { parseConfig } from './config.ts';
import { parseJson } from './errors.ts';
import { scrapeView, type Sources } from './sources.ts';
import { Exporter } from './exporter.ts';
import { render } from './metrics.ts';
import { parseExposition, toSeriesMap } from './parse-exposition.ts';

/** A collector that runs a command through the seam and parses its JSON: like ubus collectors do. */
const jsonProbe = defineCollector({
  name: 'json_probe',
  defaultEnabled: false,
  description: 'test collector',
  options: { min_interval: z._default(z.number(), 0) },
  create: (options) => ({
    minIntervalSeconds: options.min_interval,
    async collect(ctx, out) {
      const { stdout } = await ctx.sources.run('probe', [], { signal: ctx.signal });
      const value = parseJson<{ value: number }>('probe', stdout).value;
      out.gauge('test_probe_value', 'Value printed by the probe.', {}, value);
    },
  }),
});
const allDefinitions: readonly CollectorDefinition[] = [...definitions, jsonProbe];

async function exporterFor(flags: string[], yaml = '') {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) });
  const [, , , rootfs, , bin] = flags;
  const config = parseConfig(yaml, {
    definitions: allDefinitions,
    flags: [
      { flag: '--path.rootfs', path: ['path', 'rootfs'], value: rootfs },
      { flag: '--path.bin', path: ['path', 'bin'], value: [bin] },
    ],
  });
  const exporter = new Exporter(config, allDefinitions, createSources(config), log);
  const scrape = async (timeoutSeconds = 5) => toSeriesMap(parseExposition(render(await exporter.scrape({ timeoutSeconds }))));
  return { exporter, lines, scrape };
}

describe('collector isolation', () => {
  it('a probe printing garbage fails alone with a clear log line', async () => {
    const router = await copyRouter('gl-mt2500a');
    await writeScript(path.join(router.dir, 'bin', 'probe'), "echo '<html>502 Bad Gateway'");
    const { lines, scrape } = await exporterFor(router.flags, 'collectors:\n  json_probe:\n    enabled: true\n');
    const series = await scrape();
    expect(series.get('routerscope_scrape_collector_success{collector="json_probe"}')).toBe(0);
    expect(series.get('routerscope_scrape_collector_success{collector="loadavg"}')).toBe(1);
    expect(series.has('node_load1{}')).toBe(true);
    expect([...series.keys()].some((k) => k.startsWith('test_probe_value'))).toBe(false);
    const failures = lines.filter((l) => l.msg === 'collector failed');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ collector: 'json_probe', level: 40 });
    expect(String(failures[0]!.err)).toMatch(/^probe: invalid JSON \(Unexpected token .*\); output starts "<html>502 Bad Gateway"$/);
    await router.remove();
  });

  it('a malformed /proc file fails its collector with the file and the problem named', async () => {
    const router = await copyRouter('gl-mt2500a');
    await writeFile(path.join(router.dir, 'rootfs/proc/loadavg'), 'garbage\n');
    const { lines, scrape } = await exporterFor(router.flags);
    const series = await scrape();
    expect(series.get('routerscope_scrape_collector_success{collector="loadavg"}')).toBe(0);
    expect(series.get('routerscope_scrape_collector_success{collector="meminfo"}')).toBe(1);
    expect(lines.find((l) => l.collector === 'loadavg')?.err).toBe('/proc/loadavg: expected three load averages, got "garbage"');
    await router.remove();
  });

  it('a command exiting non-zero reports its stderr', async () => {
    const router = await copyRouter('gl-mt2500a');
    await writeScript(path.join(router.dir, 'bin', 'probe'), 'echo "Command failed: Not found" >&2; exit 4');
    const { lines, scrape } = await exporterFor(router.flags, 'collectors:\n  json_probe:\n    enabled: true\n');
    expect((await scrape()).get('routerscope_scrape_collector_success{collector="json_probe"}')).toBe(0);
    expect(lines.find((l) => l.collector === 'json_probe')?.err).toBe('probe: exit 4: Command failed: Not found');
    await router.remove();
  });
});

describe('single flight and caching', () => {
  it('concurrent scrapes run each command once', async () => {
    const router = await copyRouter('gl-mt2500a');
    const count = path.join(router.dir, 'count');
    await writeScript(path.join(router.dir, 'bin', 'probe'), `echo run >> '${count}'; sleep 0.5; echo '{"value": 42}'`);
    const { scrape } = await exporterFor(router.flags, 'collectors:\n  json_probe:\n    enabled: true\n');
    const results = await Promise.all([scrape(), scrape(), scrape(), scrape(), scrape()]);
    for (const r of results) expect(r.get('test_probe_value{}')).toBe(42);
    expect((await readFile(count, 'utf8')).split('\n').filter(Boolean)).toHaveLength(1);
    await scrape();
    expect((await readFile(count, 'utf8')).split('\n').filter(Boolean)).toHaveLength(2);
    await router.remove();
  });

  it('fifty overlapping scrapes fork each command once, as one scrape does', async () => {
    const router = await copyRouter('gl-mt2500a');
    // The probe answers once the test lets it (a file appears), so the round stays open however
    // slowly the fifty scrapes arrive.
    const release = path.join(router.dir, 'release');
    await writeScript(path.join(router.dir, 'bin', 'probe'), `while [ ! -e '${release}' ]; do sleep 0.05; done; echo '{"value": 42}'`);
    const { exporter, scrape } = await exporterFor(router.flags, 'collectors:\n  json_probe:\n    enabled: true\n');
    const forked: string[] = [];
    const counting = (sources: Sources): Sources =>
      scrapeView(sources, {
        run: (command, args, options) => {
          forked.push([command, ...args].join(' '));
          return sources.run(command, args, options);
        },
      });
    await exporter.reload(exporter.currentConfig, counting(exporter.currentSources));
    await writeFile(release, '');
    await scrape(); // the first scrape also reads what is cached for good (uname)
    forked.length = 0;
    await scrape();
    const one = forked.splice(0).sort();
    await rm(release);
    expect(one).toContain('probe');
    // Arriving one after another, as fifty HTTP requests do, while the slow probe keeps the round open.
    const scrapes = [];
    for (let i = 0; i < 50; i++) {
      scrapes.push(scrape());
      await new Promise((r) => setTimeout(r, 4));
    }
    await writeFile(release, '');
    for (const r of await Promise.all(scrapes)) expect(r.get('test_probe_value{}')).toBe(42);
    expect(forked.sort()).toEqual(one);
    await exporter.stop();
    await router.remove();
  });

  it('each scrape keeps its own deadline when it joins a slower collection, and the longer one is not cut short', async () => {
    const router = await copyRouter('gl-mt2500a');
    await writeScript(path.join(router.dir, 'bin', 'probe'), `sleep 1.5; echo '{"value": 42}'`);
    const { exporter, scrape } = await exporterFor(router.flags, 'collectors:\n  json_probe:\n    enabled: true\n');
    const finished: string[] = [];
    const track = (name: string, p: Promise<Map<string, number>>) => p.then((r) => (finished.push(name), r));
    const probe = 'routerscope_scrape_collector_success{collector="json_probe"}';

    // A patient scrape starts the collection; an impatient one joins it and leaves at its own deadline.
    const patient = track('patient', scrape(10));
    await new Promise((r) => setTimeout(r, 50));
    const impatient = track('impatient', scrape(0.5));
    const [p1, i1] = await Promise.all([patient, impatient]);
    expect(finished).toEqual(['impatient', 'patient']);
    expect(i1.get(probe)).toBe(0);
    expect(i1.get('routerscope_scrape_collector_success{collector="loadavg"}')).toBe(1);
    expect(p1.get('test_probe_value{}')).toBe(42);

    // The other way round: the impatient scrape starts it, the patient one joins and gets the value.
    const i2 = scrape(0.5);
    await new Promise((r) => setTimeout(r, 50));
    const p2 = scrape(10);
    expect((await i2).get(probe)).toBe(0);
    expect((await p2).get('test_probe_value{}')).toBe(42);
    await exporter.stop();
    await router.remove();
  });

  it('an expensive source with a minimum interval is served from its last result, with its age', async () => {
    const router = await copyRouter('gl-mt2500a');
    const count = path.join(router.dir, 'count');
    await writeScript(path.join(router.dir, 'bin', 'probe'), `echo run >> '${count}'; echo '{"value": 7}'`);
    const { scrape } = await exporterFor(router.flags, 'collectors:\n  json_probe:\n    enabled: true\n    min_interval: 60\n');
    const first = await scrape();
    const second = await scrape();
    expect(second.get('test_probe_value{}')).toBe(7);
    expect((await readFile(count, 'utf8')).split('\n').filter(Boolean)).toHaveLength(1);
    const stamp = 'routerscope_collector_last_success_timestamp_seconds{collector="json_probe"}';
    expect(second.get(stamp)).toBe(first.get(stamp));
    await router.remove();
  });
});

describe('series budget', () => {
  it('drops whole families past limits.max_series, says so, and keeps the rest', async () => {
    const router = await copyRouter('gl-mt2500a');
    const { lines, scrape } = await exporterFor(router.flags, 'limits:\n  max_series: 150\n');
    const series = await scrape();
    const produced = [...series].filter(([k]) => k.startsWith('routerscope_collector_series{')).reduce((a, [, v]) => a + v, 0);
    const dropped = [...series].filter(([k]) => k.startsWith('routerscope_collector_series_dropped{')).reduce((a, [, v]) => a + v, 0);
    // What the collectors exported: everything but the exporter's own families.
    const own = /^(routerscope_(scrape_collector|collector_|config_|build_info)|process_)/;
    const exported = [...series.keys()].filter((k) => !own.test(k)).length;
    expect(produced).toBeGreaterThan(150);
    expect(exported).toBeLessThanOrEqual(150);
    expect(exported + dropped).toBe(produced);
    expect(lines.some((l) => l.msg === 'series cap reached; families dropped')).toBe(true);
    // A histogram is never cut in half: every kept ping family has its +Inf bucket.
    for (const k of series.keys())
      if (k.startsWith('openwrt_ping_rtt_seconds_count'))
        expect([...series.keys()].some((b) => b.startsWith('openwrt_ping_rtt_seconds_bucket') && b.includes('le="+Inf"'))).toBe(true);
    await router.remove();
  });
});
