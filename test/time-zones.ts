// Time-zone references for tests: real TZif files, and glibc's answer for a POSIX TZ rule.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './helpers.ts';

/** A TZif file of fixtures/captures/tzif (see its PROVENANCE.md). */
export const tzifBytes = (name: string) => readFileSync(path.join(ROOT, 'fixtures', 'captures', 'tzif', name));

/** Every distinct POSIX TZ rule at the end of a tzdata zone file (fixtures/captures/tzif/footers.txt). */
export const tzdataRules = () => tzifBytes('footers.txt').toString('utf8').trim().split('\n');

/** `date +%z %Z` as glibc prints it for each instant under TZ=rule: "+0100 CET". */
export async function glibcZones(rule: string, instantsMs: number[]): Promise<string[]> {
  const child = promisify(execFile)('date', ['-f', '-', '+%z %Z'], { env: { TZ: rule }, maxBuffer: 1 << 24 });
  child.child.stdin!.end(instantsMs.map((ms) => `@${ms / 1000}`).join('\n') + '\n');
  return (await child).stdout.trimEnd().split('\n');
}
