// Checks, once before any test runs, that every program and privilege the suite uses is here, and
// fails naming the Debian package (or privilege) that is missing: a test that cannot run must fail
// and say why, never skip or time out with a misleading message.
import { accessSync, constants, readFileSync } from 'node:fs';
import * as path from 'node:path';

interface Tool {
  readonly command: string;
  readonly package: string;
  readonly for: string;
}
interface Requirements {
  readonly tools: readonly Tool[];
}

export const REQUIREMENTS = JSON.parse(readFileSync(new URL('./requirements.json', import.meta.url), 'utf8')) as Requirements;

/** Debian puts daemons in sbin, which is not on an ordinary user's PATH. */
export const DEFAULT_SEARCH_PATH = [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/local/sbin', '/usr/sbin', '/sbin'];

/** The absolute path of a command on the search path, or undefined. */
export function findCommand(command: string, searchPath: readonly string[] = DEFAULT_SEARCH_PATH): string | undefined {
  for (const dir of searchPath) {
    const candidate = path.join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* next directory */
    }
  }
  return undefined;
}

/** One line per missing tool or privilege; empty when the suite can run. */
export function missingRequirements(options: { searchPath?: readonly string[]; uid?: number } = {}): string[] {
  const problems: string[] = [];
  for (const tool of REQUIREMENTS.tools) {
    if (!findCommand(tool.command, options.searchPath)) {
      problems.push(`missing command "${tool.command}" (${tool.for}): install the Debian package ${tool.package}`);
    }
  }
  const uid = options.uid ?? process.getuid?.();
  if (uid !== 0) {
    problems.push('missing privilege root: network namespaces, sshd/dropbear logins and snmpd need it; run the tests as root');
  }
  return problems;
}

/** Resolves a command the suite needs, or throws naming its package. */
export function requireCommand(command: string): string {
  const found = findCommand(command);
  if (found) return found;
  const tool = REQUIREMENTS.tools.find((t) => t.command === command);
  throw new Error(`missing command "${command}": install the Debian package ${tool?.package ?? '(not in test/setup/requirements.json)'}`);
}
