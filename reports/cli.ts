// `routerscope report daily|weekly|monthly`: one report from Prometheus, as markdown or JSON, on
// stdout or into --out DIR as client-activity-....md. Errors are one line and a non-zero exit.
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { deliver } from './deliver.ts';
import { renderMarkdown } from './markdown.ts';
import { isValidTimeZone, localDate, periodContaining, previousPeriod, type PeriodKind } from './period.ts';
import { ReportError } from '../exporter/errors.ts';
import { PrometheusClient } from './prometheus.ts';
import { ReportBuilder } from './report.ts';

export interface ReportOptions {
  readonly date?: string;
  readonly prometheus: string;
  readonly router?: string;
  readonly out?: string;
  readonly format: string;
  readonly tz: string;
  /** Where to send the report besides (or instead of) stdout: smtp(s):// or http(s):// URLs. */
  readonly send?: readonly string[];
}

export function reportFileName(kind: PeriodKind, firstDay: string, format: string): string {
  const ext = format === 'json' ? 'json' : 'md';
  if (kind === 'daily') return `client-activity-${firstDay}.${ext}`;
  if (kind === 'weekly') return `client-activity-week-${firstDay}.${ext}`;
  return `client-activity-month-${firstDay.slice(0, 7)}.${ext}`;
}

/** Runs a report; resolves to the text written (or the file name), rejects with a ReportError. */
export async function runReport(kind: string, options: ReportOptions): Promise<string> {
  if (!['daily', 'weekly', 'monthly'].includes(kind)) throw new ReportError(`unknown report "${kind}": use daily, weekly or monthly.`);
  if (!['markdown', 'json'].includes(options.format)) throw new ReportError(`unknown format "${options.format}": use markdown or json.`);
  if (!isValidTimeZone(options.tz))
    throw new ReportError(`unknown time zone "${options.tz}": use an IANA name such as Europe/Berlin or UTC.`);
  // By default the last complete period: the one containing yesterday for a daily report,
  // the week or month before the current one otherwise.
  let period;
  try {
    const today = localDate(new Date(), options.tz);
    period = options.date
      ? periodContaining(kind as PeriodKind, options.date, options.tz)
      : previousPeriod(periodContaining(kind as PeriodKind, today, options.tz));
  } catch (e) {
    throw new ReportError(`${(e as Error).message}: pass --date YYYY-MM-DD.`);
  }
  const builder = new ReportBuilder(new PrometheusClient(options.prometheus));
  const router = await builder.resolveRouter(options.router);
  const report = await builder.build(router, period);
  const text = options.format === 'json' ? JSON.stringify(report, null, 2) + '\n' : renderMarkdown(report);
  const fileName = reportFileName(report.kind, report.period.firstDay, options.format);
  const said: string[] = [];
  if (options.out) {
    await mkdir(options.out, { recursive: true });
    await writeFile(path.join(options.out, fileName), text);
    said.push(path.join(options.out, fileName));
  }
  // Every target is tried; the first failure is reported after the others had their turn.
  let failure: Error | undefined;
  for (const target of options.send ?? []) {
    try {
      said.push(await deliver(target, { report, text, fileName }));
    } catch (e) {
      failure ??= e instanceof Error ? e : new ReportError(String(e));
    }
  }
  if (failure) throw failure;
  return said.length > 0 ? said.map((l) => l + '\n').join('') : text;
}
