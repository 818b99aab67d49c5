import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers.ts';

/** A capture copied into fixtures/captures (see the PROVENANCE.md beside it). */
export function capture(relative: string): string {
  return readFileSync(path.join(ROOT, 'fixtures', 'captures', relative), 'utf8');
}
