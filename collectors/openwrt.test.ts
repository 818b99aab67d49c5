import { describe, expect, it } from 'vitest';
import { cleanName } from './hwmon.ts';
import { parseOpenwrtRelease } from './openwrt.ts';

describe('parseOpenwrtRelease', () => {
  it('reads quoted and unquoted assignments, dots and dashes included', () => {
    const fields = parseOpenwrtRelease(
      "DISTRIB_ID='OpenWrt'\nDISTRIB_RELEASE='24.10.0'\nDISTRIB_REVISION=r28427-6df0e3d02a\nDISTRIB_DESCRIPTION=\"OpenWrt 24.10.0\"\n",
    );
    expect(Object.fromEntries(fields)).toEqual({
      DISTRIB_ID: 'OpenWrt',
      DISTRIB_RELEASE: '24.10.0',
      DISTRIB_REVISION: 'r28427-6df0e3d02a',
      DISTRIB_DESCRIPTION: 'OpenWrt 24.10.0',
    });
  });
});

describe('hwmon cleanName', () => {
  it('makes chip names as node_exporter does', () => {
    expect(cleanName('platform_10000000.thermal')).toBe('platform_10000000_thermal');
    expect(cleanName('MT7996_PHY0\n')).toBe('mt7996_phy0');
  });
});
