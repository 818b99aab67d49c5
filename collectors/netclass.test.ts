// The netclass collector keeps the attributes a network device cannot change (type, dev_id, the
// address and name assignment types) while its ifindex stays, and reads everything else every scrape.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { EXPOSE_ALL } from '../exporter/identity.ts';
import { LocalSources, scrapeView } from '../exporter/sources.ts';
import { collectSeries, tempDir } from '../test/helpers.ts';
import { netclass } from './netclass.ts';

async function device(root: string, name: string, files: Record<string, string>): Promise<void> {
  const dir = path.join(root, 'sys/class/net', name);
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(path.join(dir, file), `${text}\n`);
}

it('reads the static attributes once per ifindex, the rest every scrape', async () => {
  const tmp = await tempDir('routerscope-netclass-');
  try {
    const local = new LocalSources({ rootfs: tmp.dir, binPath: [], commandTimeoutMs: 1000, maxOutputBytes: 1 << 20 });
    const reads: string[] = [];
    const sources = scrapeView(local, { readFile: (f, o) => (reads.push(f), local.readFile(f, o)) });
    const log = pino({ level: 'silent' });
    const collector = netclass.create({ ignored_devices: '^$' }, { sources, log, identities: EXPOSE_ALL });
    const collect = async () => {
      reads.length = 0;
      return collectSeries(collector, sources, log);
    };
    const staticReads = () => reads.filter((f) => /\/(type|dev_id|addr_assign_type|name_assign_type)$/.test(f)).length;
    const wan = { ifindex: '3', type: '1', dev_id: '0x0', addr_assign_type: '0', name_assign_type: '4', mtu: '1500', operstate: 'up' };
    await device(tmp.dir, 'wan', wan);

    const first = await collect();
    expect(first.get('node_network_protocol_type{device="wan"}')).toBe(1);
    expect(first.get('node_network_name_assign_type{device="wan"}')).toBe(4);
    expect(staticReads()).toBe(4);

    await writeFile(path.join(tmp.dir, 'sys/class/net/wan/mtu'), '1492\n');
    const second = await collect();
    expect(second.get('node_network_mtu_bytes{device="wan"}')).toBe(1492);
    expect(second.get('node_network_protocol_type{device="wan"}')).toBe(1);
    expect(staticReads()).toBe(0);

    // Deleted and created again (a PPP session's device, a re-created tunnel): a new ifindex.
    await rm(path.join(tmp.dir, 'sys/class/net/wan'), { recursive: true });
    await device(tmp.dir, 'wan', { ...wan, ifindex: '9', type: '512' });
    const third = await collect();
    expect(third.get('node_network_iface_id{device="wan"}')).toBe(9);
    expect(third.get('node_network_protocol_type{device="wan"}')).toBe(512);
    expect(staticReads()).toBe(4);
  } finally {
    await tmp.remove();
  }
});
