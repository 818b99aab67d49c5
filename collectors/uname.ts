import { defineCollector } from '../exporter/collector.ts';
import { readOptional } from './read.ts';

export const uname = defineCollector({
  name: 'uname',
  defaultEnabled: true,
  description: 'kernel name, release, version, host name and architecture',
  options: {},
  create: () => {
    // The architecture cannot change while the router runs: `uname -m` is forked once, not per scrape.
    let unameMachine: string | undefined;
    return {
      async collect(ctx, out) {
        // The uname(2) fields, read from /proc/sys/kernel so that they come from the router's rootfs.
        const [sysname, release, version, nodename, domainname, arch] = await Promise.all(
          ['ostype', 'osrelease', 'version', 'hostname', 'domainname', 'arch'].map((f) => readOptional(ctx, `/proc/sys/kernel/${f}`)),
        );
        if (sysname === undefined || release === undefined) throw new Error('no /proc/sys/kernel/ostype or osrelease');
        // /proc/sys/kernel/arch is there since Linux 6.1; older kernels (OpenWrt 23.05's 5.15) need uname -m.
        const machine = arch ?? (unameMachine ??= (await ctx.sources.run('uname', ['-m'], { signal: ctx.signal })).stdout.trim());
        out.gauge(
          'node_uname_info',
          'Labeled system information as provided by the uname system call.',
          {
            domainname: domainname ?? '',
            machine,
            nodename: nodename ?? '',
            release,
            sysname,
            version: version ?? '',
          },
          1,
        );
      },
    };
  },
});
