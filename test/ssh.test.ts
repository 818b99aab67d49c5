// Agentless: the exporter reaches a test router over a real SSH connection, through Debian's
// OpenSSH sshd and through dropbear (OpenWrt's server), logging in as a root whose shell is
// BusyBox ash. Its /metrics equals the local exporter's on the same router (apart from the
// volatile series), and a dropped connection recovers on the next scrape with the log follower
// resumed, nothing lost or repeated.
import { constants } from 'node:fs';
import { appendFile, mkdir, open, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { createLogger } from '../exporter/log.ts';
import { LocalSources, type Sources } from '../exporter/sources.ts';
import { BOOTSTRAP, parseBatchOutput, parseSshUrl, shellQuote, splitHeads, SshSources } from '../exporter/ssh-sources.ts';
import { normalizeForGolden } from './golden.ts';
import {
  copyRouter,
  descendsFrom,
  processes,
  routerDir,
  ROUTERS,
  scrape,
  startExporter,
  tempDir,
  transportCounter,
  waitFor,
  writeScript,
  type RunningExporter,
} from './helpers.ts';
import { requireCommand } from './setup/preflight.ts';
import { SSH_SERVERS, startSshLab, type SshLab } from './ssh-lab.ts';
import { tzifBytes } from './time-zones.ts';

describe('ssh transport parts', () => {
  it('reads ssh:// targets', () => {
    expect(parseSshUrl('ssh://root@192.168.1.1')).toEqual({ user: 'root', host: '192.168.1.1', port: 22 });
    expect(parseSshUrl('ssh://admin@[fd00::1]:2222')).toEqual({ user: 'admin', host: 'fd00::1', port: 2222 });
    expect(() => parseSshUrl('http://router')).toThrow('"http://router" is not ssh://user@host[:port]');
    expect(() => parseSshUrl('ssh://-oProxyCommand=reboot@router')).toThrow('is not ssh://user@host[:port]');
    expect(() => parseSshUrl('ssh://root@-oProxyCommand=reboot')).toThrow('is not ssh://user@host[:port]');
  });

  it('quotes every word so the remote shell sees it as it was', () => {
    expect(shellQuote("wan;reboot $(id) 'x'")).toBe(`'wan;reboot $(id) '\\''x'\\'''`);
  });

  it('sources a script from a pipe, has cat read it from a socket, and says when a session has no pipe', async () => {
    /** The bootstrap under BusyBox ash, its stdin a pipe (behind cat) or, as Node gives it, a socket. */
    const bootstrap = async (stdinIsPipe: boolean, mode: string, script: string) => {
      const child = stdinIsPipe
        ? spawn('sh', ['-c', 'cat | busybox ash -c "$1"', 'sh', BOOTSTRAP])
        : spawn('busybox', ['ash', '-c', BOOTSTRAP]);
      child.stdin.end(`${Buffer.byteLength(script)} ${mode}\n${script}`);
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      await once(child, 'close');
      return out;
    };
    // What the script's own commands read from stdin: nothing, either way.
    const script = 'if [ -e /proc/self/fd/3 ]; then echo sourced; else echo evaluated; fi; echo "stdin: $(cat)"\n';
    expect(await bootstrap(true, 'all', script)).toBe('sourced\nstdin: \n');
    expect(await bootstrap(false, 'all', script)).toBe('evaluated\nstdin: \n');
    expect(await bootstrap(true, 'session', script)).toBe('sourced\nstdin: \n');
    expect(await bootstrap(false, 'session', script)).toBe('ROUTERSCOPE-NO-PIPE\n');
  });

  it('splits framed batch answers, trailing newlines and errors included', () => {
    const out = Buffer.from('OK 7\n1 2 3\n\nERR cat: /x: No such file or directory\nOK 0\n');
    expect(parseBatchOutput(out, 3).others).toEqual([
      { ok: true, text: '1 2 3\n\n' },
      { ok: false, message: 'cat: /x: No such file or directory' },
      { ok: true, text: '' },
    ]);
    expect(() => parseBatchOutput(Buffer.from('OK 1\nx'), 2)).toThrow('ssh batch: output ends before answer 2 of 2');
  });

  it('splits one head over many files at its headers; a file without a header was missing', async () => {
    // head's own output, GNU's and BusyBox's alike: a file without a final newline, one with, an empty one.
    const work = await tempDir('routerscope-heads-');
    try {
      const [a, b, c] = ['a', 'b', 'c'].map((n) => path.join(work.dir, n));
      await writeFile(a!, 'one\ntwo');
      await writeFile(b!, 'x\n');
      await writeFile(c!, '');
      const missing = path.join(work.dir, 'missing');
      for (const head of [['head'], ['busybox', 'head']]) {
        const { stdout } = await promisify(execFile)(head[0]!, [...head.slice(1), '-c', '1000', '/dev/null', a!, b!, c!]);
        expect(splitHeads(stdout, [a!, missing, b!, c!])).toEqual([
          { ok: true, text: 'one\ntwo' },
          { ok: false, message: 'No such file or directory' },
          { ok: true, text: 'x\n' },
          { ok: true, text: '' },
        ]);
      }
    } finally {
      await work.remove();
    }
  });
});

/** node_time_seconds as agentless must report it: the router's clock, its btime plus its uptime. */
async function routerClockSeconds(dir: string): Promise<number> {
  const stat = await readFile(path.join(dir, 'rootfs', 'proc', 'stat'), 'utf8');
  const uptime = await readFile(path.join(dir, 'rootfs', 'proc', 'uptime'), 'utf8');
  return Number(/^btime (\d+)$/m.exec(stat)![1]) + Number(uptime.split(' ')[0]);
}
const clockIn = (exposition: string) => Number(/^node_time_seconds (\S+)$/m.exec(exposition)?.[1]);

// dropbear's exec requests stop at MAX_CMD_LEN (9000 bytes); these files make the prefetch of
// every scrape larger than that (each path is read and stat'ed).
const FILLER_FILES = 80;
const fillerName = (i: number) => `zz-a-router-with-many-files-prefetch-filler-number-${String(i).padStart(3, '0')}.prom`;

describe.each(SSH_SERVERS)('agentless over %s, BusyBox ash login shell', (server) => {
  let ssh: SshLab;
  let router: Awaited<ReturnType<typeof copyRouter>>;
  let local: RunningExporter;
  let agentless: RunningExporter;
  const logLines = async () =>
    (await readFile(path.join(routerDir('bpi-r4-omr'), 'commands', 'logread.log'), 'utf8')).split('\n').filter(Boolean).length;

  /** Log followers running for the agentless exporter: this router's logread playbacks outside the local exporter. */
  async function remoteFollowers(): Promise<number> {
    const rows = await processes();
    return rows.filter(
      (r) => r.args.startsWith('tail -n +1 -f') && r.args.includes(router.dir) && !descendsFrom(rows, r.pid, local.process.pid!),
    ).length;
  }

  /** Scrapes until the background collectors have read their playback and two scrapes agree. */
  async function settled(exporter: RunningExporter): Promise<string> {
    const lines = await logLines();
    let previous = '';
    return waitFor(
      async () => {
        const text = await scrape(exporter.url);
        const normalized = normalizeForGolden(text).replace(/^.*routerscope_transport_operations_total.*\n/gm, '');
        // Settled: every line read, every follower and prober up (a restarted one counts after 5 s),
        // and two scrapes in a row that agree.
        const done =
          text.includes(`routerscope_follower_lines_total{collector="events"} ${lines}\n`) &&
          !/^(routerscope_follower_up|openwrt_ping_up)\{.*\} 0$/m.test(text) &&
          normalized === previous;
        previous = normalized;
        return done ? normalized : undefined;
      },
      30000,
      'the exporter to settle',
    );
  }

  /**
   * After a reconnection: restarted pings send new echo requests (the playback replays its
   * recording), and the followers count their restarts; every other series is what the router says.
   */
  const steady = (t: string) => t.replace(/^.*(openwrt_ping_|_follower_restarts_total).*\n/gm, '');

  beforeAll(async () => {
    // OpenSSH lets three unauthenticated connections in at once, as some dropbear builds do (Debian's
    // dropbear: five); the exporter starts more than ten collectors and followers at once.
    ssh = await startSshLab({ server, maxUnauthenticated: 3 });
    router = await copyRouter('bpi-r4-omr');
    const textfiles = path.join(router.dir, 'rootfs', 'var', 'prometheus');
    await mkdir(textfiles, { recursive: true });
    for (let i = 0; i < FILLER_FILES; i++) await writeFile(path.join(textfiles, fillerName(i)), `routerscope_test_filler_${i} ${i}\n`);
    await appendFile(
      path.join(router.dir, 'config.yml'),
      `target:\n  identity_file: ${ssh.identityFile}\n  known_hosts_file: ${ssh.knownHostsFile}\ncommands:\n  max_output_bytes: 1048576\n`,
    );
    local = await startExporter(router.flags, { env: { TZ: 'UTC' } });
    agentless = await startExporter([...router.flags, '--target', `ssh://${ssh.user}@127.0.0.1:${ssh.port}`], { env: { TZ: 'UTC' } });
  }, 60_000);

  it('opens exactly one connection for everything that starts at once, and every collector succeeds on the first scrape', async () => {
    const first = await scrape(agentless.url);
    expect(first).not.toMatch(/routerscope_scrape_collector_success\{collector="[^"]+"\} 0/);
    const collectors = first.match(/^routerscope_scrape_collector_success\{/gm)!.length;
    expect(collectors).toBeGreaterThanOrEqual(10);
    expect(transportCounter(first, 'connections')).toBe(1);
  });

  it("sends a prefetch larger than dropbear's 9000-byte command limit on stdin, and reads every file", async () => {
    await settled(agentless);
    const text = await scrape(agentless.url);
    // Each filler file is read and stat'ed by path; the paths alone make the script this long.
    const scriptBytes = FILLER_FILES * 2 * path.join(router.dir, 'rootfs', 'var', 'prometheus', fillerName(0)).length;
    expect(scriptBytes).toBeGreaterThan(9000);
    expect(text).toContain(`routerscope_test_filler_${FILLER_FILES - 1} ${FILLER_FILES - 1}\n`);
    expect(text).toContain('routerscope_scrape_collector_success{collector="textfile"} 1\n');
    expect(transportCounter(text, 'connections')).toBe(1);
  });

  afterAll(async () => {
    await agentless?.stop();
    await local?.stop();
    await router?.remove();
    await ssh?.stop();
  });

  /** The transport alone, reading `rootfs` on the far side of the lab's server. */
  const transportOptions = (rootfs: string, commandTimeoutMs: number) => ({
    rootfs,
    binPath: [],
    commandTimeoutMs,
    maxOutputBytes: 1 << 20,
    target: { user: ssh.user, host: '127.0.0.1', port: ssh.port },
    identityFile: ssh.identityFile,
    knownHostsFile: ssh.knownHostsFile,
    strictHostKeyChecking: 'yes' as const,
    connectTimeoutSeconds: 5,
    log: createLogger('silent'),
  });

  it('ends a batch session that outlives its timeout, and answers the next batch in a new one', async () => {
    const work = await tempDir('routerscope-hang-');
    const fifo = path.join(work.dir, 'fifo');
    await promisify(execFile)('mkfifo', [fifo]);
    await writeFile(path.join(work.dir, 'ok'), 'fine\n');
    const viaSsh = new SshSources(transportOptions(work.dir, 1500));
    try {
      expect(await viaSsh.readFile('/ok')).toBe('fine\n');
      // Reading a FIFO nobody writes hangs the batch's head.
      await expect(viaSsh.readFile('/fifo')).rejects.toThrow('timed out after 1500 ms');
      expect(await viaSsh.readFile('/ok')).toBe('fine\n');
      // Two sessions opened (each a channel) and three batches sent, on one connection.
      expect(viaSsh.counters()).toMatchObject({ connections: 1, sessions: 2, commands: 5 });
    } finally {
      viaSsh.close();
      // Lets the hung head on the far side go (no reader left: nothing to release).
      await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).then(
        (f) => f.close(),
        () => undefined,
      );
      await work.remove();
    }
  });

  it('lists directories and answers statfs as the local sources do, a missing path failing alone', async () => {
    const work = await tempDir('routerscope-ops-');
    const options = transportOptions(work.dir, 5000);
    const viaSsh = new SshSources(options);
    try {
      const dir = path.join(work.dir, 'd');
      await mkdir(path.join(dir, 'sub dir'), { recursive: true });
      for (const name of ['.hidden', '..dots', 'a file', '*']) await writeFile(path.join(dir, name), '');
      await symlink('a file', path.join(dir, 'link'));
      await symlink('nowhere', path.join(dir, 'dangling'));
      await mkdir(path.join(work.dir, 'empty'));
      // Three filesystems, so that an answer given for the wrong path shows.
      await symlink('/proc', path.join(work.dir, 'proc'));
      await symlink('/dev/shm', path.join(work.dir, 'shm'));
      // Asked at once, each set is one batch on the router: the statfs of a set in one stat, or
      // one each when a path fails.
      const answers = (s: Sources, statfsPaths: string[]) =>
        Promise.allSettled([
          ...['/d', '/empty', '/missing', '/d/a file'].map((d) => s.readDir(d)),
          ...statfsPaths.map((d) => s.statfs(d).then((f) => [f.blockSize, f.blocks, f.files])),
        ]).then((all) => all.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as NodeJS.ErrnoException).code)));
      const local = new LocalSources(options);
      for (const statfsPaths of [
        ['/', '/proc', '/shm', '/d'],
        ['/shm', '/missing', '/proc'],
      ]) {
        const remote = await answers(viaSsh, statfsPaths);
        expect(remote).toEqual(await answers(local, statfsPaths));
        expect(remote.filter((r) => typeof r === 'string')).toEqual(
          statfsPaths.includes('/missing') ? ['ENOENT', 'ENOTDIR', 'ENOENT'] : ['ENOENT', 'ENOTDIR'],
        );
      }
      expect((await viaSsh.readDir('/d')).map((e) => `${e.type} ${e.name}`)).toEqual([
        'file *',
        'file ..dots',
        'file .hidden',
        'file a file',
        'symlink dangling',
        'symlink link',
        'dir sub dir',
      ]);
    } finally {
      viaSsh.close();
      await work.remove();
    }
  });

  it('gives the same /metrics as the local exporter on the same router', async () => {
    const [viaSsh, direct] = await Promise.all([settled(agentless), settled(local)]);
    expect(viaSsh).not.toMatch(/routerscope_scrape_collector_success\{collector="[^"]+"\} 0/);
    expect(viaSsh).toBe(direct);
    const raw = await scrape(agentless.url);
    expect(raw).toMatch(/routerscope_transport_operations_total\{operation="commands"\} \d+/);
    // The time is the router's (its files say November 2026), the local exporter's this machine's.
    expect(clockIn(raw)).toBeCloseTo(await routerClockSeconds(router.dir), 2);
    expect(Math.abs(clockIn(await scrape(local.url)) - Date.now() / 1000)).toBeLessThan(60);
  });

  it('recovers from a dropped connection on the next scrape; the log follower resumes without repeats', async () => {
    await settled(agentless);
    const starts = (t: string) => Number(/routerscope_follower_restarts_total\{collector="events"\} (\d+)/.exec(t)?.[1]);
    const before = starts(await scrape(agentless.url));
    // events and dnsmasq each follow logread.
    expect(await remoteFollowers()).toBe(2);
    expect(await ssh.dropSessions()).toBeGreaterThan(0);
    // The next scrapes may fail collectors while the connection is re-established; then all succeed.
    const recovered = await waitFor(
      async () => {
        const t = await scrape(agentless.url);
        return /routerscope_scrape_collector_success\{collector="[^"]+"\} 0/.test(t) || starts(t) <= before ? undefined : t;
      },
      30000,
      'recovery',
    );
    expect(recovered).toMatch(/routerscope_scrape_collector_success\{collector="wan"\} 1/);
    expect(recovered).toContain(`routerscope_follower_lines_total{collector="events"} ${await logLines()}\n`);
    const after = await settled(agentless);
    expect(after).toMatch(/^openwrt_ping_up\{target="ap:garden".*\} 1$/m);
    expect(after).not.toMatch(/^openwrt_ping_up\{.*\} 0$/m);
    expect(steady(after)).toBe(steady(await settled(local)));
    // The followers of the dropped connection were stopped on the router, not left beside the new ones.
    expect(await remoteFollowers()).toBe(2);
  });

  it('reports failure for the collectors that need the router only while it is unreachable', async () => {
    await settled(agentless);
    await ssh.down();
    // The scrape still answers: what reads the router fails, with a log line naming the cause.
    const down = await scrape(agentless.url);
    for (const collector of ['loadavg', 'wan', 'mptcp'])
      expect(down).toContain(`routerscope_scrape_collector_success{collector="${collector}"} 0\n`);
    expect(
      agentless.logs.some((l) => l.collector === 'wan' && /ssh: connect to host 127.0.0.1 .*Connection refused/.test(String(l.err))),
    ).toBe(true);
    await ssh.up();
    const back = await waitFor(
      async () => {
        const t = await scrape(agentless.url);
        return /routerscope_scrape_collector_success\{collector="[^"]+"\} 0/.test(t) ? undefined : t;
      },
      30000,
      'the router to be reachable again',
    );
    for (const collector of ['loadavg', 'wan', 'mptcp'])
      expect(back).toContain(`routerscope_scrape_collector_success{collector="${collector}"} 1\n`);
    expect(steady(await settled(agentless))).toBe(steady(await settled(local)));
  });

  it('fetches the files of the last scrapes in one command at the start of each scrape, fresh', async () => {
    await settled(agentless);
    const before = await scrape(agentless.url);
    await writeFile(path.join(router.dir, 'rootfs', 'proc', 'loadavg'), '3.25 0.40 0.30 2/180 4242\n');
    const after = await scrape(agentless.url);
    expect(after).toContain('node_load1 3.25\n');
    // Every file read came from the prefetch (hundreds of them); none needed a round trip of its own.
    expect(transportCounter(after, 'prefetched_operations') - transportCounter(before, 'prefetched_operations')).toBeGreaterThan(100);
    expect(transportCounter(after, 'batched_operations') - transportCounter(before, 'batched_operations')).toBe(0);
    // One batch, in the session the earlier scrapes used: no new channel, shell or temporary directory
    // (a follower or prober that restarts between the two scrapes is a command of its own).
    const streams = transportCounter(after, 'streams') - transportCounter(before, 'streams');
    expect(transportCounter(after, 'commands') - transportCounter(before, 'commands') - streams).toBe(1);
    expect(transportCounter(after, 'sessions') - transportCounter(before, 'sessions')).toBe(0);
    expect(transportCounter(after, 'sessions')).toBeGreaterThan(0);
  });

  it('a hung and a flooding command in the batched scrape cost only their own collectors', async () => {
    await settled(agentless);
    const before = await scrape(agentless.url);
    const bin = (name: string) => path.join(router.dir, 'bin', name);
    await writeScript(bin('wg'), 'exec sleep 3600'); // vpn
    await writeScript(bin('ss'), 'exec yes'); // mptcp: floods past commands.max_output_bytes
    try {
      const failing = await waitFor(
        async () => {
          const t = await scrape(agentless.url);
          return /collector="vpn"\} 0\n/.test(t) && /collector="mptcp"\} 0\n/.test(t) ? t : undefined;
        },
        30000,
        'the hung and the flooding command to fail their collectors',
      );
      const failed = [...failing.matchAll(/^routerscope_scrape_collector_success\{collector="([^"]+)"\} 0$/gm)].map((m) => m[1]);
      expect(failed.sort()).toEqual(['mptcp', 'vpn']);
      // Both ran inside the one prefetch script of each scrape, on the one connection.
      const last = await scrape(agentless.url);
      expect(transportCounter(last, 'prefetched_commands')).toBeGreaterThan(transportCounter(before, 'prefetched_commands'));
      expect(transportCounter(last, 'connections')).toBe(transportCounter(before, 'connections'));
      expect(agentless.logs.some((l) => l.collector === 'vpn' && /wg show all dump: timed out/.test(String(l.err)))).toBe(true);
      expect(agentless.logs.some((l) => l.collector === 'mptcp' && /output exceeds 1048576 bytes/.test(String(l.err)))).toBe(true);
    } finally {
      for (const name of ['wg', 'ss']) {
        await rm(bin(name));
        await symlink('../../playback.sh', bin(name));
      }
    }
  });

  it('reloads in bursts on the one connection, and leave exactly one set of followers on the router', async () => {
    const reloaded = () => agentless.logs.filter((l) => l.msg === 'config reloaded').length;
    const before = reloaded();
    const connections = transportCounter(await scrape(agentless.url), 'connections');
    for (let burst = 0; burst < 3; burst++) {
      // SIGHUPs arriving while the last reload still starts its followers (the race that leaked them).
      const at = reloaded();
      for (let i = 0; i < 5; i++) {
        agentless.process.kill('SIGHUP');
        await new Promise((r) => setTimeout(r, 30));
      }
      await waitFor(() => (reloaded() > at ? true : undefined), 20000, 'the reloads');
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(reloaded()).toBeGreaterThanOrEqual(before + 3);
    await settled(agentless);
    // Each follower that a reload stopped ended on the router; the new ones run, once each (a
    // stray one never ends, so waiting for two cannot hide it).
    await waitFor(async () => ((await remoteFollowers()) === 2 ? true : undefined), 15000, 'exactly two followers on the router');
    expect(transportCounter(await scrape(agentless.url), 'connections')).toBe(connections);
  });

  it('leaves nothing running on the router when it stops', async () => {
    /** The login shells of the server's sessions: followers, probers and the batch session. */
    const remoteShells = async () => {
      const rows = await processes();
      return rows.filter((r) => r.args.includes(BOOTSTRAP) && descendsFrom(rows, r.pid, ssh.pid)).length;
    };
    expect(await remoteFollowers()).toBe(2);
    expect(await remoteShells()).toBeGreaterThan(2);
    await agentless.stop();
    expect(
      await waitFor(
        async () => ((await remoteFollowers()) + (await remoteShells()) === 0 ? true : undefined),
        10000,
        'every session, the followers and the batch session included, to stop',
      ),
    ).toBe(true);
  });
});

// Every other test router through dropbear (OpenWrt's server) to a BusyBox ash login: the batched
// agentless scrape gives the same /metrics as the local exporter (the BPI-R4 is covered above,
// through both servers).
describe('agentless over dropbear on every test router', () => {
  let ssh: SshLab;
  beforeAll(async () => {
    ssh = await startSshLab({ server: 'dropbear' });
  });
  afterAll(() => ssh?.stop());

  /** Scrapes until two scrapes in a row agree (the prefetch then carries files and commands). */
  const steadyMetrics = (exporter: RunningExporter) => {
    let previous = '';
    return waitFor(
      async () => {
        const normalized = normalizeForGolden(await scrape(exporter.url)).replace(
          /^.*(routerscope_transport_operations_total|_follower_restarts_total|openwrt_ping_).*\n/gm,
          '',
        );
        const done = normalized === previous;
        previous = normalized;
        return done ? normalized : undefined;
      },
      30000,
      'two scrapes that agree',
    );
  };

  it.each(ROUTERS.filter((r) => r !== 'bpi-r4-omr'))('%s', async (name) => {
    const router = await copyRouter(name);
    // A zone file (binary, NUL bytes and all) for the time collector to read through the batch.
    await writeFile(path.join(router.dir, 'rootfs', 'etc', 'localtime'), tzifBytes('Australia-Sydney'));
    await appendFile(
      path.join(router.dir, 'config.yml'),
      `target:\n  identity_file: ${ssh.identityFile}\n  known_hosts_file: ${ssh.knownHostsFile}\n`,
    );
    const local = await startExporter([...router.flags, '--no-collector.ping'], { env: { TZ: 'UTC' } });
    const agentless = await startExporter([...router.flags, '--no-collector.ping', '--target', `ssh://${ssh.user}@127.0.0.1:${ssh.port}`], {
      env: { TZ: 'UTC' },
    });
    try {
      // A few scrapes so that the commands join the prefetch, then compare.
      for (let i = 0; i < 3; i++) await scrape(agentless.url);
      const [viaSsh, direct] = [await steadyMetrics(agentless), await steadyMetrics(local)];
      expect(viaSsh).not.toMatch(/routerscope_scrape_collector_success\{collector="[^"]+"\} 0/);
      expect(viaSsh).toBe(direct);
      expect(transportCounter(await scrape(agentless.url), 'prefetched_commands')).toBeGreaterThan(0);
      expect(clockIn(await scrape(agentless.url))).toBeCloseTo(await routerClockSeconds(router.dir), 2);
      // The zone, which the comparison above masks: the same from the router's file as read locally.
      const zoneLine = (text: string) => /^node_time_zone_offset_seconds\{.*$/m.exec(text)?.[0];
      const remoteZone = zoneLine(await scrape(agentless.url));
      expect(remoteZone).toMatch(/\{time_zone="AE[SD]T"\} (36000|39600)$/);
      expect(remoteZone).toBe(zoneLine(await scrape(local.url)));
    } finally {
      await agentless.stop();
      await local.stop();
      await router.remove();
    }
  });
});

// Some SSH servers give the remote command's stdin as a socket, not a pipe: the batch session cannot
// source from it, so the bootstrap says so and every batch goes over a channel of its own. Neither
// sshd nor dropbear here does that, so `ssh` on the exporter's PATH runs each remote command under a
// relay on the router that hands the shell a socketpair instead of sshd's pipe.
describe('agentless through a server that gives stdin as a socket', () => {
  let ssh: SshLab;
  let work: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    ssh = await startSshLab({ server: 'openssh' });
    work = await tempDir('routerscope-socket-stdin-');
    const python = requireCommand('python3');
    await writeFile(
      path.join(work.dir, 'relay.py'),
      [
        'import os, socket, subprocess, sys',
        'ours, theirs = socket.socketpair()',
        "shell = subprocess.Popen(['busybox', 'sh', '-c', sys.argv[1]], stdin=theirs)",
        'theirs.close()',
        'try:',
        '    while data := os.read(0, 65536):',
        '        ours.sendall(data)',
        '    ours.shutdown(socket.SHUT_WR)',
        'except OSError:',
        '    pass',
        'sys.exit(shell.wait())',
        '',
      ].join('\n'),
    );
    await mkdir(path.join(work.dir, 'bin'));
    await writeFile(
      path.join(work.dir, 'bin', 'ssh'),
      [
        `#!${python}`,
        'import os, shlex, sys',
        'args = sys.argv[1:]',
        "if '-N' not in args:  # the master connection runs no command",
        `    args[-1] = 'python3 ' + shlex.quote(${JSON.stringify(path.join(work.dir, 'relay.py'))}) + ' ' + shlex.quote(args[-1])`,
        `os.execv(${JSON.stringify(requireCommand('ssh'))}, ['ssh', *args])`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
  });
  afterAll(async () => {
    await ssh?.stop();
    await work?.remove();
  });

  it('falls back to a channel per batch and gives the same /metrics as the local exporter', async () => {
    const router = await copyRouter('openwrt-two-wans');
    await appendFile(
      path.join(router.dir, 'config.yml'),
      `target:\n  identity_file: ${ssh.identityFile}\n  known_hosts_file: ${ssh.knownHostsFile}\n`,
    );
    const local = await startExporter([...router.flags, '--no-collector.ping'], { env: { TZ: 'UTC' } });
    const agentless = await startExporter([...router.flags, '--no-collector.ping', '--target', `ssh://${ssh.user}@127.0.0.1:${ssh.port}`], {
      env: { TZ: 'UTC', PATH: `${path.join(work.dir, 'bin')}:${process.env.PATH}` },
    });
    try {
      for (let i = 0; i < 3; i++) await scrape(agentless.url);
      const metrics = (exporter: RunningExporter) =>
        waitFor(
          async () => {
            const text = normalizeForGolden(await scrape(exporter.url)).replace(
              /^.*(routerscope_transport_operations_total|_follower_restarts_total).*\n/gm,
              '',
            );
            return /routerscope_scrape_collector_success\{collector="[^"]+"\} 0/.test(text) ? undefined : text;
          },
          30000,
          'every collector to succeed',
        );
      expect(await metrics(agentless)).toBe(await metrics(local));
      expect(agentless.logs.some((l) => String(l.msg).includes('gives the shell no pipe'))).toBe(true);
      // No session was kept; each scrape's batch went over a channel of its own.
      const before = await scrape(agentless.url);
      const after = await scrape(agentless.url);
      expect(transportCounter(after, 'sessions')).toBe(1);
      expect(transportCounter(after, 'commands') - transportCounter(before, 'commands')).toBe(1);
      expect(clockIn(after)).toBeCloseTo(await routerClockSeconds(router.dir), 2);
    } finally {
      await agentless.stop();
      await local.stop();
      await router.remove();
    }
  });
});
