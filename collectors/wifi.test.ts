import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { capture } from '../test/captures.ts';
import { routerDir } from '../test/helpers.ts';
import { parseWirelessStatus } from './wifi.ts';

describe('wifi', () => {
  it("lists each radio's state and interfaces from network.wireless status", () => {
    const text = readFileSync(path.join(routerDir('bpi-r4-omr'), 'commands', 'ubus_-S_call_network.wireless_status'), 'utf8');
    expect(parseWirelessStatus(text)).toEqual({
      radios: [
        { radio: 'radio0', up: true, disabled: false },
        { radio: 'radio1', up: true, disabled: false },
      ],
      interfaces: [
        { radio: 'radio0', ifname: 'phy0-ap0' },
        { radio: 'radio1', ifname: 'phy1-ap0' },
      ],
    });
    // A radio that failed to come up has no interfaces; one switched off says so.
    const down = JSON.stringify({
      radio0: { up: false, disabled: false, interfaces: [] },
      radio1: { up: false, disabled: true, interfaces: [] },
    });
    expect(parseWirelessStatus(down)).toEqual({
      radios: [
        { radio: 'radio0', up: false, disabled: false },
        { radio: 'radio1', up: false, disabled: true },
      ],
      interfaces: [],
    });
    expect(parseWirelessStatus('{}')).toEqual({ radios: [], interfaces: [] });
    expect(() => parseWirelessStatus('Command failed: Not found')).toThrow(/^ubus call network.wireless status: invalid JSON/);
  });

  it('reads the rpcd iwinfo fixtures the collector consumes', () => {
    const info = JSON.parse(capture('wireless/constructed-ubus-iwinfo-info-compact.json')) as { channel: number; frequency: number };
    const assoc = JSON.parse(capture('wireless/constructed-ubus-iwinfo-assoclist-compact.json')) as { results: Array<{ mac: string }> };
    expect([info.channel, info.frequency]).toEqual([36, 5180]);
    expect(assoc.results.map((s) => s.mac)).toEqual(['3A:1F:44:90:AB:01', '6C:2B:59:10:00:7E']);
  });
});
