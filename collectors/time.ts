import { defineCollector, type CollectContext } from '../exporter/collector.ts';
import { errorMessage, ParseError } from '../exporter/errors.ts';
import { parsePosixTz, tzifFooter, zoneAt, type ZoneType } from './posix-tz.ts';
import { readDirOptional, readOptional } from './read.ts';

const UTC: ZoneType = { name: 'UTC', utcOffsetSeconds: 0 };

/**
 * The system's clock (ms) where it is not this process's (agentless: the router's), to the second:
 * the kernel prints /proc/stat's btime as the wall clock less the boot-time clock at that read, and
 * /proc/uptime's first figure is that boot-time clock.
 */
export async function systemClock(ctx: Pick<CollectContext, 'sources' | 'signal'>): Promise<number> {
  const [stat, uptime] = await Promise.all([
    ctx.sources.readFile('/proc/stat', { signal: ctx.signal }),
    ctx.sources.readFile('/proc/uptime', { signal: ctx.signal }),
  ]);
  const bootTime = Number(/^btime (\d+)$/m.exec(stat)?.[1] ?? NaN);
  if (!Number.isFinite(bootTime)) throw new ParseError('/proc/stat', 'no "btime" line');
  const sinceBoot = Number(/^(\d+(?:\.\d+)?) /.exec(uptime)?.[1] ?? NaN);
  if (!Number.isFinite(sinceBoot))
    throw new ParseError('/proc/uptime', `expected seconds since boot, got ${JSON.stringify(uptime.slice(0, 40))}`);
  return (bootTime + sinceBoot) * 1000;
}

/**
 * The system's zone at `now`, as Go's time.Now().Zone() gives it, from the system's files (through
 * the sources, so agentless reports the router's zone): OpenWrt's /etc/TZ, else the rule at the end
 * of /etc/localtime; neither means UTC, as for the C library. Throws when they say nothing usable.
 */
export async function systemZone(ctx: Pick<CollectContext, 'sources' | 'signal'>, now: Date): Promise<ZoneType> {
  const rule = await readOptional(ctx, '/etc/TZ');
  if (rule) return zoneAt(parsePosixTz(rule.trim()), now.getTime());
  const localtime = await readOptional(ctx, '/etc/localtime');
  if (localtime === undefined) return UTC;
  let footer: string | undefined;
  try {
    footer = tzifFooter(localtime);
  } catch (e) {
    throw new Error(`/etc/localtime: ${errorMessage(e)}`, { cause: e });
  }
  // Only a version 1 file, or a zone whose future no rule describes: rare enough to leave out.
  if (footer === undefined) throw new Error('/etc/localtime: no POSIX TZ rule at its end (TZif version 1?)');
  return zoneAt(parsePosixTz(footer), now.getTime());
}

export const time = defineCollector({
  name: 'time',
  defaultEnabled: true,
  description: 'the system clock, time zone and clock sources',
  options: {},
  create: () => ({
    async collect(ctx, out) {
      // On the router its own clock is this process's; agentless, the router's is read from it.
      const now = new Date(ctx.sources.remoteClock ? await systemClock(ctx) : Date.now());
      out.gauge('node_time_seconds', 'System time in seconds since epoch (1970).', {}, now.getTime() / 1000);
      try {
        const zone = await systemZone(ctx, now);
        out.gauge('node_time_zone_offset_seconds', 'System time zone offset in seconds.', { time_zone: zone.name }, zone.utcOffsetSeconds);
      } catch (e) {
        if (ctx.signal.aborted) throw e;
        // The clock and its sources are still right: only the zone's series is left out.
        ctx.log.warn({ err: errorMessage(e) }, 'cannot read the time zone; node_time_zone_offset_seconds left out');
      }
      for (const e of await readDirOptional(ctx, '/sys/devices/system/clocksource')) {
        const m = /^clocksource(\d+)$/.exec(e.name);
        if (!m) continue;
        const dir = `/sys/devices/system/clocksource/${e.name}`;
        const [available, current] = await Promise.all([
          readOptional(ctx, `${dir}/available_clocksource`),
          readOptional(ctx, `${dir}/current_clocksource`),
        ]);
        for (const clocksource of available?.trim().split(/\s+/).filter(Boolean) ?? []) {
          out.gauge(
            'node_time_clocksource_available_info',
            "Available clocksources read from '/sys/devices/system/clocksource'.",
            { clocksource, device: m[1]! },
            1,
          );
        }
        if (current) {
          out.gauge(
            'node_time_clocksource_current_info',
            "Current clocksource read from '/sys/devices/system/clocksource'.",
            { clocksource: current.trim(), device: m[1]! },
            1,
          );
        }
      }
    },
  }),
});
