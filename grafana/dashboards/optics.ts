import { Q } from '../queries.ts';
import { dashboard, query, row, statPanel, tablePanel, timeSeries } from '../panels.ts';

/** The GPON/SFP module against its own thresholds, and the box's health. */
export function optics() {
  return dashboard('routerscope-optics-health', 'Optics & health')
    .withRow(row('Optics'))
    .withPanel(
      timeSeries(
        "RX power with the module's thresholds",
        'dBm',
        [query(Q.rxPower, { legend: '{{device}} RX' }), query(Q.rxThresholds, { legend: '{{device}} {{level}}' })],
        { w: 12, h: 8 },
      ),
    )
    .withPanel(timeSeries('TX power', 'dBm', [query(Q.txPower, { legend: '{{device}} TX' })], { w: 12, h: 8 }))
    .withPanel(timeSeries('Module temperature', 'celsius', [query(Q.opticsTemperature, { legend: '{{device}}' })], { w: 8, h: 7 }))
    .withPanel(timeSeries('Supply voltage', 'volt', [query(Q.opticsVoltage, { legend: '{{device}}' })], { w: 8, h: 7 }))
    .withPanel(timeSeries('Laser bias', 'amp', [query(Q.opticsBias, { legend: '{{device}}' })], { w: 8, h: 7 }))
    .withPanel(
      statPanel('Loss of signal', 'bool_on_off', [query(Q.opticsLos, { legend: '{{device}}' })], { w: 6, h: 5 }, [
        [null, 'green'],
        [1, 'red'],
      ]),
    )
    .withPanel(tablePanel('Module', [query(Q.opticsInfo, { instant: true, format: 'table' })], { w: 18, h: 5 }))
    .withRow(row('Health'))
    .withPanel(
      timeSeries(
        'Temperatures',
        'celsius',
        [query(Q.thermalZones, { legend: '{{type}}' }), query(Q.hwmonTemperature, { legend: '{{chip}} {{sensor}}' })],
        { w: 12, h: 8 },
      ),
    )
    .withPanel(
      timeSeries(
        'CPU, memory, conntrack, fan',
        'percentunit',
        [
          query(Q.cpuBusy, { legend: 'CPU {{router}}' }),
          query(Q.memoryUsed, { legend: 'memory {{router}}' }),
          query(Q.conntrackUsed, { legend: 'conntrack {{router}}' }),
          query(Q.fanState, { legend: 'fan {{type}}' }),
        ],
        { w: 12, h: 8 },
      ),
    )
    .withPanel(timeSeries('Filesystems used', 'percentunit', [query(Q.filesystemUsed, { legend: '{{mountpoint}}' })], { w: 12, h: 8 }))
    .withPanel(timeSeries('Load', 'short', [query(Q.load1, { legend: 'load1 {{router}}' })], { w: 12, h: 8 }))
    .withPanel(
      tablePanel(
        'Collectors',
        [
          query(Q.collectorSuccess, { instant: true, format: 'table' }),
          query(Q.collectorDuration, { instant: true, format: 'table' }),
          query(Q.seriesPerCollector, { instant: true, format: 'table' }),
        ],
        { w: 16, h: 9 },
        true,
      ),
    )
    .withPanel(tablePanel('Firmware', [query(Q.openwrtRelease, { instant: true, format: 'table' })], { w: 8, h: 9 }));
}
