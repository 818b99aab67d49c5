// A strict parser for the Prometheus text format 0.0.4. The textfile collector reads users' *.prom
// files with it, and the tests read the exporter's (and node_exporter's) output with it.
import { ExpositionParseError } from './errors.ts';
import type { Labels, MetricFamily, MetricType, Sample } from './metrics.ts';

export interface ParsedSample extends Sample {
  readonly timestamp?: number;
}
export interface ParsedFamily extends MetricFamily {
  readonly samples: ParsedSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<MetricType>(['gauge', 'counter', 'untyped', 'histogram', 'summary']);
const SUFFIXES: Record<string, readonly string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
};

export function parseValue(text: string): number {
  switch (text) {
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
    case 'NaN':
      return NaN;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new Error(`invalid value "${text}"`);
  return Number(text);
}

function parseLabels(text: string, start: number, lineNo: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start; // just after '{'
  for (;;) {
    while (text[i] === ' ') i++;
    if (text[i] === '}') return { labels, end: i + 1 };
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new ExpositionParseError(lineNo, 'unterminated label set');
    const name = text.slice(i, eq).trim();
    if (!LABEL_NAME.test(name)) throw new ExpositionParseError(lineNo, `invalid label name "${name}"`);
    if (name in labels) throw new ExpositionParseError(lineNo, `duplicate label "${name}"`);
    i = eq + 1;
    if (text[i] !== '"') throw new ExpositionParseError(lineNo, `label ${name}: value must be quoted`);
    i++;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) throw new ExpositionParseError(lineNo, `label ${name}: unterminated value`);
      if (c === '"') break;
      if (c === '\\') {
        const n = text[i + 1];
        if (n === 'n') value += '\n';
        else if (n === '\\' || n === '"') value += n;
        else throw new ExpositionParseError(lineNo, `label ${name}: invalid escape \\${n ?? ''}`);
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    labels[name] = value;
    i++;
    while (text[i] === ' ') i++;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw new ExpositionParseError(lineNo, 'expected , or } after a label');
  }
}

/** Parses an exposition into families in order of first appearance. */
export function parseExposition(text: string): ParsedFamily[] {
  const families = new Map<string, { name: string; help: string; type: MetricType; samples: ParsedSample[] }>();
  const familyOf = (name: string) => {
    let f = families.get(name);
    if (!f) {
      f = { name, help: '', type: 'untyped', samples: [] };
      families.set(name, f);
    }
    return f;
  };
  // A sample belongs to the declared family whose name plus an allowed suffix equals its name.
  const baseOf = (sampleName: string): { base: string; suffix: string } => {
    for (const [type, suffixes] of Object.entries(SUFFIXES)) {
      for (const suffix of suffixes) {
        if (!sampleName.endsWith(suffix)) continue;
        const base = sampleName.slice(0, -suffix.length);
        if (families.get(base)?.type === type) return { base, suffix };
      }
    }
    return { base: sampleName, suffix: '' };
  };

  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!m) return; // a plain comment
      const [, kind = '', name = '', rest = ''] = m;
      if (!NAME.test(name)) throw new ExpositionParseError(lineNo, `invalid metric name "${name}"`);
      const f = familyOf(name);
      if (kind === 'HELP') {
        f.help = rest.replace(/\\(n|\\)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
      } else {
        const type = rest.trim() as MetricType;
        if (!TYPES.has(type)) throw new ExpositionParseError(lineNo, `invalid type "${rest}" for ${name}`);
        if (f.samples.length > 0) throw new ExpositionParseError(lineNo, `TYPE for ${name} after its samples`);
        f.type = type;
      }
      return;
    }
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!nameMatch) throw new ExpositionParseError(lineNo, `invalid metric name in "${line}"`);
    const sampleName = nameMatch[0];
    let rest = line.slice(sampleName.length);
    let labels: Labels = {};
    if (rest.startsWith('{')) {
      const parsed = parseLabels(rest, 1, lineNo);
      labels = parsed.labels;
      rest = rest.slice(parsed.end);
    }
    const fields = rest.trim().split(/\s+/);
    if (fields.length < 1 || fields.length > 2 || fields[0] === '') {
      throw new ExpositionParseError(lineNo, `expected a value (and optional timestamp) after ${sampleName}`);
    }
    let value: number;
    try {
      value = parseValue(fields[0] as string);
    } catch (e) {
      throw new ExpositionParseError(lineNo, (e as Error).message);
    }
    const { base, suffix } = baseOf(sampleName);
    const sample: ParsedSample =
      fields[1] === undefined ? { suffix, labels, value } : { suffix, labels, value, timestamp: Number(fields[1]) };
    if (fields[1] !== undefined && !/^-?\d+$/.test(fields[1])) {
      throw new ExpositionParseError(lineNo, `invalid timestamp "${fields[1]}"`);
    }
    familyOf(base).samples.push(sample);
  });
  return [...families.values()].filter((f) => f.samples.length > 0);
}

/** `name{a="b",...}` with labels sorted: a stable key for comparing two expositions. */
export function seriesKey(familyName: string, s: Sample): string {
  const keys = Object.keys(s.labels).sort();
  return familyName + s.suffix + '{' + keys.map((k) => `${k}=${JSON.stringify(s.labels[k])}`).join(',') + '}';
}

export function toSeriesMap(families: readonly MetricFamily[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of families) for (const s of f.samples) out.set(seriesKey(f.name, s), s.value);
  return out;
}
