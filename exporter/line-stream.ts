// Long-lived line streams (`logread -f`, `ping`): a command whose stdout is read line by line and
// that is restarted with exponential backoff whenever it ends, until stopped.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import { errorMessage } from './errors.ts';
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
}

export class LineStream {
  private child: ChildProcess | undefined;
  private stopped = true;
  private backoffMs: number;
  private restartTimer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  /** How many times a process was started; the first start counts. */
  starts = 0;

  constructor(private readonly options: LineStreamOptions) {
    this.backoffMs = options.minBackoffMs ?? 500;
  }

  get running(): boolean {
    return this.child !== undefined;
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
      log.warn({ err: errorMessage(e), command }, 'line stream failed to start');
      this.scheduleRestart();
      return;
    }
    if (this.stopped) {
      killProcessGroup(child);
      return;
    }
    this.child = child;
    this.starts++;
    this.startedAt = Date.now();
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
      log.warn({ command, code, signal }, 'line stream ended; restarting');
      this.scheduleRestart();
    });
  }

  private scheduleRestart(): void {
    if (this.stopped) return;
    // A process that ran for a while resets the backoff; one that dies at once backs off further.
    if (Date.now() - this.startedAt > 30_000) this.backoffMs = this.options.minBackoffMs ?? 500;
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
