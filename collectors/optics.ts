// GPON/SFP optics: the module EEPROM through `ethtool -m <dev> raw on` (SFF-8472, with the module's
// own thresholds and identity), or the kernel SFP driver's hwmon where ethtool is missing or the
// module is not listed. One module is reported from one source, EEPROM first.
import * as z from 'zod/mini';
import { defineCollector, type CollectContext } from '../exporter/collector.ts';
import { errorMessage, RouterscopeError } from '../exporter/errors.ts';
import type { MetricSink } from '../exporter/metrics.ts';
import { readDirOptional, readNumber, readOptional } from './read.ts';
import { dbm, decodeSff8472, LEVELS, READINGS, type Diagnostics, type Level, type Reading } from './sff8472.ts';

/** hwmon attribute prefix of each reading, and the factor from hwmon units to base units. */
const HWMON: Record<Reading, readonly [prefix: string, toBase: number]> = {
  temperature_celsius: ['temp1', 1e-3], // m°C
  voltage_volts: ['in0', 1e-3], // mV
  bias_current_amperes: ['curr1', 1e-3], // mA, an integer
  tx_power_dbm: ['power1', 1e-6], // µW
  rx_power_dbm: ['power2', 1e-6], // µW; hidden by the driver for externally calibrated modules
};
/** The sfp driver's hwmon limits: crit/lcrit are the alarms, max/min the warnings. */
const HWMON_LEVELS: Record<Level, string> = { alarm_high: 'crit', alarm_low: 'lcrit', warning_high: 'max', warning_low: 'min' };

export type HwmonDiagnostics = Omit<Diagnostics, 'rxPowerWatts' | 'txFault'> & { readonly rxPowerWatts: number | undefined };

/** Reads an SFP cage's hwmon directory into the same shape the EEPROM decoder gives. */
export async function readSfpHwmon(ctx: Pick<CollectContext, 'sources' | 'signal'>, dir: string): Promise<HwmonDiagnostics> {
  const values = new Map<string, number>();
  for (const f of await readDirOptional(ctx, dir)) {
    if (!/^(temp1|in0|curr1|power[12])_/.test(f.name) || f.name.endsWith('_label')) continue;
    const v = await readNumber(ctx, `${dir}/${f.name}`);
    if (v !== undefined) values.set(f.name, v);
  }
  const base = (reading: Reading, suffix: string) => {
    const [prefix, factor] = HWMON[reading];
    const raw = values.get(`${prefix}_${suffix}`);
    return raw === undefined ? undefined : raw * factor;
  };
  const need = (reading: Reading) => {
    const v = base(reading, 'input');
    if (v === undefined) throw new Error(`${dir}: no ${HWMON[reading][0]}_input`);
    return v;
  };
  const thresholds = new Map<Reading, Record<Level, number>>();
  const flags = new Map<Reading, Record<Level, boolean>>();
  for (const reading of READINGS) {
    const levels = LEVELS.map((l) => base(reading, HWMON_LEVELS[l]));
    if (levels.every((v) => v !== undefined))
      thresholds.set(reading, Object.fromEntries(LEVELS.map((l, i) => [l, levels[i]!])) as Record<Level, number>);
    const alarms = LEVELS.map((l) => values.get(`${HWMON[reading][0]}_${HWMON_LEVELS[l]}_alarm`));
    if (alarms.every((v) => v !== undefined))
      flags.set(reading, Object.fromEntries(LEVELS.map((l, i) => [l, alarms[i] === 1])) as Record<Level, boolean>);
  }
  const rx = base('rx_power_dbm', 'input');
  return {
    temperatureCelsius: need('temperature_celsius'),
    voltageVolts: need('voltage_volts'),
    biasAmperes: need('bias_current_amperes'),
    txPowerWatts: need('tx_power_dbm'),
    rxPowerWatts: rx,
    thresholds,
    flags: flags.size > 0 ? flags : undefined,
    rxLos: rx === 0,
  };
}

function emitDiagnostics(out: MetricSink, device: string, d: HwmonDiagnostics & { txFault?: boolean }): void {
  const labels = { device };
  out.gauge('openwrt_optics_temperature_celsius', 'Module temperature.', labels, d.temperatureCelsius);
  out.gauge('openwrt_optics_voltage_volts', 'Module supply voltage.', labels, d.voltageVolts);
  out.gauge('openwrt_optics_bias_current_amperes', 'Laser bias current.', labels, d.biasAmperes);
  out.gauge('openwrt_optics_tx_power_watts', 'Laser output power.', labels, d.txPowerWatts);
  const tx = dbm(d.txPowerWatts);
  if (tx !== undefined) out.gauge('openwrt_optics_tx_power_dbm', 'Laser output power in dBm (absent when zero).', labels, tx);
  if (d.rxPowerWatts !== undefined) {
    out.gauge('openwrt_optics_rx_power_watts', 'Received optical power.', labels, d.rxPowerWatts);
    // No light reads as 0 W: dBm would be -Inf, so the series is left out and rx_los says why.
    const rx = dbm(d.rxPowerWatts);
    if (rx !== undefined) out.gauge('openwrt_optics_rx_power_dbm', 'Received optical power in dBm (absent when no light).', labels, rx);
  }
  out.gauge(
    'openwrt_optics_rx_los',
    'Loss of signal: the module reports RX_LOS or receives no light.',
    labels,
    d.rxLos || d.rxPowerWatts === 0 ? 1 : 0,
  );
  if (d.txFault !== undefined) out.gauge('openwrt_optics_tx_fault', 'The module reports a transmitter fault.', labels, d.txFault ? 1 : 0);
  for (const [reading, levels] of d.thresholds) {
    for (const level of LEVELS) {
      const raw = levels[level];
      const value = reading.endsWith('_dbm') ? dbm(raw) : raw;
      if (value !== undefined)
        out.gauge(
          'openwrt_optics_threshold',
          "The module's own alarm and warning thresholds, in the units of each reading.",
          { device, reading, level },
          value,
        );
    }
  }
  for (const [reading, levels] of d.flags ?? []) {
    for (const level of LEVELS)
      out.gauge(
        'openwrt_optics_flag',
        'Alarm and warning flags the module raises (1 raised).',
        { device, reading, level },
        levels[level] ? 1 : 0,
      );
  }
}

export const optics = defineCollector({
  name: 'optics',
  defaultEnabled: true,
  description: "SFP/GPON optical power, bias, temperature and voltage with the module's thresholds",
  options: {
    /** Netdevs whose module EEPROM is read with ethtool; by default every netdev named sfp*. */
    devices: z.optional(z.array(z.string().check(z.regex(/^[^-\s/]\S*$/, 'must be a network device name')))),
    /** SFP hwmon chips (sfp1, ...) and the netdev each cage belongs to, for the device label. */
    hwmon_devices: z._default(z.record(z.string(), z.string()), {}),
  },
  create: (options) => ({
    async collect(ctx, out) {
      const devices =
        options.devices ?? (await readDirOptional(ctx, '/sys/class/net')).map((e) => e.name).filter((n) => n.startsWith('sfp'));
      const fromEeprom = new Set<string>();
      for (const device of devices) {
        let dump: Buffer;
        try {
          dump = (await ctx.sources.run('ethtool', ['-m', device, 'raw', 'on'], { signal: ctx.signal })).stdoutBytes;
        } catch (e) {
          if (e instanceof RouterscopeError && e.code === 'COMMAND_NOT_FOUND') {
            ctx.log.debug('no ethtool: optics from hwmon only');
            break;
          }
          if (e instanceof RouterscopeError && e.code === 'ABORTED') throw e;
          // No module in the cage, or the driver cannot read it: this device only.
          ctx.log.warn({ device, err: errorMessage(e) }, 'cannot read module EEPROM');
          out.gauge(
            'openwrt_optics_read_success',
            'Whether the module could be read, by source (eeprom or hwmon).',
            { device, source: 'eeprom' },
            0,
          );
          continue;
        }
        try {
          const module = decodeSff8472(dump);
          out.gauge(
            'openwrt_optics_read_success',
            'Whether the module could be read, by source (eeprom or hwmon).',
            { device, source: 'eeprom' },
            1,
          );
          out.gauge(
            'openwrt_optics_info',
            'Identity of the module in the cage; value 1.',
            {
              device,
              vendor: module.info.vendor,
              part_number: module.info.partNumber,
              revision: module.info.revision,
              serial: module.info.serial,
              date_code: module.info.dateCode,
              wavelength_nm: String(module.info.wavelengthNm),
            },
            1,
          );
          out.gauge(
            'openwrt_optics_dom_supported',
            'Whether the module implements digital diagnostics (DDM).',
            { device },
            module.diagnostics ? 1 : 0,
          );
          if (module.diagnostics) emitDiagnostics(out, device, module.diagnostics);
          fromEeprom.add(device);
        } catch (e) {
          ctx.log.warn({ device, err: errorMessage(e) }, 'cannot decode module EEPROM');
          out.gauge(
            'openwrt_optics_read_success',
            'Whether the module could be read, by source (eeprom or hwmon).',
            { device, source: 'eeprom' },
            0,
          );
        }
      }
      for (const e of await readDirOptional(ctx, '/sys/class/hwmon')) {
        const dir = `/sys/class/hwmon/${e.name}`;
        const chip = (await readOptional(ctx, `${dir}/name`))?.trim();
        if (!chip || !/^sfp/.test(chip)) continue;
        const device = options.hwmon_devices[chip] ?? chip;
        if (fromEeprom.has(device)) continue;
        try {
          emitDiagnostics(out, device, await readSfpHwmon(ctx, dir));
          out.gauge(
            'openwrt_optics_read_success',
            'Whether the module could be read, by source (eeprom or hwmon).',
            { device, source: 'hwmon' },
            1,
          );
        } catch (err) {
          // An empty cage has a hwmon directory without readings.
          ctx.log.debug({ chip, err: errorMessage(err) }, 'SFP hwmon without readings');
        }
      }
    },
  }),
});
