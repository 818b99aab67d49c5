// `logread -f` prints the whole log buffer every time it starts. A follower restarted after a
// crash must not count those lines twice: this filter passes each line once, by its timestamp.

export class ReplayFilter {
  private newest = -Infinity;
  private countedAtNewest = new Map<string, number>();
  private seenThisRun = new Map<string, number>();

  /** A new process starts: what it prints first may be a replay. */
  restart(): void {
    this.seenThisRun = new Map();
  }

  /**
   * True for a line not seen before: later than the newest one passed, or within the newest second
   * a copy beyond those already passed (identical lines in one second all count).
   */
  accept(line: string, time: number): boolean {
    if (time < this.newest) return false;
    const run = (this.seenThisRun.get(line) ?? 0) + 1;
    this.seenThisRun.set(line, run);
    if (time === this.newest) {
      if (run <= (this.countedAtNewest.get(line) ?? 0)) return false;
    } else {
      this.newest = time;
      this.countedAtNewest = new Map();
    }
    this.countedAtNewest.set(line, (this.countedAtNewest.get(line) ?? 0) + 1);
    return true;
  }
}
