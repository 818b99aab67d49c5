// WAN groups on the real topologies (netifd-real captures) and the BPI-R4's four WANs.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../test/helpers.ts';
import { MULTIPATH, parseInterfaceDump, POLICIES, wanGroups, wanNames, wanPolicy } from './netifd.ts';
import { parseUciShow } from './uci.ts';

function view(router: string) {
  const commands = path.join(ROOT, 'fixtures', 'routers', router, 'commands');
  const read = (f: string) => readFileSync(path.join(commands, f), 'utf8');
  return {
    interfaces: parseInterfaceDump(read('ubus_-S_call_network.interface_dump')),
    network: parseUciShow(read('uci_-q_show_network')),
    firewall: parseUciShow(read('uci_-q_show_firewall')),
  };
}

const summary = (router: string) =>
  wanGroups(view(router)).map((g) => ({ wan: g.name, device: g.device, up: g.primary.up, members: g.members.map((m) => m.interface) }));

describe('wanGroups', () => {
  it.each([
    // wan (DHCP) and wan6 (DHCPv6) up on the same device: one WAN.
    ['openwrt-stock', [{ wan: 'wan', device: 'wan', up: true, members: ['wan', 'wan6'] }]],
    // wan6 pending forever without an l3_device: still part of wan, which is up.
    ['openwrt-no-ipv6', [{ wan: 'wan', device: 'wan', up: true, members: ['wan', 'wan6'] }]],
    // PPPoE: wan on device wan with l3_device pppoe-wan, wan6 on pppoe-wan.
    ['openwrt-pppoe', [{ wan: 'wan', device: 'pppoe-wan', up: true, members: ['wan', 'wan6'] }]],
    [
      'openwrt-two-wans',
      [
        { wan: 'wan', device: 'wan', up: true, members: ['wan', 'wan6'] },
        { wan: 'wanb', device: 'eth2', up: true, members: ['wanb'] },
      ],
    ],
    [
      'bpi-r4-omr',
      [
        { wan: 'wan1', device: 'wan', up: true, members: ['wan1'] },
        { wan: 'wan2', device: 'lan3', up: true, members: ['wan2'] },
        { wan: 'wan3', device: 'pppoe-wan3', up: true, members: ['wan3'] },
        { wan: 'wan4', device: undefined, up: false, members: ['wan4'] },
      ],
    ],
  ])('%s', (router, expected) => {
    expect(summary(router)).toEqual(expected);
  });

  it('keeps a PPPoE WAN whose session failed as one WAN, down, with wan6 (NO_DEVICE) by its @wan alias', () => {
    const dir = path.join(ROOT, 'fixtures', 'captures', 'netifd-real', 'pppoe-wan-with-wan6');
    const v = {
      ...view('openwrt-pppoe'),
      interfaces: parseInterfaceDump(
        readFileSync(path.join(dir, '3b-auth-failure-with-authfail-1', 'ubus-call-network.interface-dump.json'), 'utf8'),
      ),
    };
    expect(
      wanGroups(v).map((g) => ({ wan: g.name, device: g.device, up: g.primary.up, members: g.members.map((m) => m.interface) })),
    ).toEqual([{ wan: 'wan', device: undefined, up: false, members: ['wan', 'wan6'] }]);
  });

  it('gives every layer-3 device to at most one WAN', () => {
    for (const router of ['openwrt-stock', 'openwrt-no-ipv6', 'openwrt-pppoe', 'openwrt-two-wans', 'bpi-r4-omr', 'gl-mt2500a']) {
      const devices = wanGroups(view(router)).flatMap((g) => (g.device ? [g.device] : []));
      expect(new Set(devices).size, router).toBe(devices.length);
    }
  });
});

describe('WAN policy, both ways', () => {
  it.each(POLICIES)('%s is written as OMR multipath and read back as itself', (policy) => {
    expect(wanPolicy(MULTIPATH[policy], policy === 'disabled' ? '1' : undefined)).toBe(policy);
  });

  it.each([
    ['master', undefined, 'primary'],
    ['on', undefined, 'bonded'],
    ['backup', undefined, 'standby'],
    ['off', undefined, 'disabled'],
    ['on', '1', 'disabled'],
  ] as const)('multipath %s, disabled %s is %s', (multipath, disabled, policy) => {
    expect(wanPolicy(multipath, disabled)).toBe(policy);
  });
});

describe('wanNames: the WANs in UCI, for the admin and the events collector', () => {
  it.each([
    ['openwrt-stock', ['wan', 'wan6']],
    ['openwrt-no-ipv6', ['wan', 'wan6']],
    ['openwrt-pppoe', ['wan', 'wan6']],
    ['openwrt-two-wans', ['wan', 'wan6', 'wanb']],
    ['bpi-r4-omr', ['wan1', 'wan2', 'wan3', 'wan4']],
  ])('%s', (router, names) => {
    const { network, firewall } = view(router);
    expect(wanNames(network, firewall)).toEqual(names);
  });
});
