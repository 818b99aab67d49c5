// `routerscope report schedule`: the reports on their own clock, for the monitoring host (the
// compose stack runs it): every day at `--at` local time the daily report of the day before, on
// Mondays also last week's, on the 1st also last month's, each written to --out and sent to every
// --send target. A failed report is said and the schedule goes on.
import { runReport, type ReportOptions } from './cli.ts';
import { localDate, localInstant, type PeriodKind } from './period.ts';
import { errorMessage, ReportError } from '../exporter/errors.ts';

export interface ScheduledRun {
  readonly at: Date;
  readonly kinds: PeriodKind[];
}

/** Parses `HH:MM`. */
export function parseAt(text: string): { hour: number; minute: number } {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!m) throw new ReportError(`--at "${text}" is not a time of day: use HH:MM, e.g. 06:00`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

/** The first run strictly after `after`, and the reports it makes. */
export function nextRun(after: Date, timeZone: string, at: { hour: number; minute: number }): ScheduledRun {
  const [year, month, day] = localDate(after, timeZone).split('-').map(Number) as [number, number, number];
  for (let i = 0; ; i++) {
    const when = localInstant(year, month, day + i, at.hour, at.minute, timeZone);
    if (when.getTime() <= after.getTime()) continue;
    const [y, m, d] = localDate(when, timeZone).split('-').map(Number) as [number, number, number];
    const kinds: PeriodKind[] = ['daily'];
    if (new Date(Date.UTC(y, m - 1, d)).getUTCDay() === 1) kinds.push('weekly');
    if (d === 1) kinds.push('monthly');
    return { at: when, kinds };
  }
}

/** Runs forever (until the process is stopped). */
export async function runSchedule(options: ReportOptions & { readonly at: string }): Promise<never> {
  const at = parseAt(options.at);
  if (!options.out && (options.send ?? []).length === 0)
    throw new ReportError('a schedule with nowhere to put the reports: pass --out DIR, --send URL, or both');
  for (;;) {
    const next = nextRun(new Date(), options.tz, at);
    process.stdout.write(`next: ${next.kinds.join(', ')} at ${next.at.toISOString()}\n`);
    await new Promise((r) => setTimeout(r, next.at.getTime() - Date.now()));
    for (const kind of next.kinds) {
      try {
        process.stdout.write(await runReport(kind, { ...options, date: undefined }));
      } catch (e) {
        process.stderr.write(`routerscope report: ${kind}: ${errorMessage(e)}\n`);
      }
    }
  }
}
