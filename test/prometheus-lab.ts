// Shared by the tests that run the shipped rules and dashboards against a real Prometheus.
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parse } from 'yaml';
import { GENERATED_DIR } from '../grafana/generate.ts';
import { ROOT } from './helpers.ts';

export interface Dashboard {
  uid: string;
  title: string;
  panels: Array<{ id: number; type: string; title: string; targets?: Array<{ expr: string; refId: string }>; panels?: unknown[] }>;
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

/** Grafana's variables, as "All" and a short range would set them. */
export function substitute(expr: string): string {
  return expr
    .replaceAll('$router', '.+')
    .replaceAll('$interface', '.+')
    .replaceAll('$client', '.+')
    .replaceAll('$__rate_interval', '15s')
    .replaceAll('$__range', '2m')
    .replaceAll('$__interval', '5s');
}

export async function promQuery(base: string, expr: string): Promise<{ status: string; error?: string; data?: { result: unknown[] } }> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
}
