// Long-lived line streams (`logread -f`, `ping`): a command whose stdout is read line by line and
// that is restarted with exponential backoff whenever it ends, until stopped.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import { errorMessage, isAbsent } from './errors.ts';
import { killProcessGroup, type Sources } from './sources.ts';

export interface LineStreamOptions {
  readonly sources: Sources;
  readonly command: string;
  readonly args: readonly string[];
  readonly onLine: (line: string) => void;
  /** Called each time a new process starts, before its first line. */
  readonly onStart?: () => void;
  readonly log: Logger;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** How long a process must run to count as up when the one before it died young (default 5 s). */
  readonly settleMs?: number;
}

export class LineStream {
  private child: ChildProcess | undefined;
  private stopped = true;
  private backoffMs: number;
  private restartTimer: NodeJS.Timeout | undefined;
  /** The last failure logged; the same failure again is not logged again, only a change is. */
  private lastFailure: string | undefined;
  /** How many times a process was started; the first start counts. */
  starts = 0;
  private startedAt = 0;
  /** The last process died young or did not start at all: the next one must prove it stays. */
  private crashLooping = false;

  constructor(private readonly options: LineStreamOptions) {
    this.backoffMs = options.minBackoffMs ?? 500;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /**
   * Up: a process runs and the stream is not in a crash loop. A process that dies at once every
   * backoff would otherwise read as up whenever a scrape lands in its short life, and an alert on
   * `up == 0` for some minutes would never fire (or fire twice).
   */
  get up(): boolean {
    if (!this.child) return false;
    return !this.crashLooping || Date.now() - this.startedAt >= this.settleMs;
  }

  private get settleMs(): number {
    return this.options.settleMs ?? 5000;
  }

  get restarts(): number {
    return Math.max(0, this.starts - 1);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.launch();
  }

  private async launch(): Promise<void> {
    const { sources, command, args, log } = this.options;
    let child: ChildProcess;
    try {
      child = await sources.spawn(command, args);
    } catch (e) {
      this.crashLooping = true;
      this.failed(
        errorMessage(e),
        isAbsent(e) ? 'info' : 'warn',
        isAbsent(e) ? 'not on this system; retrying with backoff' : 'line stream failed to start',
      );
      this.scheduleRestart(0);
      return;
    }
    if (this.stopped) {
      killProcessGroup(child);
      return;
    }
    this.child = child;
    this.starts++;
    const startedAt = (this.startedAt = Date.now());
    if (this.lastFailure !== undefined) log.info({ command }, 'line stream started');
    this.lastFailure = undefined;
    this.options.onStart?.();
    child.stderr?.resume();
    const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
    lines.on('line', (line) => {
      if (this.child === child) this.options.onLine(line);
    });
    child.on('error', (e) => log.warn({ err: e.message, command }, 'line stream error'));
    child.on('close', (code, signal) => {
      lines.close();
      if (this.child === child) this.child = undefined;
      if (this.stopped) return;
      // One that ran a while and ended (logd restarted) is simply started again, and up at once.
      this.crashLooping = Date.now() - startedAt < this.settleMs;
      this.failed(`exited with ${code ?? signal}`, 'warn', 'line stream ended; restarting');
      this.scheduleRestart(Date.now() - startedAt);
    });
  }

  private failed(why: string, level: 'info' | 'warn', msg: string): void {
    const { log, command } = this.options;
    if (why === this.lastFailure) log.debug({ err: why, command }, msg);
    else log[level]({ err: why, command }, msg);
    this.lastFailure = why;
  }

  /** `ranMs`: how long the process that ended ran (0 when none started). */
  private scheduleRestart(ranMs: number): void {
    if (this.stopped) return;
    // A process that ran for a while resets the backoff; one that dies at once, or never starts,
    // backs off further, up to the ceiling.
    if (ranMs > 30_000) this.backoffMs = this.options.minBackoffMs ?? 500;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 30_000);
    this.restartTimer = setTimeout(() => void this.launch(), delay);
    this.restartTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    this.child = undefined;
    if (!child) return;
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    killProcessGroup(child, 'SIGTERM');
    const forced = setTimeout(() => killProcessGroup(child), 2000);
    await closed;
    clearTimeout(forced);
  }
}
