// The direction of imports: collectors and the admin depend on the OpenWrt model (openwrt/) and
// the core (exporter/); nothing imports a collector but the registry (collectors/index.ts), whose
// list the CLI reads; collectors do not import each other; the model imports no collector.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.ts';

const CODE_DIRS = ['exporter', 'collectors', 'openwrt', 'reports', 'grafana', 'scripts', 'bench'];

function sourceFiles(): string[] {
  return CODE_DIRS.flatMap((dir) =>
    readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => path.join(dir, f)),
  );
}

/** Relative imports of a file, as repository paths. */
export function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/gm)].map((m) =>
    path.normalize(path.join(path.dirname(file), (m[1] ?? m[2])!)),
  );
}

describe('import direction', () => {
  const files = sourceFiles();
  const registry = 'collectors/index.ts';
  // The collector modules are the ones the registry lists; other files in collectors/ are helpers.
  const collectors = new Set(importsOf(registry).filter((f) => f.startsWith('collectors/')));

  it('finds the collectors and the model', () => {
    expect(collectors.size).toBeGreaterThan(20);
    expect(files.filter((f) => f.startsWith('openwrt/')).length).toBeGreaterThanOrEqual(5);
  });

  it('lets nothing but the registry import a collector, and only the CLI the registry', () => {
    const wrong = files.flatMap((f) =>
      importsOf(f)
        .filter((i) => (collectors.has(i) && f !== registry) || (i === registry && f !== 'exporter/cli.ts'))
        .map((i) => `${f} imports ${i}`),
    );
    expect(wrong).toEqual([]);
  });

  it('keeps the model and the core free of collectors, and the model free of the admin and reports', () => {
    const wrong = files
      .filter((f) => f.startsWith('openwrt/') || f.startsWith('exporter/'))
      .flatMap((f) =>
        importsOf(f)
          .filter((i) => i.startsWith('collectors/') && !(f === 'exporter/cli.ts' && i === registry))
          .concat(f.startsWith('openwrt/') ? importsOf(f).filter((i) => /^(reports|grafana|exporter\/admin)/.test(i)) : [])
          .map((i) => `${f} imports ${i}`),
      );
    expect(wrong).toEqual([]);
  });
});

describe('the collectors and the HTTP layer', () => {
  it("collectors return their routes' data and never import the HTTP layer", () => {
    const wrong = sourceFiles()
      .filter((f) => f.startsWith('collectors/'))
      .filter((f) => importsOf(f).includes(path.join('exporter', 'http.ts')));
    expect(wrong).toEqual([]);
  });

  it('follow logs and run timers only through the background kit (exporter/follower.ts)', () => {
    const own = sourceFiles()
      .filter((f) => f.startsWith('collectors/'))
      .filter((f) =>
        /\bset(Interval|Timeout)\(|new (FileFollower|ReplayFilter)\b|followFile\(/.test(readFileSync(path.join(ROOT, f), 'utf8')),
      );
    expect(own).toEqual([]);
  });
});

describe('errors', () => {
  it('are declared in one file, exporter/errors.ts', () => {
    const elsewhere = sourceFiles()
      .filter((f) => f !== path.join('exporter', 'errors.ts'))
      .filter((f) => /\bclass\s+\w+\s+extends\s+\w*Error\b/.test(readFileSync(path.join(ROOT, f), 'utf8')));
    expect(elsewhere).toEqual([]);
  });
});
