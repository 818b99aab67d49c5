// The I/O seam: collectors touch the system only through a Sources object. Files resolve under
// --path.rootfs, commands are looked up on --path.bin and run without a shell. A test router is
// just a directory (rootfs/ and bin/); no fixture mode exists in the code.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as fsConstants, readdirSync, readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Logger } from 'pino';
import { CommandError, RouterscopeError } from './errors.ts';
import { redactText } from './redact.ts';
import { FileFollower, type LineFollower } from './file-follower.ts';

export interface DirEntry {
  readonly name: string;
  readonly type: 'file' | 'dir' | 'symlink' | 'other';
}

export interface FsStats {
  readonly blockSize: number;
  readonly blocks: number;
  readonly blocksFree: number;
  readonly blocksAvailable: number;
  readonly files: number;
  readonly filesFree: number;
}

export interface RunOptions {
  readonly signal?: AbortSignal;
  /** Overrides the default command timeout. */
  readonly timeoutMs?: number;
  /** Overrides the default output cap. */
  readonly maxBytes?: number;
}

export interface CommandResult {
  readonly stdout: string;
  /** The same output as bytes, for binary output such as `ethtool -m <dev> raw on`. */
  readonly stdoutBytes: Buffer;
  readonly stderr: string;
}

export interface Sources {
  /** Where this system is, for messages: "local rootfs /" or "ssh://root@router". */
  readonly description: string;
  /** The system's clock is not this process's (agentless): the time collector reads it from the system. */
  readonly remoteClock?: boolean;
  readFile(file: string, options?: { signal?: AbortSignal }): Promise<string>;
  readBytes(file: string, options?: { signal?: AbortSignal }): Promise<Buffer>;
  /** Entries sorted by name, so every collector emits in a stable order. */
  readDir(dir: string): Promise<DirEntry[]>;
  /** The target of a path with every symlink resolved, relative to the rootfs. */
  realpath(file: string): Promise<string>;
  statfs(dir: string): Promise<FsStats>;
  mtime(file: string): Promise<number>;
  /** Runs a command found on the bin path with an argument array; rejects on a non-zero exit. */
  run(command: string, args: readonly string[], options?: RunOptions): Promise<CommandResult>;
  /** Starts a long-lived command (a line stream, a prober) on the bin path. */
  spawn(command: string, args: readonly string[]): Promise<ChildProcess>;
  /** Replaces a file atomically (written beside it, then renamed): the admin's rollback. */
  writeFile(file: string, data: string | Buffer): Promise<void>;
  /** Follows a growing log file through rotation and truncation (see FileFollower). */
  followFile(file: string, onLine: (line: string) => void, log: Logger): LineFollower;
  /** The sources for one scrape, where the transport prepares one (the SSH transport's prefetch). */
  forScrape?(timeoutMs: number): Promise<Sources>;
  /** Transport counters (the SSH transport's round trips), exported as routerscope_transport_*. */
  counters?(): Record<string, number>;
  /** Releases what the transport holds (the SSH connection). */
  close?(): void;
}

export interface LocalSourcesOptions {
  readonly rootfs: string;
  readonly binPath: readonly string[];
  readonly commandTimeoutMs: number;
  readonly maxOutputBytes: number;
}

export const DEFAULT_BIN_PATH = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'] as const;

/** Kills a child started with `detached: true` together with everything it started. */
export function killProcessGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL', evenIfExited = false): void {
  if (child.pid === undefined || (!evenIfExited && (child.exitCode !== null || child.signalCode !== null))) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

/** How long a command found missing stays missing before it is looked for again. */
const MISSING_COMMAND_RECHECK_MS = 60_000;

export class LocalSources implements Sources {
  readonly description: string;
  private readonly commandPaths = new Map<string, string>();
  private readonly missingUntil = new Map<string, number>();
  /** Playback scripts and wrappers may call ordinary tools; the bin path comes first. */
  private readonly childEnv: NodeJS.ProcessEnv;

  constructor(private readonly options: LocalSourcesOptions) {
    this.description = `rootfs ${options.rootfs}`;
    this.childEnv = { ...process.env, PATH: [...options.binPath, ...DEFAULT_BIN_PATH].join(':'), LC_ALL: 'C' };
  }

  private resolve(file: string): string {
    return path.join(this.options.rootfs, file);
  }

  // Reads are synchronous on purpose: collectors read hundreds of small /proc and /sys files per
  // scrape, which the kernel answers from memory, and fs/promises costs about five times the CPU
  // of a plain read for each (bench/run.ts). statfs, which can hang on a stuck mount, stays async.
  async readFile(file: string, options?: { signal?: AbortSignal }): Promise<string> {
    options?.signal?.throwIfAborted();
    return readFileSync(this.resolve(file), 'utf8');
  }

  async readBytes(file: string, options?: { signal?: AbortSignal }): Promise<Buffer> {
    options?.signal?.throwIfAborted();
    return readFileSync(this.resolve(file));
  }

  async readDir(dir: string): Promise<DirEntry[]> {
    const entries = readdirSync(this.resolve(dir), { withFileTypes: true });
    return entries
      .map(
        (e) =>
          ({
            name: e.name,
            type: e.isFile() ? 'file' : e.isDirectory() ? 'dir' : e.isSymbolicLink() ? 'symlink' : 'other',
          }) as const,
      )
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async realpath(file: string): Promise<string> {
    const root = await fs.realpath(this.options.rootfs);
    const real = await fs.realpath(this.resolve(file));
    return '/' + path.relative(root, real);
  }

  async statfs(dir: string): Promise<FsStats> {
    const s = await fs.statfs(this.resolve(dir));
    return {
      blockSize: s.bsize,
      blocks: s.blocks,
      blocksFree: s.bfree,
      blocksAvailable: s.bavail,
      files: s.files,
      filesFree: s.ffree,
    };
  }

  async mtime(file: string): Promise<number> {
    return (await fs.stat(this.resolve(file))).mtimeMs / 1000;
  }

  followFile(file: string, onLine: (line: string) => void, log: Logger): LineFollower {
    return new FileFollower(this.resolve(file), onLine, log);
  }

  async writeFile(file: string, data: string | Buffer): Promise<void> {
    const target = this.resolve(file);
    const temp = `${target}.routerscope-${process.pid}`;
    await fs.writeFile(temp, data);
    await fs.rename(temp, target);
  }

  private async lookup(command: string): Promise<string> {
    if (command.includes('/') || command === '' || command.startsWith('-')) {
      throw new RouterscopeError('COMMAND_NOT_FOUND', `invalid command name "${command}"`);
    }
    const cached = this.commandPaths.get(command);
    if (cached) return cached;
    const missing = () =>
      new RouterscopeError('COMMAND_NOT_FOUND', `command "${command}" not found in --path.bin (${this.options.binPath.join(':')})`);
    // A command that is not installed is looked for again once a minute, not on every scrape
    // (on a host without ubus, uci and nlbw the lookups were a fifth of a scrape's CPU).
    if ((this.missingUntil.get(command) ?? 0) > Date.now()) throw missing();
    for (const dir of this.options.binPath) {
      const candidate = path.join(dir, command);
      try {
        await fs.access(candidate, fsConstants.X_OK);
        this.commandPaths.set(command, candidate);
        return candidate;
      } catch {
        /* try the next directory */
      }
    }
    this.missingUntil.set(command, Date.now() + MISSING_COMMAND_RECHECK_MS);
    throw missing();
  }

  async spawn(command: string, args: readonly string[]): Promise<ChildProcess> {
    const file = await this.lookup(command);
    return spawn(file, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: this.childEnv });
  }

  async run(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const file = await this.lookup(command);
    const timeoutMs = options.timeoutMs ?? this.options.commandTimeoutMs;
    const maxBytes = options.maxBytes ?? this.options.maxOutputBytes;
    return runChild(
      () => spawn(file, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: this.childEnv }),
      [command, ...args].join(' '),
      { timeoutMs, maxBytes, signal: options.signal },
    );
  }
}

/**
 * Runs a child to completion with a timeout, an abort signal and an output cap. The child must be
 * detached so that a timeout kills the whole process group: a hung shell script's `sleep` would
 * otherwise keep the pipe open long after its parent died.
 */
export function runChild(
  start: () => ChildProcess,
  display: string,
  limits: { timeoutMs: number; maxBytes: number; signal?: AbortSignal | undefined },
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    if (limits.signal?.aborted) {
      reject(new RouterscopeError('ABORTED', `${display}: aborted before start`));
      return;
    }
    const child = start();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let failure: RouterscopeError | undefined;
    const stop = (error: RouterscopeError) => {
      failure ??= error;
      // The whole group, even when the child itself has exited: a background grandchild (`cmd &`)
      // still holding the pipe is what keeps the command from finishing. One that left the group
      // (setsid, a daemonising helper) is not ours to kill, but no longer holds us: the pipes close.
      killProcessGroup(child, 'SIGKILL', true);
      child.stdout?.destroy();
      child.stderr?.destroy();
    };
    const timer = setTimeout(
      () => stop(new RouterscopeError('COMMAND_TIMEOUT', `${display}: timed out after ${limits.timeoutMs} ms`)),
      limits.timeoutMs,
    );
    const onAbort = () => stop(new RouterscopeError('ABORTED', `${display}: aborted (scrape deadline)`));
    limits.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout?.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > limits.maxBytes) {
        stop(new RouterscopeError('COMMAND_OUTPUT_TOO_LARGE', `${display}: output exceeds ${limits.maxBytes} bytes`));
        return;
      }
      out.push(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (errBytes < 65536) err.push(chunk);
      errBytes += chunk.length;
    });
    const finish = () => {
      clearTimeout(timer);
      limits.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish();
      reject(failure ?? new RouterscopeError('COMMAND_FAILED', `${display}: ${e.message}`, { cause: e }));
    });
    child.on('close', (code, signal) => {
      finish();
      if (failure) return reject(failure);
      const stderr = Buffer.concat(err).toString('utf8');
      if (code !== 0) {
        // The first stderr line goes into logs and /status: a command may echo a secret there.
        const why = redactText(stderr.trim().split('\n')[0] ?? '') || (signal ? `killed by ${signal}` : 'no message');
        return reject(new CommandError(display, code, stderr, `${display}: exit ${code ?? signal}: ${why}`));
      }
      const bytes = Buffer.concat(out);
      resolve({ stdout: bytes.toString('utf8'), stdoutBytes: bytes, stderr });
    });
  });
}

/**
 * A view of `base` for one scrape with some operations replaced. The view is not the transport's
 * owner: it neither prepares scrapes nor closes anything.
 */
export function scrapeView(base: Sources, overrides: Partial<Omit<Sources, 'forScrape' | 'close'>>): Sources {
  return {
    description: base.description,
    ...(base.remoteClock ? { remoteClock: true } : {}),
    readFile: (f, o) => base.readFile(f, o),
    readBytes: (f, o) => base.readBytes(f, o),
    readDir: (d) => base.readDir(d),
    realpath: (f) => base.realpath(f),
    statfs: (d) => base.statfs(d),
    mtime: (f) => base.mtime(f),
    run: (c, a, o) => base.run(c, a, o),
    spawn: (c, a) => base.spawn(c, a),
    followFile: (f, l, g) => base.followFile(f, l, g),
    writeFile: (f, d) => base.writeFile(f, d),
    ...(base.counters ? { counters: () => base.counters!() } : {}),
    ...overrides,
  };
}

/**
 * Shares command results within one scrape: when the wan and mptcp collectors both need
 * `ubus -S call network.interface dump`, the router forks it once. Files are not shared (cheap).
 */
export function shareCommands(base: Sources, results: Map<string, Promise<CommandResult>>): Sources {
  return scrapeView(base, {
    run(command, args, options) {
      const key = JSON.stringify([command, args, options?.timeoutMs, options?.maxBytes]);
      let result = results.get(key);
      if (!result) {
        result = base.run(command, args, options);
        results.set(key, result);
      }
      return result;
    },
  });
}
