import { defineCollector } from '../exporter/collector.ts';
import { readDirOptional, readNumber, readOptional } from './read.ts';

export const thermal_zone = defineCollector({
  name: 'thermal_zone',
  defaultEnabled: true,
  description: 'thermal zone temperatures and cooling devices (fans) from /sys/class/thermal',
  options: {},
  create: () => ({
    async collect(ctx, out) {
      const entries = await readDirOptional(ctx, '/sys/class/thermal');
      for (const e of entries) {
        const dir = `/sys/class/thermal/${e.name}`;
        const zone = /^thermal_zone(\d+)$/.exec(e.name);
        if (zone) {
          // Zones are told apart by type (cpu-thermal, soc-thermal...), never by index alone.
          const [type, temp] = await Promise.all([readOptional(ctx, `${dir}/type`), readNumber(ctx, `${dir}/temp`)]);
          if (type === undefined || temp === undefined) {
            ctx.log.debug({ zone: e.name }, 'thermal zone without type or temp; skipped');
            continue;
          }
          out.gauge('node_thermal_zone_temp', 'Zone temperature in Celsius', { type, zone: zone[1]! }, temp / 1000);
          continue;
        }
        const cooling = /^cooling_device(\d+)$/.exec(e.name);
        if (cooling) {
          const [type, cur, max] = await Promise.all([
            readOptional(ctx, `${dir}/type`),
            readNumber(ctx, `${dir}/cur_state`),
            readNumber(ctx, `${dir}/max_state`),
          ]);
          if (type === undefined) continue;
          const labels = { name: cooling[1]!, type };
          if (cur !== undefined) out.gauge('node_cooling_device_cur_state', 'Current throttle state of the cooling device', labels, cur);
          if (max !== undefined) out.gauge('node_cooling_device_max_state', 'Maximum throttle state of the cooling device', labels, max);
        }
      }
    },
  }),
});
