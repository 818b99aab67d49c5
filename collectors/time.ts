import { defineCollector } from '../exporter/collector.ts';
import { readDirOptional, readOptional } from './read.ts';

/** The local zone's abbreviation (UTC, CET...) and offset, as Go's time.Now().Zone() gives them. */
export function localZone(now: Date): { name: string; offsetSeconds: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(now);
  const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'UTC';
  return { name, offsetSeconds: -now.getTimezoneOffset() * 60 };
}

export const time = defineCollector({
  name: 'time',
  defaultEnabled: true,
  description: 'the system clock, time zone and clock sources',
  options: {},
  create: () => ({
    async collect(ctx, out) {
      const now = new Date();
      out.gauge('node_time_seconds', 'System time in seconds since epoch (1970).', {}, now.getTime() / 1000);
      const zone = localZone(now);
      out.gauge('node_time_zone_offset_seconds', 'System time zone offset in seconds.', { time_zone: zone.name }, zone.offsetSeconds);
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
