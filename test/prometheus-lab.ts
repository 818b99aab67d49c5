// Shared by the tests that run the shipped rules and dashboards against a real Prometheus.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { GENERATED_DIR } from '../grafana/generate.ts';
import { ROOT } from './helpers.ts';

export interface Dashboard {
  uid: string;
  title: string;
  panels: Array<{
    id: number;
    type: string;
    title: string;
    description?: string;
    targets?: Array<{ expr: string; refId: string }>;
    panels?: unknown[];
  }>;
  templating: { list: Array<{ name: string; type: string; query?: string }> };
  annotations?: { list?: Array<{ expr?: string }> };
}

export const dashboards = async (): Promise<Dashboard[]> =>
  Promise.all(
    (await readdir(GENERATED_DIR))
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map(async (f) => JSON.parse(await readFile(path.join(GENERATED_DIR, f), 'utf8')) as Dashboard),
  );

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
}
export const rules = async (file: string): Promise<Rule[]> =>
  (parse(await readFile(path.join(ROOT, 'prometheus', 'rules', file), 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap(
    (g) => g.rules,
  );

/** A duration as a test Prometheus runs it: another duration, or undefined for none at all. */
export type Pace = (duration: string) => string | undefined;

/**
 * The shipped alert rules with their group intervals, `for:` and `keep_firing_for:` durations set
 * to a test Prometheus' pace (the daily group's 5 minutes would leave its rules unevaluated in a
 * short test), written into `dir`; resolves to the file.
 */
export async function alertRulesAtPace(dir: string, pace: { interval: Pace; for?: Pace }): Promise<string> {
  type Timed = { interval?: string; for?: string; keep_firing_for?: string };
  const alerts = parse(await readFile(path.join(ROOT, 'prometheus', 'rules', 'alerts.yml'), 'utf8')) as {
    groups: Array<Timed & { rules: Timed[] }>;
  };
  const set = (o: Timed, key: keyof Timed, to: Pace) => {
    const value = o[key] === undefined ? undefined : to(o[key]);
    if (value === undefined) delete o[key];
    else o[key] = value;
  };
  for (const group of alerts.groups) {
    set(group, 'interval', pace.interval);
    if (pace.for) for (const rule of group.rules) for (const key of ['for', 'keep_firing_for'] as const) set(rule, key, pace.for);
  }
  const file = path.join(dir, 'alerts.yml');
  await writeFile(file, stringify(alerts));
  return file;
}

/** Grafana's variables, as "All" and a short range would set them. */
export function substitute(expr: string): string {
  return expr
    .replaceAll('$router', '.+')
    .replaceAll('$interface', '.*') // the WAN variable's "All" keeps series with no WAN
    .replaceAll('$client', '.+')
    .replaceAll('$target', '.+')
    .replaceAll('$host', '.+')
    .replaceAll('$__rate_interval', '15s')
    .replaceAll('$__range', '2m')
    .replaceAll('$__interval', '5s');
}

export async function promQuery(base: string, expr: string): Promise<{ status: string; error?: string; data?: { result: unknown[] } }> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
}
