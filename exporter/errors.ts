// Every error class of routerscope. RouterscopeError and its kinds carry stable codes, for the
// codes a caller branches on; the others belong to one boundary each (config, HTTP, report).

export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'COMMAND_NOT_FOUND'
  | 'COMMAND_FAILED'
  | 'COMMAND_TIMEOUT'
  | 'COMMAND_OUTPUT_TOO_LARGE'
  | 'ABORTED'
  | 'SOURCE_ABSENT'
  | 'PARSE_ERROR';

export class RouterscopeError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RouterscopeError';
  }
}

/** A command that ran and exited non-zero: its exit code and stderr, for callers that branch on them. */
export class CommandError extends RouterscopeError {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderr: string,
    message: string,
  ) {
    super('COMMAND_FAILED', message);
  }
}

/** `ubus call` exits with this status for an object or method that does not exist. */
export const UBUS_STATUS_NOT_FOUND = 4;

/** The source a collector reads is not on this system (no radio, no nlbw, not OpenWrt). */
export class AbsentError extends RouterscopeError {
  constructor(message: string) {
    super('SOURCE_ABSENT', message);
  }
}

/** Thrown by parsers on malformed source output; the message says where and what. */
export class ParseError extends RouterscopeError {
  constructor(source: string, message: string) {
    super('PARSE_ERROR', `${source}: ${message}`);
  }
}

/** True for a missing file or directory: a missing item is skipped, not a failure. */
export function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * True when an error means the source is not on this system rather than broken: a command not on
 * the bin path, a missing file, or a collector's own AbsentError. Decided by code, never by text.
 */
export function isAbsent(err: unknown): boolean {
  if (err instanceof RouterscopeError) return err.code === 'COMMAND_NOT_FOUND' || err.code === 'SOURCE_ABSENT';
  return isNotFound(err);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** JSON.parse with the source named in the error, and the start of the bad text shown. */
export function parseJson<T = unknown>(source: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    const start = text.trim().slice(0, 60).replace(/\s+/g, ' ');
    throw new ParseError(source, `invalid JSON (${errorMessage(e).split('\n')[0]}); output starts "${start}"`);
  }
}

/** The config file and flags, with every problem found (one line each). */
/** Control characters as \xNN: a NUL or an escape sequence from a config file never reaches a terminal raw. */
export function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export class ConfigError extends RouterscopeError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    const escaped = problems.map(escapeControl);
    super('CONFIG_INVALID', escaped.join('\n'));
    this.problems = escaped;
  }
}

/** A line of the Prometheus text format that does not parse (textfile collector, tests). */
export class ExpositionParseError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/** An admin change the validators refuse: the message, and the field it is about, go back to the client. */
export class ValidationError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** An admin request answered with an HTTP error status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** `routerscope report` cannot do its work: one line that says what to do. */
export class ReportError extends Error {}
