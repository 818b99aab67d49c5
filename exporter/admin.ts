// The admin listener's HTTP layer: a separate port, off unless a token file is configured. It
// authorises (a bearer token compared in constant time, from allowed addresses only, failed
// tokens rate limited), reads bounded JSON bodies, and routes: the WAN view, a change validated and
// planned by admin-wan.ts and applied by the change transaction (admin-change.ts), the
// diagnostics bundle. Every change, refusal and rollback is audited.
import { appendFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { BlockList, isIP } from 'node:net';
import type { Logger } from 'pino';
import { parseUciShow, uciOption, type UciConfig } from '../openwrt/uci.ts';
import { effectiveMode, parseMptcpEndpoints } from '../openwrt/mptcp.ts';
import { readInterfaceDump, wanNames, wanPolicy } from '../openwrt/netifd.ts';
import { nodeCrypto } from './lazy-builtins.ts';
import { ADMIN_PAGE, ADMIN_SCRIPT, ADMIN_STYLE } from './admin-page.ts';
import { ChangeTransaction } from './admin-change.ts';
import { LiveWans } from './admin-live.ts';
import { planPolicy, planSettings, uciCommand, validateArrangement, validateSettings, type Command } from './admin-wan.ts';
import { buildDiagnostics } from './diagnostics.ts';
import { errorMessage, HttpError, ValidationError } from './errors.ts';
import type { MetricFamily } from './metrics.ts';
import type { Sources } from './sources.ts';

export interface AdminOptions {
  /** The exporter's current sources: a reload replaces (and, agentless, closes) the old ones. */
  readonly sources: () => Sources;
  readonly log: Logger;
  readonly token: string;
  readonly allow: readonly string[];
  /** Host names accepted in the Host header besides IP addresses and localhost. */
  readonly hostNames?: readonly string[];
  readonly auditLog: string;
  readonly confirmTimeoutSeconds: number;
  readonly maxBodyBytes: number;
  /** Where UCI keeps its files, as the `uci -c` option and as files under the rootfs. */
  readonly configDir: string;
  readonly rootConfigDir: string;
  readonly status: () => object;
  /** A collection of the collectors the live WAN view reads (admin-live.ts LIVE_COLLECTORS). */
  readonly collectLive: () => Promise<MetricFamily[]>;
}

/**
 * Wrong tokens per client address: five within a minute and that address's wrong tokens are refused
 * for a minute. The right token always gets in, so whoever shares the address (a NAT, a guest on
 * the same machine) cannot lock its owner out; guessing it is what the token's length prevents.
 */
class FailureLimiter {
  private readonly failures = new Map<string, number[]>();
  private recent(client: string, now: number): number[] {
    const recent = (this.failures.get(client) ?? []).filter((t) => now - t < 60_000);
    if (recent.length === 0) this.failures.delete(client);
    else this.failures.set(client, recent);
    return recent;
  }
  fail(client: string, now = Date.now()): void {
    const recent = this.recent(client, now);
    if (recent.length >= 5) {
      const wait = Math.ceil((60_000 - (now - recent[0]!)) / 1000);
      throw new HttpError(429, `too many failed attempts from ${client}; retry in ${wait} s`, { 'Retry-After': String(wait) });
    }
    this.failures.set(client, [...recent, now]);
  }
}

/** The Host header's name: an IP address or localhost, or one of the configured names. */
export function hostAllowed(host: string | undefined, names: readonly string[]): boolean {
  if (!host) return false;
  const name = (host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '')).toLowerCase();
  return isIP(name) !== 0 || name === 'localhost' || names.some((n) => n.toLowerCase() === name);
}

function allowList(entries: readonly string[]): BlockList | undefined {
  if (entries.length === 0) return undefined;
  const list = new BlockList();
  for (const e of entries) {
    const [address, prefix] = e.split('/');
    const type = isIP(address!) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address!, type);
    else list.addSubnet(address!, Number(prefix), type);
  }
  return list;
}

const digest = (s: string) => nodeCrypto().createHash('sha256').update(s).digest();

export class AdminServer {
  private readonly change: ChangeTransaction;
  private readonly limiter = new FailureLimiter();
  private readonly allowed: BlockList | undefined;
  private readonly tokenDigest: Buffer;
  private readonly live: LiveWans;

  constructor(private readonly o: AdminOptions) {
    this.allowed = allowList(o.allow);
    this.tokenDigest = digest(o.token);
    this.live = new LiveWans(o.collectLive);
    const { sources, log, confirmTimeoutSeconds, configDir, rootConfigDir } = o;
    this.change = new ChangeTransaction({
      sources,
      log,
      confirmTimeoutSeconds,
      configDir,
      rootConfigDir,
      onRolledBack: (what, late) =>
        this.audit({
          client: late ? 'start-up' : 'timer',
          method: 'ROLLBACK',
          path: '/api/wan/confirm',
          result: late ? 'rolled back while routerscope was down' : 'rolled back',
          change: what,
        }),
    });
  }

  private async show(config: string): Promise<UciConfig> {
    try {
      return parseUciShow(await this.change.run(uciCommand(this.o.configDir, '-q', 'show', config)));
    } catch {
      return new Map();
    }
  }

  // ---- reading

  async listWans(): Promise<object[]> {
    const [network, firewall, omr] = await Promise.all([this.show('network'), this.show('firewall'), this.show('openmptcprouter')]);
    const ctx = { sources: this.o.sources(), signal: AbortSignal.timeout(10_000), log: this.o.log };
    const [dump, endpoints] = await Promise.all([
      readInterfaceDump(ctx).catch(() => []),
      this.o
        .sources()
        .run('ip', ['-j', 'mptcp', 'endpoint', 'show'])
        .then(
          (r) => parseMptcpEndpoints(r.stdout),
          () => [],
        ),
    ]);
    return wanNames(network, firewall).map((name) => {
      const s = network.get(name);
      const live = dump.find((i) => i.interface === name);
      const device = live?.l3_device ?? live?.device ?? uciOption(s, 'device') ?? '';
      return {
        interface: name,
        label: uciOption(s, 'label') ?? '',
        policy: wanPolicy(uciOption(s, 'multipath'), uciOption(s, 'disabled')),
        multipath: uciOption(s, 'multipath') ?? '',
        effective_mode: effectiveMode(endpoints, device),
        status: {
          up: live?.up ?? false,
          available: live?.available ?? false,
          uptime_seconds: live?.uptime ?? 0,
          device,
          tracker: uciOption(omr.get(name), 'state') ?? '',
        },
        addressing: {
          proto: uciOption(s, 'proto') ?? '',
          ipaddr: uciOption(s, 'ipaddr') ?? '',
          netmask: uciOption(s, 'netmask') ?? '',
          gateway: uciOption(s, 'gateway') ?? '',
          dns: s?.options.get('dns') ?? [],
          mtu: uciOption(s, 'mtu') ?? '',
          addresses: (live?.['ipv4-address'] ?? []).map((a) => `${a.address}/${a.mask}`),
        },
      };
    });
  }

  private async audit(entry: Record<string, unknown>): Promise<void> {
    try {
      await appendFile(this.o.auditLog, JSON.stringify({ time: new Date().toISOString(), ...entry }) + '\n');
    } catch (e) {
      this.o.log.error({ err: errorMessage(e), file: this.o.auditLog }, 'cannot write the audit log');
    }
  }

  // ---- HTTP

  private authorise(req: IncomingMessage, client: string): void {
    if (this.allowed && !this.allowed.check(client, isIP(client) === 6 ? 'ipv6' : 'ipv4'))
      throw new HttpError(403, `address ${client} is not allowed`);
    const header = req.headers.authorization ?? '';
    const m = /^Bearer (.+)$/.exec(header);
    if (!m || !nodeCrypto().timingSafeEqual(digest(m[1]!), this.tokenDigest)) {
      this.limiter.fail(client);
      throw new HttpError(401, 'missing or wrong token: send Authorization: Bearer <token>', { 'WWW-Authenticate': 'Bearer' });
    }
  }

  private async body(req: IncomingMessage): Promise<unknown> {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    if (type !== 'application/json') throw new HttpError(415, 'the body must be JSON (Content-Type: application/json)');
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.o.maxBodyBytes) throw new HttpError(413, `the body is larger than ${this.o.maxBodyBytes} bytes`);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > this.o.maxBodyBytes) throw new HttpError(413, `the body is larger than ${this.o.maxBodyBytes} bytes`);
      chunks.push(chunk);
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      throw new HttpError(400, 'the body is not valid JSON');
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const client = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const url = new URL(req.url ?? '/', 'http://admin');
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
      res.end(JSON.stringify(value, null, 2) + '\n');
    };
    const page = (type: string, body: string) => {
      res.writeHead(200, {
        'Content-Type': type,
        'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'",
        'X-Frame-Options': 'DENY',
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
      });
      res.end(body);
    };
    try {
      // Before anything else: a page on another site whose name was rebound to this address sends
      // its own name as Host.
      if (!hostAllowed(req.headers.host, this.o.hostNames ?? []))
        throw new HttpError(
          403,
          `Host "${req.headers.host ?? ''}" is not this listener's: use its address, or add the name to admin.host_names`,
        );
      const route = `${req.method} ${url.pathname}`;
      // The page itself carries no data: it asks for the token and calls the API with it.
      if (route === 'GET /' || route === 'GET /app.js' || route === 'GET /app.css') {
        if (this.allowed && !this.allowed.check(client, isIP(client) === 6 ? 'ipv6' : 'ipv4'))
          throw new HttpError(403, `address ${client} is not allowed`);
        if (route === 'GET /') return page('text/html; charset=utf-8', ADMIN_PAGE);
        if (route === 'GET /app.js') return page('text/javascript; charset=utf-8', ADMIN_SCRIPT);
        return page('text/css; charset=utf-8', ADMIN_STYLE);
      }
      this.authorise(req, client);
      if (route === 'GET /api/wan') return json(200, { wans: await this.listWans(), pending: this.pending() });
      if (route === 'GET /api/wan/live') return json(200, { ...(await this.live.view()), pending: this.pending() });
      if (route === 'PUT /api/wan/policy') return await this.putPolicy(req, res, url, client, json);
      if (route === 'POST /api/wan/confirm') {
        const what = await this.change.confirm();
        await this.audit({ client, method: req.method, path: url.pathname, result: 'confirmed', change: what });
        return json(200, { confirmed: what });
      }
      const patch = /^\/api\/wan\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'PATCH' && patch) return await this.patchWan(decodeURIComponent(patch[1]!), req, url, client, json);
      if (route === 'GET /api/diagnostics') {
        const bundle = await buildDiagnostics(this.o.sources(), this.o.rootConfigDir, this.o.status());
        res.writeHead(200, {
          'Content-Type': 'application/gzip',
          'Content-Disposition': `attachment; filename="routerscope-diagnostics-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.tar.gz"`,
          'Cache-Control': 'no-store',
        });
        res.end(bundle);
        await this.audit({ client, method: req.method, path: url.pathname, result: 'exported' });
        return;
      }
      throw new HttpError(/^\/api\//.test(url.pathname) ? 405 : 404, `no ${req.method} ${url.pathname}`);
    } catch (e) {
      // A change request that fails validation is audited: who tried what, and why it was refused.
      if (e instanceof ValidationError)
        await this.audit({ client, method: req.method, path: url.pathname, result: `rejected: ${errorMessage(e)}` });
      const status = e instanceof HttpError ? e.status : e instanceof ValidationError ? 400 : 500;
      const headers = e instanceof HttpError ? e.headers : {};
      if (status === 500) this.o.log.error({ err: errorMessage(e), url: req.url }, 'admin request failed');
      const field = e instanceof ValidationError ? e.field : undefined;
      if (!res.headersSent) json(status, { error: errorMessage(e), ...(field ? { field } : {}) }, headers);
      else res.destroy();
    }
  }

  /** The change awaiting confirmation; seconds_left lets a page count down whatever its own clock says. */
  private pending(): object | null {
    const w = this.change.waiting;
    if (!w) return null;
    const secondsLeft = Math.max(0, Math.round((Date.parse(w.confirmBefore) - Date.now()) / 1000));
    return { id: w.id, confirm_before: w.confirmBefore, seconds_left: secondsLeft, change: w.what };
  }

  private async putPolicy(
    req: IncomingMessage,
    _res: ServerResponse,
    url: URL,
    client: string,
    json: (s: number, v: unknown) => void,
  ): Promise<void> {
    const body = await this.body(req);
    const [network, firewall, omr] = await Promise.all([this.show('network'), this.show('firewall'), this.show('openmptcprouter')]);
    const wans = wanNames(network, firewall);
    const arrangement = validateArrangement(body, wans);
    const commands = planPolicy(arrangement, network, omr, this.o.configDir);
    const plan = commands.map((c) => [c.command, ...c.args]);
    if (url.searchParams.get('dry_run') === '1') return json(200, { dry_run: true, commands: plan });
    const before = Object.fromEntries(
      wans.map((w) => [w, wanPolicy(uciOption(network.get(w), 'multipath'), uciOption(network.get(w), 'disabled'))]),
    );
    const after = Object.fromEntries(Object.entries(arrangement).flatMap(([p, names]) => names.map((n) => [n, p])));
    const applied = await this.applied('WAN policy', commands, ['network', 'openmptcprouter']);
    await this.audit({ client, method: req.method, path: url.pathname, before, after, result: 'applied, awaiting confirmation' });
    json(200, { applied: true, commands: plan, ...applied });
  }

  private async patchWan(
    name: string,
    req: IncomingMessage,
    url: URL,
    client: string,
    json: (s: number, v: unknown) => void,
  ): Promise<void> {
    const [network, firewall] = await Promise.all([this.show('network'), this.show('firewall')]);
    const wans = wanNames(network, firewall);
    if (!wans.includes(name)) throw new HttpError(404, `unknown WAN ${JSON.stringify(name).slice(0, 60)}: the WANs are ${wans.join(', ')}`);
    const body = await this.body(req);
    const s = network.get(name);
    const current = { proto: uciOption(s, 'proto'), ipaddr: uciOption(s, 'ipaddr'), netmask: uciOption(s, 'netmask') };
    const settings = validateSettings(body, current);
    const commands = planSettings(name, settings, this.o.configDir);
    const plan = commands.map((c) => [c.command, ...c.args]);
    if (url.searchParams.get('dry_run') === '1') return json(200, { dry_run: true, commands: plan });
    const applied = await this.applied(`settings of ${name}`, commands, ['network']);
    await this.audit({
      client,
      method: req.method,
      path: url.pathname,
      before: { ...current, gateway: uciOption(s, 'gateway'), dns: s?.options.get('dns'), mtu: uciOption(s, 'mtu') },
      after: settings,
      result: 'applied, awaiting confirmation',
    });
    json(200, { applied: true, commands: plan, ...applied });
  }

  private async applied(what: string, commands: Command[], files: string[]): Promise<object> {
    await this.change.apply(what, commands, files);
    return this.pending() ?? {};
  }

  createServer(): Server {
    return createServer((req, res) => void this.handle(req, res));
  }

  /** At start-up: a change left by an exporter that died is rolled back, or awaits confirmation again. */
  async recover(): Promise<void> {
    try {
      await this.change.recover();
    } catch (e) {
      this.o.log.error({ err: errorMessage(e) }, 'cannot recover the change journal');
    }
  }

  /** Stopping with a change unconfirmed restores the previous configuration, as its guard would. */
  close(): Promise<void> {
    return this.change.close();
  }
}
