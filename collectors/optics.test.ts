import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { EXPOSE_ALL } from '../exporter/identity.ts';
import { MetricSink, render } from '../exporter/metrics.ts';
import { LocalSources } from '../exporter/sources.ts';
import { copyRouter, ROOT, routerDir } from '../test/helpers.ts';
import { optics, readSfpHwmon } from './optics.ts';
import { dbm, decodeSff8472 } from './sff8472.ts';

const dump = () => Buffer.from(readFileSync(path.join(ROOT, 'fixtures/captures/sfp/sff8472-synthetic-gpon-a0-a2.bin')));

describe('SFF-8472 decoder', () => {
  it('gives the hand-computed values of FORMATS.md 7.4', () => {
    const m = decodeSff8472(dump());
    expect(m.info).toEqual({
      vendor: 'EXAMPLE-OPTICS',
      partNumber: 'GPON-ONU-SFP-01',
      revision: '1.0',
      wavelengthNm: 1310,
      serial: 'SN0123456789',
      dateCode: '250115',
    });
    const d = m.diagnostics!;
    expect(d.temperatureCelsius.toFixed(2)).toBe('45.50');
    expect(d.voltageVolts.toFixed(4)).toBe('3.3000');
    expect((d.biasAmperes * 1000).toFixed(3)).toBe('12.000');
    expect((d.txPowerWatts * 1000).toFixed(4)).toBe('1.7783');
    expect(dbm(d.txPowerWatts)!.toFixed(2)).toBe('2.50');
    expect((d.rxPowerWatts * 1000).toFixed(4)).toBe('0.0123');
    expect(dbm(d.rxPowerWatts)!.toFixed(2)).toBe('-19.10');
    const t = (r: Parameters<typeof d.thresholds.get>[0]) => d.thresholds.get(r)!;
    expect(Object.values(t('temperature_celsius')).map((v) => v.toFixed(2))).toEqual(['85.00', '-40.00', '80.00', '-35.00']);
    expect(Object.values(t('voltage_volts')).map((v) => v.toFixed(4))).toEqual(['3.6000', '3.0000', '3.5000', '3.1000']);
    expect(Object.values(t('bias_current_amperes')).map((v) => (v * 1000).toFixed(3))).toEqual(['80.000', '2.000', '70.000', '3.000']);
    expect(Object.values(t('tx_power_dbm')).map((v) => dbm(v)!.toFixed(2))).toEqual(['5.00', '0.50', '4.50', '1.00']);
    expect(Object.values(t('rx_power_dbm')).map((v) => dbm(v)!.toFixed(2))).toEqual(['-8.00', '-27.96', '-9.00', '-26.99']);
    expect([...d.flags!.values()].every((f) => Object.values(f).every((on) => !on))).toBe(true);
    expect([d.rxLos, d.txFault]).toEqual([false, false]);
  });

  it('applies external calibration', () => {
    const b = dump();
    b[92] = 0x58; // DDM, externally calibrated, average RX power
    const a2 = 256;
    b.writeUInt16BE(0x0200, a2 + 84); // temperature slope 2.0
    b.writeInt16BE(256, a2 + 86); // offset +1 °C (in 1/256 °C)
    b.writeUInt16BE(0x0180, a2 + 76); // bias slope 1.5
    b.writeInt16BE(-1000, a2 + 78);
    b.writeFloatBE(1.0, a2 + 68); // RX_PWR(1)
    b.writeFloatBE(5.0, a2 + 72); // RX_PWR(0)
    const d = decodeSff8472(b).diagnostics!;
    expect(d.temperatureCelsius).toBe((2 * 11648 + 256) / 256);
    expect(d.biasAmperes).toBeCloseTo((1.5 * 6000 - 1000) * 2e-6, 12);
    expect(d.rxPowerWatts).toBeCloseTo((123 + 5) * 1e-7, 15);
    expect(d.voltageVolts.toFixed(4)).toBe('3.3000'); // slope 1.0, offset 0 in the dump
  });

  it('reports a module without diagnostics, with or without A2h', () => {
    const b = dump();
    b[92] = 0x00;
    expect(decodeSff8472(b).diagnostics).toBeUndefined();
    expect(decodeSff8472(b.subarray(0, 256))).toMatchObject({ diagnostics: undefined, info: { vendor: 'EXAMPLE-OPTICS' } });
  });

  it('rejects short reads with the reason', () => {
    expect(() => decodeSff8472(dump().subarray(0, 300))).toThrow(
      'ethtool -m: short read: 300 bytes, the module reports diagnostics but A2h is missing',
    );
    expect(() => decodeSff8472(dump().subarray(0, 40))).toThrow('ethtool -m: short read: 40 bytes, expected at least 96 of A0h');
    expect(() => decodeSff8472(Buffer.alloc(512))).toThrow('ethtool -m: identifier 0x0 is not an SFP/GBIC module');
  });

  it('exports loss of signal without -Inf', async () => {
    const b = dump();
    b.writeUInt16BE(0, 256 + 104); // no light
    b[256 + 110] = 0x02; // RX_LOS
    // A module cannot be unplugged here: the router's ethtool playback gets the LOS dump.
    const router = await copyRouter('bpi-r4-omr');
    await writeFile(path.join(router.dir, 'commands', 'ethtool_-m_eth1_raw_on'), b);
    const sources = new LocalSources({
      rootfs: `${router.dir}/rootfs`,
      binPath: [`${router.dir}/bin`],
      commandTimeoutMs: 5000,
      maxOutputBytes: 4096,
    });
    const sink = new MetricSink();
    const log = pino({ level: 'silent' });
    await optics
      .create({ devices: ['eth1'], hwmon_devices: { sfp1: 'eth1' } }, { sources, log, identities: EXPOSE_ALL })
      .collect({ sources, signal: new AbortController().signal, log }, sink);
    const text = render(sink.result());
    expect(text).not.toMatch(/Inf/);
    expect(text).toContain('openwrt_optics_rx_los{device="eth1"} 1');
    expect(text).toContain('openwrt_optics_rx_power_watts{device="eth1"} 0');
    expect(text).not.toContain('openwrt_optics_rx_power_dbm{');
    await router.remove();
  });
});

describe('hwmon and EEPROM agree on the same module', () => {
  it("reads the BPI-R4 cage sfp1 like its EEPROM, within hwmon's integer rounding", async () => {
    const dir = routerDir('bpi-r4-omr');
    const sources = new LocalSources({ rootfs: `${dir}/rootfs`, binPath: [], commandTimeoutMs: 1000, maxOutputBytes: 4096 });
    const hw = await readSfpHwmon({ sources, signal: new AbortController().signal }, '/sys/class/hwmon/hwmon2');
    const ee = decodeSff8472(readFileSync(path.join(dir, 'commands', 'ethtool_-m_eth1_raw_on'))).diagnostics!;
    expect(hw.temperatureCelsius).toBeCloseTo(ee.temperatureCelsius, 3);
    expect(hw.voltageVolts).toBeCloseTo(ee.voltageVolts, 3);
    expect(Math.abs(hw.biasAmperes - ee.biasAmperes)).toBeLessThanOrEqual(0.5e-3); // whole mA
    expect(Math.abs(hw.txPowerWatts - ee.txPowerWatts)).toBeLessThanOrEqual(0.5e-6); // whole µW
    expect(Math.abs(hw.rxPowerWatts! - ee.rxPowerWatts)).toBeLessThanOrEqual(0.5e-6);
    for (const [reading, levels] of ee.thresholds) {
      for (const [level, value] of Object.entries(levels)) {
        const tolerance = reading.endsWith('dbm') ? 0.5e-6 : reading === 'bias_current_amperes' ? 0.5e-3 : 1e-3;
        expect(Math.abs(hw.thresholds.get(reading)![level as 'alarm_high'] - value), `${reading} ${level}`).toBeLessThanOrEqual(tolerance);
      }
    }
  });
});
