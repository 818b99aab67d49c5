// A real OpenSSH server on a loopback port, with host and client keys made for the test. Its
// "router" is a test router: the agentless exporter reads the router's rootfs and runs its bin/
// scripts on the far side of the connection.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { freePort, processes, stopProcess, tempDir, waitFor } from './helpers.ts';

const run = promisify(execFile);

export interface SshLab {
  readonly port: number;
  readonly pid: number;
  readonly identityFile: string;
  readonly knownHostsFile: string;
  /** Kills every session process of the server (the connections), keeping it listening. */
  dropSessions(): Promise<number>;
  /** Takes the router off the network: every connection dropped, nothing listening. */
  down(): Promise<void>;
  /** Brings it back on the same port and keys. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSshLab(): Promise<SshLab> {
  const work = await tempDir('routerscope-sshd-');
  const key = (name: string) => run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(work.dir, name)]);
  await key('host_key');
  await key('client_key');
  await run('cp', [path.join(work.dir, 'client_key.pub'), path.join(work.dir, 'authorized_keys')]);
  const port = await freePort();
  await writeFile(path.join(work.dir, 'sshd_config'), [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${work.dir}/host_key`, `AuthorizedKeysFile ${work.dir}/authorized_keys`,
    'PubkeyAuthentication yes', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'PermitRootLogin prohibit-password',
    'UsePAM no', 'StrictModes no', `PidFile ${work.dir}/sshd.pid`, 'MaxSessions 100', 'MaxStartups 100:30:200', 'LogLevel ERROR',
    // root's shell here is bash, which sources ~/.bashrc for every command run by sshd unless it is
    // a nested shell; a router's dropbear and ash read nothing, so neither should the test router.
    'SetEnv SHLVL=1', '',
  ].join('\n'));
  await mkdir('/run/sshd', { recursive: true }); // the privilege separation directory
  const knownHostsFile = path.join(work.dir, 'known_hosts');
  const identityFile = path.join(work.dir, 'client_key');

  /** Starts sshd and waits until it lets a client in. */
  async function listen(): Promise<ChildProcess> {
    const server = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', path.join(work.dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    server.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitFor(async () => {
      try {
        await run('ssh', ['-p', String(port), '-i', identityFile, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=accept-new', '-o', `UserKnownHostsFile=${knownHostsFile}`, 'root@127.0.0.1', 'true']);
        return true;
      } catch {
        if (server.exitCode !== null) throw new Error(`sshd exited: ${stderr}`);
        return undefined;
      }
    }, 15000, 'sshd');
    return server;
  }

  let sshd = await listen();
  const dropSessions = async () => {
    const children = (await processes()).filter((p) => p.ppid === sshd.pid).map((p) => p.pid);
    for (const pid of children) process.kill(pid, 'SIGKILL');
    return children.length;
  };
  const down = async () => {
    await dropSessions();
    await stopProcess(sshd);
  };
  return {
    port,
    get pid() {
      return sshd.pid!;
    },
    identityFile,
    knownHostsFile,
    dropSessions,
    down,
    async up() {
      sshd = await listen();
    },
    async stop() {
      await down();
      await work.remove();
    },
  };
}
