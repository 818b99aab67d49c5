// Builds dist/routerscope_<version>_all.ipk with plain Node: no OpenWrt SDK. The layout is
// ipkg-build's: a gzipped tar holding debian-binary, control.tar.gz and data.tar.gz.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { KEPT_SALT_FILE } from '../exporter/identity.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Entry {
  readonly name: string;
  readonly content?: string | Buffer;
  readonly mode: number;
  readonly dir?: boolean;
}

/** A gzipped tar of the entries, owned by root, with a fixed time so builds are reproducible. */
export async function tarGz(entries: readonly Entry[], mtime: Date): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    tar.on('end', resolve);
    tar.on('error', reject);
  });
  for (const e of entries) {
    if (e.dir) tar.entry({ name: e.name, type: 'directory', mode: e.mode, mtime, uid: 0, gid: 0, uname: 'root', gname: 'root' });
    else tar.entry({ name: e.name, mode: e.mode, mtime, uid: 0, gid: 0, uname: 'root', gname: 'root' }, e.content ?? '');
  }
  tar.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks), { level: 9 });
}

export const CONFFILES = ['/etc/config/routerscope', '/etc/routerscope/config.yml'];

export async function buildIpk(version: string, bundle: Buffer): Promise<{ file: string; bytes: Buffer }> {
  const mtime = new Date(0);
  const read = (f: string) => readFileSync(path.join(ROOT, f));
  const data = await tarGz(
    [
      { name: './', mode: 0o755, dir: true },
      { name: './usr/', mode: 0o755, dir: true },
      { name: './usr/lib/', mode: 0o755, dir: true },
      { name: './usr/lib/routerscope/', mode: 0o755, dir: true },
      { name: './usr/lib/routerscope/routerscope.mjs', content: bundle, mode: 0o644 },
      { name: './usr/bin/', mode: 0o755, dir: true },
      { name: './usr/bin/routerscope', content: '#!/bin/sh\nexec /usr/bin/node /usr/lib/routerscope/routerscope.mjs "$@"\n', mode: 0o755 },
      { name: './etc/', mode: 0o755, dir: true },
      { name: './etc/init.d/', mode: 0o755, dir: true },
      { name: './etc/init.d/routerscope', content: read('procd/routerscope.init'), mode: 0o755 },
      { name: './etc/config/', mode: 0o755, dir: true },
      { name: './etc/config/routerscope', content: read('procd/routerscope.uci'), mode: 0o600 },
      { name: './etc/routerscope/', mode: 0o755, dir: true },
      { name: './etc/routerscope/config.yml', content: read('procd/config.yml'), mode: 0o644 },
      // sysupgrade keeps these: the pseudonym salt (or every client is new after an upgrade) and
      // a WAN change awaiting confirmation, so its rollback still happens.
      { name: './lib/', mode: 0o755, dir: true },
      { name: './lib/upgrade/', mode: 0o755, dir: true },
      { name: './lib/upgrade/keep.d/', mode: 0o755, dir: true },
      { name: './lib/upgrade/keep.d/routerscope', content: `${KEPT_SALT_FILE}\n/etc/routerscope-pending/\n`, mode: 0o644 },
    ],
    mtime,
  );
  const control = [
    'Package: routerscope',
    `Version: ${version}`,
    'Depends: libc, node',
    'Section: utils',
    'Architecture: all',
    'Maintainer: routerscope developers',
    'License: MIT',
    `Installed-Size: ${bundle.length + 16_384}`,
    'Description: Prometheus exporter for OpenWrt and OpenMPTCProuter: WANs, MPTCP, latency, clients, DNS, radios, optics.',
    '',
  ].join('\n');
  // Enable and start on a running router; nothing when building an image (IPKG_INSTROOT set).
  const postinst =
    '#!/bin/sh\n[ -n "${IPKG_INSTROOT}" ] && exit 0\n/etc/init.d/routerscope enable\n/etc/init.d/routerscope restart\nexit 0\n';
  const prerm = '#!/bin/sh\n[ -n "${IPKG_INSTROOT}" ] && exit 0\n/etc/init.d/routerscope stop\n/etc/init.d/routerscope disable\nexit 0\n';
  const controlTar = await tarGz(
    [
      { name: './', mode: 0o755, dir: true },
      { name: './control', content: control, mode: 0o644 },
      { name: './conffiles', content: CONFFILES.join('\n') + '\n', mode: 0o644 },
      { name: './postinst', content: postinst, mode: 0o755 },
      { name: './prerm', content: prerm, mode: 0o755 },
    ],
    mtime,
  );
  const bytes = await tarGz(
    [
      { name: './debian-binary', content: '2.0\n', mode: 0o644 },
      { name: './data.tar.gz', content: data, mode: 0o644 },
      { name: './control.tar.gz', content: controlTar, mode: 0o644 },
    ],
    mtime,
  );
  return { file: `routerscope_${version}_all.ipk`, bytes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const { file, bytes } = await buildIpk(pkg.version, readFileSync(path.join(ROOT, 'dist', 'routerscope-router.mjs')));
  writeFileSync(path.join(ROOT, 'dist', file), bytes);
  console.log(`dist/${file}: ${(bytes.length / 1024).toFixed(0)} KiB`);
}
