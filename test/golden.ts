// Golden /metrics: what is compared, and what is masked because it differs from run to run.
import { parseExposition, type ParsedFamily } from '../exporter/parse-exposition.ts';
import { render, type MetricFamily } from '../exporter/metrics.ts';

/** Families whose values change on every run or machine; their series are kept, values zeroed. */
export const VOLATILE_VALUES = new Set([
  'node_time_seconds',
  // git does not keep file times.
  'node_textfile_mtime_seconds',
  'node_time_zone_offset_seconds',
  'routerscope_scrape_collector_duration_seconds',
  'routerscope_collector_last_success_timestamp_seconds',
  'routerscope_config_last_reload_success_timestamp_seconds',
  // statfs of the fixture's directories: this machine's disk.
  'node_filesystem_size_bytes',
  'node_filesystem_free_bytes',
  'node_filesystem_avail_bytes',
  'node_filesystem_files',
  'node_filesystem_files_free',
]);

/** The exporter's own process metrics depend on the machine and the Node.js version. */
const DROPPED_PREFIXES = ['process_'];

export function normalizeForGolden(exposition: string): string {
  const families: MetricFamily[] = parseExposition(exposition)
    .filter((f) => !DROPPED_PREFIXES.some((p) => f.name.startsWith(p)))
    .map((f: ParsedFamily) => ({
      ...f,
      samples: f.samples.map((s) => {
        let labels = s.labels;
        if (f.name === 'routerscope_build_info') labels = { ...labels, revision: 'REVISION', nodeversion: 'NODEVERSION' };
        if (f.name === 'node_time_zone_offset_seconds') labels = { ...labels, time_zone: 'ZONE' };
        return { suffix: s.suffix, labels, value: VOLATILE_VALUES.has(f.name) ? 0 : s.value };
      }),
    }));
  return render(families);
}
