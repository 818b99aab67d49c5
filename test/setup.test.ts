// The newcomer's path: the test command's own set-up, the up-front tool check, and no test that can
// turn a missing tool or privilege into a pass.
import { execFile } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers.ts';
import { findCommand, missingRequirements, REQUIREMENTS } from './setup/preflight.ts';

const run = promisify(execFile);

describe("the suite's tool check", () => {
  it.each(REQUIREMENTS.tools.map((t) => [t.command, t.package]))(
    'with %s hidden from PATH, fails naming the package %s',
    async (hidden, pkg) => {
      const work = await tempDir('routerscope-path-');
      try {
        // A PATH holding every required command but one.
        for (const tool of REQUIREMENTS.tools) {
          if (tool.command === hidden) continue;
          await symlink(findCommand(tool.command)!, path.join(work.dir, tool.command)).catch(() => undefined);
        }
        const problems = missingRequirements({ searchPath: [work.dir], uid: 0 });
        expect(problems).toEqual([expect.stringContaining(`"${hidden}"`)]);
        expect(problems[0]).toContain(`install the Debian package ${pkg}`);
      } finally {
        await work.remove();
      }
    },
  );

  it('names the root privilege when not root', () => {
    expect(missingRequirements({ uid: 1000 })).toEqual([expect.stringMatching(/^missing privilege root: .*run the tests as root$/)]);
  });
});

describe('scripts/setup.sh --test', () => {
  async function runAs(uid: number, installed: boolean) {
    const work = await tempDir('routerscope-setup-');
    try {
      const bin = path.join(work.dir, 'bin');
      await mkdir(bin);
      const fake = async (name: string, body: string) => {
        await writeFile(path.join(bin, name), `#!/bin/sh\n${body}\n`);
        await chmod(path.join(bin, name), 0o755);
      };
      await fake('id', `echo ${uid}`);
      await fake('dpkg-query', installed ? `printf 'install ok installed'` : 'exit 1');
      await fake('apt-get', `echo "apt-get $*" >> ${work.dir}/apt.log`);
      const result = await run('bash', [path.join(ROOT, 'scripts', 'setup.sh'), '--test'], {
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      }).then(
        (r) => ({ code: 0, stderr: r.stderr }),
        (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
      );
      const apt = await readFile(path.join(work.dir, 'apt.log'), 'utf8').catch(() => '');
      return { ...result, apt };
    } finally {
      await work.remove();
    }
  }

  it('as a user, says in one line that installing needs root, naming the packages, and fails at once', async () => {
    const r = await runAs(1000, false);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/installing them needs root: prometheus prometheus-alertmanager .*dropbear-bin/);
    expect(r.apt).toBe('');
  });

  it('as root, installs what is missing with apt, waiting for the lock', async () => {
    const r = await runAs(0, false);
    expect(r.code).toBe(0);
    expect(r.apt).toMatch(/DPkg::Lock::Timeout=600 .*update/);
    expect(r.apt).toMatch(/DPkg::Lock::Timeout=600 .*install -y .*prometheus .*dropbear-bin/);
  });

  it('does nothing when everything is installed (idempotent)', async () => {
    const r = await runAs(0, true);
    expect(r).toEqual({ code: 0, stderr: '', apt: '' });
  });
});

describe('no test passes by skipping', () => {
  // A skip the environment can trigger turns a missing tool into a green run. None is allowed; this
  // file names the patterns, so it is the only one that may contain them.
  const ALLOWED: Record<string, string> = { 'test/setup.test.ts': 'names the patterns it forbids' };
  const PATTERN = /\b(skipIf|runIf)\b|\.(skip|todo|only)\(/;

  async function sources(dir: string): Promise<string[]> {
    const out: string[] = [];
    for (const e of await readdir(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) out.push(...(await sources(rel)));
      else if (/\.(ts|mjs|js)$/.test(e.name)) out.push(rel);
    }
    return out;
  }

  it('finds no skipIf, runIf, .skip, .todo or .only outside the allow-list', async () => {
    const files = (await Promise.all(['test', 'collectors', 'exporter', 'bench', 'reports', 'grafana', 'scripts'].map(sources))).flat();
    expect(files.length).toBeGreaterThan(50);
    const hits: string[] = [];
    for (const file of files) {
      if (ALLOWED[file]) continue;
      (await readFile(path.join(ROOT, file), 'utf8')).split('\n').forEach((line, i) => {
        if (PATTERN.test(line)) hits.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(hits).toEqual([]);
  });
});
