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
      ).description('Received optical power against the warning and alarm levels the module itself reports.'),
    )
    .withPanel(
      timeSeries('TX power', 'dBm', [query(Q.txPower, { legend: '{{device}} TX' })], { w: 12, h: 8 }).description(
        'Transmitted optical power.',
      ),
    )
    .withPanel(
      timeSeries('Module temperature', 'celsius', [query(Q.opticsTemperature, { legend: '{{device}}' })], { w: 8, h: 7 }).description(
        'Temperature of the SFP/GPON module.',
      ),
    )
    .withPanel(
      timeSeries('Supply voltage', 'volt', [query(Q.opticsVoltage, { legend: '{{device}}' })], { w: 8, h: 7 }).description(
        'Supply voltage of the module.',
      ),
    )
    .withPanel(
      timeSeries('Laser bias', 'amp', [query(Q.opticsBias, { legend: '{{device}}' })], { w: 8, h: 7 }).description(
        'Laser bias current: it rises as a laser ages.',
      ),
    )
    .withPanel(
      statPanel('Loss of signal', 'bool_on_off', [query(Q.opticsLos, { legend: '{{device}}' })], { w: 6, h: 5 }, [
        [null, 'green'],
        [1, 'red'],
      ]).description('1 when the module sees no light.'),
    )
    .withPanel(
      tablePanel('Module', [query(Q.opticsInfo, { instant: true, format: 'table' })], { w: 18, h: 5 }).description(
        'Vendor, part and serial of each module.',
      ),
    )
    .withRow(row('Health'))
    .withPanel(
      timeSeries(
        'Temperatures',
        'celsius',
        [query(Q.thermalZones, { legend: '{{type}}' }), query(Q.hwmonTemperature, { legend: '{{chip}} {{sensor}}' })],
        { w: 12, h: 8 },
      ).description('Every thermal zone and hardware sensor.'),
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
      ).description('CPU busy, memory used, connection-tracking table used and fan level, each as a share.'),
    )
    .withPanel(
      timeSeries('Filesystems used', 'percentunit', [query(Q.filesystemUsed, { legend: '{{mountpoint}}' })], { w: 12, h: 8 }).description(
        'Share of each filesystem used.',
      ),
    )
    .withPanel(
      timeSeries('Load', 'short', [query(Q.load1, { legend: 'load1 {{router}}' })], { w: 12, h: 8 }).description(
        'One-minute load average.',
      ),
    )
    .withPanel(
      tablePanel(
        'Collectors',
        [
          query(Q.collectorSuccess, { instant: true, format: 'table' }),
          query(Q.collectorDuration, { instant: true, format: 'table' }),
          query(Q.seriesPerCollector, { instant: true, format: 'table' }),
        ],
        { w: 16, h: 9 },
        { merge: true, values: ['Succeeded', 'Duration', 'Series'], units: { Succeeded: 'bool_yes_no', Duration: 's', Series: 'short' } },
      ).description("Each routerscope collector's last result, duration and series count."),
    )
    .withPanel(
      tablePanel('Firmware', [query(Q.openwrtRelease, { instant: true, format: 'table' })], { w: 8, h: 9 }).description(
        'OpenWrt release and target.',
      ),
    );
}
