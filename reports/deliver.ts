// `report --send <target>`: the report mailed (smtp:// or smtps://, through nodemailer) or posted to
// a webhook (http:// or https://). A target's password never appears in a message: errors name the
// target without it.
import { hostname } from 'node:os';
import { createTransport } from 'nodemailer';
import { request } from 'undici';
import { errorMessage, ReportError } from '../exporter/errors.ts';
import type { Report } from './report.ts';

export interface Delivery {
  readonly report: Report;
  /** The report as written (markdown or JSON). */
  readonly text: string;
  /** Its file name, as `--out` would write it. */
  readonly fileName: string;
}

/** The target as it may be shown: no password, no query string (it may carry a token). */
export function describeTarget(target: string): string {
  try {
    const url = new URL(target);
    return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

const subject = (r: Report) =>
  `routerscope ${r.kind} report for ${r.router}: ${r.kind === 'daily' ? r.period.firstDay : `from ${r.period.firstDay}`} (${r.period.timeZone})`;

async function mail(url: URL, d: Delivery): Promise<string> {
  const to = url.searchParams.get('to');
  if (!to) throw new ReportError(`--send ${describeTarget(url.href)}: say who gets it, e.g. smtp://host:587?to=you@example.net`);
  const from = url.searchParams.get('from') ?? `routerscope@${hostname()}`;
  const user = decodeURIComponent(url.username);
  // The password from the URL, or from the environment so that it stays out of `ps` and cron files.
  const pass = url.password ? decodeURIComponent(url.password) : process.env.ROUTERSCOPE_SMTP_PASSWORD;
  const secure = url.protocol === 'smtps:';
  const transport = createTransport({
    host: url.hostname,
    port: Number(url.port) || (secure ? 465 : 587),
    secure,
    auth: user ? { user, pass } : undefined,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  });
  try {
    await transport.sendMail({
      from,
      to,
      subject: subject(d.report),
      text: d.text,
      attachments: [
        { filename: d.fileName, content: d.text, contentType: d.fileName.endsWith('.json') ? 'application/json' : 'text/markdown' },
      ],
    });
  } catch (e) {
    throw new ReportError(`cannot mail the report through ${describeTarget(url.href)}: ${errorMessage(e)}`);
  } finally {
    transport.close();
  }
  return `mailed to ${to} through ${describeTarget(url.href)}`;
}

async function post(url: URL, d: Delivery): Promise<string> {
  let statusCode: number;
  try {
    // undici, as the report's Prometheus client: one HTTP client for the report.
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        router: d.report.router,
        kind: d.report.kind,
        period: d.report.period,
        subject: subject(d.report),
        file: d.fileName,
        text: d.text,
      }),
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    statusCode = res.statusCode;
    await res.body.dump();
  } catch (e) {
    throw new ReportError(`cannot post the report to ${describeTarget(url.href)}: ${errorMessage(e)}`);
  }
  if (statusCode < 200 || statusCode > 299) throw new ReportError(`the webhook ${describeTarget(url.href)} answered ${statusCode}`);
  return `posted to ${describeTarget(url.href)}`;
}

/** Sends one report to its target; resolves to a line saying where it went. */
export async function deliver(target: string, d: Delivery): Promise<string> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new ReportError(`--send needs a URL: smtp://host:587?to=you@example.net, smtps://..., or an http(s):// webhook`);
  }
  if (url.protocol === 'smtp:' || url.protocol === 'smtps:') return mail(url, d);
  if (url.protocol === 'http:' || url.protocol === 'https:') return post(url, d);
  throw new ReportError(
    `--send ${describeTarget(target)}: use smtp://host:587?to=you@example.net, smtps://host:465?to=..., or an http(s):// webhook`,
  );
}
