import { describe, expect, it } from 'vitest';
import { capture } from '../test/captures.ts';
import { joinClients, parseDnsmasqLeases, parseNeighbours, parseOdhcpdLeases } from './clients.ts';

describe('client sources', () => {
  it('reads the real dnsmasq lease file: IPv4 leases, the duid line, an IPv6 lease', () => {
    expect(parseDnsmasqLeases(capture('dnsmasq/dnsmasq-2.90-dhcp.leases'))).toEqual([
      { expiry: 1795359427, mac: '02:de:ad:be:ef:07', ip: '192.168.1.225', hostname: undefined },
      { expiry: 1795359399, mac: '02:aa:bb:cc:dd:01', ip: '192.168.1.10', hostname: 'printer' },
      { expiry: 1795359398, mac: '02:11:22:33:44:55', ip: '192.168.1.203', hostname: 'laptop-anna' },
      { expiry: 1795323710, mac: undefined, ip: 'fd00:ab:cd::a6cd', hostname: 'phone-ben' },
    ]);
    expect(parseDnsmasqLeases('0 06-02:aa:bb:cc:dd:ee 192.168.1.5 tv *\n')[0]!.mac).toBe('02:aa:bb:cc:dd:ee');
  });

  it('reads odhcpd state lines, escaped names and IPv4 entries', () => {
    expect(
      parseOdhcpdLeases(
        '# br-lan 0001 a6 my\\x20phone 1795323710 a6cd 128 fd00::5/128 fd00::6/128\n# br-lan 02:AA:BB:CC:DD:EE ipv4 - 1795 c0a8 32 192.168.1.7/32\nnot a lease\n',
      ),
    ).toEqual([
      { expiry: 1795323710, mac: undefined, ip: 'fd00::5', hostname: 'my phone' },
      { expiry: 1795323710, mac: undefined, ip: 'fd00::6', hostname: 'my phone' },
      { expiry: 1795, mac: '02:aa:bb:cc:dd:ee', ip: '192.168.1.7', hostname: undefined },
    ]);
  });

  it('reads the real neighbour table, skipping FAILED entries without a MAC', () => {
    const n = parseNeighbours(capture('procfs/ip-j-neigh-router-netns.json'));
    expect(n).toHaveLength(9);
    expect(n.every((x) => x.mac.length === 17)).toBe(true);
    expect(() => parseNeighbours('{}')).toThrow('ip -j neigh show: expected a JSON array');
  });

  it('joins by MAC: IPv6 leases through the neighbour table, static names win, WAN neighbours are not clients', () => {
    const leases = parseDnsmasqLeases(capture('dnsmasq/dnsmasq-2.90-dhcp.leases'));
    const neigh = parseNeighbours(
      capture('procfs/ip-j-neigh-router-netns.json').replace('"dst":"fd00:ab:cd::101"', '"dst":"fd00:ab:cd::a6cd"'),
    );
    const clients = joinClients(
      leases,
      [{ mac: '02:aa:bb:cc:dd:01', ip: '192.168.1.10', name: 'office-printer' }],
      neigh,
      new Set(['br-lan']),
    );
    expect(clients.get('02:aa:bb:cc:dd:01')).toMatchObject({ hostname: 'office-printer', up: false });
    expect(clients.get('02:66:77:88:99:aa')).toMatchObject({ hostname: 'phone-ben', up: true });
    expect([...clients.get('02:66:77:88:99:aa')!.ips]).toContain('fd00:ab:cd::a6cd');
    expect(clients.has('d6:04:3d:66:64:ef')).toBe(false);
  });
});
