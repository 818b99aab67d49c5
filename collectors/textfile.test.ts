import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createSources } from '../exporter/cli.ts';
import { parseConfig } from '../exporter/config.ts';
import { Exporter } from '../exporter/exporter.ts';
import { render } from '../exporter/metrics.ts';
import { parseExposition, toSeriesMap } from '../exporter/parse-exposition.ts';
import { tempDir } from '../test/helpers.ts';
import { definitions } from './index.ts';

describe('textfile collector', () => {
  it('exports good files and flags bad ones without losing the good', async () => {
    const tmp = await tempDir();
    const dir = path.join(tmp.dir, 'var/prometheus');
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, 'good.prom'),
      '# TYPE backup_last_success_timestamp_seconds gauge\nbackup_last_success_timestamp_seconds 1700000000\n',
    );
    await writeFile(path.join(dir, 'broken.prom'), 'half{written="\n');
    await writeFile(path.join(dir, 'stamped.prom'), 'x 1 1700000000000\n');
    await writeFile(path.join(dir, 'ignored.txt'), 'not a prom file\n');
    const warnings: string[] = [];
    const log = pino(
      { level: 'warn' },
      { write: (s: string) => warnings.push(String((JSON.parse(s) as { file?: string; err?: string }).err)) },
    );
    const config = parseConfig(
      'collectors:\n' +
        definitions
          .filter((d) => d.name !== 'textfile')
          .map((d) => `  ${d.name}:\n    enabled: false\n`)
          .join(''),
      {
        definitions,
        flags: [{ flag: '--path.rootfs', path: ['path', 'rootfs'], value: tmp.dir }],
      },
    );
    const exporter = new Exporter(config, definitions, createSources(config), log);
    const series = toSeriesMap(parseExposition(render(await exporter.scrape({ timeoutSeconds: 5 }))));
    expect(series.get('backup_last_success_timestamp_seconds{}')).toBe(1700000000);
    expect(series.get('node_textfile_scrape_error{}')).toBe(1);
    expect(series.has('node_textfile_mtime_seconds{file="/var/prometheus/good.prom"}')).toBe(true);
    expect(series.has('node_textfile_mtime_seconds{file="/var/prometheus/broken.prom"}')).toBe(false);
    expect(warnings.sort()).toEqual([
      'contains timestamps, which the textfile format does not allow',
      'line 1: label written: unterminated value',
    ]);
    await tmp.remove();
  });
});
