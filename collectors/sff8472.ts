// SFF-8472 digital diagnostics: the 512 bytes `ethtool -m <dev> raw on` prints (A0h serial ID,
// then A2h diagnostics), decoded with internal or external calibration.
import { ParseError } from '../exporter/errors.ts';

export const READINGS = ['temperature_celsius', 'voltage_volts', 'bias_current_amperes', 'tx_power_dbm', 'rx_power_dbm'] as const;
export type Reading = (typeof READINGS)[number];
export const LEVELS = ['alarm_high', 'alarm_low', 'warning_high', 'warning_low'] as const;
export type Level = (typeof LEVELS)[number];

export interface ModuleInfo {
  readonly vendor: string;
  readonly partNumber: string;
  readonly revision: string;
  readonly serial: string;
  readonly dateCode: string;
  readonly wavelengthNm: number;
}

export interface Diagnostics {
  readonly temperatureCelsius: number;
  readonly voltageVolts: number;
  readonly biasAmperes: number;
  readonly txPowerWatts: number;
  readonly rxPowerWatts: number;
  /** Thresholds in the units of the readings (powers in watts), by reading and level. */
  readonly thresholds: ReadonlyMap<Reading, Readonly<Record<Level, number>>>;
  /** Alarm and warning flags (bytes 112-117), when the module implements them. */
  readonly flags: ReadonlyMap<Reading, Readonly<Record<Level, boolean>>> | undefined;
  readonly rxLos: boolean;
  readonly txFault: boolean;
}

export interface SfpModule {
  readonly info: ModuleInfo;
  /** Undefined when the module does not implement diagnostics. */
  readonly diagnostics: Diagnostics | undefined;
}

const text = (b: Buffer, from: number, to: number) =>
  b
    .subarray(from, to)
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .trim();

/** Milliwatts to dBm; undefined for no light at all (log10(0) is -inf, never exported). */
export function dbm(watts: number): number | undefined {
  return watts > 0 ? 10 * Math.log10(watts * 1000) : undefined;
}

/** Alarm flags in bytes 112-113 and warning flags in 116-117, high then low bit per reading. */
function decodeFlags(a2: Buffer): Map<Reading, Record<Level, boolean>> {
  const bit = (byte: number, b: number) => ((a2[byte]! >> b) & 1) === 1;
  const layout: Array<[Reading, number, number]> = [
    ['temperature_celsius', 112, 7],
    ['voltage_volts', 112, 5],
    ['bias_current_amperes', 112, 3],
    ['tx_power_dbm', 112, 1],
    ['rx_power_dbm', 113, 7],
  ];
  return new Map(
    layout.map(([reading, byte, high]) => [
      reading,
      {
        alarm_high: bit(byte, high),
        alarm_low: bit(byte, high - 1),
        warning_high: bit(byte + 4, high),
        warning_low: bit(byte + 4, high - 1),
      },
    ]),
  );
}

export function decodeSff8472(dump: Buffer): SfpModule {
  if (dump.length < 96) throw new ParseError('ethtool -m', `short read: ${dump.length} bytes, expected at least 96 of A0h`);
  if (dump[0] !== 0x03 && dump[0] !== 0x02)
    throw new ParseError('ethtool -m', `identifier 0x${dump[0]!.toString(16)} is not an SFP/GBIC module`);
  const info: ModuleInfo = {
    vendor: text(dump, 20, 36),
    partNumber: text(dump, 40, 56),
    revision: text(dump, 56, 60),
    wavelengthNm: dump.readUInt16BE(60),
    serial: text(dump, 68, 84),
    dateCode: text(dump, 84, 92),
  };
  const monitoring = dump[92]!;
  if ((monitoring & 0x40) === 0) return { info, diagnostics: undefined };
  if (dump.length < 512)
    throw new ParseError('ethtool -m', `short read: ${dump.length} bytes, the module reports diagnostics but A2h is missing`);
  const a2 = dump.subarray(256, 512);
  const external = (monitoring & 0x10) !== 0;

  // Linear calibration (slope is unsigned 8.8 fixed point, offset signed) when external.
  const linear = (raw: number, slopeAt: number) => (external ? (a2.readUInt16BE(slopeAt) / 256) * raw + a2.readInt16BE(slopeAt + 2) : raw);
  const rxPower = (raw: number) => {
    if (!external) return raw;
    // RX_PWR(4..0) are IEEE-754 floats at 56..72: P = sum of RX_PWR(i) * raw^i.
    let p = 0;
    for (let i = 0; i <= 4; i++) p += a2.readFloatBE(72 - 4 * i) * raw ** i;
    return p;
  };
  const temperature = (raw: number) => linear(raw, 84) / 256;
  const voltage = (raw: number) => linear(raw, 88) * 100e-6;
  const bias = (raw: number) => linear(raw, 76) * 2e-6;
  const txPower = (raw: number) => linear(raw, 80) * 1e-7;
  const rx = (raw: number) => rxPower(raw) * 1e-7;
  const signedTemp = (at: number) => temperature(a2.readInt16BE(at));

  const thresholds = new Map<Reading, Record<Level, number>>();
  const block = (reading: Reading, at: number, read: (offset: number) => number) =>
    thresholds.set(reading, { alarm_high: read(at), alarm_low: read(at + 2), warning_high: read(at + 4), warning_low: read(at + 6) });
  block('temperature_celsius', 0, signedTemp);
  block('voltage_volts', 8, (o) => voltage(a2.readUInt16BE(o)));
  block('bias_current_amperes', 16, (o) => bias(a2.readUInt16BE(o)));
  block('tx_power_dbm', 24, (o) => txPower(a2.readUInt16BE(o)));
  block('rx_power_dbm', 32, (o) => rx(a2.readUInt16BE(o)));

  return {
    info,
    diagnostics: {
      temperatureCelsius: signedTemp(96),
      voltageVolts: voltage(a2.readUInt16BE(98)),
      biasAmperes: bias(a2.readUInt16BE(100)),
      txPowerWatts: txPower(a2.readUInt16BE(102)),
      rxPowerWatts: rx(a2.readUInt16BE(104)),
      thresholds,
      flags: (dump[93]! & 0x80) !== 0 ? decodeFlags(a2) : undefined,
      rxLos: (a2[110]! & 0x02) !== 0,
      txFault: (a2[110]! & 0x04) !== 0,
    },
  };
}
