import { defineCollector } from '../exporter/collector.ts';
import { readOptional } from './read.ts';

/** `/etc/openwrt_release`: shell assignments `DISTRIB_RELEASE='24.10.0'` (quotes optional). */
export function parseOpenwrtRelease(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*(DISTRIB_[A-Z_]+)=(?:'([^']*)'|"([^"]*)"|(\S*))\s*$/.exec(line);
    if (m) out.set(m[1]!, m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}

export const openwrt = defineCollector({
  name: 'openwrt',
  defaultEnabled: true,
  description: 'node_openwrt_info from /etc/openwrt_release and /tmp/sysinfo, as the OpenWrt Lua exporter has it',
  options: {},
  create: () => ({
    async collect(ctx, out) {
      const release = await readOptional(ctx, '/etc/openwrt_release');
      if (release === undefined) {
        ctx.log.debug('no /etc/openwrt_release: not an OpenWrt system');
        return;
      }
      const fields = parseOpenwrtRelease(release);
      const [model, boardName] = await Promise.all([readOptional(ctx, '/tmp/sysinfo/model'), readOptional(ctx, '/tmp/sysinfo/board_name')]);
      // The Lua exporter's label set, so dashboards built for it keep working.
      out.gauge(
        'node_openwrt_info',
        'OpenWrt release, revision, model and board.',
        {
          board_name: boardName?.trim() ?? '',
          id: fields.get('DISTRIB_ID') ?? '',
          model: model?.trim() ?? '',
          release: fields.get('DISTRIB_RELEASE') ?? '',
          revision: fields.get('DISTRIB_REVISION') ?? '',
          target: fields.get('DISTRIB_TARGET') ?? '',
        },
        1,
      );
    },
  }),
});
