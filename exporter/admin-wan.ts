// What the admin listener may change, validated before anything runs: the WAN arrangement
// (primary, bonded, standby, disabled) and a WAN's addressing; and the plan of each, the UCI
// commands it runs. Every name is matched against UCI's own list of WANs and only then used,
// always as one argument of an argument array. Pure: table-tested in admin-wan.test.ts.
import { isIP, isIPv4 } from 'node:net';
import { MULTIPATH, POLICIES, type Policy } from '../openwrt/netifd.ts';
import { uciOption, type UciConfig } from '../openwrt/uci.ts';
import { ValidationError } from './errors.ts';

export type Arrangement = Record<Policy, string[]>;

const describe = (v: unknown) => JSON.stringify(v)?.slice(0, 60) ?? String(v);

/** Checks a whole arrangement: every WAN exactly once, exactly one primary, no unknown names. */
export function validateArrangement(body: unknown, wans: readonly string[]): Arrangement {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ValidationError('the body must be a JSON object with primary, bonded, standby and disabled');
  const input = body as Record<string, unknown>;
  for (const key of Object.keys(input))
    if (!(POLICIES as readonly string[]).includes(key))
      throw new ValidationError(`unknown field "${key}": use primary, bonded, standby and disabled`);
  if (typeof input.primary !== 'string') throw new ValidationError('exactly one primary WAN is required: "primary" must be one WAN name');
  const arrangement: Arrangement = { primary: [input.primary], bonded: [], standby: [], disabled: [] };
  for (const policy of ['bonded', 'standby', 'disabled'] as const) {
    const list = input[policy] ?? [];
    if (!Array.isArray(list) || list.some((n) => typeof n !== 'string'))
      throw new ValidationError(`"${policy}" must be a list of WAN names`);
    arrangement[policy] = list as string[];
  }
  const seen = new Set<string>();
  for (const policy of POLICIES) {
    for (const name of arrangement[policy]) {
      if (!wans.includes(name)) throw new ValidationError(`unknown WAN ${describe(name)}: the WANs are ${wans.join(', ')}`);
      if (seen.has(name)) throw new ValidationError(`WAN "${name}" is placed twice`);
      seen.add(name);
    }
  }
  const missing = wans.filter((w) => !seen.has(w));
  if (missing.length > 0) throw new ValidationError(`every WAN must be placed; missing: ${missing.join(', ')}`);
  return arrangement;
}

export interface WanSettings {
  proto?: 'dhcp' | 'static';
  ipaddr?: string;
  netmask?: string;
  gateway?: string;
  dns?: string[];
  mtu?: number;
}

function isNetmask(mask: string): boolean {
  if (!isIPv4(mask)) return false;
  const bits = mask
    .split('.')
    .map((o) => Number(o).toString(2).padStart(8, '0'))
    .join('');
  return /^1+0*$/.test(bits);
}

/** Checks a WAN settings change field by field, with a message for each mistake. */
export function validateSettings(body: unknown, current: { proto?: string; ipaddr?: string; netmask?: string }): WanSettings {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('the body must be a JSON object');
  const input = body as Record<string, unknown>;
  const allowed = ['proto', 'ipaddr', 'netmask', 'gateway', 'dns', 'mtu'];
  for (const key of Object.keys(input))
    if (!allowed.includes(key)) throw new ValidationError(`unknown field "${key}": use ${allowed.join(', ')}`);
  if (Object.keys(input).length === 0) throw new ValidationError('nothing to change');
  const out: WanSettings = {};
  if (input.proto !== undefined) {
    if (input.proto !== 'dhcp' && input.proto !== 'static')
      throw new ValidationError(`proto must be "dhcp" or "static", not ${describe(input.proto)}`, 'proto');
    out.proto = input.proto;
  }
  for (const field of ['ipaddr', 'gateway'] as const) {
    if (input[field] === undefined) continue;
    if (typeof input[field] !== 'string' || !isIPv4(input[field]))
      throw new ValidationError(`${field} must be an IPv4 address, not ${describe(input[field])}`, field);
    out[field] = input[field];
  }
  if (input.netmask !== undefined) {
    if (typeof input.netmask !== 'string' || !isNetmask(input.netmask))
      throw new ValidationError(`netmask must be a dotted netmask such as 255.255.255.0, not ${describe(input.netmask)}`, 'netmask');
    out.netmask = input.netmask;
  }
  if (input.dns !== undefined) {
    if (!Array.isArray(input.dns) || input.dns.length > 2) throw new ValidationError('dns must be a list of at most two addresses', 'dns');
    for (const d of input.dns)
      if (typeof d !== 'string' || isIP(d) === 0) throw new ValidationError(`dns server ${describe(d)} is not an IP address`, 'dns');
    out.dns = input.dns as string[];
  }
  if (input.mtu !== undefined) {
    if (typeof input.mtu !== 'number' || !Number.isInteger(input.mtu) || input.mtu < 576 || input.mtu > 9000)
      throw new ValidationError(`mtu must be a whole number from 576 to 9000, not ${describe(input.mtu)}`, 'mtu');
    out.mtu = input.mtu;
  }
  const proto = out.proto ?? current.proto;
  if (proto === 'static' && !(out.ipaddr ?? current.ipaddr)) throw new ValidationError('a static WAN needs ipaddr', 'ipaddr');
  if (proto === 'static' && !(out.netmask ?? current.netmask)) throw new ValidationError('a static WAN needs netmask', 'netmask');
  if (proto === 'dhcp' && (out.ipaddr || out.netmask || out.gateway))
    throw new ValidationError('ipaddr, netmask and gateway apply to a static WAN only; set proto to "static"', 'proto');
  return out;
}

// ---- plans: what a validated change runs, as argument arrays (never a shell), pure

/** A command the admin runs on the router. */
export interface Command {
  readonly command: string;
  readonly args: string[];
}

/** `uci -c <configDir> ...`: the admin's UCI, pointed at the router's config directory. */
export const uciCommand = (configDir: string, ...args: string[]): Command => ({ command: 'uci', args: ['-c', configDir, ...args] });

export const NETWORK_RELOAD: Command = { command: 'ubus', args: ['call', 'network', 'reload'] };

/** The commands that give each WAN of the arrangement its policy, in network and OMR's config. */
export function planPolicy(arrangement: Arrangement, network: UciConfig, omr: UciConfig, configDir: string): Command[] {
  const uci = (...args: string[]) => uciCommand(configDir, ...args);
  const commands: Command[] = [];
  for (const [policy, names] of Object.entries(arrangement) as Array<[keyof Arrangement, string[]]>) {
    for (const name of names) {
      commands.push(uci('set', `network.${name}.multipath=${MULTIPATH[policy]}`));
      if (policy === 'disabled') commands.push(uci('set', `network.${name}.disabled=1`));
      else if (uciOption(network.get(name), 'disabled') !== undefined) commands.push(uci('delete', `network.${name}.disabled`));
      // OMR's own wizard writes both; its scripts read openmptcprouter.<wan>.multipath too.
      if (omr.get(name)?.type === 'interface') commands.push(uci('set', `openmptcprouter.${name}.multipath=${MULTIPATH[policy]}`));
    }
  }
  commands.push(uci('commit', 'network'));
  if (omr.size > 0) commands.push(uci('commit', 'openmptcprouter'));
  commands.push(NETWORK_RELOAD);
  return commands;
}

/** The commands that give one WAN its validated settings. */
export function planSettings(name: string, settings: WanSettings, configDir: string): Command[] {
  const uci = (...args: string[]) => uciCommand(configDir, ...args);
  const commands: Command[] = [];
  const set = (option: string, value: string) => commands.push(uci('set', `network.${name}.${option}=${value}`));
  const del = (option: string) => commands.push(uci('delete', `network.${name}.${option}`));
  if (settings.proto) set('proto', settings.proto);
  if (settings.proto === 'dhcp') for (const o of ['ipaddr', 'netmask', 'gateway']) del(o);
  if (settings.ipaddr) set('ipaddr', settings.ipaddr);
  if (settings.netmask) set('netmask', settings.netmask);
  if (settings.gateway) set('gateway', settings.gateway);
  if (settings.dns) {
    del('dns');
    for (const d of settings.dns) commands.push(uci('add_list', `network.${name}.dns=${d}`));
  }
  if (settings.mtu !== undefined) set('mtu', String(settings.mtu));
  commands.push(uci('commit', 'network'));
  commands.push(NETWORK_RELOAD);
  return commands;
}
