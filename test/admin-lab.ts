// The admin test lab: the BPI-R4 test router with the UCI double, a ubus that records reloads,
// and the admin listener on; plus a raw HTTP client for hostile requests.
import { readFile, symlink, writeFile, appendFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import * as path from 'node:path';
import { copyRouter, ROOT, startExporter, waitFor, writeScript, type RunningExporter } from './helpers.ts';
import type { SshLab } from './ssh-lab.ts';

export const TOKEN = 'test-admin-token-0123456789abcdef';

export interface AdminLab {
  readonly router: Awaited<ReturnType<typeof copyRouter>>;
  readonly exporter: RunningExporter;
  readonly url: string;
  /** Starts the exporter again, as procd would after it died. */
  restart(): Promise<void>;
  readonly reloads: () => Promise<number>;
  readonly configFile: (name: string) => Promise<string>;
  readonly audit: () => Promise<Array<Record<string, unknown>>>;
  stop(): Promise<void>;
}

/**
 * The BPI-R4 test router with the UCI double, a recording ubus, and the admin listener on; with
 * `ssh`, the exporter is agentless and changes the router through that server; `ping` plays back
 * the router's recorded ping replies.
 */
export async function startAdminLab(
  admin: Record<string, unknown> = {},
  ssh?: SshLab,
  options: { ping?: boolean } = {},
): Promise<AdminLab> {
  const router = await copyRouter('bpi-r4-omr');
  const bin = path.join(router.dir, 'bin');
  const reloadLog = path.join(router.dir, 'reloads.log');
  await rm(path.join(bin, 'uci'));
  // The rollback guard is a shell on the router, found on the bin path as on OpenWrt.
  await symlink('/bin/sh', path.join(bin, 'sh'));
  // The UCI double keeps the router's files; without -c, it reads them where the router has them.
  const double = path.join(ROOT, 'test', 'doubles', 'uci');
  await writeScript(
    path.join(bin, 'uci'),
    `if [ "$1" = -c ]; then exec '${double}' "$@"; fi\nexec '${double}' -c '${path.join(router.dir, 'rootfs', 'etc', 'config')}' "$@"`,
  );
  // ubus: `call network reload` is recorded, the rest plays back the router's recordings.
  await writeScript(
    path.join(bin, 'ubus'),
    `if [ "$*" = "call network reload" ]; then echo reload >> '${reloadLog}'; exit 0; fi\nf="$(dirname "$0")/../commands/ubus_$(printf '%s' "$*" | tr ' /' '_%')"\n[ -f "$f" ] && exec cat "$f"\necho "Command failed: Not found" >&2; exit 4`,
  );
  await writeScript(path.join(bin, 'logread'), `exec cat "$(dirname "$0")/../commands/logread.log"`);
  await writeScript(path.join(bin, 'dmesg'), 'echo "[   12.118734] mtk_soc_eth 15100000.ethernet wan: Link is Up - 1Gbps/Full"');
  await writeScript(
    path.join(bin, 'ip'),
    `f="$(dirname "$0")/../commands/ip_$(printf '%s' "$*" | tr ' /' '_%')"\n[ -f "$f" ] && exec cat "$f"\necho '[]'`,
  );
  await writeFile(path.join(router.dir, 'token'), TOKEN + '\n');
  const audit = path.join(router.dir, 'audit.log');
  await appendFile(
    path.join(router.dir, 'config.yml'),
    `admin:\n  token_file: ${path.join(router.dir, 'token')}\n  audit_log: ${audit}\n  listen_address: 127.0.0.1:0\n${Object.entries(admin)
      .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}\n`)
      .join('')}`,
  );
  if (ssh)
    await appendFile(
      path.join(router.dir, 'config.yml'),
      `target:\n  identity_file: ${ssh.identityFile}\n  known_hosts_file: ${ssh.knownHostsFile}\n`,
    );
  const target = ssh ? ['--target', `ssh://${ssh.user}@127.0.0.1:${ssh.port}`] : [];
  const start = async () => {
    const exporter = await startExporter([
      ...router.flags,
      ...target,
      // The recorded ping replies, for the admin page's live latency.
      ...(options.ping ? [] : ['--no-collector.ping']),
      '--no-collector.events',
      '--no-collector.dnsmasq',
    ]);
    const listening = await waitFor(() => exporter.logs.find((l) => l.msg === 'admin listening'), 10000, 'admin listener');
    return { exporter, url: `http://${String(listening.address)}` };
  };
  let running = await start();
  return {
    router,
    get exporter() {
      return running.exporter;
    },
    get url() {
      return running.url;
    },
    async restart() {
      running = await start();
    },
    reloads: async () => (await readFile(reloadLog, 'utf8').catch(() => '')).split('\n').filter(Boolean).length,
    configFile: (name) => readFile(path.join(router.dir, 'rootfs', 'etc', 'config', name), 'utf8'),
    audit: async () =>
      (await readFile(audit, 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    async stop() {
      await running.exporter.stop();
      await router.remove();
    },
  };
}

interface Answer {
  status: number;
  body: Record<string, unknown> | undefined;
  raw: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

/** One HTTP request with full control: headers, raw body, and the local address it comes from. */
export function call(
  url: string,
  method: string,
  pathname: string,
  options: { token?: string | null; body?: unknown; raw?: string | Buffer; type?: string; from?: string; host?: string } = {},
): Promise<Answer> {
  const target = new URL(pathname, url);
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method,
        localAddress: options.from,
        headers: {
          ...(options.host === undefined ? {} : { Host: options.host }),
          ...(options.token === null ? {} : { Authorization: `Bearer ${options.token ?? TOKEN}` }),
          ...(payload !== undefined
            ? { 'Content-Type': options.type ?? 'application/json', 'Content-Length': Buffer.byteLength(payload) }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          let body: Record<string, unknown> | undefined;
          try {
            body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body, raw, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
