// UCI as `uci -q show <config>` prints it: the reader sees uncommitted changes too (OMR's tracker
// writes runtime state with `uci set`), and never commits.
import type { CollectContext } from '../exporter/collector.ts';
import { CommandError, ParseError } from '../exporter/errors.ts';

export interface UciSection {
  readonly name: string;
  readonly type: string;
  /** Every option as a list: `uci show` prints a one-element list like a plain option. */
  readonly options: ReadonlyMap<string, readonly string[]>;
}

export type UciConfig = ReadonlyMap<string, UciSection>;

/** Splits `'a' 'b c' 'it'\''s'` into its quoted values. */
function parseValues(text: string, line: string): string[] {
  const values: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === ' ') {
      i++;
      continue;
    }
    let value = '';
    if (text[i] !== "'") {
      // Unquoted (section types, old uci versions): up to the next space.
      const end = text.indexOf(' ', i);
      value = text.slice(i, end < 0 ? undefined : end);
      i = end < 0 ? text.length : end;
    } else {
      i++;
      for (;;) {
        const close = text.indexOf("'", i);
        if (close < 0) throw new ParseError('uci show', `unterminated quote in "${line}"`);
        value += text.slice(i, close);
        i = close + 1;
        // '\'' continues the same value with a literal quote.
        if (text.startsWith("\\''", i)) {
          value += "'";
          i += 3;
          continue;
        }
        break;
      }
    }
    values.push(value);
  }
  return values;
}

export function parseUciShow(text: string): UciConfig {
  const sections = new Map<string, { name: string; type: string; options: Map<string, string[]> }>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const eq = line.indexOf('=');
    if (eq < 0) throw new ParseError('uci show', `no "=" in "${line}"`);
    const key = line.slice(0, eq).split('.');
    const values = parseValues(line.slice(eq + 1), line);
    if (key.length === 2) {
      sections.set(key[1]!, { name: key[1]!, type: values[0] ?? '', options: new Map() });
    } else if (key.length === 3) {
      const section = sections.get(key[1]!);
      if (!section) throw new ParseError('uci show', `option before its section in "${line}"`);
      section.options.set(key[2]!, values);
    } else {
      throw new ParseError('uci show', `unexpected key "${line.slice(0, eq)}"`);
    }
  }
  return sections;
}

export function uciOption(section: UciSection | undefined, option: string): string | undefined {
  return section?.options.get(option)?.[0];
}

/** `uci -q show <config>`; a config that does not exist reads as empty (uci exits 1 for it). */
export async function readUci(ctx: Pick<CollectContext, 'sources' | 'signal'>, config: string): Promise<UciConfig> {
  try {
    const { stdout } = await ctx.sources.run('uci', ['-q', 'show', config], { signal: ctx.signal });
    return parseUciShow(stdout);
  } catch (e) {
    if (e instanceof CommandError && e.exitCode === 1) return new Map();
    throw e;
  }
}
