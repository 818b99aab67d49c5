import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { capture } from '../test/captures.ts';
import { routerDir } from '../test/helpers.ts';
import { parseWirelessStatus } from './wifi.ts';

describe('wifi', () => {
  it("lists each radio's interfaces from network.wireless status", () => {
    const text = readFileSync(path.join(routerDir('bpi-r4-omr'), 'commands', 'ubus_-S_call_network.wireless_status'), 'utf8');
    expect(parseWirelessStatus(text)).toEqual([
      { radio: 'radio0', ifname: 'phy0-ap0' },
      { radio: 'radio1', ifname: 'phy1-ap0' },
    ]);
    expect(parseWirelessStatus('{}')).toEqual([]);
    expect(() => parseWirelessStatus('Command failed: Not found')).toThrow(/^ubus call network.wireless status: invalid JSON/);
  });

  it('reads the rpcd iwinfo fixtures the collector consumes', () => {
    const info = JSON.parse(capture('wireless/constructed-ubus-iwinfo-info-compact.json')) as { channel: number; frequency: number };
    const assoc = JSON.parse(capture('wireless/constructed-ubus-iwinfo-assoclist-compact.json')) as { results: Array<{ mac: string }> };
    expect([info.channel, info.frequency]).toEqual([36, 5180]);
    expect(assoc.results.map((s) => s.mac)).toEqual(['3A:1F:44:90:AB:01', '6C:2B:59:10:00:7E']);
  });
});
