// The diagnostics bundle: logs, interfaces, routes, MPTCP and VPN state and the UCI configs, as a
// .tar.gz with every password, key and token replaced by REDACTED.
import * as path from 'node:path';
import { parseWireguardDump } from '../openwrt/wireguard.ts';
import { errorMessage } from './errors.ts';
import { redactText, redactUci } from './redact.ts';
import type { Sources } from './sources.ts';

/** WireGuard state with the public columns only: the parser skips both secret columns. */
function wireguardSummary(dump: string): string {
  const wg = parseWireguardDump(dump);
  return JSON.stringify(wg, null, 2) + '\n';
}

export async function buildDiagnostics(sources: Sources, configDir: string, status: object): Promise<Buffer> {
  const files: Array<[string, string]> = [];
  const command = async (name: string, cmd: string, args: string[], transform: (s: string) => string = (s) => s) => {
    try {
      files.push([name, transform((await sources.run(cmd, args, { timeoutMs: 15_000 })).stdout)]);
    } catch (e) {
      files.push([`${name}.error`, `${[cmd, ...args].join(' ')}: ${errorMessage(e)}\n`]);
    }
  };
  // pppd logs a PAP password (`AuthReq ... password="..."`); any log may quote a secret.
  await command('logs/system.log', 'logread', [], redactText);
  await command('logs/kernel.log', 'dmesg', [], redactText);
  await command('network/interfaces.json', 'ubus', ['-S', 'call', 'network.interface', 'dump']);
  await command('network/routes.json', 'ip', ['-j', 'route', 'show', 'table', 'all']);
  await command('network/neighbours.json', 'ip', ['-j', 'neigh', 'show']);
  await command('mptcp/endpoints.json', 'ip', ['-j', 'mptcp', 'endpoint', 'show']);
  await command('mptcp/limits.txt', 'ip', ['mptcp', 'limits', 'show']);
  await command('vpn/wireguard.json', 'wg', ['show', 'all', 'dump'], wireguardSummary);
  try {
    for (const e of await sources.readDir(configDir)) {
      if (e.type !== 'file') continue;
      files.push([`uci/${e.name}`, redactUci(await sources.readFile(path.join(configDir, e.name)))]);
    }
  } catch (e) {
    files.push(['uci.error', `${configDir}: ${errorMessage(e)}\n`]);
  }
  files.push(['routerscope/status.json', JSON.stringify(status, null, 2) + '\n']);

  // Loaded when a diagnostics download asks: tar-stream and zlib cost a router's RSS at start otherwise.
  const [{ pack }, { createGzip }] = await Promise.all([import('tar-stream'), import('node:zlib')]);
  const tar = pack();
  const gzip = createGzip();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    gzip.on('data', (c: Buffer) => chunks.push(c));
    gzip.on('end', () => resolve(Buffer.concat(chunks)));
    gzip.on('error', reject);
  });
  tar.pipe(gzip);
  const mtime = new Date();
  for (const [name, content] of files) tar.entry({ name: `routerscope-diagnostics/${name}`, mtime, mode: 0o600 }, content);
  tar.finalize();
  return done;
}
