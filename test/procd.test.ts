// The procd service files: syntax under the router's shell, and what the init script asks procd to run.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers.ts';

const run = promisify(execFile);
const INIT = path.join(ROOT, 'procd', 'routerscope.init');

describe('procd files', () => {
  it.each([
    { shell: 'sh', args: [] as string[] },
    { shell: 'busybox', args: ['sh'] },
  ])('parse with $shell $args -n', async ({ shell, args }) => {
    for (const script of ['routerscope.init', 'install.sh']) {
      await run(shell, [...args, '-n', path.join(ROOT, 'procd', script)]);
    }
  });

  /** Runs start_service with OpenWrt's config and procd functions replaced by recorders. */
  async function startService(uci: Record<string, string>, configFileExists = false): Promise<string[]> {
    const tmp = await tempDir();
    await mkdir(path.join(tmp.dir, 'lib/functions'), { recursive: true });
    await writeFile(path.join(tmp.dir, 'lib/functions/network.sh'), 'network_get_ipaddr() { [ "$2" = lan ] && eval "$1=192.168.8.1"; }\n');
    const configFile = path.join(tmp.dir, 'config.yml');
    if (configFileExists) await writeFile(configFile, '');
    const stubs = `
      config_load() { :; }
      config_get() { eval "v=\\\${UCI_$3-}"; [ -n "$v" ] || v="$4"; eval "$1=\\$v"; }
      config_get_bool() { config_get "$@"; }
      procd_open_instance() { echo "open $*"; }
      procd_set_param() { echo "set $*"; }
      procd_append_param() { echo "append $*"; }
      procd_close_instance() { echo close; }
      . '${INIT}'
      start_service; echo "rc=$?"`;
    const env = {
      ...process.env,
      IPKG_INSTROOT: tmp.dir,
      UCI_config_file: configFile,
      ...Object.fromEntries(Object.entries(uci).map(([k, v]) => [`UCI_${k}`, v])),
    };
    const { stdout } = await run('busybox', ['sh', '-c', stubs], { env });
    await tmp.remove();
    return stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.replace(configFile, 'CONFIG'));
  }

  it('runs the bundle on loopback by default, with respawn and logs to logd', async () => {
    expect(await startService({})).toEqual([
      'open main',
      'set command /usr/bin/node --max-old-space-size=48 --max-semi-space-size=1 --optimize-for-size --lite-mode /usr/lib/routerscope/routerscope.mjs serve --web.listen-address 127.0.0.1:9100 --log.level info',
      'set respawn 3600 5 5',
      'set stdout 1',
      'set stderr 1',
      'close',
      'rc=0',
    ]);
  });

  it('listens on the LAN address when listen_interface is set, and passes the config file', async () => {
    const lines = await startService({ listen_interface: 'lan', port: '9200', log_level: 'debug' }, true);
    expect(lines[1]).toContain('serve --web.listen-address 192.168.8.1:9200 --log.level debug');
    expect(lines).toContain('append command --config.file CONFIG');
  });

  it('does not start when disabled, or when the interface has no address', async () => {
    expect(await startService({ enabled: '0' })).toEqual(['rc=0']);
    expect(await startService({ listen_interface: 'wan' })).toEqual(['rc=1']);
  });
});
