import { describe, expect, it } from 'vitest';
import { capture } from '../test/captures.ts';
import { parseNetDev } from './netdev.ts';

describe('parseNetDev', () => {
  it('reads every column of the real capture by its header', () => {
    const devices = parseNetDev(capture('procfs/proc-net-dev-router-netns.txt'));
    expect(devices.map((d) => d.device)).toEqual(['lo', 'br-lan', 'lan1', 'lan2', 'wan']);
    const wan = devices.find((d) => d.device === 'wan')!;
    expect(wan.stats.get('receive_bytes')).toBe(303843976);
    expect(wan.stats.get('transmit_bytes')).toBe(75805706);
    expect(wan.stats.get('receive_multicast')).toBe(0);
    expect([...wan.stats.keys()]).toHaveLength(16);
  });
  it('keeps long device names whole', () => {
    const text = capture('procfs/proc-net-dev-router-netns.txt') + 'pppoe-wan3-long: 1 2 0 0 0 0 0 0 3 4 0 0 0 0 0 0\n';
    expect(parseNetDev(text).at(-1)!.device).toBe('pppoe-wan3-long');
  });
  it.each([
    ['no header', 'lo: 1 2 3\n', '/proc/net/dev: missing the column header line'],
    [
      'a short row',
      capture('procfs/proc-net-dev-router-netns.txt') + '  eth9: 1 2 3\n',
      '/proc/net/dev: expected 16 numbers in "eth9: 1 2 3"',
    ],
  ])('rejects %s', (_what, text, message) => {
    expect(() => parseNetDev(text)).toThrow(message);
  });
});
