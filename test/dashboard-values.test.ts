// Dashboard panels whose numbers have been wrong before, evaluated by Prometheus' own engine
// (promtool's promql_expr_test) on series with known values: each panel's generated expression
// must give the expected number in its panel's unit, so a swapped direction or a percentage on a
// dBm axis fails here rather than on a user's screen.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ROOT, tempDir } from './helpers.ts';
import { requireCommand } from './setup/preflight.ts';

const run = promisify(execFile);
const PROMTOOL = requireCommand('promtool');

interface Panel {
  title: string;
  targets?: Array<{ expr: string }>;
  fieldConfig?: { defaults?: { unit?: string } };
}

async function panel(dashboard: string, title: string): Promise<{ expr: string; unit: string | undefined }> {
  const json = JSON.parse(await readFile(path.join(ROOT, 'grafana/generated', `${dashboard}.json`), 'utf8')) as { panels: Panel[] };
  const found = json.panels.find((p) => p.title === title);
  if (!found?.targets?.[0]) throw new Error(`${dashboard} has no panel "${title}" with a query`);
  return { expr: found.targets[0].expr, unit: found.fieldConfig?.defaults?.unit };
}

/** A dashboard expression as Grafana would send it for router r1 with a 5-minute rate window. */
const concrete = (expr: string) =>
  expr.replaceAll('$router', 'r1').replaceAll('$interface', '.+').replaceAll('$__rate_interval', '5m').replaceAll('$__range', '1h');

describe('dashboard panels against known series', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    work = await tempDir('routerscope-panels-');
  });
  afterAll(async () => {
    await work?.remove();
  });

  /** Runs one promtool unit test: each case's expression must give exactly its samples at `at`. */
  async function evaluate(
    series: Record<string, string>,
    cases: Array<{ expr: string; samples: Array<{ labels: string; value: number }> }>,
    at = '10m',
    precision = 1,
  ): Promise<string> {
    const file = path.join(work.dir, `panels-${Math.random().toString(36).slice(2)}.yml`);
    await writeFile(
      file,
      stringify({
        rule_files: [path.join(ROOT, 'prometheus/rules/recording.yml')],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: Object.entries(series).map(([s, values]) => ({ series: s, values })),
            // Rounded (to the unit, unless said): rate()'s extrapolation leaves float dust that promtool
            // compares exactly.
            promql_expr_test: cases.map((c) => ({
              expr: `round(${concrete(c.expr)}, ${precision})`,
              eval_time: at,
              exp_samples: c.samples,
            })),
          },
        ],
      }),
    );
    try {
      const { stdout, stderr } = await run(PROMTOOL, ['test', 'rules', file]);
      return stdout + stderr;
    } catch (e) {
      const err = e as { stdout: string; stderr: string };
      return err.stdout + err.stderr;
    }
  }

  it("WiFi: a station's download is what the access point transmits to it, its upload what it receives", async () => {
    const station = 'router="r1",ifname="phy1-ap0",mac="02:00:00:00:00:0a"';
    const download = await panel('routerscope-wifi', 'Station download');
    const upload = await panel('routerscope-wifi', 'Station upload');
    expect([download.unit, upload.unit]).toEqual(['bps', 'bps']);
    const out = await evaluate(
      {
        // The station streams: 76.8 MB a minute from the access point (10.24 Mbit/s), 7.68 MB back
        // (1.024 Mbit/s): rates that are exact in binary floating point.
        [`wifi_station_transmit_bytes_total{${station}}`]: '0+76800000x10',
        [`wifi_station_receive_bytes_total{${station}}`]: '0+7680000x10',
      },
      [
        { expr: download.expr, samples: [{ labels: `{${station}}`, value: 10_240_000 }] },
        { expr: upload.expr, samples: [{ labels: `{${station}}`, value: 1_024_000 }] },
      ],
    );
    expect(out).toContain('SUCCESS');
  });

  it('WiFi: the noise floor in dBm and the link quality in percent, each on its own axis', async () => {
    const radio = 'router="r1",ifname="phy0-ap0"';
    const noise = await panel('routerscope-wifi', 'Noise floor');
    const quality = await panel('routerscope-wifi', 'Link quality');
    expect([noise.unit, quality.unit]).toEqual(['dBm', 'percent']);
    const out = await evaluate({ [`wifi_network_noise_dbm{${radio}}`]: '-92x10', [`wifi_network_quality{${radio}}`]: '71x10' }, [
      { expr: noise.expr, samples: [{ labels: `{${radio}}`, value: -92 }] },
      { expr: quality.expr, samples: [{ labels: `{${radio}}`, value: 71 }] },
    ]);
    expect(out).toContain('SUCCESS');
  });

  it('WAN availability: the share of the range a WAN was up, a disabled WAN left out', async () => {
    const availability = await panel('routerscope-wan', 'Availability in the time range');
    expect(availability.unit).toBe('percentunit');
    const wan = (name: string) => `router="r1",interface="${name}"`;
    const out = await evaluate(
      {
        // wan1 down from minute 15 to 44 of the hour; wan4 disabled and down throughout.
        [`openwrt_wan_up{${wan('wan1')}}`]: '1x14 0x29 1x16',
        [`openwrt_wan_policy{${wan('wan1')},policy="disabled"}`]: '0x60',
        [`openwrt_wan_up{${wan('wan4')}}`]: '0x60',
        [`openwrt_wan_policy{${wan('wan4')},policy="disabled"}`]: '1x60',
      },
      // The rule's 5-minute averages at each minute of the hour, ends included: 31 of 61.
      [{ expr: availability.expr, samples: [{ labels: `{${wan('wan1')}}`, value: 0.508 }] }],
      '60m',
      0.001,
    );
    expect(out).toContain('SUCCESS');
  });

  it('fails a panel that gives another number (the swapped download the WiFi dashboard had)', async () => {
    const station = 'router="r1",ifname="phy1-ap0",mac="02:00:00:00:00:0a"';
    const out = await evaluate(
      {
        [`wifi_station_transmit_bytes_total{${station}}`]: '0+75000000x10',
        [`wifi_station_receive_bytes_total{${station}}`]: '0+7500000x10',
      },
      [
        {
          expr: '8 * rate(wifi_station_receive_bytes_total{router=~"$router"}[$__rate_interval])',
          samples: [{ labels: `{${station}}`, value: 10_240_000 }],
        },
      ],
    );
    expect(out).toContain('FAILED');
  });
});
