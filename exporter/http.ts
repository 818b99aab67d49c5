// The metrics listener: plain node:http for a handful of routes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { errorMessage } from './errors.ts';
import type { Exporter } from './exporter.ts';
import { render, TEXT_CONTENT_TYPE } from './metrics.ts';
import { VERSION } from './version.ts';

export interface MetricsServerOptions {
  readonly exporter: Exporter;
  readonly log: Logger;
  /** Re-reads the config; resolves to an error message, or undefined on success. */
  readonly reload: () => Promise<string | undefined>;
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value, null, 2) + '\n', 'application/json');
}

/**
 * The longest scrape timeout the header may ask for, as `web.scrape_timeout_seconds` allows:
 * Prometheus never sends more than its scrape interval, and 1e9 would overflow Node's timers into
 * 1 ms while 2000000 would hold every later scrape that joins this one.
 */
export const MAX_SCRAPE_TIMEOUT_SECONDS = 300;

/** The scrape's time budget: Prometheus' timeout header (or the default), bounded, less the offset. */
export function scrapeTimeoutSeconds(req: IncomingMessage, fallback: number, offset: number): number {
  const header = Number(req.headers['x-prometheus-scrape-timeout-seconds']);
  const budget = Number.isFinite(header) && header > 0 ? Math.min(header, MAX_SCRAPE_TIMEOUT_SECONDS) : fallback;
  return Math.max(budget - offset, 0.1);
}

/** A request a browser sends for another site's page (cross-site request forgery), by its own headers. */
export function isCrossSite(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

const READ_ONLY = new Set(['GET', 'HEAD']);

function landingPage(exporter: Exporter): string {
  const routes = [...exporter.routes().keys()];
  const links = ['/metrics', '/status', '/-/healthy', '/-/ready', ...routes].map((p) => `<li><a href="${p}">${p}</a></li>`).join('');
  return `<!doctype html><html><head><title>routerscope</title></head><body><h1>routerscope ${VERSION}</h1>
<p>Prometheus exporter for OpenWrt and OpenMPTCProuter. Collectors: ${exporter.enabledCollectors.join(', ')}.</p>
<ul>${links}</ul></body></html>\n`;
}

async function handle(req: IncomingMessage, res: ServerResponse, options: MetricsServerOptions): Promise<void> {
  const { exporter } = options;
  const url = new URL(req.url ?? '/', 'http://localhost');
  try {
    decodeURIComponent(url.pathname);
  } catch {
    return send(res, 400, 'malformed percent-encoding in the path\n');
  }
  if (url.pathname !== '/-/reload' && !READ_ONLY.has(req.method ?? 'GET')) {
    // Every other route only reads: a POST must not run a collection on the router.
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, `${req.method} is not allowed here\n`);
  }
  switch (url.pathname) {
    case '/':
      return send(res, 200, landingPage(exporter), 'text/html; charset=utf-8');
    case '/metrics': {
      const wanted = url.searchParams.getAll('collect[]');
      const unknown = wanted.filter((n) => !exporter.enabledCollectors.includes(n));
      if (unknown.length > 0) return send(res, 400, `collect[]: unknown or disabled collector: ${unknown.join(', ')}\n`);
      const web = exporter.currentConfig.web;
      const families = await exporter.scrape({
        timeoutSeconds: scrapeTimeoutSeconds(req, web.scrape_timeout_seconds, web.timeout_offset_seconds),
        ...(wanted.length > 0 ? { only: new Set(wanted) } : {}),
      });
      return send(res, 200, render(families), TEXT_CONTENT_TYPE);
    }
    case '/-/healthy':
      return send(res, 200, 'Healthy\n');
    case '/-/ready':
      return send(res, 200, 'Ready\n');
    case '/-/reload': {
      if (req.method !== 'POST' && req.method !== 'PUT') {
        res.setHeader('Allow', 'POST, PUT');
        return send(res, 405, 'Only POST or PUT requests allowed\n');
      }
      if (!exporter.currentConfig.web.enable_lifecycle)
        return send(res, 403, 'Lifecycle API is not enabled (--web.enable-lifecycle); SIGHUP reloads\n');
      if (isCrossSite(req)) return send(res, 403, 'cross-site reload refused\n');
      const error = await options.reload();
      return error ? send(res, 500, `failed to reload config: ${error}\n`) : send(res, 200, 'config reloaded\n');
    }
    case '/status':
      return sendJson(res, 200, exporter.status());
  }
  for (const [prefix, handler] of exporter.routes()) {
    if (url.pathname === prefix || url.pathname.startsWith(prefix + '/')) return sendJson(res, 200, await handler(url));
  }
  return send(res, 404, 'not found\n');
}

export function createMetricsServer(options: MetricsServerOptions): Server {
  return createServer((req, res) => {
    handle(req, res, options).catch((e: unknown) => {
      options.log.error({ err: errorMessage(e), url: req.url }, 'request failed');
      if (!res.headersSent) send(res, 500, `internal error: ${errorMessage(e)}\n`);
      else res.destroy();
    });
  });
}

/** Splits host:port, [v6]:port or :port for listen(). */
export function splitHostPort(address: string): { host: string | undefined; port: number } {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[|\]$/g, '');
  return { host: host === '' ? undefined : host, port: Number(address.slice(i + 1)) };
}

export function listen(server: Server, address: string): Promise<AddressInfo> {
  const { host, port } = splitHostPort(address);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
