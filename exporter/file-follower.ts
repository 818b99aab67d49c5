// Follows a growing log file line by line, as `tail -F` would, but with the guarantees the
// collectors need: a rotated file is read to its end before the new one is opened from its start,
// a truncated file is read again from the start, and a follower started again in the same process
// (a config reload) resumes where the last one stopped, so nothing is lost or read twice. A new
// process starts at the end of the file: its counters start at zero anyway.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { Logger } from 'pino';
import { errorMessage } from './errors.ts';

const resumePoints = new Map<string, { ino: number; offset: number }>();

export interface LineFollower {
  start(): void;
  stop(): Promise<void>;
  readonly running: boolean;
  /** Running and not in a crash loop: what the health series report. */
  readonly up: boolean;
  /** How many times it had to start reading again (a process that ended, a rotated file). */
  readonly restarts: number;
}

export class FileFollower implements LineFollower {
  private fd: number | undefined;
  private ino = 0;
  private offset = 0;
  private partial = '';
  private timer: NodeJS.Timeout | undefined;
  private warned = false;
  private opens = 0;

  constructor(
    private readonly file: string,
    private readonly onLine: (line: string) => void,
    private readonly log: Logger,
    private readonly pollMs = 250,
  ) {}

  get running(): boolean {
    return this.timer !== undefined;
  }

  get up(): boolean {
    return this.running;
  }

  get restarts(): number {
    return Math.max(0, this.opens - 1);
  }

  start(): void {
    if (this.timer) return;
    this.open(true);
    this.timer = setInterval(() => this.poll(), this.pollMs);
    this.timer.unref();
  }

  /** Opens the file: at the resume point or the end on first start, at the start after a rotation. */
  private open(first: boolean): void {
    try {
      this.fd = openSync(this.file, 'r');
    } catch (e) {
      if (!this.warned) this.log.warn({ file: this.file, err: errorMessage(e) }, 'cannot open log file; will retry');
      this.warned = true;
      this.fd = undefined;
      return;
    }
    this.warned = false;
    this.opens++;
    const st = fstatSync(this.fd);
    this.ino = st.ino;
    const resume = resumePoints.get(this.file);
    if (first) this.offset = resume && resume.ino === st.ino && resume.offset <= st.size ? resume.offset : st.size;
    else this.offset = 0;
    this.partial = '';
  }

  private readToEnd(): void {
    if (this.fd === undefined) return;
    const size = fstatSync(this.fd).size;
    if (size < this.offset) {
      this.log.info({ file: this.file }, 'log file truncated; reading from its start');
      this.offset = 0;
      this.partial = '';
    }
    const buffer = Buffer.alloc(64 * 1024);
    while (this.offset < size) {
      const n = readSync(this.fd, buffer, 0, Math.min(buffer.length, size - this.offset), this.offset);
      if (n <= 0) break;
      this.offset += n;
      const text = this.partial + buffer.subarray(0, n).toString('utf8');
      const lines = text.split('\n');
      this.partial = lines.pop()!;
      for (const line of lines) this.onLine(line);
    }
    resumePoints.set(this.file, { ino: this.ino, offset: this.offset - Buffer.byteLength(this.partial) });
  }

  private poll(): void {
    try {
      if (this.fd === undefined) {
        this.open(false);
        this.readToEnd();
        return;
      }
      this.readToEnd();
      let current: number | undefined;
      try {
        current = statSync(this.file).ino;
      } catch {
        return; // rotated away and not yet recreated: keep the old file until it is
      }
      if (current !== this.ino) {
        // Rotated: the old file was read to its end above; a last line without newline ends here.
        if (this.partial) this.onLine(this.partial);
        closeSync(this.fd);
        this.open(false);
        this.readToEnd();
      }
    } catch (e) {
      this.log.warn({ file: this.file, err: errorMessage(e) }, 'log follower error');
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
