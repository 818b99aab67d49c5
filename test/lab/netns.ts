// A router with two WAN links to an "internet" namespace, made and removed by the tests.
// The kernel has no netem: the internet side's kernel echo replies are off and a raw-socket
// responder answers after a per-link delay, and nftables `numgen inc` drops an exact share (N of
// every 100 requests: a random drop would make the measured loss a coin toss over a few hundred probes).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { stopProcess } from '../helpers.ts';
import { findCommand } from '../setup/preflight.ts';

const run = promisify(execFile);

export const LAB_TARGET = '10.201.9.9';
export interface Link {
  readonly name: string;
  readonly routerAddress: string;
  readonly internetAddress: string;
  readonly delayMs: number;
  readonly lossPercent: number;
}

export interface Lab {
  readonly router: string;
  readonly internet: string;
  readonly links: readonly Link[];
  /** A bin dir whose `ping` runs inside the router namespace (iputils or BusyBox). */
  binDir(flavor: 'iputils' | 'busybox'): Promise<string>;
  setHosts(content: string): Promise<void>;
  remove(): Promise<void>;
}

async function sh(...args: string[]): Promise<void> {
  await run(args[0]!, args.slice(1));
}

export async function createLab(
  id: string,
  links: Array<Omit<Link, 'routerAddress' | 'internetAddress'>>,
  jitterMs: number,
  workDir: string,
): Promise<Lab> {
  const router = `rs-router-${id}`;
  const internet = `rs-inet-${id}`;
  let responder: ChildProcess | undefined;
  const remove = async () => {
    if (responder) await stopProcess(responder);
    for (const ns of [router, internet]) await run('ip', ['netns', 'del', ns]).catch(() => undefined);
    await rm(`/etc/netns/${router}`, { recursive: true, force: true });
  };
  await remove();
  try {
    await sh('ip', 'netns', 'add', router);
    await sh('ip', 'netns', 'add', internet);
    const full: Link[] = [];
    for (const [i, l] of links.entries()) {
      const n = i + 1;
      const link = { ...l, routerAddress: `10.201.${n}.2`, internetAddress: `10.201.${n}.1` };
      full.push(link);
      const peer = `rsi${n}-${id}`.slice(0, 15);
      await sh('ip', 'link', 'add', link.name, 'netns', router, 'type', 'veth', 'peer', 'name', peer, 'netns', internet);
      await sh('ip', '-n', router, 'addr', 'add', `${link.routerAddress}/24`, 'dev', link.name);
      await sh('ip', '-n', internet, 'addr', 'add', `${link.internetAddress}/24`, 'dev', peer);
      await sh('ip', '-n', router, 'link', 'set', link.name, 'up');
      await sh('ip', '-n', internet, 'link', 'set', peer, 'up');
      // One routing table per WAN, chosen by source address, as OpenMPTCProuter does.
      await sh('ip', '-n', router, 'route', 'add', 'default', 'via', link.internetAddress, 'dev', link.name, 'table', String(100 + n));
      await sh('ip', '-n', router, 'rule', 'add', 'from', link.routerAddress, 'table', String(100 + n));
    }
    for (const ns of [router, internet]) await sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
    await sh('ip', '-n', internet, 'addr', 'add', `${LAB_TARGET}/32`, 'dev', 'lo');
    await sh('ip', 'netns', 'exec', internet, 'sysctl', '-qw', 'net.ipv4.icmp_echo_ignore_all=1');
    const drops = full
      .filter((l) => l.lossPercent > 0)
      // A dead link drops every request (numgen's range ends at 99).
      .map(
        (l) =>
          `ip saddr ${l.routerAddress} icmp type echo-request ${l.lossPercent >= 100 ? '' : `numgen inc mod 100 < ${l.lossPercent} `}drop`,
      );
    const rules = path.join(workDir, 'lab.nft');
    await mkdir(workDir, { recursive: true });
    await writeFile(
      rules,
      `table inet lab {\n  chain input {\n    type filter hook input priority 0; policy accept;\n${drops.map((d) => `    ${d}\n`).join('')}  }\n}\n`,
    );
    await sh('ip', 'netns', 'exec', internet, 'nft', '-f', rules);
    // Real-time priority for the lab's own parts (the responder here, the pings in binDir): with
    // both cores busy, an ordinary process wakes late and the lab would measure the scheduler.
    responder = spawn(
      'chrt',
      [
        '-f',
        '50',
        'ip',
        'netns',
        'exec',
        internet,
        'python3',
        path.join(import.meta.dirname, 'icmp-responder.py'),
        LAB_TARGET,
        String(jitterMs),
        ...full.map((l) => `${l.routerAddress}=${l.delayMs}`),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await Promise.race([
      once(responder.stdout!, 'data'),
      once(responder, 'exit').then(() => Promise.reject(new Error('responder exited'))),
    ]);
    await mkdir(`/etc/netns/${router}`, { recursive: true });
    await writeFile(`/etc/netns/${router}/hosts`, '127.0.0.1 localhost\n');
    return {
      router,
      internet,
      links: full,
      async binDir(flavor) {
        const dir = path.join(workDir, `bin-${flavor}`);
        await mkdir(dir, { recursive: true });
        // Absolute paths: this wrapper is itself called ping and comes first on the PATH, and a
        // test router's bin/ has an `ip` of its own (a playback).
        const which = (command: string) => findCommand(command) ?? command;
        const exec = flavor === 'iputils' ? which('ping') : `${which('busybox')} ping`;
        await writeFile(
          path.join(dir, 'ping'),
          `#!/bin/sh\nexec ${which('chrt')} -f 50 ${which('ip')} netns exec ${router} ${exec} "$@"\n`,
        );
        await chmod(path.join(dir, 'ping'), 0o755);
        return dir;
      },
      setHosts: (content) => writeFile(`/etc/netns/${router}/hosts`, content),
      remove,
    };
  } catch (e) {
    await remove();
    throw e;
  }
}
