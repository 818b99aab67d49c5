import { describe, expect, it } from 'vitest';
import { capture } from '../test/captures.ts';
import { parseOpenvpnStatus } from './vpn.ts';
import { parseWireguardDump } from '../openwrt/wireguard.ts';

describe('parseWireguardDump', () => {
  const text = capture('wireguard/wg-show-all-dump.tsv');
  const privateKeys = text
    .split('\n')
    .filter((l) => l.split('\t').length === 5)
    .map((l) => l.split('\t')[1]!);
  const presharedKeys = text
    .split('\n')
    .filter((l) => l.split('\t').length === 9)
    .map((l) => l.split('\t')[2]!)
    .filter((k) => k !== '(none)');

  it('reads interfaces and peers of the real capture', () => {
    const wg = parseWireguardDump(text);
    expect(wg.interfaces.map((i) => [i.interface, i.listenPort])).toEqual([
      ['wg0', 51821],
      ['wg1', 51820],
    ]);
    expect(wg.peers).toHaveLength(4);
    expect(wg.peers[0]).toEqual({
      interface: 'wg0',
      publicKey: 'piDa6YkT3BCyPMXpu7MhUx7Hq7dRKxRyuCisHpzJvwI=',
      endpoint: '192.0.2.1:51820',
      allowedIps: '10.255.255.1/32,0.0.0.0/0',
      latestHandshake: 1795317327,
      receiveBytes: 476,
      transmitBytes: 564,
    });
    expect(wg.peers[1]).toMatchObject({ endpoint: '', latestHandshake: 0 });
    expect(wg.peers[2]).toMatchObject({ endpoint: '[2001:db8:1::1]:51822', allowedIps: '' });
  });

  it('keeps no private or preshared key anywhere in what it returns', () => {
    expect(privateKeys).toHaveLength(2);
    expect(presharedKeys).toHaveLength(2);
    const result = JSON.stringify(parseWireguardDump(text));
    for (const key of [...privateKeys, ...presharedKeys]) expect(result).not.toContain(key);
  });

  it('never quotes a malformed line (it may hold a key) in its error', () => {
    const bad = `wg0\t${privateKeys[0]}\tpublic\tnot-a-port\toff\n`;
    expect(() => parseWireguardDump(bad)).toThrow('wg show all dump: line 1: listen port is not a number');
    try {
      parseWireguardDump(`wg0\t${privateKeys[0]}\tx\n`);
    } catch (e) {
      expect((e as Error).message).toBe('wg show all dump: line 1 has 3 fields, expected 5 (interface) or 9 (peer)');
    }
  });
});

describe('parseOpenvpnStatus', () => {
  it.each([
    ['openvpn-2.6.14-server-status-version-1.txt', ''],
    ['openvpn-2.6.14-server-status-version-2.csv', '10.255.252.2'],
    ['openvpn-2.6.14-server-status-version-3.tsv', '10.255.252.2'],
    ['openvpn-2.6.14-management-status-2-crlf.txt', '10.255.252.2'],
  ])('reads the server status %s', (file, virtualAddress) => {
    const status = parseOpenvpnStatus(capture(`openvpn/${file}`));
    expect(status.mode).toBe('server');
    expect(status.clients).toHaveLength(1);
    expect(status.clients[0]).toMatchObject({ commonName: 'client1', virtualAddress });
    expect(status.clients[0]!.receiveBytes).toBeGreaterThan(2000);
    expect(status.updated).toBeGreaterThan(1.7e9);
  });

  it('reads the client-mode statistics', () => {
    const status = parseOpenvpnStatus(capture('openvpn/openvpn-2.6.14-client-mode-status.txt'));
    expect(status.mode).toBe('client');
    expect(Object.fromEntries(status.statistics)).toEqual({
      'TUN/TAP read bytes': 348,
      'TUN/TAP write bytes': 300,
      'TCP/UDP read bytes': 2453,
      'TCP/UDP write bytes': 2401,
      'Auth read bytes': 300,
    });
  });

  it('rejects an unknown format', () => {
    expect(() => parseOpenvpnStatus('hello\n')).toThrow('openvpn status: unknown status format (first line "hello")');
  });
});
