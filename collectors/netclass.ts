import { defineCollector, type CollectContext } from '../exporter/collector.ts';
import { regexOption } from '../exporter/config.ts';
import type { MetricSink } from '../exporter/metrics.ts';
import { readDirOptional, readOptional } from './read.ts';

/** Numeric attributes of /sys/class/net/<dev> and node_exporter's name for each. */
const NUMERIC: ReadonlyArray<readonly [file: string, metric: string, type: 'gauge' | 'counter']> = [
  ['addr_assign_type', 'address_assign_type', 'gauge'],
  ['carrier', 'carrier', 'gauge'],
  ['carrier_changes', 'carrier_changes_total', 'counter'],
  ['carrier_up_count', 'carrier_up_changes_total', 'counter'],
  ['carrier_down_count', 'carrier_down_changes_total', 'counter'],
  ['dev_id', 'device_id', 'gauge'],
  ['dormant', 'dormant', 'gauge'],
  ['flags', 'flags', 'gauge'],
  ['ifindex', 'iface_id', 'gauge'],
  ['iflink', 'iface_link', 'gauge'],
  ['link_mode', 'iface_link_mode', 'gauge'],
  ['mtu', 'mtu_bytes', 'gauge'],
  ['name_assign_type', 'name_assign_type', 'gauge'],
  ['netdev_group', 'net_dev_group', 'gauge'],
  ['tx_queue_len', 'transmit_queue_length', 'gauge'],
  ['type', 'protocol_type', 'gauge'],
];

export interface NetClassDevice {
  readonly device: string;
  readonly attributes: ReadonlyMap<string, string>;
}

/** Turns one device's attribute files into series, as node_exporter's netclass collector does. */
export function emitNetClass(dev: NetClassDevice, out: MetricSink): void {
  const labels = { device: dev.device };
  const attr = (name: string) => dev.attributes.get(name);
  out.gauge('node_network_up', "Value is 1 if operstate is 'up', 0 otherwise.", labels, attr('operstate') === 'up' ? 1 : 0);
  out.gauge(
    'node_network_info',
    'Non-numeric data from /sys/class/net/<iface>, value is always 1.',
    {
      address: attr('address') ?? '',
      broadcast: attr('broadcast') ?? '',
      device: dev.device,
      duplex: attr('duplex') ?? '',
      ifalias: attr('ifalias') ?? '',
      operstate: attr('operstate') ?? '',
    },
    1,
  );
  for (const [file, metric, type] of NUMERIC) {
    const text = attr(file);
    if (text === undefined) continue;
    const value = Number(text);
    if (text === '' || !Number.isFinite(value)) continue;
    out.family(`node_network_${metric}`, type, `Network device property: ${metric}`).add(labels, value);
  }
  const speed = attr('speed');
  if (speed !== undefined && speed !== '' && Number.isFinite(Number(speed))) {
    // Mbit/s to bytes/s; -1 (unknown) stays negative, as node_exporter reports it.
    out.gauge('node_network_speed_bytes', 'Network device property: speed_bytes', labels, Number(speed) * 125000);
  }
}

/**
 * Attributes fixed for the life of a network device, which the collector keeps between scrapes
 * (node_exporter reads them every scrape): a device deleted and created again under the same name
 * has a new ifindex (the kernel never reuses one while it runs), so they are read again then.
 */
const STATIC_FILES: ReadonlySet<string> = new Set(['addr_assign_type', 'dev_id', 'name_assign_type', 'type']);
const FILES = ['operstate', 'address', 'broadcast', 'duplex', 'ifalias', 'speed', ...NUMERIC.map(([f]) => f)];
const CHANGING_FILES = FILES.filter((f) => !STATIC_FILES.has(f));

/** Per device name: its ifindex when its static attributes were read, and those that it has. */
export type StaticAttributes = Map<string, { ifindex: string | undefined; attributes: ReadonlyMap<string, string> }>;

async function readAttributes(ctx: CollectContext, dir: string, files: readonly string[]): Promise<Map<string, string>> {
  const values = await Promise.all(files.map((f) => readOptional(ctx, `${dir}/${f}`)));
  const attributes = new Map<string, string>();
  files.forEach((f, i) => {
    const v = values[i];
    if (v !== undefined) attributes.set(f, v);
  });
  return attributes;
}

export async function readNetClassDevice(ctx: CollectContext, device: string, kept: StaticAttributes): Promise<NetClassDevice> {
  const dir = `/sys/class/net/${device}`;
  const attributes = await readAttributes(ctx, dir, CHANGING_FILES);
  const ifindex = attributes.get('ifindex');
  const cached = kept.get(device);
  const statics =
    ifindex !== undefined && cached?.ifindex === ifindex
      ? cached
      : { ifindex, attributes: await readAttributes(ctx, dir, [...STATIC_FILES]) };
  kept.set(device, statics);
  for (const [file, value] of statics.attributes) attributes.set(file, value);
  return { device, attributes };
}

export const netclass = defineCollector({
  name: 'netclass',
  defaultEnabled: true,
  description: 'link state, carrier, speed and MTU from /sys/class/net',
  options: {
    ignored_devices: regexOption('^$'),
  },
  create: (options) => {
    const ignored = new RegExp(options.ignored_devices);
    const kept: StaticAttributes = new Map();
    return {
      async collect(ctx, out) {
        const entries = await readDirOptional(ctx, '/sys/class/net');
        const devices = entries.filter((e) => (e.type === 'dir' || e.type === 'symlink') && !ignored.test(e.name));
        for (const name of kept.keys()) if (!devices.some((e) => e.name === name)) kept.delete(name);
        const read = await Promise.all(devices.map((e) => readNetClassDevice(ctx, e.name, kept)));
        for (const dev of read) emitNetClass(dev, out);
      },
    };
  },
});
