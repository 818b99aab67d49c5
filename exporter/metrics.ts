// The metric model every collector emits into, and the Prometheus text renderer.
// Collectors build plain families per scrape (DESIGN.md: a fresh registry per scrape); only the
// exporter's own long-lived metrics go through prom-client, and are converted into this model.

export type MetricType = 'gauge' | 'counter' | 'untyped' | 'histogram' | 'summary';
export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  /** Appended to the family name: `_bucket`, `_sum`, `_count` for histograms, else empty. */
  readonly suffix: string;
  readonly labels: Labels;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly samples: Sample[];
}

export class Family {
  readonly samples: Sample[] = [];
  constructor(
    readonly name: string,
    readonly type: MetricType,
    readonly help: string,
  ) {}

  add(labels: Labels, value: number): this {
    this.samples.push({ suffix: '', labels, value });
    return this;
  }

  /** Adds a histogram from cumulative bucket counts (upper bound -> count, +Inf included). */
  addHistogram(labels: Labels, buckets: ReadonlyArray<readonly [number, number]>, sum: number, count: number): this {
    for (const [le, n] of buckets) {
      this.samples.push({ suffix: '_bucket', labels: { ...labels, le: formatValue(le) }, value: n });
    }
    this.samples.push({ suffix: '_sum', labels, value: sum });
    this.samples.push({ suffix: '_count', labels, value: count });
    return this;
  }
}

/**
 * What a collector writes into during one collection. Families are created on first use, so a
 * collector can emit in whatever order it reads; the orchestrator only publishes the sink when the
 * collection succeeded, so a failure midway never leaves half a collector's series behind.
 */
export class MetricSink {
  private readonly families = new Map<string, Family>();

  family(name: string, type: MetricType, help: string): Family {
    let family = this.families.get(name);
    if (!family) {
      family = new Family(name, type, help);
      this.families.set(name, family);
    } else if (family.type !== type) {
      throw new Error(`metric ${name} emitted as ${type} after ${family.type}`);
    }
    return family;
  }

  gauge(name: string, help: string, labels: Labels, value: number): void {
    this.family(name, 'gauge', help).add(labels, value);
  }

  counter(name: string, help: string, labels: Labels, value: number): void {
    this.family(name, 'counter', help).add(labels, value);
  }

  /** Families that have at least one sample. */
  result(): MetricFamily[] {
    return [...this.families.values()].filter((f) => f.samples.length > 0);
  }
}

export function seriesCount(families: readonly MetricFamily[]): number {
  let n = 0;
  for (const f of families) n += f.samples.length;
  return n;
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

const NEEDS_LABEL_ESCAPE = /[\\"\n]/;
function escapeLabelValue(s: string): string {
  return NEEDS_LABEL_ESCAPE.test(s) ? s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') : s;
}
function escapeHelp(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function renderLabels(labels: Labels): string {
  const pairs: string[] = [];
  for (const key in labels) pairs.push(key + '="' + escapeLabelValue(labels[key] as string) + '"');
  return pairs.length === 0 ? '' : '{' + pairs.join(',') + '}';
}

/**
 * Renders families in the Prometheus text format 0.0.4, in the order given. Lines are joined once
 * at the end: each line built by `+=` would leave a rope of a dozen pieces per series, and
 * flattening 100k of those (to send them) cost 1.6 times the plain formatter (`npm run bench`).
 */
export function render(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push('# HELP ' + f.name + ' ' + escapeHelp(f.help), '# TYPE ' + f.name + ' ' + f.type);
    for (const s of f.samples) lines.push(f.name + s.suffix + renderLabels(s.labels) + ' ' + formatValue(s.value));
  }
  lines.push('');
  return lines.length === 1 ? '' : lines.join('\n');
}

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Merges families from several collectors by name, sorted by name as node_exporter does. The same
 * name with another type is dropped (it would make the exposition invalid) and reported.
 */
export function mergeFamilies(
  groups: Iterable<readonly MetricFamily[]>,
  onConflict: (name: string, reason: string) => void,
): MetricFamily[] {
  const byName = new Map<string, { family: MetricFamily; keys: Set<string> | undefined }>();
  for (const group of groups) {
    for (const f of group) {
      const seen = byName.get(f.name);
      if (!seen) {
        byName.set(f.name, { family: { ...f, samples: [...f.samples] }, keys: undefined });
        continue;
      }
      if (seen.family.type !== f.type) {
        onConflict(f.name, `type ${f.type} conflicts with ${seen.family.type}`);
        continue;
      }
      // Only families that really come from two places pay for duplicate detection.
      seen.keys ??= new Set(seen.family.samples.map(sampleKey));
      for (const s of f.samples) {
        const key = sampleKey(s);
        if (seen.keys.has(key)) {
          onConflict(f.name, `duplicate series ${f.name}${s.suffix}${renderLabels(s.labels)}`);
          continue;
        }
        seen.keys.add(key);
        seen.family.samples.push(s);
      }
    }
  }
  return [...byName.values()].map((e) => e.family).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function sampleKey(s: Sample): string {
  const keys = Object.keys(s.labels).sort();
  return s.suffix + '\u0000' + keys.map((k) => k + '=' + s.labels[k]).join('\u0000');
}
