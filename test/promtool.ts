// promtool from Debian's prometheus package, as the tests use it.
import { spawn } from 'node:child_process';

/**
 * Lint findings that are accepted, each with its reason. Anything else promtool reports fails.
 */
export const LINT_EXEMPTIONS: ReadonlyArray<readonly [RegExp, string]> = [
  // node_exporter's own names for /proc/meminfo fields; stock dashboards query them as they are.
  [/^node_memory_\w+ metric names should be written in 'snake_case' not 'camelCase'$/, 'node_exporter meminfo names'],
  // node_exporter's netstat collector names: node_netstat_<Protocol>_<KernelField>, as the kernel spells it.
  [/^node_netstat_MPTcpExt_\w+ metric names should be written in 'snake_case' not 'camelCase'$/, 'node_exporter netstat names'],
  // snmp_exporter's if_mib names (MIB object names, counters without _total), so its dashboards work.
  [
    /^if(HC|In|Out|Oper|High)\w* (metric names should be written in 'snake_case' not 'camelCase'|counter metrics should have "_total" suffix)$/,
    'snmp_exporter if_mib names',
  ],
  // The OpenWrt Lua exporter's wifi_stations names, kept so dashboards built for it keep working.
  [
    /^wifi_station_(expected_throughput_kilobits_per_second|inactive_milliseconds|(receive|transmit)_kilobits_per_second) use base unit /,
    'Lua exporter wifi names',
  ],
  // node_exporter names these counters without _total; kept for compatibility with node-mixin.
  [/^node_nf_conntrack_stat_\w+ /, 'node_exporter conntrack names'],
];

export function runPromtool(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** Problems promtool finds in an exposition, less the exemptions; parse errors always count. */
export async function promtoolCheckMetrics(exposition: string): Promise<string[]> {
  const { code, stderr } = await runPromtool(['check', 'metrics'], exposition);
  if (code === 0) return [];
  if (code !== 3) return [`promtool exited ${code}: ${stderr.trim()}`];
  return stderr
    .split('\n')
    .filter((l) => l.trim() !== '')
    .filter((l) => !LINT_EXEMPTIONS.some(([pattern]) => pattern.test(l)));
}
