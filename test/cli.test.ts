// The commands a user types: what the bundle offers (the router's single file), and `grafana`
// from a checkout.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { exporterCommand, ROOT, tempDir } from './helpers.ts';

const run = promisify(execFile);
const cli = (bundle: boolean, args: string[]) =>
  run(process.execPath, [...exporterCommand(bundle), ...args], { cwd: ROOT }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe('routerscope grafana', () => {
  it('from a checkout, writes every dashboard exactly as committed', async () => {
    const out = await tempDir('routerscope-grafana-');
    try {
      const r = await cli(false, ['grafana', '--out', out.dir]);
      expect(r.code).toBe(0);
      const committed = (await readdir(path.join(ROOT, 'grafana', 'generated'))).sort();
      expect((await readdir(out.dir)).sort()).toEqual(committed);
      expect(r.stdout.trim().split('\n').sort()).toEqual(committed);
      for (const file of committed) {
        expect(await readFile(path.join(out.dir, file), 'utf8'), file).toBe(
          await readFile(path.join(ROOT, 'grafana', 'generated', file), 'utf8'),
        );
      }
    } finally {
      await out.remove();
    }
  });

  it('is not offered by the bundle, which says so in one line instead of a stack trace', async () => {
    const help = await cli(true, ['--help']);
    expect(help.stdout).toMatch(/serve \[options\]/);
    expect(help.stdout).not.toMatch(/grafana/);
    const r = await cli(true, ['grafana']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("error: unknown command 'grafana'");
  });
});

describe('--help', () => {
  it('names the --path.bin default and how to turn a default collector off', async () => {
    const r = await cli(true, ['serve', '--help']);
    const help = r.stdout.replace(/\s+/g, ' ');
    expect(help).toContain(
      '--path.bin <dirs> colon-separated directories where commands are looked up (default /usr/sbin:/usr/bin:/sbin:/bin)',
    );
    expect(help).toContain('(default on; --no-collector.netdev disables it)');
  });
});
