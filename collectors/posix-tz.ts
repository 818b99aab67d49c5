// The local time zone as the system's files give it, without ICU: a POSIX TZ rule (OpenWrt keeps
// it in /etc/TZ; a TZif file of version 2 or later ends with one, RFC 8536 section 3.3), evaluated
// for an instant as the C library does. Node's Intl would cost about 6 MiB of RSS for this one label
// (ICU's data and code), and would read the zone of the machine Node runs on, not the router's.

export interface ZoneType {
  /** The abbreviation, as Go's time.Now().Zone() and `date +%Z` give it: CET, CEST, +03. */
  readonly name: string;
  /** East of UTC: CET is 3600. */
  readonly utcOffsetSeconds: number;
}

type DateRule =
  | { readonly kind: 'julian-no-leap'; readonly day: number }
  | { readonly kind: 'day-of-year'; readonly day: number }
  | { readonly kind: 'month'; readonly month: number; readonly week: number; readonly weekday: number };

interface TransitionRule {
  readonly date: DateRule;
  /** Local time of day of the change, in seconds; POSIX allows -167 to 167 hours. */
  readonly timeSeconds: number;
}

export interface PosixZone {
  readonly standard: ZoneType;
  readonly daylight?: ZoneType & { readonly start: TransitionRule; readonly end: TransitionRule };
}

const DAY_MS = 86_400_000;
/** glibc's and musl's rule when a zone names summer time without saying when: the US's since 2007. */
const DEFAULT_RULE = ',M3.2.0,M11.1.0';

/** Parses a POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3", "<+0330>-3:30", "UTC"). */
export function parsePosixTz(spec: string): PosixZone {
  let text = spec;
  let at = 0;
  const fail = (what: string): never => {
    throw new Error(`time zone ${JSON.stringify(spec)}: ${what} at character ${at + 1}`);
  };
  const name = (): string => {
    if (text[at] === '<') {
      const end = text.indexOf('>', at);
      const quoted = end < 0 ? fail('an unclosed <') : text.slice(at + 1, end);
      if (!/^[A-Za-z0-9+-]{3,}$/.test(quoted)) fail('a quoted zone name of three or more letters, digits, + or -');
      at = end + 1;
      return quoted;
    }
    const letters = /^[A-Za-z]{3,}/.exec(text.slice(at))?.[0] ?? fail('a zone name of three or more letters');
    at += letters.length;
    return letters;
  };
  /** [+-]hh[:mm[:ss]] in seconds, or undefined when none is here. */
  const duration = (maxHours: number): number | undefined => {
    const m = /^([+-]?)(\d{1,3})(?::(\d{1,2})(?::(\d{1,2}))?)?/.exec(text.slice(at));
    if (!m) return undefined;
    const [hours, minutes, seconds] = [Number(m[2]), Number(m[3] ?? 0), Number(m[4] ?? 0)];
    if (hours > maxHours || minutes > 59 || seconds > 59) fail(`a time within ${maxHours} hours`);
    at += m[0].length;
    const total = hours * 3600 + minutes * 60 + seconds;
    return m[1] === '-' ? -total : total;
  };
  const integer = (min: number, max: number): number => {
    const digits = /^\d+/.exec(text.slice(at))?.[0] ?? fail('a number');
    const n = Number(digits);
    if (n < min || n > max) fail(`a number from ${min} to ${max}`);
    at += digits.length;
    return n;
  };
  const transition = (): TransitionRule => {
    if (text[at] !== ',') fail('a comma');
    at++;
    let date: DateRule;
    if (text[at] === 'J') {
      at++;
      date = { kind: 'julian-no-leap', day: integer(1, 365) };
    } else if (text[at] === 'M') {
      at++;
      const month = integer(1, 12);
      if (text[at++] !== '.') fail('a dot');
      const week = integer(1, 5);
      if (text[at++] !== '.') fail('a dot');
      date = { kind: 'month', month, week, weekday: integer(0, 6) };
    } else {
      date = { kind: 'day-of-year', day: integer(0, 365) };
    }
    let timeSeconds = 7200;
    if (text[at] === '/') {
      at++;
      timeSeconds = duration(167) ?? fail('a time of day');
    }
    return { date, timeSeconds };
  };

  // POSIX offsets are west of UTC ("CET-1" is an hour ahead); a bare name, as OpenWrt's default
  // "UTC", is UTC itself, as musl reads it.
  const standard = { name: name(), utcOffsetSeconds: 0 - (duration(24) ?? 0) };
  if (at === text.length) return { standard };
  const daylightName = name();
  const daylightOffset = duration(24);
  const utcOffsetSeconds = daylightOffset === undefined ? standard.utcOffsetSeconds + 3600 : 0 - daylightOffset;
  if (at === text.length) text += DEFAULT_RULE;
  const start = transition();
  const end = transition();
  if (at !== text.length) fail('the end');
  return { standard, daylight: { name: daylightName, utcOffsetSeconds, start, end } };
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Midnight UTC of the rule's day in `year`. */
function dayStartMs(year: number, date: DateRule): number {
  switch (date.kind) {
    case 'julian-no-leap':
      return Date.UTC(year, 0, 1) + (date.day - 1 + (isLeap(year) && date.day >= 60 ? 1 : 0)) * DAY_MS;
    case 'day-of-year':
      return Date.UTC(year, 0, 1) + date.day * DAY_MS;
    case 'month': {
      const firstWeekday = new Date(Date.UTC(year, date.month - 1, 1)).getUTCDay();
      const daysInMonth = new Date(Date.UTC(year, date.month, 0)).getUTCDate();
      let day = 1 + ((date.weekday - firstWeekday + 7) % 7) + 7 * (date.week - 1);
      while (day > daysInMonth) day -= 7; // week 5 is the last such weekday of the month
      return Date.UTC(year, date.month - 1, day);
    }
  }
}

/** The instant (ms) of a change given in the local time of the zone type in effect before it. */
function transitionMs(year: number, rule: TransitionRule, offsetBefore: number): number {
  return dayStartMs(year, rule.date) + (rule.timeSeconds - offsetBefore) * 1000;
}

/** The zone type in effect at `epochMs`. */
export function zoneAt(zone: PosixZone, epochMs: number): ZoneType {
  const { standard, daylight } = zone;
  if (!daylight) return standard;
  // The year of the UTC instant, as glibc and musl take it (it matters only for all-year rules).
  const year = new Date(epochMs).getUTCFullYear();
  const start = transitionMs(year, daylight.start, standard.utcOffsetSeconds);
  const end = transitionMs(year, daylight.end, daylight.utcOffsetSeconds);
  // Summer inside the year (north), or around its turn (south: it starts in October).
  const summer = start < end ? epochMs >= start && epochMs < end : epochMs >= start || epochMs < end;
  return summer ? daylight : standard;
}

/**
 * The POSIX TZ rule a TZif file ends with (version 2 and later), or undefined when it has none. The
 * file comes as text, as the sources read files: the rule is its last line, and neither a decoder's
 * replacement characters nor a shell's dropped NUL bytes touch it.
 */
export function tzifFooter(file: string): string | undefined {
  if (!file.startsWith('TZif')) throw new Error('not a TZif file (no TZif magic)');
  if (!/^[2-9]$/.test(file[4] ?? '')) return undefined; // version 1: no rule at the end
  const text = file.trimEnd();
  const footer = text.slice(text.lastIndexOf('\n') + 1);
  return /^[A-Za-z0-9<>+\-:,./]+$/.test(footer) ? footer : undefined; // empty: no rule for this zone
}
