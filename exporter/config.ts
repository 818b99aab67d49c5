// Configuration: typed defaults, overridden by a YAML file, overridden by flags. Unknown keys are
// errors; every error names the key path and where it came from (file and line, or the flag).
// zod does the validation; the yaml document maps each error's path back to its line.
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { isMap, isPair, isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import type { CollectorDefinition } from './collector.ts';
import { ConfigError } from './errors.ts';
import { DEFAULT_BIN_PATH } from './sources.ts';
import { sshUrlProblem } from './ssh-sources.ts';

/** `host:port`, `[v6]:port` or `:port`; the host an IP or a name. */
export function validateListenAddress(value: string): string | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value);
  if (!m) return `"${value}" is not host:port`;
  const [, v6, host, port = ''] = m;
  if (v6 !== undefined && isIP(v6) !== 6) return `"${v6}" is not an IPv6 address`;
  if (host && isIP(host) === 0 && !/^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/.test(host)) {
    return `"${host}" is not an IP address or host name`;
  }
  const n = Number(port);
  if (n > 65535) return `port ${port} is out of range 0-65535`;
  return undefined;
}

// zod/mini (a tenth of zod's code on the router) has no messages until given a locale; these are
// the messages zod itself gives.
z.config(en());

export const listenAddress = z.string().check(
  z.superRefine((value, ctx) => {
    const problem = validateListenAddress(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
);

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** Every section but `collectors`, whose options come from the collector definitions. */
const SECTIONS = {
  web: z.prefault(
    z.strictObject({
      listen_address: z._default(listenAddress, '127.0.0.1:9100'),
      /** Used when Prometheus sends no X-Prometheus-Scrape-Timeout-Seconds header. */
      scrape_timeout_seconds: z._default(z.number().check(z.positive(), z.lte(300)), 10),
      /** Kept back from Prometheus' timeout so the answer arrives in time. */
      timeout_offset_seconds: z._default(z.number().check(z.gte(0), z.lte(10)), 0.5),
      /** POST /-/reload, as Prometheus' --web.enable-lifecycle: off, so no web page can post to it. */
      enable_lifecycle: z._default(z.boolean(), false),
    }),
    {},
  ),
  log: z.prefault(z.strictObject({ level: z._default(z.enum(LOG_LEVELS), 'info') }), {}),
  path: z.prefault(
    z.strictObject({
      rootfs: z._default(z.string().check(z.minLength(1)), '/'),
      bin: z._default(z.array(z.string().check(z.minLength(1))).check(z.minLength(1)), [...DEFAULT_BIN_PATH]),
    }),
    {},
  ),
  commands: z.prefault(
    z.strictObject({
      timeout_seconds: z._default(z.number().check(z.positive(), z.lte(300)), 5),
      // 4 MiB: a router's largest real outputs (nlbw, ss) are far below it, and parsing 15 MiB of
      // nlbw JSON exhausts the 48 MiB heap procd gives Node (test/serve.test.ts, shipped flags).
      max_output_bytes: z._default(z.int().check(z.positive()), 4 * 1024 * 1024),
    }),
    {},
  ),
  /** Agentless: reach the router over SSH instead of reading this machine. */
  target: z.prefault(
    z.strictObject({
      url: z.optional(
        z.string().check(
          z.superRefine((value, ctx) => {
            const problem = sshUrlProblem(value);
            if (problem) ctx.addIssue({ code: 'custom', message: problem });
          }),
        ),
      ),
      identity_file: z.optional(z.string().check(z.minLength(1))),
      known_hosts_file: z.optional(z.string().check(z.minLength(1))),
      strict_host_key_checking: z._default(z.enum(['yes', 'accept-new']), 'accept-new'),
      connect_timeout_seconds: z._default(z.int().check(z.gte(1), z.lte(120)), 10),
    }),
    {},
  ),
  limits: z.prefault(
    z.strictObject({
      /** Series one scrape may carry; a collector's families past it are dropped with a warning. */
      max_series: z._default(z.int().check(z.gte(100)), 100_000),
    }),
    {},
  ),
  /** Client identities (MAC addresses, host names) in every collector's series. */
  privacy: z.prefault(
    z.strictObject({
      /** false drops MACs and host names from every series of every collector. */
      expose_identities: z._default(z.boolean(), true),
      /** With identities hidden: salted pseudonyms for MACs (hash) or none at all (omit). */
      anonymize: z._default(z.enum(['hash', 'omit']), 'hash'),
      identity_salt: z.optional(z.string().check(z.minLength(8))),
    }),
    {},
  ),
  admin: z.prefault(
    z.strictObject({
      listen_address: z._default(listenAddress, '127.0.0.1:9101'),
      /** The listener starts only with a token, read from this file (never from the command line). */
      token_file: z.optional(z.string().check(z.minLength(1))),
      /** Client addresses or CIDR ranges allowed; empty allows any that has the token. */
      allow: z._default(
        z.array(
          z.string().check(
            z.superRefine((v, ctx) => {
              const [address, prefix, ...rest] = v.split('/');
              const family = isIP(address ?? '');
              const max = family === 6 ? 128 : 32;
              if (family === 0 || rest.length > 0 || (prefix !== undefined && !(/^\d+$/.test(prefix) && Number(prefix) <= max)))
                ctx.addIssue({ code: 'custom', message: `"${v}" is not an address or CIDR range` });
            }),
          ),
        ),
        [],
      ),
      /**
       * Host names the browser may use for the listener (router.lan); IP addresses and localhost
       * always work. Any other Host header is refused, so a DNS-rebinding page cannot reach it.
       */
      host_names: z._default(z.array(z.string().check(z.regex(/^[A-Za-z0-9.-]+$/, 'expected a host name such as router.lan'))), []),
      audit_log: z._default(z.string().check(z.minLength(1)), '/tmp/routerscope-admin-audit.log'),
      confirm_timeout_seconds: z._default(z.number().check(z.gte(5), z.lte(3600)), 60),
      max_body_bytes: z._default(z.int().check(z.gte(256), z.lte(1 << 20)), 16384),
    }),
    {},
  ),
};

function buildSchema(definitions: readonly CollectorDefinition[]) {
  const collectorShape: Record<string, z.ZodMiniType> = {};
  for (const def of definitions) {
    collectorShape[def.name] = z.prefault(z.strictObject({ enabled: z._default(z.boolean(), def.defaultEnabled), ...def.options }), {});
  }
  return z.strictObject({ ...SECTIONS, collectors: z.prefault(z.strictObject(collectorShape), {}) });
}

export interface CollectorSettings {
  readonly enabled: boolean;
  readonly [option: string]: unknown;
}

type DeepReadonly<T> =
  T extends ReadonlyArray<infer U>
    ? ReadonlyArray<DeepReadonly<U>>
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/** The parsed config: its type is the schema's output, frozen. */
export type Config = DeepReadonly<z.output<z.ZodMiniObject<typeof SECTIONS>>> & {
  readonly collectors: Readonly<Record<string, CollectorSettings>>;
  /** The file it came from, if any. */
  readonly file?: string | undefined;
  /** One line for each renamed key the config still uses. */
  readonly deprecations: readonly string[];
  /** The file was read but sets nothing (empty, or only comments): every default applies. */
  readonly empty: boolean;
};

/** Problems reported at most: 20,000 unknown keys are one mistake, not 20,000 lines to read. */
const MAX_PROBLEMS = 100;

/** Keys renamed since 0.1, old path first; `*` stands for any item of a list. Still read. */
const RENAMED: ReadonlyArray<readonly [string, string]> = [
  ['collectors.snmp.targets.*.interval', 'collectors.snmp.targets.*.interval_seconds'],
  ['collectors.snmp.targets.*.timeout', 'collectors.snmp.targets.*.timeout_seconds'],
  ['collectors.ping.targets.*.interval', 'collectors.ping.targets.*.interval_seconds'],
  ['collectors.ping.access_points.*.ip', 'collectors.ping.access_points.*.host'],
  ['collectors.clients.expose_identities', 'privacy.expose_identities'],
  ['collectors.clients.anonymize', 'privacy.anonymize'],
  ['collectors.clients.identity_salt', 'privacy.identity_salt'],
];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every key matching a pattern: its parent, and the path with each `*` made an index. */
function matches(
  node: unknown,
  pattern: readonly string[],
  path: string[] = [],
): Array<{ parent: Record<string, unknown>; key: string; path: string[] }> {
  const [head, ...rest] = pattern;
  if (head === undefined) return [];
  if (head === '*') return Array.isArray(node) ? node.flatMap((item, i) => matches(item, rest, [...path, String(i)])) : [];
  if (!isRecord(node) || !(head in node)) return [];
  return rest.length === 0 ? [{ parent: node, key: head, path: [...path, head] }] : matches(node[head], rest, [...path, head]);
}

/** The mapping at a path of mappings, made where missing. */
function mappingAt(root: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  let node = root;
  for (const key of keys) {
    if (!isRecord(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  return node;
}

/**
 * Moves each renamed key to its new name: within its own mapping when only the last key changed
 * (the `*` renames), else to the new section. A line for each, or a problem when both are set.
 */
function migrate(raw: Record<string, unknown>, where: string): { deprecations: string[]; problems: string[] } {
  const deprecations: string[] = [];
  const problems: string[] = [];
  for (const [from, to] of RENAMED) {
    const [fromKeys, toKeys] = [from.split('.'), to.split('.')];
    const sameMapping = fromKeys.slice(0, -1).join('.') === toKeys.slice(0, -1).join('.');
    for (const found of matches(raw, fromKeys)) {
      const target = sameMapping ? found.parent : mappingAt(raw, toKeys.slice(0, -1));
      const newPath = [...(sameMapping ? found.path.slice(0, -1) : toKeys.slice(0, -1)), toKeys.at(-1)!].join('.');
      if (toKeys.at(-1)! in target) {
        problems.push(`${where}: ${found.path.join('.')}: set twice, also as ${newPath}: keep only the new key`);
        delete found.parent[found.key];
        continue;
      }
      target[toKeys.at(-1)!] = found.parent[found.key];
      delete found.parent[found.key];
      deprecations.push(`${where}: ${found.path.join('.')} is deprecated: call it ${newPath}`);
    }
  }
  return { deprecations, problems };
}

/** A flag that overrides one config key: the flag as the user typed it and its value. */
export interface FlagOverride {
  readonly flag: string;
  readonly path: readonly string[];
  readonly value: unknown;
  /** Applies only where the config file leaves the key unset (--collector.disable-defaults). */
  readonly unlessSet?: boolean;
}

function setIn(target: Record<string, unknown>, keys: readonly string[], value: unknown): void {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
}

function getIn(source: unknown, keys: readonly PropertyKey[]): unknown {
  let node = source;
  for (const key of keys) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `string "${value}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return typeof value;
}

function issueMessage(issue: z.core.$ZodIssue, raw: unknown): string {
  switch (issue.code) {
    case 'invalid_type': {
      const got = getIn(raw, issue.path);
      return got === undefined ? `required ${issue.expected} is missing` : `expected ${issue.expected}, got ${describe(got)}`;
    }
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describe(getIn(raw, issue.path))}`;
    default:
      return issue.message;
  }
}

/** The 1-based line of the key at `keys` in the document, or of its parent for a missing key. */
function lineOf(doc: Document, lines: LineCounter, keys: readonly PropertyKey[], keyItself: boolean): number | undefined {
  for (let depth = keys.length; depth >= 0; depth--) {
    const parent = depth === 0 ? doc.contents : doc.getIn(keys.slice(0, depth - 1) as unknown[], true);
    if (depth === 0) {
      const range = (parent as { range?: [number, number, number] } | null)?.range;
      return range ? lines.linePos(range[0]).line : undefined;
    }
    if (!isMap(parent)) continue;
    const key = keys[depth - 1];
    const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
    if (!pair) continue;
    const node = keyItself || !pair.value ? pair.key : pair.value;
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (range) return lines.linePos(range[0]).line;
  }
  return undefined;
}

/** The line of every key that repeats an earlier key of the same mapping. */
function duplicateKeys(doc: Document, lines: LineCounter): number[] {
  const found: number[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        if (seen.has(pair.key.value) && pair.key.range) found.push(lines.linePos(pair.key.range[0]).line);
        seen.add(pair.key.value);
      }
    },
  });
  return found;
}

export interface LoadOptions {
  readonly file?: string | undefined;
  readonly flags?: readonly FlagOverride[];
  readonly definitions: readonly CollectorDefinition[];
}

/** Parses config text; exported separately so tests can feed text without files. */
export function parseConfig(text: string | undefined, options: LoadOptions): Config {
  const where = options.file ?? 'config';
  const lines = new LineCounter();
  let doc: Document | undefined;
  let raw: Record<string, unknown> = {};
  let empty = false;
  if (text !== undefined) {
    // The yaml library's own uniqueKeys check compares every key with every other (20,000 keys:
    // 14 s with the event loop blocked); duplicateKeys does the same in one pass.
    doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
    const duplicates = duplicateKeys(doc, lines);
    if (doc.errors.length > 0 || duplicates.length > 0) {
      const errors = [
        ...doc.errors.map((e) => ({ line: lines.linePos(e.pos[0]).line, message: e.message.split('\n')[0] })),
        ...duplicates.map((line) => ({ line, message: 'Map keys must be unique' })),
      ].sort((a, b) => a.line - b.line);
      throw new ConfigError(errors.slice(0, MAX_PROBLEMS).map((e) => `${where}:${e.line}: invalid YAML: ${e.message}`));
    }
    let js: unknown;
    try {
      js = doc.toJS();
    } catch (e) {
      // The yaml library refuses a document whose aliases expand past its limit (billion laughs).
      let line = 1;
      visit(doc, {
        Alias(_, node) {
          if (node.range) line = lines.linePos(node.range[0]).line;
          return visit.BREAK;
        },
      });
      throw new ConfigError([`${where}:${line}: invalid YAML: ${(e as Error).message}`]);
    }
    empty = js === null || js === undefined;
    if (!empty) {
      if (typeof js !== 'object' || Array.isArray(js)) throw new ConfigError([`${where}:1: the config must be a mapping`]);
      raw = js as Record<string, unknown>;
    }
  }
  const fromFlags = new Map<string, string>();
  for (const o of options.flags ?? []) {
    if (o.unlessSet && getIn(raw, o.path) !== undefined) continue;
    setIn(raw, o.path, o.value);
    fromFlags.set(o.path.join('.'), o.flag);
  }

  const { deprecations, problems } = migrate(raw, where);
  const result = buildSchema(options.definitions).safeParse(raw);
  if (result.success && problems.length === 0) {
    // Each collector's section was parsed by that collector's own schema (buildSchema).
    const collectors = result.data.collectors as Record<string, CollectorSettings>;
    return deepFreeze({ ...result.data, collectors, file: options.file, deprecations, empty });
  }
  if (result.success) throw new ConfigError(problems);

  let more = 0;
  for (const issue of result.error.issues) {
    const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
    for (const keys of paths) {
      if (problems.length >= MAX_PROBLEMS) {
        more++;
        continue;
      }
      const keyPath = keys.map(String).join('.');
      const message = issue.code === 'unrecognized_keys' ? 'unknown key' : issueMessage(issue, raw);
      const flag = fromFlags.get(keyPath);
      let origin: string;
      if (flag) origin = `flag ${flag}`;
      else if (doc) origin = `${where}:${lineOf(doc, lines, keys, issue.code === 'unrecognized_keys') ?? '?'}`;
      else origin = 'defaults';
      problems.push(`${origin}: ${keyPath}: ${message}`);
    }
  }
  if (more > 0) problems.push(`${where}: and ${more} more problems like these`);
  throw new ConfigError(problems);
}

export async function loadConfig(options: LoadOptions): Promise<Config> {
  let text: string | undefined;
  if (options.file !== undefined) {
    try {
      text = await readFile(options.file, 'utf8');
    } catch (e) {
      throw new ConfigError([`${options.file}: cannot read config file: ${(e as Error).message}`]);
    }
  }
  return parseConfig(text, options);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** A config option holding a regular expression, checked when the config loads. */
export function regexOption(defaultPattern: string) {
  return z._default(
    z.string().check(
      z.superRefine((value, ctx) => {
        try {
          new RegExp(value);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(e as Error).message}` });
        }
      }),
    ),
    defaultPattern,
  );
}
