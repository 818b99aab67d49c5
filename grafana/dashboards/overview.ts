import { Q } from '../queries.ts';
import { dashboard, query, statPanel, tablePanel, timeSeries } from '../panels.ts';

/** At a glance: tunnel, health, public IPs, latency and loss, uptime, MPTCP, live throughput. */
export function overview() {
  return dashboard('routerscope-overview', 'Router overview', ['interface'])
    .withPanel(
      statPanel(
        'Tunnel to the VPS',
        'bool_on_off',
        [query(Q.vpnUp, { legend: 'OMR {{router}}' }), query(Q.tunnelUp, { legend: '{{interface}}' })],
        { w: 4, h: 4 },
        [
          [null, 'red'],
          [1, 'green'],
        ],
      ).description('1 while the OpenMPTCProuter tunnel to the VPS (and each VPN interface) is up.'),
    )
    .withPanel(
      statPanel('WireGuard handshake age', 's', [query(Q.wireguardHandshakeAge, { legend: '{{interface}}' })], { w: 4, h: 4 }, [
        [null, 'green'],
        [180, 'orange'],
        [300, 'red'],
      ]).description('Seconds since each WireGuard peer last completed a handshake; a peer that talks renews it every 2 minutes.'),
    )
    .withPanel(
      statPanel('CPU busy', 'percentunit', [query(Q.cpuBusy, { legend: '{{router}}' })], { w: 4, h: 4 }, [
        [null, 'green'],
        [0.8, 'orange'],
      ]).description('Share of CPU time not idle, all cores.'),
    )
    .withPanel(
      statPanel('Memory used', 'percentunit', [query(Q.memoryUsed, { legend: '{{router}}' })], { w: 4, h: 4 }, [
        [null, 'green'],
        [0.9, 'red'],
      ]).description('Share of memory not available to new programs (MemAvailable).'),
    )
    .withPanel(
      statPanel('CPU temperature', 'celsius', [query(Q.cpuTemperature, { legend: '{{router}}' })], { w: 4, h: 4 }, [
        [null, 'green'],
        [75, 'orange'],
        [85, 'red'],
      ]).description('The hottest thermal zone.'),
    )
    .withPanel(
      statPanel('Uptime', 's', [query(Q.uptime, { legend: '{{router}}' })], { w: 4, h: 4 }).description('Time since the router booted.'),
    )
    .withPanel(
      tablePanel(
        'WAN public IPs',
        [query(Q.omrPublicIp, { instant: true, format: 'table' }), query(Q.wanAddresses, { instant: true, format: 'table' })],
        { w: 12, h: 7 },
      ).description("The public address each WAN leaves by, as the OMR tracker sees it, and each WAN interface's own addresses."),
    )
    .withPanel(
      statPanel('WAN uptime', 's', [query(Q.wanUptime, { legend: '{{interface}}' })], { w: 6, h: 7 }).description(
        'Time since each WAN that is up came up.',
      ),
    )
    .withPanel(
      statPanel(
        'MPTCP',
        'short',
        [query(Q.mptcpConnections, { legend: 'connections' }), query(Q.mptcpSubflows, { legend: 'subflows {{device}}' })],
        { w: 6, h: 7 },
      ).description('Open MPTCP connections and their subflows per device.'),
    )
    .withPanel(
      timeSeries('Latency to Internet, VPS and tunnel', 's', [query(Q.rttMean5m, { legend: '{{target}} via {{interface}}' })], {
        w: 12,
        h: 8,
      }).description('Mean round-trip time per ping target and WAN over 5 minutes.'),
    )
    .withPanel(
      timeSeries('Packet loss', 'percentunit', [query(Q.loss, { legend: '{{target}} via {{interface}}' })], { w: 12, h: 8 }).description(
        'Share of pings unanswered per target and WAN over 5 minutes.',
      ),
    )
    .withPanel(
      timeSeries(
        'Live WAN throughput',
        'bps',
        [query(Q.wanReceiveLive, { legend: '{{interface}} down' }), query(Q.wanTransmitLive, { legend: '{{interface}} up' })],
        { w: 24, h: 8 },
      ).description('Bits per second through each WAN now.'),
    );
}
