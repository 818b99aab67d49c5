// Interface events from the system log: netifd, pppd, kernel link lines and OMR's tracker, counted
// per interface and kept in a ring served at /api/events. The log is read by a background Follower
// (`logread -f`, or a log file), which passes each line once.
import * as z from 'zod/mini';
import { defineCollector, type CollectorEnv } from '../exporter/collector.ts';
import { errorMessage, isAbsent } from '../exporter/errors.ts';
import { Follower, Periodic } from '../exporter/follower.ts';
import { wanNames } from '../openwrt/netifd.ts';
import { readUci, uciOption } from '../openwrt/uci.ts';
import { parseLogLine, type LogEntry } from '../openwrt/logread.ts';

export const EVENTS = [
  'up',
  'down',
  'link_up',
  'link_down',
  'connection_lost',
  'carrier_up',
  'carrier_down',
  'ppp_up',
  'ppp_down',
  'ppp_peer_terminated',
  'ppp_hangup',
  'ppp_auth_failed',
  'ppp_echo_timeout',
  'ppp_discovery_timeout',
  'tracker_up',
  'tracker_down',
  'multipath_changed',
  'master_changed',
] as const;
export type EventName = (typeof EVENTS)[number];

/** Events that mark a change of an interface's state (for the last-change timestamp). */
const STATE_CHANGES = new Set<EventName>([
  'up',
  'down',
  'link_up',
  'link_down',
  'connection_lost',
  'carrier_up',
  'carrier_down',
  'ppp_up',
  'ppp_down',
  'tracker_up',
  'tracker_down',
]);

export interface ClassifiedEvent {
  readonly interface: string;
  readonly event: EventName;
}

/** Maps devices (and pppd processes) to logical interfaces while classifying lines. */
export class EventClassifier {
  private readonly pppInterface = new Map<string, string>();
  private readonly pppInterfaces = new Set<string>();
  constructor(public deviceToInterface: ReadonlyMap<string, string> = new Map()) {}

  private interfaceOfDevice(device: string): string {
    const known = this.deviceToInterface.get(device);
    if (known) return known;
    // OpenWrt names PPP devices after their interface: pppoe-wan3 belongs to wan3.
    const ppp = /^(?:pppoe|pppoa|ppp|3g|l2tp|pptp)-(.+)$/.exec(device);
    return ppp ? ppp[1]! : device;
  }

  classify(entry: LogEntry): ClassifiedEvent | undefined {
    const { ident, message } = entry;
    const one = (iface: string | undefined, event: EventName) => (iface ? { interface: iface, event } : undefined);
    if (ident === 'netifd') {
      const m =
        /^Interface '([^']+)' (is now up|is now down|has link connectivity loss|has link connectivity|has lost the connection)\s*$/.exec(
          message,
        );
      if (!m) return undefined;
      const event = (
        {
          'is now up': 'up',
          'is now down': 'down',
          'has link connectivity': 'link_up',
          'has link connectivity loss': 'link_down',
          'has lost the connection': 'connection_lost',
        } as const
      )[m[2] as 'is now up'];
      return one(m[1], event);
    }
    if (ident === 'kernel') {
      const text = message.replace(/^\[\s*\d+\.\d+\]\s*/, '');
      const m = /(\S+): (?:Link is (Up|Down)|link (up|down))\b/.exec(text);
      if (!m) return undefined;
      return one(this.interfaceOfDevice(m[1]!), (m[2] ?? m[3])!.toLowerCase() === 'up' ? 'carrier_up' : 'carrier_down');
    }
    if (ident === 'pppd') {
      const pid = entry.pid ?? '';
      const using = /^(?:Using interface|Connect:) (\S+)/.exec(message);
      if (using) {
        const iface = this.interfaceOfDevice(using[1]!);
        this.pppInterface.set(pid, iface);
        this.pppInterfaces.add(iface);
      }
      // A pppd whose start was not seen (the log rotated) belongs to the only PPP interface, if one.
      const iface = this.pppInterface.get(pid) ?? (this.pppInterfaces.size === 1 ? [...this.pppInterfaces][0] : undefined);
      let event: EventName | undefined;
      if (/^local {1,2}IP address /.test(message)) event = 'ppp_up';
      else if (message === 'Connection terminated.') event = 'ppp_down';
      else if (message.startsWith('LCP terminated by peer')) event = 'ppp_peer_terminated';
      else if (message === 'Modem hangup') event = 'ppp_hangup';
      // CHAP logs a line with the peer's reason, then a bare one; count the bare one.
      else if (/^(CHAP|PAP) authentication failed$/.test(message)) event = 'ppp_auth_failed';
      else if (/^No response to \d+ echo-requests/.test(message)) event = 'ppp_echo_timeout';
      else if (/^Timeout waiting for PAD[OS] packets/.test(message)) event = 'ppp_discovery_timeout';
      if (message === 'Exit.') this.pppInterface.delete(pid);
      return event ? one(iface, event) : undefined;
    }
    if (ident.startsWith('post-tracking-')) {
      let m = /^(\S+) \((\S+)\) switched (up|off because .*)$/.exec(message);
      if (m) return one(m[1], m[3] === 'up' ? 'tracker_up' : 'tracker_down');
      m = /^Multipath (\S+) \((\S+)\) switched to \S+ \(from \S+\)/.exec(message);
      if (m) return one(m[2], 'multipath_changed');
      m = /^Change master interface from \S+ \(.*\) to (\S+) \(/.exec(message);
      if (m) return one(m[1], 'master_changed');
    }
    return undefined;
  }
}

export interface RecordedEvent {
  readonly time: string;
  readonly interface: string;
  readonly event: EventName;
  readonly message: string;
}

/** Counts classified lines, and keeps the newest events in a ring. */
export class EventCounter {
  readonly counts = new Map<string, number>();
  readonly lastChange = new Map<string, number>();
  readonly ring: RecordedEvent[] = [];

  constructor(
    private readonly classifier: EventClassifier,
    private readonly ringSize: number,
  ) {}

  add(line: string): void {
    const entry = parseLogLine(line);
    if (!entry) return;
    const event = this.classifier.classify(entry);
    if (!event) return;
    const key = `${event.interface}\u0000${event.event}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (STATE_CHANGES.has(event.event)) this.lastChange.set(event.interface, entry.time);
    this.ring.push({
      time: new Date(entry.time * 1000).toISOString(),
      interface: event.interface,
      event: event.event,
      message: `${entry.ident}: ${entry.message}`,
    });
    if (this.ring.length > this.ringSize) this.ring.shift();
  }
}

/** Logical interfaces by device, from UCI network (PPP devices are pppoe-<interface>); the WANs. */
export async function deviceMap(env: CollectorEnv, signal: AbortSignal): Promise<{ devices: Map<string, string>; wans: string[] }> {
  const ctx = { sources: env.sources, signal };
  const [network, firewall] = await Promise.all([readUci(ctx, 'network'), readUci(ctx, 'firewall')]);
  const devices = new Map<string, string>();
  for (const s of network.values()) {
    if (s.type !== 'interface') continue;
    const device = uciOption(s, 'device') ?? uciOption(s, 'ifname');
    const proto = uciOption(s, 'proto') ?? '';
    if (device && !devices.has(device) && !['pppoe', 'pppoa'].includes(proto)) devices.set(device, s.name);
  }
  return { devices, wans: wanNames(network, firewall) };
}

export const events = defineCollector({
  name: 'events',
  defaultEnabled: true,
  description: 'interface up/down, PPPoE, carrier and OMR tracker events from the system log',
  options: {
    /** Follow this file (from its end, through rotation) instead of `logread -f`. */
    log_file: z.optional(z.string().check(z.minLength(1))),
    ring_size: z._default(z.int().check(z.gte(1), z.lte(100_000)), 500),
    /** How often the device -> interface map is re-read from UCI. */
    map_refresh_seconds: z._default(z.number().check(z.positive()), 300),
  },
  create: (options, env) => {
    const classifier = new EventClassifier();
    const counter = new EventCounter(classifier, options.ring_size);
    let wans: string[] = [];
    const refreshMap = new Periodic(options.map_refresh_seconds, async () => {
      try {
        const map = await deviceMap(env, AbortSignal.timeout(10_000));
        classifier.deviceToInterface = map.devices;
        wans = map.wans;
      } catch (e) {
        const level = isAbsent(e) ? 'info' : 'warn';
        env.log[level]({ err: errorMessage(e) }, 'cannot read the network config; kernel link lines keep device names');
      }
    });
    const follower = new Follower({
      sources: env.sources,
      file: options.log_file,
      onLine: (line) => counter.add(line),
      log: env.log,
    });
    return {
      start() {
        // Map first, so that the backlog's kernel lines find their interfaces.
        void refreshMap.start(true).finally(() => follower.start());
      },
      async stop() {
        refreshMap.stop();
        await follower.stop();
      },
      routes: {
        '/api/events': (url) => {
          const iface = url.searchParams.get('interface');
          return counter.ring.filter((e) => !iface || e.interface === iface);
        },
      },
      async collect(_ctx, out) {
        const total = out.family(
          'openwrt_interface_events_total',
          'counter',
          'Interface events seen in the system log, by interface and event.',
        );
        const seen = new Set(counter.counts.keys());
        // WANs have every event from the start, so increase() sees the first one.
        for (const wan of wans) for (const event of EVENTS) seen.add(`${wan}\u0000${event}`);
        for (const key of [...seen].sort()) {
          const [iface, event] = key.split('\u0000') as [string, string];
          total.add({ interface: iface, event }, counter.counts.get(key) ?? 0);
        }
        for (const [iface, time] of [...counter.lastChange].sort()) {
          out.gauge(
            'openwrt_interface_last_change_timestamp_seconds',
            'When the interface last changed state according to the system log.',
            { interface: iface },
            time,
          );
        }
        follower.report(out, 'events');
      },
    };
  },
});
