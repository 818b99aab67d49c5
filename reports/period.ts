// Report periods aligned to local midnight in a time zone: a day, an ISO week (Monday to Sunday),
// or a calendar month, as UTC instants.

export type PeriodKind = 'daily' | 'weekly' | 'monthly';

export interface Period {
  readonly kind: PeriodKind;
  /** The first local day of the period, YYYY-MM-DD. */
  readonly firstDay: string;
  readonly start: Date;
  readonly end: Date;
  readonly timeZone: string;
}

/** Minutes the zone is ahead of UTC at an instant. */
function zoneOffsetMinutes(instant: Date, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  const asUtc = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return Math.round((asUtc - instant.getTime()) / 60000);
}

/** The UTC instant of a local wall-clock time in the zone (a day past the month's end rolls over). */
export function localInstant(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): Date {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  // Two rounds settle daylight-saving transitions near the time.
  let t = guess - zoneOffsetMinutes(new Date(guess), timeZone) * 60000;
  t = guess - zoneOffsetMinutes(new Date(t), timeZone) * 60000;
  return new Date(t);
}

/** The UTC instant of local midnight starting a calendar day in the zone. */
export function localMidnight(year: number, month: number, day: number, timeZone: string): Date {
  return localInstant(year, month, day, 0, 0, timeZone);
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Today's date in the zone, YYYY-MM-DD. */
export function localDate(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

function ymd(s: string): [number, number, number] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) throw new Error(`date "${s}" is not YYYY-MM-DD`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d)
    throw new Error(`date "${s}" does not exist`);
  return [y, mo, d];
}

const iso = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10);

/** The period of the given kind that contains `date` (a local calendar day). */
export function periodContaining(kind: PeriodKind, date: string, timeZone: string): Period {
  const [y, m, d] = ymd(date);
  let first: [number, number, number];
  let next: [number, number, number];
  if (kind === 'daily') {
    first = [y, m, d];
    next = [y, m, d + 1];
  } else if (kind === 'weekly') {
    const weekday = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7; // Monday 0
    first = [y, m, d - weekday];
    next = [y, m, d - weekday + 7];
  } else {
    first = [y, m, 1];
    next = [y, m + 1, 1];
  }
  const norm = (p: [number, number, number]) => {
    const t = new Date(Date.UTC(p[0], p[1] - 1, p[2]));
    return [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()] as const;
  };
  const f = norm(first);
  const n = norm(next);
  return { kind, firstDay: iso(...f), start: localMidnight(...f, timeZone), end: localMidnight(...n, timeZone), timeZone };
}

/** The period just before. */
export function previousPeriod(p: Period): Period {
  const [y, m, d] = ymd(p.firstDay);
  const dayBefore = iso(y, m, d - 1);
  return periodContaining(p.kind, dayBefore, p.timeZone);
}
