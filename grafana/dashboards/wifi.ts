import { Q } from '../queries.ts';
import { dashboard, query, statPanel, tablePanel, timeSeries } from '../panels.ts';

/** Radios and stations, from rpcd's iwinfo. */
export function wifi() {
  return (
    dashboard('routerscope-wifi', 'WiFi')
      .withPanel(statPanel('Stations per interface', 'short', [query(Q.stations, { legend: '{{ifname}}' })], { w: 8, h: 5 }))
      .withPanel(statPanel('Channel', 'none', [query(Q.radioChannel, { legend: '{{ifname}}' })], { w: 8, h: 5 }))
      .withPanel(statPanel('Transmit power', 'dBm', [query(Q.radioTxPower, { legend: '{{ifname}}' })], { w: 8, h: 5 }))
      .withPanel(timeSeries('Station signal', 'dBm', [query(Q.stationSignal, { legend: '{{ifname}} {{mac}}' })], { w: 12, h: 8 }))
      .withPanel(timeSeries('Station download', 'bps', [query(Q.stationDownloadBits, { legend: '{{ifname}} {{mac}}' })], { w: 12, h: 8 }))
      .withPanel(timeSeries('Station upload', 'bps', [query(Q.stationUploadBits, { legend: '{{ifname}} {{mac}}' })], { w: 12, h: 8 }))
      .withPanel(
        timeSeries('Station transmit rate', 'bps', [query(Q.stationTransmitRate, { legend: '{{ifname}} {{mac}}' })], { w: 12, h: 8 }),
      )
      // Two panels: a percentage on a dBm axis reads as a power level.
      .withPanel(timeSeries('Noise floor', 'dBm', [query(Q.radioNoise, { legend: '{{ifname}}' })], { w: 12, h: 8 }))
      .withPanel(timeSeries('Link quality', 'percent', [query(Q.radioQuality, { legend: '{{ifname}}' })], { w: 12, h: 8 }))
      .withPanel(tablePanel('Radios', [query(Q.radioInfo, { instant: true, format: 'table' })], { w: 24, h: 6 }))
  );
}
