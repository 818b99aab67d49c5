// Requests a hostile page or a confused client can send to the metrics listener: each is refused
// with the right status before it costs the router a collection or reloads its config.
import { IncomingMessage, request } from 'node:http';
import { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCrossSite, MAX_SCRAPE_TIMEOUT_SECONDS, scrapeTimeoutSeconds } from '../exporter/http.ts';
import { copyRouter, scrape, startExporter, type RunningExporter } from './helpers.ts';

/** A raw request: fetch would normalise the path and refuse some methods. */
function raw(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; allow: string | undefined; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, method, path, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, allow: res.headers.allow, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const fakeRequest = (headers: Record<string, string>) => Object.assign(new IncomingMessage(new Socket()), { headers });

describe('the scrape timeout header', () => {
  it.each([
    ['1e9', MAX_SCRAPE_TIMEOUT_SECONDS - 0.5],
    ['2000000', MAX_SCRAPE_TIMEOUT_SECONDS - 0.5],
    ['25', 24.5],
    ['-3', 9.5],
    ['NaN', 9.5],
  ])('%s gives a budget of %s s', (header, budget) => {
    expect(scrapeTimeoutSeconds(fakeRequest({ 'x-prometheus-scrape-timeout-seconds': header }), 10, 0.5)).toBe(budget);
  });
});

describe('cross-site requests', () => {
  it.each([
    [{ host: '192.168.1.1:9100', origin: 'http://evil.example' }, true],
    [{ host: '192.168.1.1:9100', 'sec-fetch-site': 'cross-site' }, true],
    [{ host: '192.168.1.1:9100', origin: 'null' }, true],
    [{ host: '192.168.1.1:9100', origin: 'http://192.168.1.1:9100' }, false],
    [{ host: '192.168.1.1:9100' }, false],
  ])('%j: %s', (headers, cross) => {
    expect(isCrossSite(fakeRequest(headers))).toBe(cross);
  });
});

describe('the metrics listener refuses', () => {
  let exporter: RunningExporter;
  let lifecycle: RunningExporter;
  let remove: () => Promise<void>;
  beforeAll(async () => {
    const router = await copyRouter('gl-mt2500a');
    remove = router.remove;
    exporter = await startExporter(router.flags);
    lifecycle = await startExporter([...router.flags, '--web.enable-lifecycle']);
  });
  afterAll(async () => {
    await exporter?.stop();
    await lifecycle?.stop();
    await remove?.();
  });

  it.each(['POST', 'DELETE', 'OPTIONS', 'PUT'])('%s /metrics with 405 and Allow, without collecting', async (method) => {
    const before = exporter.logs.length;
    const r = await raw(exporter.url, method, '/metrics');
    expect(r).toMatchObject({ status: 405, allow: 'GET, HEAD' });
    expect(exporter.logs.slice(before).filter((l) => l.collector)).toEqual([]);
  });

  it('a malformed %ZZ in a path with 400, not 500', async () => {
    expect((await raw(exporter.url, 'GET', '/api/dns/clients/%ZZ')).status).toBe(400);
    expect((await raw(exporter.url, 'GET', '/metrics%ZZ')).status).toBe(400);
  });

  it('POST /-/reload unless the lifecycle API is enabled, and a cross-site reload even then', async () => {
    expect(await raw(exporter.url, 'POST', '/-/reload')).toMatchObject({
      status: 403,
      body: 'Lifecycle API is not enabled (--web.enable-lifecycle); SIGHUP reloads\n',
    });
    expect(await raw(lifecycle.url, 'POST', '/-/reload', { Origin: 'http://evil.example' })).toMatchObject({
      status: 403,
      body: 'cross-site reload refused\n',
    });
    expect((await raw(lifecycle.url, 'POST', '/-/reload')).status).toBe(200);
  });

  it('nothing that a scrape with an absurd timeout header would hold', async () => {
    const text = await scrape(exporter.url, { 'X-Prometheus-Scrape-Timeout-Seconds': '1e9' });
    expect(text).toMatch(/routerscope_scrape_collector_success\{collector="netdev"\} 1/);
  });
});
