// Radios and stations from rpcd's iwinfo object, under the metric names of the OpenWrt Lua
// exporter's wifi and wifi_stations collectors (dashboards built for it keep working), plus
// channel, frequency and transmit power. MACs are lower-case, as everywhere else in routerscope.
import { defineCollector, type CollectContext } from '../exporter/collector.ts';
import { AbsentError, CommandError, parseJson, UBUS_STATUS_NOT_FOUND } from '../exporter/errors.ts';

export interface WirelessInterface {
  readonly radio: string;
  readonly ifname: string;
}

export interface Radio {
  readonly radio: string;
  readonly up: boolean;
  /** Switched off in /etc/config/wireless: down on purpose. */
  readonly disabled: boolean;
}

/** `ubus call network.wireless status`: each radio's state, and its interfaces' kernel names. */
export function parseWirelessStatus(text: string): { radios: Radio[]; interfaces: WirelessInterface[] } {
  const status = parseJson<Record<string, { up?: boolean; disabled?: boolean; interfaces?: Array<{ ifname?: string }> }>>(
    'ubus call network.wireless status',
    text,
  );
  const entries = Object.entries(status).sort(([a], [b]) => (a < b ? -1 : 1));
  return {
    radios: entries.map(([radio, r]) => ({ radio, up: r.up === true, disabled: r.disabled === true })),
    interfaces: entries
      .flatMap(([radio, r]) => (r.interfaces ?? []).filter((i) => typeof i.ifname === 'string').map((i) => ({ radio, ifname: i.ifname! })))
      .sort((a, b) => (a.ifname < b.ifname ? -1 : 1)),
  };
}

export interface IwinfoInfo {
  readonly ssid?: string;
  readonly bssid?: string;
  readonly country?: string;
  readonly mode?: string;
  readonly channel?: number;
  readonly frequency?: number;
  readonly txpower?: number;
  readonly quality?: number;
  readonly quality_max?: number;
  readonly signal?: number;
  readonly noise?: number;
  readonly bitrate?: number;
  readonly htmode?: string;
  readonly hwmode?: string;
}

export interface Station {
  readonly mac: string;
  readonly signal?: number;
  readonly inactive?: number;
  readonly thr?: number;
  readonly rx?: { packets?: number; bytes?: number; rate?: number };
  readonly tx?: { packets?: number; bytes?: number; rate?: number };
}

async function ubus<T>(ctx: CollectContext, object: string, method: string, args: object): Promise<T> {
  const { stdout } = await ctx.sources.run('ubus', ['-S', 'call', object, method, JSON.stringify(args)], { signal: ctx.signal });
  return parseJson<T>(`ubus call ${object} ${method}`, stdout);
}

export const wifi = defineCollector({
  name: 'wifi',
  defaultEnabled: true,
  description: 'radios (channel, power, noise, quality, bitrate) and stations (signal, rates, traffic)',
  options: {},
  create: (_options, env) => ({
    async collect(ctx, out) {
      let status: ReturnType<typeof parseWirelessStatus>;
      try {
        status = parseWirelessStatus(
          (await ctx.sources.run('ubus', ['-S', 'call', 'network.wireless', 'status'], { signal: ctx.signal })).stdout,
        );
      } catch (e) {
        // ubus exits with UBUS_STATUS_NOT_FOUND (4) for an object that does not exist.
        if (e instanceof CommandError && e.exitCode === UBUS_STATUS_NOT_FOUND)
          throw new AbsentError('no network.wireless object in ubus: this router has no radios');
        throw e;
      }
      for (const r of status.radios) {
        out.gauge('openwrt_wifi_radio_up', 'Whether netifd has the radio up.', { device: r.radio }, r.up ? 1 : 0);
        out.gauge(
          'openwrt_wifi_radio_disabled',
          'Whether the radio is switched off in the wireless config.',
          { device: r.radio },
          r.disabled ? 1 : 0,
        );
      }
      const results = await Promise.all(
        status.interfaces.map(async (i) => {
          const [info, assoc] = await Promise.all([
            ubus<IwinfoInfo>(ctx, 'iwinfo', 'info', { device: i.ifname }),
            ubus<{ results?: Station[] }>(ctx, 'iwinfo', 'assoclist', { device: i.ifname }),
          ]);
          return { i, info, stations: assoc.results ?? [] };
        }),
      );
      for (const { i, info, stations } of results) {
        const labels = {
          channel: String(info.channel ?? ''),
          ssid: info.ssid ?? '',
          bssid: (info.bssid ?? '').toLowerCase(),
          mode: info.mode ?? '',
          ifname: i.ifname,
          country: info.country ?? '',
          frequency: String(info.frequency ?? ''),
          device: i.radio,
        };
        const quality = info.quality && info.quality_max ? Math.floor((100 / info.quality_max) * info.quality) : 0;
        out.gauge('wifi_network_quality', 'Link quality in percent (Lua exporter name).', labels, quality);
        out.gauge('wifi_network_bitrate', 'Bit rate in kbit/s (Lua exporter name).', labels, info.bitrate ?? 0);
        out.gauge('wifi_network_noise_dbm', 'Noise floor in dBm (Lua exporter name).', labels, info.noise ?? 0);
        out.gauge(
          'wifi_network_signal_dbm',
          'Signal in dBm; -255 when unknown, as on an access point (Lua exporter name).',
          labels,
          info.signal ?? -255,
        );
        const l = { ifname: i.ifname, device: i.radio };
        if (info.channel !== undefined) out.gauge('openwrt_wifi_channel', 'Channel of the interface.', l, info.channel);
        if (info.frequency !== undefined) out.gauge('openwrt_wifi_frequency_hertz', 'Frequency of the interface.', l, info.frequency * 1e6);
        if (info.txpower !== undefined) out.gauge('openwrt_wifi_txpower_dbm', 'Transmit power of the interface.', l, info.txpower);
        out.gauge(
          'openwrt_wifi_info',
          'Radio, SSID, mode and standards of the interface; value 1.',
          {
            ...l,
            ssid: info.ssid ?? '',
            mode: info.mode ?? '',
            htmode: info.htmode ?? '',
            hwmode: info.hwmode ?? '',
          },
          1,
        );
        out.gauge('wifi_stations', 'Stations associated with the interface (Lua exporter name).', { ifname: i.ifname }, stations.length);
        for (const s of stations) {
          const sl = { ifname: i.ifname, mac: env.identities.mac(s.mac) };
          if (s.signal) out.gauge('wifi_station_signal_dbm', 'Station signal in dBm.', sl, s.signal);
          if (s.inactive !== undefined)
            out.gauge('wifi_station_inactive_milliseconds', 'Time since the station was last active.', sl, s.inactive);
          if (s.thr) out.gauge('wifi_station_expected_throughput_kilobits_per_second', 'Expected throughput to the station.', sl, s.thr);
          if (s.tx?.rate) out.gauge('wifi_station_transmit_kilobits_per_second', 'Bit rate to the station.', sl, s.tx.rate);
          if (s.rx?.rate) out.gauge('wifi_station_receive_kilobits_per_second', 'Bit rate from the station.', sl, s.rx.rate);
          out.counter('wifi_station_transmit_packets_total', 'Packets sent to the station.', sl, s.tx?.packets ?? 0);
          out.counter('wifi_station_receive_packets_total', 'Packets received from the station.', sl, s.rx?.packets ?? 0);
          if (s.tx?.bytes !== undefined) out.counter('wifi_station_transmit_bytes_total', 'Bytes sent to the station.', sl, s.tx.bytes);
          if (s.rx?.bytes !== undefined)
            out.counter('wifi_station_receive_bytes_total', 'Bytes received from the station.', sl, s.rx.bytes);
        }
      }
    },
  }),
});
