// A real SSH server on a loopback port, with host and client keys made for the test: Debian's
// OpenSSH sshd, or dropbear (OpenWrt's server). Either lets in the router's root account as
// OpenWrt has it: uid 0 with BusyBox ash as the login shell, so every remote script and quoting
// rule runs under ash. Its "router" is a test router: the agentless exporter reads the router's
// rootfs and runs its bin/ scripts on the far side of the connection.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFile, chmod, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { freePort, processes, stopProcess, tempDir, waitFor } from './helpers.ts';
import { requireCommand } from './setup/preflight.ts';

const run = promisify(execFile);

export type SshServer = 'openssh' | 'dropbear';
export const SSH_SERVERS: readonly SshServer[] = ['openssh', 'dropbear'];

/**
 * OpenWrt's root: uid 0, BusyBox ash as the shell. A second name for uid 0 on this machine, made
 * once (idempotent) and kept: root's own entry and shell stay as they are. Its password field is
 * '*', not locked ('!'), since dropbear refuses a locked account even for a key.
 */
export const ROUTER_USER = 'rs-router';
const ROUTER_HOME = '/var/lib/routerscope-test-router';
const ASH = '/usr/local/lib/routerscope-test/ash';

async function ensureRouterUser(): Promise<void> {
  await mkdir(path.dirname(ASH), { recursive: true });
  await symlink(requireCommand('busybox'), ASH).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
  const shells = await readFile('/etc/shells', 'utf8').catch(() => '');
  if (!shells.split('\n').includes(ASH)) await appendFile('/etc/shells', `${ASH}\n`);
  const passwd = await readFile('/etc/passwd', 'utf8');
  if (!passwd.split('\n').some((l) => l.startsWith(`${ROUTER_USER}:`))) {
    await run('useradd', ['-o', '-u', '0', '-g', '0', '-M', '-d', ROUTER_HOME, '-s', ASH, '-p', '*', ROUTER_USER]);
  }
  await mkdir(path.join(ROUTER_HOME, '.ssh'), { recursive: true, mode: 0o700 });
  await chmod(ROUTER_HOME, 0o755);
}

export interface SshLab {
  readonly server: SshServer;
  readonly port: number;
  /** The listening server's PID (its sessions run below it). */
  readonly pid: number;
  readonly user: string;
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

export interface SshLabOptions {
  readonly server?: SshServer;
  /** OpenSSH only: unauthenticated connections accepted at once (MaxStartups); more are reset. */
  readonly maxUnauthenticated?: number;
}

export async function startSshLab(options: SshLabOptions = {}): Promise<SshLab> {
  const server = options.server ?? 'openssh';
  await ensureRouterUser();
  const work = await tempDir(`routerscope-${server}-`);
  const key = (name: string) => run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(work.dir, name)]);
  await key('host_key');
  await key('client_key');
  const clientPub = await readFile(path.join(work.dir, 'client_key.pub'), 'utf8');
  await writeFile(path.join(work.dir, 'authorized_keys'), clientPub);
  // dropbear reads only ~/.ssh/authorized_keys; labs running at once each add their own key.
  const homeKeys = path.join(ROUTER_HOME, '.ssh', 'authorized_keys');
  if (!(await readFile(homeKeys, 'utf8').catch(() => '')).includes(clientPub.trim()))
    await appendFile(homeKeys, clientPub, { mode: 0o600 });
  const port = await freePort();
  let command: string[];
  if (server === 'openssh') {
    const maxStartups = options.maxUnauthenticated ?? 100;
    await writeFile(
      path.join(work.dir, 'sshd_config'),
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${work.dir}/host_key`,
        `AuthorizedKeysFile ${work.dir}/authorized_keys`,
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        'UsePAM no',
        'StrictModes no',
        `PidFile ${work.dir}/sshd.pid`,
        'MaxSessions 20',
        `MaxStartups ${maxStartups}`,
        'LogLevel ERROR',
        '',
      ].join('\n'),
    );
    await mkdir('/run/sshd', { recursive: true }); // the privilege separation directory
    command = [requireCommand('sshd'), '-D', '-e', '-f', path.join(work.dir, 'sshd_config')];
  } else {
    await run('dropbearconvert', ['openssh', 'dropbear', path.join(work.dir, 'host_key'), path.join(work.dir, 'host_key.dropbear')]);
    // -F foreground, -E log to stderr, -s no password logins; root may log in with a key, as on OpenWrt.
    command = [
      requireCommand('dropbear'),
      '-F',
      '-E',
      '-s',
      '-p',
      `127.0.0.1:${port}`,
      '-r',
      path.join(work.dir, 'host_key.dropbear'),
      '-P',
      path.join(work.dir, 'dropbear.pid'),
    ];
  }
  const knownHostsFile = path.join(work.dir, 'known_hosts');
  const identityFile = path.join(work.dir, 'client_key');

  /** Starts the server and waits until it lets a client in. */
  async function listen(): Promise<ChildProcess> {
    const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitFor(
      async () => {
        try {
          await run('ssh', [
            '-p',
            String(port),
            '-i',
            identityFile,
            '-o',
            'BatchMode=yes',
            '-o',
            'StrictHostKeyChecking=accept-new',
            '-o',
            `UserKnownHostsFile=${knownHostsFile}`,
            `${ROUTER_USER}@127.0.0.1`,
            'true',
          ]);
          return true;
        } catch {
          if (child.exitCode !== null) throw new Error(`${server} exited: ${stderr}`);
          return undefined;
        }
      },
      15000,
      server,
    );
    return child;
  }

  let daemon = await listen();
  const dropSessions = async () => {
    const children = (await processes()).filter((p) => p.ppid === daemon.pid).map((p) => p.pid);
    for (const pid of children) process.kill(pid, 'SIGKILL');
    return children.length;
  };
  const down = async () => {
    await dropSessions();
    await stopProcess(daemon);
  };
  return {
    server,
    port,
    get pid() {
      return daemon.pid!;
    },
    user: ROUTER_USER,
    identityFile,
    knownHostsFile,
    dropSessions,
    down,
    async up() {
      daemon = await listen();
    },
    async stop() {
      await down();
      await work.remove();
    },
  };
}
