// The fixtures a test reads must reach CI. A run in the working tree cannot see a capture that git
// ignores (a blanket `*.log` once kept every logread and dnsmasq capture out of the commits), so
// this checks, in a git checkout, that git ignores nothing under fixtures/.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.ts';

describe('fixtures in git', () => {
  it('ignores no file under fixtures/', () => {
    expect(existsSync(path.join(ROOT, '.git')), 'this test needs a git checkout (git clone), as CI has').toBe(true);
    const ignored = execFileSync('git', ['ls-files', '--others', '--ignored', '--exclude-standard', '--', 'fixtures'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(ignored.split('\n').filter(Boolean)).toEqual([]);
  });
});

describe('capture provenance', () => {
  const folders = readdirSync(path.join(ROOT, 'fixtures', 'captures'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  it.each(folders)('%s has a PROVENANCE.md', (folder) => {
    expect(readdirSync(path.join(ROOT, 'fixtures', 'captures', folder))).toContain('PROVENANCE.md');
  });
});
