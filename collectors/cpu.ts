import { defineCollector } from '../exporter/collector.ts';
import { ParseError } from '../exporter/errors.ts';

/** The kernel reports CPU time in USER_HZ ticks, 100 a second on every architecture. */
const USER_HZ = 100;
const MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;

export interface CpuTimes {
  readonly cpu: string;
  /** Seconds per mode. */
  readonly modes: Readonly<Record<(typeof MODES)[number], number>>;
  readonly guest: number;
  readonly guestNice: number;
}

export interface ProcStat {
  readonly cpus: CpuTimes[];
  readonly bootTime: number;
  readonly contextSwitches: number;
  readonly forks: number;
  readonly procsRunning: number;
  readonly procsBlocked: number;
  readonly interrupts: number;
}

/** `/proc/stat`: per-CPU times (the summed `cpu` line is skipped, as node_exporter does). */
export function parseProcStat(text: string): ProcStat {
  const cpus: CpuTimes[] = [];
  const scalars = new Map<string, number>();
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const key = fields[0];
    if (!key) continue;
    if (/^cpu\d+$/.test(key)) {
      const ticks = fields.slice(1).map(Number);
      if (ticks.length < 4 || ticks.some((n) => !Number.isFinite(n))) {
        throw new ParseError('/proc/stat', `bad cpu line "${line}"`);
      }
      const modes = Object.fromEntries(MODES.map((m, i) => [m, (ticks[i] ?? 0) / USER_HZ])) as CpuTimes['modes'];
      cpus.push({ cpu: key.slice(3), modes, guest: (ticks[8] ?? 0) / USER_HZ, guestNice: (ticks[9] ?? 0) / USER_HZ });
    } else if (['btime', 'ctxt', 'processes', 'procs_running', 'procs_blocked', 'intr'].includes(key)) {
      scalars.set(key, Number(fields[1]));
    }
  }
  const need = (k: string): number => {
    const v = scalars.get(k);
    if (v === undefined || !Number.isFinite(v)) throw new ParseError('/proc/stat', `missing or bad "${k}" line`);
    return v;
  };
  if (cpus.length === 0) throw new ParseError('/proc/stat', 'no cpuN lines');
  return {
    cpus,
    bootTime: need('btime'),
    contextSwitches: need('ctxt'),
    forks: need('processes'),
    procsRunning: need('procs_running'),
    procsBlocked: need('procs_blocked'),
    interrupts: need('intr'),
  };
}

export const cpu = defineCollector({
  name: 'cpu',
  defaultEnabled: true,
  description: 'CPU time, boot time, context switches, forks and processes from /proc/stat',
  options: {},
  create: () => ({
    async collect(ctx, out) {
      const stat = parseProcStat(await ctx.sources.readFile('/proc/stat', { signal: ctx.signal }));
      const seconds = out.family('node_cpu_seconds_total', 'counter', 'Seconds the CPUs spent in each mode.');
      const guest = out.family('node_cpu_guest_seconds_total', 'counter', 'Seconds the CPUs spent in guests (VMs) for each mode.');
      for (const c of stat.cpus) {
        for (const mode of MODES) seconds.add({ cpu: c.cpu, mode }, c.modes[mode]);
        guest.add({ cpu: c.cpu, mode: 'nice' }, c.guestNice);
        guest.add({ cpu: c.cpu, mode: 'user' }, c.guest);
      }
      out.gauge('node_boot_time_seconds', 'Node boot time, in unixtime.', {}, stat.bootTime);
      out.counter('node_context_switches_total', 'Total number of context switches.', {}, stat.contextSwitches);
      out.counter('node_forks_total', 'Total number of forks.', {}, stat.forks);
      out.counter('node_intr_total', 'Total number of interrupts serviced.', {}, stat.interrupts);
      out.gauge('node_procs_running', 'Number of processes in runnable state.', {}, stat.procsRunning);
      out.gauge('node_procs_blocked', 'Number of processes blocked waiting for I/O to complete.', {}, stat.procsBlocked);
    },
  }),
});
