// The hwmon collector keeps each chip's layout (name, sensors, labels) while the hwmonN list stays
// the same, reads the temperatures every scrape, and reads everything again when a chip comes or goes.
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { EXPOSE_ALL } from '../exporter/identity.ts';
import { LocalSources, scrapeView } from '../exporter/sources.ts';
import { collectSeries, tempDir } from '../test/helpers.ts';
import { hwmon } from './hwmon.ts';

async function chip(root: string, name: string, device: string, files: Record<string, string>): Promise<void> {
  const dir = path.join(root, 'sys/class/hwmon', name);
  await mkdir(dir, { recursive: true });
  await mkdir(path.join(root, device), { recursive: true });
  await symlink(path.join(root, device), path.join(dir, 'device'));
  for (const [file, text] of Object.entries(files)) await writeFile(path.join(dir, file), text);
}

it('reads the layout once while the chips stay, the readings every scrape, and a new chip at once', async () => {
  const tmp = await tempDir('routerscope-hwmon-');
  const local = new LocalSources({ rootfs: tmp.dir, binPath: [], commandTimeoutMs: 1000, maxOutputBytes: 1 << 20 });
  const layoutReads: string[] = [];
  const sources = scrapeView(local, {
    realpath: (f) => (layoutReads.push(f), local.realpath(f)),
  });
  const log = pino({ level: 'silent' });
  const collector = hwmon.create({}, { sources, log, identities: EXPOSE_ALL });
  const collect = () => collectSeries(collector, sources, log);
  await chip(tmp.dir, 'hwmon0', 'sys/devices/platform/soc/11d00000.thermal', {
    name: 'cpu_thermal\n',
    temp1_input: '52000\n',
    temp1_crit: '110000\n',
    temp1_label: 'cpu\n',
  });
  const first = await collect();
  expect(first.get('node_hwmon_temp_celsius{chip="soc_11d00000_thermal",sensor="temp1"}')).toBe(52);
  expect(first.get('node_hwmon_temp_crit_celsius{chip="soc_11d00000_thermal",sensor="temp1"}')).toBe(110);
  expect(first.get('node_hwmon_sensor_label{chip="soc_11d00000_thermal",label="cpu",sensor="temp1"}')).toBe(1);
  expect(layoutReads).toHaveLength(1);

  await writeFile(path.join(tmp.dir, 'sys/class/hwmon/hwmon0/temp1_input'), '61500\n');
  expect((await collect()).get('node_hwmon_temp_celsius{chip="soc_11d00000_thermal",sensor="temp1"}')).toBe(61.5);
  expect(layoutReads).toHaveLength(1);

  // An SFP module plugged in: a second chip, and every chip's layout read again.
  await chip(tmp.dir, 'hwmon1', 'sys/devices/platform/sfp1', { name: 'sfp1\n', temp1_input: '45000\n' });
  const third = await collect();
  expect(third.get('node_hwmon_temp_celsius{chip="platform_sfp1",sensor="temp1"}')).toBe(45);
  expect(third.get('node_hwmon_chip_names{chip="platform_sfp1",chip_name="sfp1"}')).toBe(1);
  expect(layoutReads).toHaveLength(3);
  await tmp.remove();
});
