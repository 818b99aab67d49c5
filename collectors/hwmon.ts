import type { CollectContext } from '../exporter/collector.ts';
import { defineCollector } from '../exporter/collector.ts';
import { readDirOptional, readNumber, readOptional } from './read.ts';

/** node_exporter's cleanMetricName: lower case, runs of other characters become one `_`. */
export function cleanName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/**
 * A stable chip name, as node_exporter derives it: from the device path (bus type and device),
 * else the `name` file, else the hwmonN directory.
 */
export async function hwmonChipName(ctx: CollectContext, dir: string): Promise<string> {
  try {
    const device = await ctx.sources.realpath(`${dir}/device`);
    const parts = device.split('/').filter(Boolean);
    const devName = cleanName(parts.at(-1) ?? '');
    const devType = cleanName(parts.at(-2) ?? '');
    if (devType && devName) return `${devType}_${devName}`;
    if (devName) return devName;
  } catch {
    /* no device link: fall through */
  }
  const name = cleanName((await readOptional(ctx, `${dir}/name`)) ?? '');
  return name || cleanName(dir.split('/').at(-1)!);
}

const TEMP_PROPERTIES: ReadonlyArray<readonly [suffix: string, metric: string, help: string]> = [
  ['input', 'node_hwmon_temp_celsius', 'Hardware monitor for temperature (input)'],
  ['max', 'node_hwmon_temp_max_celsius', 'Hardware monitor for temperature (max)'],
  ['crit', 'node_hwmon_temp_crit_celsius', 'Hardware monitor for temperature (crit)'],
  ['min', 'node_hwmon_temp_min_celsius', 'Hardware monitor for temperature (min)'],
];

/** What does not change while a chip is bound: its name, its sensors and their labels. */
interface ChipLayout {
  readonly chip: string;
  readonly chipName: string | undefined;
  readonly sensorDirs: ReadonlyArray<{ readonly dir: string; readonly files: ReadonlySet<string>; readonly sensors: readonly string[] }>;
  readonly labels: ReadonlyMap<string, string>;
}

async function chipLayout(ctx: CollectContext, dir: string): Promise<ChipLayout> {
  const chip = await hwmonChipName(ctx, dir);
  const chipName = await readOptional(ctx, `${dir}/name`);
  const sensorDirs: Array<ChipLayout['sensorDirs'][number]> = [];
  const labels = new Map<string, string>();
  // Older drivers keep their sensor files in device/.
  for (const sensorDir of [dir, `${dir}/device`]) {
    const files = new Set((await readDirOptional(ctx, sensorDir)).map((f) => f.name));
    const sensors = [...new Set([...files].map((f) => /^(temp\d+)_input$/.exec(f)?.[1]).filter((s): s is string => !!s))];
    sensorDirs.push({ dir: sensorDir, files, sensors });
    for (const sensor of sensors) {
      if (!files.has(`${sensor}_label`)) continue;
      const label = (await readOptional(ctx, `${sensorDir}/${sensor}_label`))?.trim();
      if (label) labels.set(`${sensorDir}/${sensor}`, label);
    }
  }
  return { chip, chipName, sensorDirs, labels };
}

export const hwmon = defineCollector({
  name: 'hwmon',
  defaultEnabled: true,
  description: 'hardware monitor temperatures from /sys/class/hwmon',
  options: {},
  create: () => {
    // Chips' layouts, kept while /sys/class/hwmon lists the same hwmonN entries: a driver bound or
    // unbound renumbers them, and then every chip is read again. The readings are read each scrape.
    let layouts = new Map<string, ChipLayout>();
    let listing = '';
    return {
      async collect(ctx, out) {
        const entries = (await readDirOptional(ctx, '/sys/class/hwmon')).map((e) => e.name);
        if (entries.join('\n') !== listing) {
          layouts = new Map();
          listing = entries.join('\n');
        }
        for (const name of entries) {
          const dir = `/sys/class/hwmon/${name}`;
          let layout = layouts.get(name);
          if (!layout) layouts.set(name, (layout = await chipLayout(ctx, dir)));
          const { chip, chipName } = layout;
          if (chipName !== undefined) {
            out.gauge('node_hwmon_chip_names', 'Annotation metric for human-readable chip names', { chip, chip_name: chipName }, 1);
          }
          for (const { dir: sensorDir, files, sensors } of layout.sensorDirs) {
            for (const sensor of sensors) {
              for (const [suffix, metric, help] of TEMP_PROPERTIES) {
                if (!files.has(`${sensor}_${suffix}`)) continue;
                const v = await readNumber(ctx, `${sensorDir}/${sensor}_${suffix}`);
                if (v !== undefined) out.gauge(metric, help, { chip, sensor }, v / 1000);
              }
              const label = layout.labels.get(`${sensorDir}/${sensor}`);
              if (label) out.gauge('node_hwmon_sensor_label', 'Label for given chip and sensor', { chip, label, sensor }, 1);
            }
          }
        }
      },
    };
  },
});
