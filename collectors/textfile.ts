import * as z from 'zod/mini';
import { defineCollector } from '../exporter/collector.ts';
import { errorMessage } from '../exporter/errors.ts';
import { mergeFamilies, type MetricFamily } from '../exporter/metrics.ts';
import { parseExposition } from '../exporter/parse-exposition.ts';
import { readDirOptional } from './read.ts';

/**
 * Reads `*.prom` files that cron jobs and scripts drop into a directory, as node_exporter's
 * textfile collector does. A bad file is reported in node_textfile_scrape_error and skipped;
 * the good files are still exported.
 */
export const textfile = defineCollector({
  name: 'textfile',
  defaultEnabled: true,
  description: 'metrics from *.prom files in a directory',
  options: {
    directory: z._default(z.string().check(z.minLength(1)), '/var/prometheus'),
  },
  create: (options) => ({
    async collect(ctx, out) {
      const entries = (await readDirOptional(ctx, options.directory)).filter((e) => e.name.endsWith('.prom') && e.type !== 'dir');
      let error = 0;
      // A FIFO, socket or device named *.prom would block the read (and, read synchronously, the
      // whole exporter) until someone writes to it: only files and links to them are read.
      const files = entries.filter((e) => {
        if (e.type === 'file' || e.type === 'symlink') return true;
        error = 1;
        ctx.log.warn({ file: `${options.directory}/${e.name}` }, 'textfile skipped: not a regular file');
        return false;
      });
      const groups: MetricFamily[][] = [];
      const mtime = out.family('node_textfile_mtime_seconds', 'gauge', 'Unixtime mtime of textfiles successfully read.');
      for (const f of files) {
        const file = `${options.directory}/${f.name}`;
        try {
          const [text, modified] = await Promise.all([ctx.sources.readFile(file, { signal: ctx.signal }), ctx.sources.mtime(file)]);
          const families = parseExposition(text);
          if (families.some((fam) => fam.samples.some((s) => s.timestamp !== undefined))) {
            throw new Error('contains timestamps, which the textfile format does not allow');
          }
          const reserved = families.find((fam) => fam.name.startsWith('node_textfile_'));
          if (reserved) throw new Error(`defines ${reserved.name}, which the collector itself reports`);
          groups.push(families);
          mtime.add({ file }, modified);
        } catch (e) {
          error = 1;
          ctx.log.warn({ file, err: errorMessage(e) }, 'textfile skipped');
        }
      }
      for (const fam of mergeFamilies(groups, (name, reason) => {
        error = 1;
        ctx.log.warn({ metric: name }, `textfile metric dropped: ${reason}`);
      })) {
        const target = out.family(fam.name, fam.type, fam.help || `Metric read from ${options.directory}`);
        target.samples.push(...fam.samples);
      }
      out.gauge('node_textfile_scrape_error', '1 if there was an error opening or reading a file, 0 otherwise', {}, error);
    },
  }),
});
