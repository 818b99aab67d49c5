// One line of the system log as logread (logd) or a BusyBox syslogd file prints it, and the filter
// that passes each line of a restarted `logread -f` once: the Follower of the events and dnsmasq
// collectors reads the log through both.

export interface LogEntry {
  /** Unix seconds. */
  readonly time: number;
  readonly facility: string;
  readonly priority: string;
  readonly ident: string;
  readonly pid: string | undefined;
  readonly message: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// ubox logread: `Sun Nov 22 08:00:01 2026 [1795...123.456 ]daemon.notice netifd: text`
const LOGREAD = /^\w{3} (\w{3}) +(\d{1,2}) (\d\d):(\d\d):(\d\d) (\d{4}) (?:\[(\d+)\.(\d+)\] )?(\w+)\.(\w+) (.*)$/;
// BusyBox syslogd / log files: `Nov 22 08:00:01 host daemon.notice netifd: text`
const SYSLOG = /^(\w{3}) +(\d{1,2}) (\d\d):(\d\d):(\d\d) \S+ (\w+)\.(\w+) (.*)$/;

function localSeconds(month: string, day: string, h: string, m: string, s: string, year: number): number {
  return new Date(year, MONTHS.indexOf(month), Number(day), Number(h), Number(m), Number(s)).getTime() / 1000;
}

/** One line of `logread` (or BusyBox syslogd) output; undefined for anything else. */
export function parseLogLine(line: string, now = new Date()): LogEntry | undefined {
  let time: number;
  let facility: string;
  let priority: string;
  let rest: string;
  const l = LOGREAD.exec(line);
  if (l) {
    time = l[7] ? Number(l[7]) + Number(l[8]) / 1000 : localSeconds(l[1]!, l[2]!, l[3]!, l[4]!, l[5]!, Number(l[6]));
    [facility, priority, rest] = [l[9]!, l[10]!, l[11]!];
  } else {
    const s = SYSLOG.exec(line);
    if (!s || !MONTHS.includes(s[1]!)) return undefined;
    time = localSeconds(s[1]!, s[2]!, s[3]!, s[4]!, s[5]!, now.getFullYear());
    [facility, priority, rest] = [s[6]!, s[7]!, s[8]!];
  }
  const m = /^([^\s:[]+)(?:\[(\d+)\])?: ?(.*)$/.exec(rest);
  if (!m) return undefined;
  return { time, facility, priority, ident: m[1]!, pid: m[2], message: m[3]! };
}

// `logread -f` prints the whole log buffer every time it starts: a follower restarted after a crash
// must not count those lines twice. The filter passes each line once, by its timestamp.
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
