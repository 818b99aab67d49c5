// Writes every dashboard as JSON for Grafana's file provisioning: `npm run grafana` (or
// `routerscope grafana --out DIR`). The JSON is committed; a test regenerates it and fails on drift.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { bandwidth } from './dashboards/bandwidth.ts';
import { clients } from './dashboards/clients.ts';
import { host } from './dashboards/host.ts';
import { latency } from './dashboards/latency.ts';
import { network } from './dashboards/network.ts';
import { optics } from './dashboards/optics.ts';
import { overview } from './dashboards/overview.ts';
import { wan } from './dashboards/wan.ts';
import { wifi } from './dashboards/wifi.ts';
import { finalize } from './panels.ts';

export const DASHBOARDS = [overview, wan, latency, bandwidth, network, clients, host, wifi, optics];

/** File name -> JSON text of each dashboard. */
export function renderDashboards(): Map<string, string> {
  const out = new Map<string, string>();
  for (const build of DASHBOARDS) {
    const d: Dashboard = finalize(build().build());
    out.set(`${d.uid}.json`, JSON.stringify(d, null, 2) + '\n');
  }
  return out;
}

export const GENERATED_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'generated');

export function writeDashboards(dir = GENERATED_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const [name, json] of renderDashboards()) {
    writeFileSync(path.join(dir, name), json);
    files.push(name);
  }
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`wrote ${writeDashboards().join(', ')} to ${path.relative(process.cwd(), GENERATED_DIR)}`);
}
