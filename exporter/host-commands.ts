// The monitoring host's commands: reports from Prometheus, and (from a checkout) the Grafana
// dashboards. Kept out of the router's bundle (exporter/router-main.ts): a router serves /metrics,
// and the report's code (nodemailer among it) would cost its RSS for nothing.
import type { Command } from 'commander';
import { errorMessage } from './errors.ts';
import { BUNDLED } from './version.ts';
import type { ReportOptions } from '../reports/cli.ts';

export function addHostCommands(program: Command): Command {
  program
    .command('report')
    .description('a daily, weekly or monthly markdown report from Prometheus')
    .argument('<period>', 'daily, weekly or monthly; or schedule: each on its own clock, forever (--at)')
    .option(
      '--at <HH:MM>',
      'with schedule: the local time the reports are made (daily; Mondays also weekly, the 1st also monthly)',
      '06:00',
    )
    .option('--date <YYYY-MM-DD>', 'a day in the period (default: the last complete period)')
    .option('--prometheus <url>', 'Prometheus (or a compatible engine) to query', 'http://localhost:9090')
    .option('--router <name>', 'the router label to report on (required when there are several)')
    .option('--out <dir>', 'write client-activity-....md into this directory instead of stdout')
    .option('--format <format>', 'markdown or json', 'markdown')
    // No default value here: asking Intl for this machine's zone loads ICU (6 MiB of RSS), which
    // every other command, serve among them, would then pay for.
    .option('--tz <zone>', "time zone the periods are aligned to (default: this machine's)")
    .option(
      '--send <url>',
      'mail the report (smtp://[user@]host:587?to=you@example.net[&from=...], smtps://...; the password may come from ROUTERSCOPE_SMTP_PASSWORD) or post it to an http(s):// webhook; repeatable',
      // An empty one is ignored, so that a compose file can pass an unset variable.
      (value: string, previous: string[]) => (value ? [...previous, value] : previous),
      [] as string[],
    )
    .action(async (period: string, given: Omit<ReportOptions, 'tz'> & { tz?: string }) => {
      const opts: ReportOptions = { ...given, tz: given.tz ?? Intl.DateTimeFormat().resolvedOptions().timeZone };
      try {
        // Loaded on demand: no other command initialises undici (nor its WebAssembly).
        if (period === 'schedule') {
          const { runSchedule } = await import('../reports/schedule.ts');
          await runSchedule(opts as ReportOptions & { at: string });
        }
        const { runReport } = await import('../reports/cli.ts');
        process.stdout.write(await runReport(period, opts));
      } catch (e) {
        process.stderr.write(`routerscope report: ${errorMessage(e)}\n`);
        process.exitCode = 1;
      }
    });
  // The dashboards are generated from a checkout (their TypeScript and the SDK are in no bundle),
  // so a bundle does not offer the command at all.
  if (BUNDLED) return program;
  program
    .command('grafana')
    .description('write the Grafana dashboards as JSON for file provisioning')
    .option('--out <dir>', 'directory to write into', 'grafana/generated')
    .action(async (opts: { out: string }) => {
      // Loaded from a checkout, not bundled: neither bundle has a use for the SDK.
      const generator = new URL('../grafana/generate.ts', import.meta.url).href;
      const { writeDashboards } = (await import(generator)) as typeof import('../grafana/generate.ts');
      process.stdout.write(`${writeDashboards(opts.out).join('\n')}\n`);
    });
  return program;
}
