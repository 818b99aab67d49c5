import { describe, expect, it } from 'vitest';
import { capture } from '../test/captures.ts';
import { parseLogLine } from '../openwrt/logread.ts';
import { EventClassifier, EventCounter } from './events.ts';

const lines = (file: string) => capture(file).split('\n').filter(Boolean);

const readable = (counts: ReadonlyMap<string, number>): Record<string, number> =>
  Object.fromEntries([...counts].map(([k, v]): [string, number] => [k.replace('\u0000', ' '), v]).sort());

function countAll(text: string[], devices: Record<string, string> = {}): Record<string, number> {
  const counter = new EventCounter(new EventClassifier(new Map(Object.entries(devices))), 1000);
  for (const line of text) counter.add(line);
  return readable(counter.counts);
}

describe('parseLogLine', () => {
  it('reads the ubox logread layout, with and without -t, and BusyBox syslogd lines', () => {
    expect(parseLogLine("Sun Nov 22 08:00:01 2026 daemon.notice netifd: Interface 'wan' is now up")).toEqual({
      time: new Date(2026, 10, 22, 8, 0, 1).getTime() / 1000,
      facility: 'daemon',
      priority: 'notice',
      ident: 'netifd',
      pid: undefined,
      message: "Interface 'wan' is now up",
    });
    expect(parseLogLine('Sun Nov 22 08:00:02 2026 [1795334402.125] daemon.info pppd[2411]: Exit.')).toMatchObject({
      time: 1795334402.125,
      ident: 'pppd',
      pid: '2411',
      message: 'Exit.',
    });
    expect(parseLogLine('Sun Nov  2 08:00:02 2026 kern.info kernel: [   42.118734] pppoe-wan: renamed from ppp0')).toMatchObject({
      ident: 'kernel',
      message: '[   42.118734] pppoe-wan: renamed from ppp0',
    });
    expect(parseLogLine('Nov 22 03:11:25 vm user.notice netifd: Added device handler type: tunnel', new Date(2026, 0, 1))).toMatchObject({
      ident: 'netifd',
      facility: 'user',
    });
    expect(parseLogLine('garbage')).toBeUndefined();
    expect(parseLogLine('')).toBeUndefined();
  });
});

describe('event classification on the captures', () => {
  it('counts netifd state changes of the real netifd log exactly (counts from grep)', () => {
    expect(countAll(lines('logread/logread-layout-netifd-real-messages.log'))).toEqual({
      'lan down': 1,
      'lan link_down': 1,
      'lan link_up': 2,
      'lan up': 2,
      'loopback link_up': 1,
      'loopback up': 1,
      'wan1 down': 1,
      'wan1 link_up': 1,
      'wan1 up': 2,
      'wan2 down': 1,
      'wan2 link_down': 2,
      'wan2 link_up': 3,
      'wan2 up': 2,
    });
  });

  it('reads the same events from the BusyBox syslogd layout', () => {
    const busybox = countAll(lines('netifd/netifd-syslog-busybox-syslogd.log'));
    expect(busybox).toEqual(countAll(lines('logread/logread-layout-netifd-real-messages.log')));
  });

  it('turns the PPPoE and link story into PPP, carrier and link events', () => {
    expect(countAll(lines('logread/constructed-logread-pppoe-and-link-events.log'), { eth1: 'wan' })).toEqual({
      'lan2 carrier_up': 1,
      'wan carrier_down': 1,
      'wan carrier_up': 1,
      'wan down': 1,
      'wan up': 1,
      'wan link_down': 1,
      'wan link_up': 1,
      'wan ppp_up': 1,
      'wan ppp_down': 3,
      'wan ppp_peer_terminated': 1,
      'wan ppp_hangup': 1,
      'wan ppp_auth_failed': 1,
      'wan ppp_discovery_timeout': 1,
      'wan ppp_echo_timeout': 1,
    });
  });

  it('reads the OMR tracker lines', () => {
    expect(countAll(lines('logread/constructed-logread-omr-tracker-events.log'))).toEqual({
      'wan1 multipath_changed': 1,
      'wan1 tracker_down': 1,
      'wan1 tracker_up': 1,
      'wan2 tracker_down': 1,
    });
  });
});

describe('EventCounter', () => {
  const story = lines('logread/constructed-logread-pppoe-and-link-events.log');

  it('keeps only the newest events in the ring', () => {
    const counter = new EventCounter(new EventClassifier(), 2);
    for (const line of story) counter.add(line);
    expect(counter.ring).toHaveLength(2);
    expect(counter.ring[1]).toMatchObject({
      interface: 'lan2',
      event: 'carrier_up',
      message: expect.stringContaining('lan2: Link is Up') as string,
    });
  });
});
