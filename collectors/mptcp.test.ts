import { describe, expect, it } from 'vitest';
import { capture } from '../test/captures.ts';
import { effectiveMode, parseMptcpEndpoints, parseMptcpLimits } from '../openwrt/mptcp.ts';
import { parseNetstat, parseSsMptcp } from './mptcp.ts';

describe('MPTCP parsers on real captures', () => {
  it('reads endpoints with their flags and devices', () => {
    const endpoints = parseMptcpEndpoints(capture('mptcp/ip-j-mptcp-endpoint-show.json'));
    expect(endpoints).toEqual([
      { id: 1, address: '192.0.2.2', device: 'eth1', flags: ['subflow'] },
      { id: 2, address: '198.51.100.2', device: 'eth2', flags: ['subflow'] },
      { id: 3, address: '2001:db8:1::2', device: 'eth1', flags: ['subflow', 'backup'] },
      { id: 4, address: '100.64.0.2', device: '', flags: ['signal'] },
    ]);
    expect(parseMptcpEndpoints('')).toEqual([]);
  });

  it('derives the mode in force per device as OMR reads it back', () => {
    const omr = parseMptcpEndpoints(capture('mptcp/ip-j-mptcp-endpoint-show-omr-style-fullmesh-backup.json'));
    expect(effectiveMode(omr, 'eth1')).toBe('on');
    expect(effectiveMode(omr, 'eth2')).toBe('backup');
    expect(effectiveMode(omr, 'eth3')).toBe('off');
    expect(effectiveMode(parseMptcpEndpoints(capture('mptcp/ip-j-mptcp-endpoint-show.json')), '')).toBe('signal');
  });

  it('reads limits in text and JSON', () => {
    expect(Object.fromEntries(parseMptcpLimits(capture('mptcp/ip-mptcp-limits-show.txt')))).toEqual({ add_addr_accepted: 8, subflows: 8 });
    expect(Object.fromEntries(parseMptcpLimits('{"add_addr_accepted":2,"subflows":4}'))).toEqual({ add_addr_accepted: 2, subflows: 4 });
    expect(() => parseMptcpLimits('subflows many')).toThrow('ip mptcp limits show: "subflows" is not followed by a number');
  });

  it('counts connections and subflows, with the device of joined subflows', () => {
    const ss = parseSsMptcp(capture('mptcp/ss-tiM-during-transfer-2-subflows.txt'));
    expect(ss.connections).toBe(1);
    expect(ss.subflows).toEqual([
      { address: '192.0.2.2', device: undefined },
      { address: '198.51.100.2', device: 'eth2' },
    ]);
    expect(parseSsMptcp(capture('mptcp/ss-Mi.txt')).connections).toBe(1);
    expect(parseSsMptcp(capture('mptcp/ss-M.txt')).connections).toBe(1);
  });

  it('reads every MPTcpExt counter by name', () => {
    const counters = parseNetstat(capture('mptcp/proc-net-netstat-full.txt'), 'MPTcpExt');
    const lines = parseNetstat(capture('mptcp/proc-net-netstat-MPTcpExt-lines.txt'), 'MPTcpExt');
    expect(counters).toEqual(lines);
    expect(counters.size).toBeGreaterThan(50);
    expect(counters.has('MPJoinSynRx')).toBe(true);
    expect(counters.has('MPCurrEstab')).toBe(true);
    expect(parseNetstat('TcpExt: A\nTcpExt: 1\n', 'MPTcpExt').size).toBe(0);
    expect(() => parseNetstat('MPTcpExt: A B\nMPTcpExt: 1\n', 'MPTcpExt')).toThrow('/proc/net/netstat: MPTcpExt: 2 names but 1 values');
  });
});
