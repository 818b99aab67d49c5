import { defineCollector } from '../exporter/collector.ts';
import { regexOption } from '../exporter/config.ts';
import { errorMessage, isNotFound, ParseError } from '../exporter/errors.ts';

export interface Mount {
  readonly device: string;
  readonly mountpoint: string;
  readonly fstype: string;
  readonly options: readonly string[];
}

/** Mount tables escape space, tab, newline and backslash as octal (`\040`). */
function unescapeMount(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** `/proc/1/mounts`: `device mountpoint fstype options 0 0`. */
export function parseMounts(text: string): Mount[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const f = line.trim().split(/\s+/);
      if (f.length < 4) throw new ParseError('/proc/1/mounts', `expected at least 4 fields in "${line}"`);
      return { device: unescapeMount(f[0]!), mountpoint: unescapeMount(f[1]!), fstype: f[2]!, options: f[3]!.split(',') };
    });
}

// Unlike node_exporter's defaults, overlay (OpenWrt's / is overlayfs on /overlay) and squashfs
// (/rom) are kept: a full overlay is the classic way a router stops saving its settings.
const DEFAULT_FS_TYPES_EXCLUDE =
  '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|sysfs|tracefs)$';
const DEFAULT_MOUNT_POINTS_EXCLUDE = '^/(dev|proc|sys|run/.+|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)';

export const filesystem = defineCollector({
  name: 'filesystem',
  defaultEnabled: true,
  description: 'size and free space of mounted filesystems, including the overlay root',
  options: {
    mount_points_exclude: regexOption(DEFAULT_MOUNT_POINTS_EXCLUDE),
    fs_types_exclude: regexOption(DEFAULT_FS_TYPES_EXCLUDE),
  },
  create: (options) => {
    const excludeMount = new RegExp(options.mount_points_exclude);
    const excludeType = new RegExp(options.fs_types_exclude);
    return {
      async collect(ctx, out) {
        let text: string;
        try {
          text = await ctx.sources.readFile('/proc/1/mounts', { signal: ctx.signal });
        } catch (e) {
          if (!isNotFound(e)) throw e;
          text = await ctx.sources.readFile('/proc/mounts', { signal: ctx.signal });
        }
        const seen = new Set<string>();
        const mounts = parseMounts(text).filter((m) => {
          const key = `${m.device}\0${m.mountpoint}\0${m.fstype}`;
          if (excludeMount.test(m.mountpoint) || excludeType.test(m.fstype) || seen.has(key)) return false;
          seen.add(key);
          return true;
        });
        const stats = await Promise.all(
          mounts.map((m) =>
            ctx.sources.statfs(m.mountpoint).catch((e: unknown) => {
              ctx.log.debug({ mountpoint: m.mountpoint, err: errorMessage(e) }, 'statfs failed');
              return undefined;
            }),
          ),
        );
        mounts.forEach((m, i) => {
          const labels = { device: m.device, fstype: m.fstype, mountpoint: m.mountpoint };
          const s = stats[i];
          out.gauge(
            'node_filesystem_device_error',
            'Whether an error occurred while getting statistics for the given device.',
            labels,
            s ? 0 : 1,
          );
          out.gauge('node_filesystem_readonly', 'Filesystem read-only status.', labels, m.options.includes('ro') ? 1 : 0);
          if (!s) return;
          out.gauge('node_filesystem_size_bytes', 'Filesystem size in bytes.', labels, s.blocks * s.blockSize);
          out.gauge('node_filesystem_free_bytes', 'Filesystem free space in bytes.', labels, s.blocksFree * s.blockSize);
          out.gauge(
            'node_filesystem_avail_bytes',
            'Filesystem space available to non-root users in bytes.',
            labels,
            s.blocksAvailable * s.blockSize,
          );
          out.gauge('node_filesystem_files', 'Filesystem total file nodes.', labels, s.files);
          out.gauge('node_filesystem_files_free', 'Filesystem total free file nodes.', labels, s.filesFree);
        });
      },
    };
  },
});
