import { describe, expect, it } from 'vitest';
import { capture } from '../test/captures.ts';
import { parseUciShow } from '../openwrt/uci.ts';
import { interfaceRole, parseInterfaceDump, wanPolicy } from '../openwrt/netifd.ts';

describe('parseInterfaceDump', () => {
  it('reads the real dump, pretty and compact alike', () => {
    const pretty = parseInterfaceDump(capture('netifd/ubus-call-network.interface-dump.json'));
    const compact = parseInterfaceDump(capture('netifd/ubus-S-call-network.interface-dump-compact.json'));
    // Captured moments apart (uptimes differ): the same interfaces with the same fields.
    expect(compact.map((i) => [i.interface, Object.keys(i)])).toEqual(pretty.map((i) => [i.interface, Object.keys(i)]));
    expect(pretty.map((i) => i.interface)).toEqual(['lan', 'loopback', 'wan1', 'wan2', 'wan3', 'wan4']);
    const wan1 = pretty.find((i) => i.interface === 'wan1')!;
    expect(wan1['ipv4-address']).toEqual([{ address: '192.0.2.2', mask: 24 }]);
    expect(wan1['dns-server']).toEqual(['192.0.2.53']);
  });

  it('keeps the NO_DEVICE error and the auto 0 interface', () => {
    const dump = parseInterfaceDump(capture('netifd/ubus-call-network.interface-dump.json'));
    expect(dump.find((i) => i.interface === 'wan3')).toMatchObject({
      up: false,
      available: false,
      errors: [{ subsystem: 'interface', code: 'NO_DEVICE' }],
    });
    expect(dump.find((i) => i.interface === 'wan4')).toMatchObject({ up: false, available: false, autostart: false });
    expect(dump.find((i) => i.interface === 'wan4')!.uptime).toBeUndefined();
    const earlier = parseInterfaceDump(capture('netifd/ubus-call-network.interface-dump-with-NO_DEVICE-error.json'));
    expect(earlier.find((i) => i.interface === 'lan')!.errors).toEqual([{ subsystem: 'interface', code: 'NO_DEVICE' }]);
  });

  it('reads single-interface status captures (carrier lost, down, auto 0) as dump entries', () => {
    for (const [file, up, autostart] of [
      ['ubus-call-network.interface.wan2-status-carrier-lost-force_link0.json', false, true],
      ['ubus-call-network.interface.wan2-status-carrier-lost-static-default-force_link.json', true, true],
      ['ubus-call-network.interface.wan1-status-after-ubus-down.json', false, false],
      ['ubus-call-network.interface.wan4-status-auto0.json', false, false],
    ] as const) {
      const status = JSON.parse(capture(`netifd/${file}`)) as object;
      const [entry] = parseInterfaceDump(JSON.stringify({ interface: [{ interface: 'x', ...status }] }));
      expect([entry!.up, entry!.autostart], file).toEqual([up, autostart]);
    }
  });

  it.each([
    ['not JSON', 'Command failed: Not found', /^ubus call network.interface dump: invalid JSON/],
    ['no interface array', '{"interfaces":[]}', /no "interface" array/],
    ['an entry without a name', '{"interface":[{"up":true}]}', /entry 0 has no interface name or up flag/],
  ])('rejects %s', (_what, text, message) => {
    expect(() => parseInterfaceDump(text)).toThrow(message);
  });
});

describe('parseUciShow', () => {
  it('reads sections, options, lists and escaped quotes', () => {
    const config = parseUciShow(
      "network.lan=interface\nnetwork.lan.ports='lan1' 'lan2'\nnetwork.lan.label='Bob'\\''s LAN'\nnetwork.@device[0]=device\n",
    );
    expect(config.get('lan')!.type).toBe('interface');
    expect(config.get('lan')!.options.get('ports')).toEqual(['lan1', 'lan2']);
    expect(config.get('lan')!.options.get('label')).toEqual(["Bob's LAN"]);
    expect(config.get('@device[0]')!.type).toBe('device');
    expect(() => parseUciShow("network.x.y='1'\n")).toThrow('uci show: option before its section in "network.x.y=\'1\'"');
  });
});

describe('roles and policies', () => {
  const network = parseUciShow("network.wan1=interface\nnetwork.wan1.multipath='master'\nnetwork.guest=interface\n");
  const firewall = parseUciShow("firewall.@zone[0]=zone\nfirewall.@zone[0].name='lan'\nfirewall.@zone[0].network='lan' 'guest'\n");
  const iface = (name: string, extra: object = {}) => ({
    interface: name,
    up: true,
    pending: false,
    available: true,
    autostart: true,
    dynamic: false,
    ...extra,
  });
  it.each([
    ['a multipath WAN', iface('wan1', { device: 'lan1' }), 'wan'],
    ['a zone member', iface('guest', { device: 'br-guest' }), 'lan'],
    ['the glorytun tunnel', iface('omrvpn', { device: 'tun0', proto: 'none' }), 'vpn'],
    ['WireGuard', iface('wg0', { proto: 'wireguard' }), 'vpn'],
    ['a radio alone', iface('iot', { device: 'phy1-ap1' }), 'wifi'],
    ['loopback', iface('loopback', { device: 'lo' }), 'other'],
  ])('%s', (_what, i, role) => {
    expect(interfaceRole(i, network, firewall)).toBe(role);
  });
  it.each([
    ['master', undefined, 'primary'],
    ['on', undefined, 'bonded'],
    ['backup', undefined, 'standby'],
    ['handover', undefined, 'standby'],
    ['off', undefined, 'disabled'],
    ['on', '1', 'disabled'],
  ])('multipath %s, disabled %s is %s', (multipath, disabled, policy) => {
    expect(wanPolicy(multipath, disabled)).toBe(policy);
  });
});
