// The exporter's own long-lived metrics, in a prom-client registry, converted to the scrape's
// family model so that one renderer serves everything.
// prom-client by module: its index also loads the Pushgateway, and with it Node's https and TLS
// (2.2 MiB of a router's RSS). Its own process_* metrics one module each: collectDefaultMetrics()
// cannot pick, and would also sample the event loop every 10 ms, observe every GC and compute the
// nodejs_* heap and handle families on every scrape (0.65 ms a scrape) for series a router does
// not need.
import Gauge from 'prom-client/lib/gauge.js';
import Registry from 'prom-client/lib/registry.js';
import processCpuTotal from 'prom-client/lib/metrics/processCpuTotal.js';
import processMaxFileDescriptors from 'prom-client/lib/metrics/processMaxFileDescriptors.js';
import processMemory from 'prom-client/lib/metrics/osMemoryHeap.js';
import processOpenFileDescriptors from 'prom-client/lib/metrics/processOpenFileDescriptors.js';
import processStartTime from 'prom-client/lib/metrics/processStartTime.js';
import type { MetricFamily, MetricType, Sample } from './metrics.ts';
import { REVISION, VERSION } from './version.ts';

export class SelfMetrics {
  readonly registry = new Registry();
  readonly reloadSuccess = new Gauge({
    name: 'routerscope_config_last_reload_successful',
    help: 'Whether the last configuration reload attempt was successful.',
    registers: [this.registry],
  });
  readonly reloadTimestamp = new Gauge({
    name: 'routerscope_config_last_reload_success_timestamp_seconds',
    help: 'Timestamp of the last successful configuration reload.',
    registers: [this.registry],
  });

  constructor() {
    new Gauge({
      name: 'routerscope_build_info',
      help: 'A metric with a constant 1 value labelled by version, revision and Node.js version of routerscope.',
      labelNames: ['version', 'revision', 'nodeversion'],
      registers: [this.registry],
    }).set({ version: VERSION, revision: REVISION, nodeversion: process.version }, 1);
    this.reloadSuccess.set(1);
    this.reloadTimestamp.set(Date.now() / 1000);
    for (const register of [processCpuTotal, processStartTime, processMemory, processOpenFileDescriptors, processMaxFileDescriptors])
      register(this.registry);
  }

  async families(): Promise<MetricFamily[]> {
    const METRIC_TYPES: readonly MetricType[] = ['counter', 'gauge', 'histogram', 'summary'];
    const json = await this.registry.getMetricsAsJSON();
    return json.map((m) => ({
      name: m.name,
      help: m.help,
      // prom-client's typings say a numeric enum; its JSON says 'counter', 'gauge', ...
      type: METRIC_TYPES.find((t) => t === String(m.type)) ?? 'untyped',
      samples: m.values.map((v): Sample => ({
        suffix: (v as { metricName?: string }).metricName?.slice(m.name.length) ?? '',
        labels: Object.fromEntries(Object.entries(v.labels).map(([k, l]) => [k, String(l)])),
        value: v.value,
      })),
    }));
  }
}
