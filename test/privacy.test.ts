// With privacy.expose_identities off, no client MAC or host name appears in /metrics.
import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEPT_SALT_FILE } from '../exporter/identity.ts';
import { copyRouter, ROUTERS, scrape, startExporter, waitFor } from './helpers.ts';

const MAC = /\b(?:[0-9a-f]{2}:){5}[0-9a-f]{2}\b/gi;

/** Every client MAC and host name the router's sources hold (leases, nlbwmon, neighbours, radios, UCI). */
async function clientIdentities(dir: string): Promise<{ macs: Set<string>; hostnames: Set<string> }> {
  const macs = new Set<string>();
  const hostnames = new Set<string>();
  const commands = path.join(dir, 'commands');
  for (const f of await readdir(commands)) {
    if (!/^(nlbw|ip_-j_neigh|ubus_-S_call_iwinfo_assoclist|uci_-q_show_dhcp)/.test(f)) continue;
    const text = await readFile(path.join(commands, f), 'utf8');
    for (const m of text.match(MAC) ?? []) if (m !== '00:00:00:00:00:00') macs.add(m.toLowerCase());
    for (const m of text.matchAll(/\.name='([^']+)'/g)) hostnames.add(m[1]!);
  }
  const leases = await readFile(path.join(dir, 'rootfs/tmp/dhcp.leases'), 'utf8');
  for (const line of leases.split('\n')) {
    const f = line.split(' ');
    if (f[1]?.match(MAC)) macs.add(f[1].toLowerCase());
    if (f[3] && f[3] !== '*') hostnames.add(f[3]);
  }
  // The neighbour table also lists the WAN gateway, which is not a client.
  return { macs, hostnames };
}

describe.each(ROUTERS)('identities hidden on %s', (router) => {
  // omit is set in the spelling before 0.2 (under collectors.clients): still honoured, with a warning.
  it.each(['hash', 'omit'])('no client MAC or host name in /metrics (%s)', async (anonymize) => {
    const copy = await copyRouter(router);
    const config = path.join(copy.dir, 'config.yml');
    if (anonymize === 'hash') await appendFile(config, `privacy:\n  expose_identities: false\n  anonymize: hash\n`);
    else await appendFile(config, `  clients:\n    expose_identities: false\n    anonymize: omit\n`);
    const { macs, hostnames } = await clientIdentities(copy.dir);
    expect(macs.size).toBeGreaterThan(3);
    expect(hostnames.size).toBeGreaterThan(2);
    const exporter = await startExporter(copy.flags);
    try {
      const text = await waitFor(
        async () => {
          const t = await scrape(exporter.url);
          return t.includes('openwrt_client_receive_bytes_total') && t.includes('openwrt_client_info') ? t : undefined;
        },
        10000,
        'client series',
      );
      expect(text).not.toMatch(/routerscope_scrape_collector_success\{collector="[^"]+"\} 0/);
      const leaked = [...macs].filter((m) => text.toLowerCase().includes(m));
      const gateway = router === 'gl-mt2500a' ? ['00:00:5e:00:53:01'] : ['d6:04:3d:66:64:ef'];
      expect(leaked.filter((m) => !gateway.includes(m))).toEqual([]);
      expect([...hostnames].filter((h) => text.includes(`"${h}"`))).toEqual([]);
      if (anonymize === 'hash') expect(text).toMatch(/openwrt_client_receive_bytes_total\{mac="anon-[0-9a-f]{12}"\}/);
      else expect(text).toMatch(/openwrt_client_receive_bytes_total\{mac=""\}/);
      const deprecations = exporter.logs.filter((l) => l.level === 'warn' && String(l.msg).includes('is deprecated'));
      expect(deprecations.length).toBe(anonymize === 'hash' ? 0 : 2);
    } finally {
      await exporter.stop();
      await copy.remove();
    }
  });
});

describe('pseudonyms without a configured salt', () => {
  it('stay the same across restarts, from a salt drawn once and kept on the router, never shown', async () => {
    const copy = await copyRouter('gl-mt2500a');
    await appendFile(path.join(copy.dir, 'config.yml'), `privacy:\n  expose_identities: false\n  anonymize: hash\n`);
    const pseudonyms = async () => {
      const exporter = await startExporter(copy.flags);
      try {
        const text = await waitFor(async () =>
          (await scrape(exporter.url)).match(/mac="anon-[0-9a-f]{12}"/g) ? scrape(exporter.url) : undefined,
        );
        return { text, macs: [...new Set(text.match(/mac="anon-[0-9a-f]{12}"/g))].sort() };
      } finally {
        await exporter.stop();
      }
    };
    try {
      const first = await pseudonyms();
      const salt = (await readFile(path.join(copy.dir, 'rootfs', KEPT_SALT_FILE), 'utf8')).trim();
      expect(salt).toMatch(/^[0-9a-f]{32}$/);
      const second = await pseudonyms();
      expect(first.macs.length).toBeGreaterThan(3);
      expect(second.macs).toEqual(first.macs);
      expect(first.text).not.toContain(salt);
      // Another salt, another set: the pseudonyms do come from the kept salt.
      await writeFile(path.join(copy.dir, 'rootfs', KEPT_SALT_FILE), 'ab'.repeat(16) + '\n');
      expect((await pseudonyms()).macs).not.toEqual(first.macs);
    } finally {
      await copy.remove();
    }
  });
});
