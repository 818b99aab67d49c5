// The .ipk: the layout opkg expects, the init script executable, the configs as conffiles.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { buildIpk, CONFFILES } from '../scripts/build-ipk.ts';
import { ROOT, ROUTER_BUNDLE, tempDir } from './helpers.ts';

const run = promisify(execFile);

async function untar(gz: Buffer): Promise<Map<string, { mode: number; type: string; content: Buffer }>> {
  const out = new Map<string, { mode: number; type: string; content: Buffer }>();
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      out.set(header.name, { mode: header.mode ?? 0, type: header.type ?? 'file', content: Buffer.concat(chunks) });
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    ex.on('finish', resolve);
    ex.on('error', reject);
    ex.end(gunzipSync(gz));
  });
  return out;
}

describe('the router bundle', () => {
  const commandsOf = (help: string) => [...help.split('Commands:\n')[1]!.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]);

  it("offers what a router runs, without the monitoring host's report and its mailer", async () => {
    const full = path.join(ROOT, 'dist', 'routerscope.mjs');
    expect(commandsOf((await run(process.execPath, [ROUTER_BUNDLE, '--help'])).stdout)).toEqual(['serve', 'once', 'check-config', 'help']);
    expect(commandsOf((await run(process.execPath, [full, '--help'])).stdout)).toEqual(['serve', 'once', 'check-config', 'report', 'help']);
    await expect(run(process.execPath, [ROUTER_BUNDLE, 'report', 'daily'])).rejects.toMatchObject({
      stderr: "error: unknown command 'report'\n",
    });
    // nodemailer's SMTP client greets with EHLO: in the full bundle, not in the router's.
    expect(await readFile(full, 'utf8')).toContain('EHLO');
    expect(await readFile(ROUTER_BUNDLE, 'utf8')).not.toContain('EHLO');
  });
});

describe('ipk', () => {
  it('unpacks to the layout opkg installs, with the configs as conffiles', async () => {
    const bundle = Buffer.from('#!/usr/bin/env node\nconsole.log("routerscope")\n');
    const { file, bytes } = await buildIpk('1.2.3', bundle);
    expect(file).toBe('routerscope_1.2.3_all.ipk');
    const outer = await untar(bytes);
    expect([...outer.keys()]).toEqual(['./debian-binary', './data.tar.gz', './control.tar.gz']);
    expect(outer.get('./debian-binary')!.content.toString()).toBe('2.0\n');

    const data = await untar(outer.get('./data.tar.gz')!.content);
    const files = [...data].filter(([, e]) => e.type === 'file').map(([name, e]) => [name, (e.mode & 0o777).toString(8)]);
    expect(files).toEqual([
      ['./usr/lib/routerscope/routerscope.mjs', '644'],
      ['./usr/bin/routerscope', '755'],
      ['./etc/init.d/routerscope', '755'],
      ['./etc/config/routerscope', '600'],
      ['./etc/routerscope/config.yml', '644'],
      ['./lib/upgrade/keep.d/routerscope', '644'],
    ]);
    expect(data.get('./usr/lib/routerscope/routerscope.mjs')!.content).toEqual(bundle);
    // What sysupgrade keeps besides the conffiles: the pseudonym salt and a pending WAN change.
    expect(data.get('./lib/upgrade/keep.d/routerscope')!.content.toString()).toBe(
      '/etc/routerscope-identity-salt\n/etc/routerscope-pending/\n',
    );
    expect(data.get('./etc/init.d/routerscope')!.content.toString()).toBe(
      await readFile(path.join(ROOT, 'procd/routerscope.init'), 'utf8'),
    );

    const control = await untar(outer.get('./control.tar.gz')!.content);
    const fields = Object.fromEntries(
      control
        .get('./control')!
        .content.toString()
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
    );
    expect(fields).toMatchObject({ Package: 'routerscope', Version: '1.2.3', Depends: 'libc, node', Architecture: 'all' });
    expect(control.get('./conffiles')!.content.toString()).toBe(CONFFILES.join('\n') + '\n');
    for (const f of CONFFILES) expect(data.has(`.${f}`)).toBe(true);
    for (const script of ['./postinst', './prerm']) {
      expect((control.get(script)!.mode & 0o777).toString(8)).toBe('755');
      const tmp = await tempDir();
      await writeFile(path.join(tmp.dir, 's'), control.get(script)!.content);
      await run('busybox', ['sh', '-n', path.join(tmp.dir, 's')]);
      await tmp.remove();
    }
    expect(control.get('./postinst')!.content.toString()).toContain('/etc/init.d/routerscope enable');
  });

  it('is reproducible: the same inputs give the same bytes', async () => {
    const a = await buildIpk('1.0.0', Buffer.from('x'));
    const b = await buildIpk('1.0.0', Buffer.from('x'));
    expect(a.bytes.equals(b.bytes)).toBe(true);
  });
});
