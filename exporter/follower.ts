// The background kit: one Follower for every log a collector reads (events, dnsmasq; locally or
// over SSH), and one Periodic for every timer a collector runs.
//
// A Follower reads either a log file (through the Sources seam: FileFollower here, `tail -F` on
// the router over SSH) from its end, through rotation and truncation, or the system log through
// `logread -f`, restarted with backoff. `logread -f` prints the whole buffer each time it starts:
// a replay filter passes each line once, by its timestamp, so a restarted follower neither loses
// nor repeats a line. Each follower reports the same three series, labelled by collector.
import type { Logger } from 'pino';
import { parseLogLine, ReplayFilter } from '../openwrt/logread.ts';
import type { LineFollower } from './file-follower.ts';
import { LineStream } from './line-stream.ts';
import type { MetricSink } from './metrics.ts';

import type { Sources } from './sources.ts';

export interface FollowerOptions {
  readonly sources: Sources;
  /** A log file to follow; without one, the system log through `logread -f`. */
  readonly file?: string | undefined;
  /** Every new line, once. */
  readonly onLine: (line: string) => void;
  readonly log: Logger;
}

export class Follower {
  private readonly reader: LineFollower | LineStream;
  private readonly replay = new ReplayFilter();
  /** Lines delivered (replayed ones not counted). */
  lines = 0;
  /** Stopped for good: a start that arrives late (after a slow first refresh) starts nothing. */
  private ended = false;

  constructor(private readonly options: FollowerOptions) {
    const deliver = (line: string) => {
      this.lines++;
      options.onLine(line);
    };
    // A file is followed from where the last reader stopped: nothing is replayed to filter.
    this.reader = options.file
      ? options.sources.followFile(options.file, deliver, options.log)
      : new LineStream({
          sources: options.sources,
          command: 'logread',
          args: ['-f'],
          onLine: (line) => {
            const time = parseLogLine(line)?.time;
            if (time === undefined || this.replay.accept(line, time)) deliver(line);
          },
          onStart: () => this.replay.restart(),
          log: options.log,
        });
  }

  get running(): boolean {
    return this.reader.running;
  }

  get up(): boolean {
    return this.reader.up;
  }

  /** How many times the follower had to start again: a process that ended, a file that came back. */
  get restarts(): number {
    return this.reader.restarts;
  }

  start(): void {
    if (!this.ended) this.reader.start();
  }

  stop(): Promise<void> {
    this.ended = true;
    return this.reader.stop();
  }

  /** The follower's health, the same series for every collector that follows a log. */
  report(out: MetricSink, collector: string): void {
    out.gauge(
      'routerscope_follower_up',
      'Whether the log follower is running (0 while it keeps dying at once).',
      { collector },
      this.up ? 1 : 0,
    );
    out.counter('routerscope_follower_restarts_total', 'How many times the log follower started again.', { collector }, this.restarts);
    out.counter('routerscope_follower_lines_total', 'Log lines read (replayed lines not counted).', { collector }, this.lines);
  }
}

/** A task run every `seconds` in the background, never twice at once; a failure is the task's own. */
export class Periodic {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly seconds: number,
    private readonly task: () => unknown,
  ) {}

  /** Starts the timer; `now` also runs the task at once, and resolves when that run is done. */
  async start(now = false): Promise<void> {
    if (this.timer) return;
    this.timer = setInterval(() => void this.run(), this.seconds * 1000);
    this.timer.unref();
    if (now) await this.run();
  }

  private async run(): Promise<void> {
    if (this.running) return; // a slow run: skip this tick rather than pile up
    this.running = true;
    try {
      await this.task();
    } finally {
      this.running = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
