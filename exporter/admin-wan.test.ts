// The admin's pure part, as tables: what a change request may be, and the exact UCI commands each
// valid one plans. (The HTTP layer and the change transaction are tested end to end in
// test/admin.test.ts, against real UCI over both SSH servers.)
import { describe, expect, it } from 'vitest';
import { parseUciShow } from '../openwrt/uci.ts';
import { planPolicy, planSettings, validateArrangement, validateSettings } from './admin-wan.ts';

const WANS = ['wan1', 'wan2', 'wan3', 'wan4'];
const flat = (commands: ReturnType<typeof planPolicy>) => commands.map((c) => [c.command, ...c.args].join(' '));

describe('validateArrangement', () => {
  it.each([
    [
      { primary: 'wan1', bonded: ['wan2', 'wan3'], disabled: ['wan4'] },
      { primary: ['wan1'], bonded: ['wan2', 'wan3'], standby: [], disabled: ['wan4'] },
    ],
    [
      { primary: 'wan4', standby: ['wan1', 'wan2', 'wan3'] },
      { primary: ['wan4'], bonded: [], standby: ['wan1', 'wan2', 'wan3'], disabled: [] },
    ],
  ])('accepts %j', (body, arrangement) => {
    expect(validateArrangement(body, WANS)).toEqual(arrangement);
  });

  it.each([
    [[], 'the body must be a JSON object with primary, bonded, standby and disabled'],
    [{ bonded: WANS }, 'exactly one primary WAN is required: "primary" must be one WAN name'],
    [{ primary: ['wan1'], bonded: ['wan2', 'wan3', 'wan4'] }, 'exactly one primary WAN is required: "primary" must be one WAN name'],
    [
      { primary: 'wan1', bonded: ['wan2', 'wan3', 'wan4'], backup: [] },
      'unknown field "backup": use primary, bonded, standby and disabled',
    ],
    [{ primary: 'wan1', bonded: 'wan2' }, '"bonded" must be a list of WAN names'],
    [{ primary: 'wan1', bonded: ['wan2', 'wan3', 'wan4', 'lan'] }, 'unknown WAN "lan": the WANs are wan1, wan2, wan3, wan4'],
    [{ primary: 'wan1', bonded: ['wan1', 'wan2', 'wan3', 'wan4'] }, 'WAN "wan1" is placed twice'],
    [{ primary: 'wan1', bonded: ['wan2'] }, 'every WAN must be placed; missing: wan3, wan4'],
    [{ primary: 'wan1; reboot', bonded: ['wan2', 'wan3', 'wan4'] }, 'unknown WAN "wan1; reboot": the WANs are wan1, wan2, wan3, wan4'],
  ])('refuses %j: %s', (body, message) => {
    expect(() => validateArrangement(body, WANS)).toThrow(message);
  });
});

describe('validateSettings', () => {
  it.each([
    [{ proto: 'dhcp' }, {}, { proto: 'dhcp' }],
    [
      { proto: 'static', ipaddr: '192.0.2.2', netmask: '255.255.255.0', gateway: '192.0.2.1' },
      {},
      { proto: 'static', ipaddr: '192.0.2.2', netmask: '255.255.255.0', gateway: '192.0.2.1' },
    ],
    [{ dns: ['9.9.9.9', '2620:fe::fe'], mtu: 1492 }, { proto: 'dhcp' }, { dns: ['9.9.9.9', '2620:fe::fe'], mtu: 1492 }],
    [{ ipaddr: '192.0.2.3' }, { proto: 'static', ipaddr: '192.0.2.2', netmask: '255.255.255.0' }, { ipaddr: '192.0.2.3' }],
  ])('accepts %j over %j', (body, current, settings) => {
    expect(validateSettings(body, current)).toEqual(settings);
  });

  it.each([
    [{}, {}, 'nothing to change'],
    [{ hostname: 'x' }, {}, 'unknown field "hostname": use proto, ipaddr, netmask, gateway, dns, mtu'],
    [{ proto: 'pppoe' }, {}, 'proto must be "dhcp" or "static", not "pppoe"'],
    [{ proto: 'static', ipaddr: '192.0.2.300', netmask: '255.255.255.0' }, {}, 'ipaddr must be an IPv4 address, not "192.0.2.300"'],
    [
      { proto: 'static', ipaddr: '192.0.2.2', netmask: '255.0.255.0' },
      {},
      'netmask must be a dotted netmask such as 255.255.255.0, not "255.0.255.0"',
    ],
    [{ proto: 'static', ipaddr: '192.0.2.2' }, {}, 'a static WAN needs netmask'],
    [{ ipaddr: '192.0.2.2' }, { proto: 'dhcp' }, 'ipaddr, netmask and gateway apply to a static WAN only; set proto to "static"'],
    [{ dns: ['1.1.1.1', '8.8.8.8', '9.9.9.9'] }, {}, 'dns must be a list of at most two addresses'],
    [{ dns: ['$(reboot)'] }, {}, 'dns server "$(reboot)" is not an IP address'],
    [{ mtu: 100 }, {}, 'mtu must be a whole number from 576 to 9000, not 100'],
  ])('refuses %j over %j: %s', (body, current, message) => {
    expect(() => validateSettings(body, current)).toThrow(message);
  });
});

describe('planPolicy', () => {
  const network = parseUciShow("network.wan1=interface\nnetwork.wan1.multipath='on'\nnetwork.wan4=interface\nnetwork.wan4.disabled='1'\n");
  it('sets each WAN in network and in OMR, enables a disabled WAN, commits both and reloads', () => {
    const omr = parseUciShow('openmptcprouter.wan1=interface\nopenmptcprouter.wan4=interface\n');
    const plan = planPolicy({ primary: ['wan4'], bonded: ['wan1'], standby: [], disabled: [] }, network, omr, '/etc/config');
    expect(flat(plan)).toEqual([
      'uci -c /etc/config set network.wan4.multipath=master',
      'uci -c /etc/config delete network.wan4.disabled',
      'uci -c /etc/config set openmptcprouter.wan4.multipath=master',
      'uci -c /etc/config set network.wan1.multipath=on',
      'uci -c /etc/config set openmptcprouter.wan1.multipath=on',
      'uci -c /etc/config commit network',
      'uci -c /etc/config commit openmptcprouter',
      'ubus call network reload',
    ]);
  });

  it('on plain OpenWrt (no OMR config) writes network only; disabled sets disabled=1', () => {
    const plan = planPolicy({ primary: ['wan1'], bonded: [], standby: [], disabled: ['wan4'] }, network, new Map(), '/etc/config');
    expect(flat(plan)).toEqual([
      'uci -c /etc/config set network.wan1.multipath=master',
      'uci -c /etc/config set network.wan4.multipath=off',
      'uci -c /etc/config set network.wan4.disabled=1',
      'uci -c /etc/config commit network',
      'ubus call network reload',
    ]);
  });
});

describe('planSettings', () => {
  it.each([
    [
      { proto: 'dhcp' as const },
      ['set network.wan2.proto=dhcp', 'delete network.wan2.ipaddr', 'delete network.wan2.netmask', 'delete network.wan2.gateway'],
    ],
    [
      { proto: 'static' as const, ipaddr: '192.0.2.2', netmask: '255.255.255.0', gateway: '192.0.2.1' },
      [
        'set network.wan2.proto=static',
        'set network.wan2.ipaddr=192.0.2.2',
        'set network.wan2.netmask=255.255.255.0',
        'set network.wan2.gateway=192.0.2.1',
      ],
    ],
    [
      { dns: ['9.9.9.9', '1.1.1.1'], mtu: 1492 },
      ['delete network.wan2.dns', 'add_list network.wan2.dns=9.9.9.9', 'add_list network.wan2.dns=1.1.1.1', 'set network.wan2.mtu=1492'],
    ],
  ])('%j', (settings, uci) => {
    expect(flat(planSettings('wan2', settings, '/etc/config'))).toEqual([
      ...uci.map((c) => `uci -c /etc/config ${c}`),
      'uci -c /etc/config commit network',
      'ubus call network reload',
    ]);
  });
});
