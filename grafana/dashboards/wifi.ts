import { Q } from '../queries.ts';
import { dashboard, query, statPanel, tablePanel, timeSeries } from '../panels.ts';

/** Radios and stations, from rpcd's iwinfo. */
export function wifi() {
  return (
    dashboard('routerscope-wifi', 'WiFi')
      .withPanel(
        statPanel('Stations per interface', 'short', [query(Q.stations, { legend: '{{ifname}}' })], { w: 8, h: 5 }).description(
          'Stations associated with each access point interface.',
        ),
      )
      .withPanel(
        statPanel('Channel', 'none', [query(Q.radioChannel, { legend: '{{ifname}}' })], { w: 8, h: 5 }).description(
          'The channel each radio is on.',
        ),
      )
      .withPanel(
        statPanel('Transmit power', 'dBm', [query(Q.radioTxPower, { legend: '{{ifname}}' })], { w: 8, h: 5 }).description(
          'Transmit power of each radio.',
        ),
      )
      .withPanel(
        timeSeries('Station signal', 'dBm', [query(Q.stationSignal, { legend: '{{ifname}} {{mac}}' })], { w: 12, h: 8 }).description(
          'Signal strength of each station as the access point hears it.',
        ),
      )
      .withPanel(
        timeSeries('Station download', 'bps', [query(Q.stationDownloadBits, { legend: '{{ifname}} {{mac}}' })], {
          w: 12,
          h: 8,
        }).description('Bits per second the access point sends to each station.'),
      )
      .withPanel(
        timeSeries('Station upload', 'bps', [query(Q.stationUploadBits, { legend: '{{ifname}} {{mac}}' })], { w: 12, h: 8 }).description(
          'Bits per second each station sends to the access point.',
        ),
      )
      .withPanel(
        timeSeries('Station transmit rate', 'bps', [query(Q.stationTransmitRate, { legend: '{{ifname}} {{mac}}' })], {
          w: 12,
          h: 8,
        }).description('The PHY rate the access point sends to each station at.'),
      )
      // Two panels: a percentage on a dBm axis reads as a power level.
      .withPanel(
        timeSeries('Noise floor', 'dBm', [query(Q.radioNoise, { legend: '{{ifname}}' })], { w: 12, h: 8 }).description(
          'Noise each radio hears, in dBm.',
        ),
      )
      .withPanel(
        timeSeries('Link quality', 'percent', [query(Q.radioQuality, { legend: '{{ifname}}' })], { w: 12, h: 8 }).description(
          'Link quality of each interface in percent (iwinfo).',
        ),
      )
      .withPanel(
        tablePanel('Radios', [query(Q.radioInfo, { instant: true, format: 'table' })], { w: 24, h: 6 }).description(
          'Each radio: its mode, SSID, hardware and band.',
        ),
      )
  );
}
