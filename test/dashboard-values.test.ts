// Dashboard panels whose numbers have been wrong before, evaluated by Prometheus' own engine
// (promtool's promql_expr_test) on series with known values: each panel's generated expression
// must give the expected number in its panel's unit, so a swapped direction or a percentage on a
// dBm axis fails here rather than on a user's screen.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ROOT, tempDir } from './helpers.ts';
import { requireCommand } from './setup/preflight.ts';

const run = promisify(execFile);
const PROMTOOL = requireCommand('promtool');

interface Panel {
  title: string;
  timeFrom?: string;
  targets?: Array<{ expr: string; interval?: string }>;
  fieldConfig?: {
    defaults?: { unit?: string; custom?: { drawStyle?: string } };
    overrides?: Array<{ matcher: { options: string }; properties: Array<{ id: string; value: string }> }>;
  };
  transformations?: Array<{ id: string; options: { renameByName?: Record<string, string> } }>;
}

async function panelJson(dashboard: string, title: string): Promise<Panel> {
  const json = JSON.parse(await readFile(path.join(ROOT, 'grafana/generated', `${dashboard}.json`), 'utf8')) as { panels: Panel[] };
  const found = json.panels.find((p) => p.title === title);
  if (!found?.targets?.[0]) throw new Error(`${dashboard} has no panel "${title}" with a query`);
  return found;
}

/** A panel's queries (the first as `expr`) and its unit. */
async function panel(dashboard: string, title: string): Promise<{ expr: string; exprs: string[]; unit: string | undefined }> {
  const found = await panelJson(dashboard, title);
  const exprs = found.targets!.map((t) => t.expr);
  return { expr: exprs[0]!, exprs, unit: found.fieldConfig?.defaults?.unit };
}

/** A table's column names after Grafana's renaming, with each column's unit where it has its own. */
async function tableColumns(dashboard: string, title: string): Promise<Record<string, string | undefined>> {
  const found = await panelJson(dashboard, title);
  const renamed = found.transformations?.find((t) => t.id === 'organize')?.options.renameByName ?? {};
  const units = Object.fromEntries(
    (found.fieldConfig?.overrides ?? []).map((o) => [o.matcher.options, o.properties.find((p) => p.id === 'unit')?.value]),
  );
  return Object.fromEntries(Object.values(renamed).map((name) => [name, units[name] ?? found.fieldConfig?.defaults?.unit]));
}

/**
 * A dashboard expression as Grafana would send it for router r1 with a 5-minute rate window, an
 * hour's range ending at minute 60, every WAN and target ("All"), host `laptop`.
 */
const concrete = (expr: string) =>
  expr
    .replaceAll('$router', 'r1')
    .replaceAll('$interface', '.*')
    .replaceAll('$target', '.+')
    .replaceAll('$host', 'laptop')
    .replaceAll('$client', '.+')
    .replaceAll('$__rate_interval', '5m')
    .replaceAll('$__range', '1h')
    .replaceAll('@ end()', '@ 3600');

describe('dashboard panels against known series', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    work = await tempDir('routerscope-panels-');
  });
  afterAll(async () => {
    await work?.remove();
  });

  /** Runs one promtool unit test: each case's expression must give exactly its samples at `at`. */
  async function evaluate(
    series: Record<string, string>,
    cases: Array<{ expr: string; samples: Array<{ labels: string; value: number }> }>,
    at = '10m',
    precision = 1,
  ): Promise<string> {
    const file = path.join(work.dir, `panels-${Math.random().toString(36).slice(2)}.yml`);
    await writeFile(
      file,
      stringify({
        rule_files: [path.join(ROOT, 'prometheus/rules/recording.yml')],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: Object.entries(series).map(([s, values]) => ({ series: s, values })),
            // Rounded (to the unit, unless said): rate()'s extrapolation leaves float dust that promtool
            // compares exactly.
            promql_expr_test: cases.map((c) => ({
              expr: `round(${concrete(c.expr)}, ${precision})`,
              eval_time: at,
              exp_samples: c.samples,
            })),
          },
        ],
      }),
    );
    try {
      const { stdout, stderr } = await run(PROMTOOL, ['test', 'rules', file]);
      return stdout + stderr;
    } catch (e) {
      const err = e as { stdout: string; stderr: string };
      return err.stdout + err.stderr;
    }
  }

  it("WiFi: a station's download is what the access point transmits to it, its upload what it receives", async () => {
    const station = 'router="r1",ifname="phy1-ap0",mac="02:00:00:00:00:0a"';
    const download = await panel('routerscope-wifi', 'Station download');
    const upload = await panel('routerscope-wifi', 'Station upload');
    expect([download.unit, upload.unit]).toEqual(['bps', 'bps']);
    const out = await evaluate(
      {
        // The station streams: 76.8 MB a minute from the access point (10.24 Mbit/s), 7.68 MB back
        // (1.024 Mbit/s): rates that are exact in binary floating point.
        [`wifi_station_transmit_bytes_total{${station}}`]: '0+76800000x10',
        [`wifi_station_receive_bytes_total{${station}}`]: '0+7680000x10',
      },
      [
        { expr: download.expr, samples: [{ labels: `{${station}}`, value: 10_240_000 }] },
        { expr: upload.expr, samples: [{ labels: `{${station}}`, value: 1_024_000 }] },
      ],
    );
    expect(out).toContain('SUCCESS');
  });

  it('WiFi: the noise floor in dBm and the link quality in percent, each on its own axis', async () => {
    const radio = 'router="r1",ifname="phy0-ap0"';
    const noise = await panel('routerscope-wifi', 'Noise floor');
    const quality = await panel('routerscope-wifi', 'Link quality');
    expect([noise.unit, quality.unit]).toEqual(['dBm', 'percent']);
    const out = await evaluate({ [`wifi_network_noise_dbm{${radio}}`]: '-92x10', [`wifi_network_quality{${radio}}`]: '71x10' }, [
      { expr: noise.expr, samples: [{ labels: `{${radio}}`, value: -92 }] },
      { expr: quality.expr, samples: [{ labels: `{${radio}}`, value: 71 }] },
    ]);
    expect(out).toContain('SUCCESS');
  });

  it('WAN availability: the share of the range a WAN was up, a disabled WAN left out', async () => {
    const availability = await panel('routerscope-wan', 'Availability in the time range');
    expect(availability.unit).toBe('percentunit');
    const wan = (name: string) => `router="r1",interface="${name}"`;
    const out = await evaluate(
      {
        // wan1 down from minute 15 to 44 of the hour; wan4 disabled and down throughout.
        [`openwrt_wan_up{${wan('wan1')}}`]: '1x14 0x29 1x16',
        [`openwrt_wan_policy{${wan('wan1')},policy="disabled"}`]: '0x60',
        [`openwrt_wan_up{${wan('wan4')}}`]: '0x60',
        [`openwrt_wan_policy{${wan('wan4')},policy="disabled"}`]: '1x60',
      },
      // The rule's 5-minute averages at each minute of the hour, ends included: 31 of 61.
      [{ expr: availability.expr, samples: [{ labels: `{${wan('wan1')}}`, value: 0.508 }] }],
      '60m',
      0.001,
    );
    expect(out).toContain('SUCCESS');
  });

  it('Latency: mean and p95 over the same window, a target with no WAN kept under "All"', async () => {
    const rtt = await panel('routerscope-latency', 'Round-trip time (mean and p95)');
    const [mean, p95] = rtt.exprs;
    expect(rtt.unit).toBe('s');
    // A target the routing table reaches (no `interface` label): each minute 60 replies, 54 within
    // 50 ms and 6 between 50 and 100 ms, 2.4 s in all.
    const far = 'router="r1",target="far",source="",kind="target"';
    const out = await evaluate(
      {
        [`openwrt_ping_rtt_seconds_bucket{${far},le="0.05"}`]: '0+54x10',
        [`openwrt_ping_rtt_seconds_bucket{${far},le="0.1"}`]: '0+60x10',
        [`openwrt_ping_rtt_seconds_bucket{${far},le="+Inf"}`]: '0+60x10',
        [`openwrt_ping_rtt_seconds_sum{${far}}`]: '0+2.4x10',
        [`openwrt_ping_rtt_seconds_count{${far}}`]: '0+60x10',
      },
      [
        // The mean 40 ms; the p95 the 57th of 60, 3 of the 6 into the (50, 100] ms bucket: 75 ms.
        { expr: mean!, samples: [{ labels: '{router="r1",target="far"}', value: 0.04 }] },
        { expr: p95!, samples: [{ labels: '{router="r1",target="far"}', value: 0.075 }] },
      ],
      '10m',
      0.001,
    );
    expect(out).toContain('SUCCESS');
  });

  it('Latency: one heatmap per target, in a row per WAN', async () => {
    const json = JSON.parse(await readFile(path.join(ROOT, 'grafana/generated/routerscope-latency.json'), 'utf8')) as {
      panels: Array<{ type: string; title: string; repeat?: string; targets?: Array<{ expr: string }> }>;
    };
    const heatmaps = json.panels.filter((p) => p.type === 'heatmap');
    expect(heatmaps.map((p) => [p.title, p.repeat])).toEqual([['$target via $interface', 'target']]);
    expect(json.panels.find((p) => p.type === 'row' && p.repeat === 'interface')?.title).toBe('RTT distribution via $interface');
    const bucket = (target: string, wan: string, le: string) =>
      `openwrt_ping_rtt_seconds_bucket{router="r1",target="${target}",source="",kind="target",interface="${wan}",le="${le}"}`;
    // The repeated panel for target vps in the wan1 row: vps via wan3 must not be in it.
    const expr = heatmaps[0]!.targets![0]!.expr.replaceAll('$target', 'vps').replaceAll('$interface', 'wan1');
    const out = await evaluate(
      {
        [bucket('vps', 'wan1', '0.05')]: '0+60x10',
        [bucket('vps', 'wan1', '+Inf')]: '0+60x10',
        [bucket('vps', 'wan3', '0.05')]: '0+6x10',
        [bucket('vps', 'wan3', '+Inf')]: '0+60x10',
      },
      [
        {
          expr,
          samples: [
            { labels: '{le="0.05"}', value: 300 },
            { labels: '{le="+Inf"}', value: 300 },
          ],
        },
      ],
    );
    expect(out).toContain('SUCCESS');
  });

  it('Latency: remote access points on their own, by round-trip time and loss', async () => {
    const rtt = await panel('routerscope-latency', 'Access point round-trip time');
    const loss = await panel('routerscope-latency', 'Access point loss');
    expect([rtt.unit, loss.unit]).toEqual(['s', 'percentunit']);
    const ap = 'router="r1",target="ap:garden",source="",kind="ap"';
    const wanTarget = 'router="r1",target="vps",source="",kind="target",interface="wan1"';
    const out = await evaluate(
      {
        // 60 pings a minute, 45 answered, 0.3 s in all (20 ms each); the WAN target must not show.
        [`openwrt_ping_requests_total{${ap}}`]: '0+60x10',
        [`openwrt_ping_responses_total{${ap}}`]: '0+45x10',
        [`openwrt_ping_rtt_seconds_sum{${ap}}`]: '0+0.9x10',
        [`openwrt_ping_rtt_seconds_count{${ap}}`]: '0+45x10',
        [`openwrt_ping_requests_total{${wanTarget}}`]: '0+60x10',
        [`openwrt_ping_responses_total{${wanTarget}}`]: '0+60x10',
        [`openwrt_ping_rtt_seconds_sum{${wanTarget}}`]: '0+3x10',
        [`openwrt_ping_rtt_seconds_count{${wanTarget}}`]: '0+60x10',
      },
      [
        { expr: rtt.expr, samples: [{ labels: '{router="r1",target="ap:garden",kind="ap"}', value: 0.02 }] },
        { expr: loss.expr, samples: [{ labels: '{router="r1",target="ap:garden",kind="ap"}', value: 0.25 }] },
      ],
      '10m',
      0.001,
    );
    expect(out).toContain('SUCCESS');
  });

  it("Latency: the Filter variable narrows every panel to the targets of one country (a target's own label)", async () => {
    const json = JSON.parse(await readFile(path.join(ROOT, 'grafana/generated/routerscope-latency.json'), 'utf8')) as {
      templating: { list: Array<{ type: string; name: string }> };
      panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
    };
    expect(json.templating.list.filter((v) => v.type === 'adhoc').map((v) => v.name)).toEqual(['filter']);
    // Grafana adds an ad hoc filter to every selector of every query; each selector of the latency
    // panels names its router first, so the filter goes in beside it.
    const filtered = (expr: string) => expr.replaceAll('{router=~"$router"', '{router=~"$router", country="de"');
    const loss = await panel('routerscope-latency', 'Packet loss');
    const [mean] = (await panel('routerscope-latency', 'Round-trip time (mean and p95)')).exprs;
    for (const p of json.panels.filter((x) => x.targets))
      for (const t of p.targets!)
        expect(t.expr.split('{').length - 1, `${p.title}: ${t.expr}`).toBe(t.expr.split('{router=~"$router"').length - 1);
    const target = (name: string, country: string) =>
      `router="r1",target="${name}",source="",kind="target",interface="wan",country="${country}"`;
    const series: Record<string, string> = {};
    for (const [name, country, answered] of [
      ['berlin', 'de', 60],
      ['paris', 'fr', 30],
    ] as const) {
      series[`openwrt_ping_requests_total{${target(name, country)}}`] = '0+60x10';
      series[`openwrt_ping_responses_total{${target(name, country)}}`] = `0+${answered}x10`;
      series[`openwrt_ping_rtt_seconds_sum{${target(name, country)}}`] = `0+${answered * 0.03}x10`;
      series[`openwrt_ping_rtt_seconds_count{${target(name, country)}}`] = `0+${answered}x10`;
    }
    const out = await evaluate(
      series,
      [
        { expr: filtered(loss.expr), samples: [{ labels: `{${target('berlin', 'de').replace('source="",', '')}}`, value: 0 }] },
        { expr: filtered(mean!), samples: [{ labels: '{router="r1",target="berlin",interface="wan"}', value: 0.03 }] },
      ],
      '10m',
      0.001,
    );
    expect(out).toContain('SUCCESS');
  });

  it('Clients: the top 5 over time are the top 5 of the whole range, not of each moment', async () => {
    const top = await panel('routerscope-clients', 'Top 5 download over time');
    expect(top.unit).toBe('bps');
    // The five are chosen by their totals `@ end()` of the range, the same five at every step.
    expect(top.expr).toContain('@ end()');
    const mac = (n: number) => `router="r1",mac="02:00:00:00:00:0${n}"`;
    const series: Record<string, string> = {};
    // Clients 1-5 download 300-540 kB a minute all hour (18 MB or more); client 6 nothing for 50
    // minutes, then 600 kB a minute: the busiest now, 6 MB in the hour, not in the hour's top 5.
    for (let n = 1; n <= 5; n++) series[`openwrt_client_receive_bytes_total{${mac(n)}}`] = `0+${60_000 * (n + 4)}x60`;
    series[`openwrt_client_receive_bytes_total{${mac(6)}}`] = '0x50 600000+600000x10';
    series[`openwrt_client_info{${mac(1)},ip="192.168.1.21",hostname="tv"}`] = '1x60';
    const rate = (perMinute: number) => (8 * perMinute) / 60;
    const out = await evaluate(
      series,
      [
        {
          expr: top.expr,
          samples: [
            { labels: `{${mac(1)},hostname="tv"}`, value: rate(300_000) },
            ...[2, 3, 4, 5].map((n) => ({ labels: `{${mac(n)}}`, value: rate(60_000 * (n + 4)) })),
          ],
        },
      ],
      '60m',
    );
    expect(out).toContain('SUCCESS');
  });

  it('Clients: a client whose lease ended keeps its place in the top 10, and DNS clients carry their host name', async () => {
    const top = await panel('routerscope-clients', 'Top 10 download');
    const dns = await panel('routerscope-clients', 'Top DNS clients');
    const [withLease, gone] = ['router="r1",mac="02:00:00:00:00:01"', 'router="r1",mac="02:00:00:00:00:02"'];
    const out = await evaluate(
      {
        [`openwrt_client_receive_bytes_total{${withLease}}`]: '0+1000x60',
        [`openwrt_client_receive_bytes_total{${gone}}`]: '0+2000x60',
        [`openwrt_client_info{${withLease},ip="192.168.1.21",hostname="tv"}`]: '1x60',
        'openwrt_dns_queries_total{router="r1",client="192.168.1.21",type="A"}': '0+10x60',
        'openwrt_dns_queries_total{router="r1",client="192.168.1.99",type="A"}': '0+1x60',
      },
      [
        {
          expr: top.expr,
          samples: [
            { labels: `{${withLease},hostname="tv"}`, value: 60_000 },
            { labels: `{${gone}}`, value: 120_000 },
          ],
        },
        {
          expr: dns.expr,
          samples: [
            { labels: '{router="r1",client="192.168.1.21",hostname="tv"}', value: 600 },
            { labels: '{router="r1",client="192.168.1.99"}', value: 60 },
          ],
        },
      ],
      '60m',
    );
    expect(out).toContain('SUCCESS');
  });

  it('Bandwidth: hourly, daily and 30-day bars over their own ranges, and totals that keep a WAN that is down now', async () => {
    for (const [title, timeFrom, interval] of [
      ['Hourly (last 24 h)', '24h', '1h'],
      ['Daily (last 30 days)', '30d', '1d'],
      ['Every 30 days (last year)', '1y', '30d'],
    ] as const) {
      const p = await panelJson('routerscope-bandwidth', title);
      expect([p.timeFrom, p.fieldConfig?.defaults?.custom?.drawStyle, p.fieldConfig?.defaults?.unit], title).toEqual([
        timeFrom,
        'bars',
        'bytes',
      ]);
      expect(p.targets!.map((t) => t.interval)).toEqual([interval, interval]);
    }
    expect(await tableColumns('routerscope-bandwidth', 'In the time range per WAN')).toEqual({ Downloaded: 'bytes', Uploaded: 'bytes' });
    const hourly = await panel('routerscope-bandwidth', 'Hourly (last 24 h)');
    const inRange = await panel('routerscope-bandwidth', 'In the time range per WAN');
    const wan = 'router="r1",device="eth1"';
    const ppp = 'router="r1",device="pppoe-wan2"';
    const out = await evaluate(
      {
        // wan: 1 MB a minute all along; wan2 (PPPoE) 1 MB a minute until it went down at minute 30.
        [`node_network_receive_bytes_total{${wan}}`]: '0+1000000x120',
        [`openwrt_wan_device_info{${wan},interface="wan"}`]: '1x120',
        [`node_network_receive_bytes_total{${ppp}}`]: '0+1000000x90',
        [`openwrt_wan_device_info{${ppp},interface="wan2"}`]: '1x90',
      },
      [
        { expr: hourly.expr, samples: [{ labels: `{${wan},interface="wan"}`, value: 60_000_000 }] },
        {
          expr: inRange.expr,
          samples: [
            { labels: `{${wan},interface="wan"}`, value: 60_000_000 },
            // The 30 minutes it was up in the last hour, extrapolated half a minute past its last sample.
            { labels: `{${ppp},interface="wan2"}`, value: 30_500_000 },
          ],
        },
      ],
      '120m',
    );
    expect(out).toContain('SUCCESS');
  });

  it('WAN: the events table shows only events that happened, each with when it last did; the last change as a time', async () => {
    const events = await panel('routerscope-wan', 'Events in the time range');
    expect(await tableColumns('routerscope-wan', 'Events in the time range')).toEqual({ Events: 'short', 'Last seen': 'dateTimeAsIso' });
    expect(await tableColumns('routerscope-wan', 'Last state change')).toEqual({ 'Changed at': 'dateTimeAsIso' });
    const lastChange = await panel('routerscope-wan', 'Last state change');
    const wan = (event: string) => `openwrt_interface_events_total{router="r1",interface="wan",event="${event}"}`;
    const out = await evaluate(
      // wan went down at minute 3 and at minute 7; it never had an auth failure (a zero row before).
      {
        [wan('down')]: '0 0 0 1 1 1 1 2 2 2 2',
        [wan('ppp_auth_failed')]: '0x10',
        'openwrt_interface_last_change_timestamp_seconds{router="r1",interface="wan"}': '420x10',
      },
      [
        { expr: events.exprs[0]!, samples: [{ labels: '{router="r1",interface="wan",event="down"}', value: 2 }] },
        // Seen at minute 7, shown as minute 8: to within two minutes, as the panel says.
        { expr: events.exprs[1]!, samples: [{ labels: '{router="r1",interface="wan",event="down"}', value: 480_000 }] },
        { expr: lastChange.expr, samples: [{ labels: '{router="r1",interface="wan"}', value: 420_000 }] },
      ],
    );
    expect(out).toContain('SUCCESS');
  });

  it('Interfaces: errors as a share of packets, drops and packets per second, conntrack against its limit', async () => {
    const errors = await panel('routerscope-network', 'Errors per packet');
    const drops = await panel('routerscope-network', 'Drops');
    const packets = await panel('routerscope-network', 'Packets');
    const conntrack = await panel('routerscope-network', 'Connection tracking');
    expect([errors.unit, drops.unit, packets.unit]).toEqual(['percentunit', 'pps', 'pps']);
    const eth = 'router="r1",device="eth1"';
    const out = await evaluate(
      {
        // 6000 packets a minute in, 1200 out; 72 of them errored in, none out; 30 dropped.
        [`node_network_receive_packets_total{${eth}}`]: '0+6000x10',
        [`node_network_transmit_packets_total{${eth}}`]: '0+1200x10',
        [`node_network_receive_errs_total{${eth}}`]: '0+72x10',
        [`node_network_transmit_errs_total{${eth}}`]: '0x10',
        [`node_network_receive_drop_total{${eth}}`]: '0+30x10',
        [`node_network_transmit_drop_total{${eth}}`]: '0x10',
        'node_network_receive_packets_total{router="r1",device="lo"}': '0+6000x10',
        'node_nf_conntrack_entries{router="r1"}': '812x10',
        'node_nf_conntrack_entries_limit{router="r1"}': '16384x10',
      },
      [
        { expr: errors.expr, samples: [{ labels: `{${eth}}`, value: 0.01 }] },
        { expr: drops.expr, samples: [{ labels: `{${eth}}`, value: 0.5 }] },
        { expr: packets.expr, samples: [{ labels: `{${eth}}`, value: 120 }] },
        { expr: conntrack.exprs[0]!, samples: [{ labels: '{router="r1"}', value: 812 }] },
        { expr: conntrack.exprs[1]!, samples: [{ labels: '{router="r1"}', value: 16384 }] },
      ],
      '10m',
      0.001,
    );
    expect(out).toContain('SUCCESS');
  });

  it('Interfaces: the SNMP device traffic panel in bits per second from IF-MIB octets', async () => {
    const snmp = await panel('routerscope-network', 'SNMP device traffic');
    expect(snmp.unit).toBe('bps');
    const port = 'router="r1",target="switch",ifIndex="3",ifName="lan3",ifDescr="lan3",ifAlias="nas"';
    const out = await evaluate({ [`ifHCInOctets{${port}}`]: '0+7500000x10', [`ifHCOutOctets{${port}}`]: '0+750000x10' }, [
      { expr: snmp.exprs[0]!, samples: [{ labels: `{${port}}`, value: 1_000_000 }] },
      { expr: snmp.exprs[1]!, samples: [{ labels: `{${port}}`, value: 100_000 }] },
    ]);
    expect(out).toContain('SUCCESS');
  });

  it("Client page: one host's traffic over both its MACs, and its DNS domains by its address", async () => {
    const volume = await panel('routerscope-host', 'Traffic in the time range');
    const domains = await panel('routerscope-host', 'DNS domains');
    const [cable, wifi, other] = ['02:00:00:00:00:01', '02:00:00:00:00:02', '02:00:00:00:00:03'].map((m) => `router="r1",mac="${m}"`);
    const out = await evaluate(
      {
        [`openwrt_client_info{${cable},ip="192.168.1.20",hostname="laptop"}`]: '1x60',
        [`openwrt_client_info{${wifi},ip="192.168.1.21",hostname="laptop"}`]: '1x30',
        [`openwrt_client_info{${other},ip="192.168.1.30",hostname="tv"}`]: '1x60',
        [`openwrt_client_receive_bytes_total{${cable}}`]: '0+1000x60',
        [`openwrt_client_transmit_bytes_total{${cable}}`]: '0+100x60',
        [`openwrt_client_receive_bytes_total{${wifi}}`]: '0+2000x60',
        [`openwrt_client_transmit_bytes_total{${wifi}}`]: '0+200x60',
        [`openwrt_client_receive_bytes_total{${other}}`]: '0+9000x60',
        [`openwrt_client_transmit_bytes_total{${other}}`]: '0+900x60',
        'openwrt_dns_client_domain_queries{router="r1",client="192.168.1.20",domain="example.org"}': '12x60',
        'openwrt_dns_client_domain_queries{router="r1",client="192.168.1.30",domain="netflix.com"}': '40x60',
      },
      [
        {
          // Its WiFi lease ended at minute 30: the hour's traffic on that MAC still counts.
          expr: volume.expr,
          samples: [
            { labels: `{${cable},hostname="laptop"}`, value: 66_000 },
            { labels: `{${wifi},hostname="laptop"}`, value: 132_000 },
          ],
        },
        {
          expr: domains.expr,
          samples: [
            {
              labels: '{router="r1",client="192.168.1.20",domain="example.org",hostname="laptop"}',
              value: 12,
            },
          ],
        },
      ],
      '60m',
    );
    expect(out).toContain('SUCCESS');
  });

  it('fails a panel that gives another number (the swapped download the WiFi dashboard had)', async () => {
    const station = 'router="r1",ifname="phy1-ap0",mac="02:00:00:00:00:0a"';
    const out = await evaluate(
      {
        [`wifi_station_transmit_bytes_total{${station}}`]: '0+75000000x10',
        [`wifi_station_receive_bytes_total{${station}}`]: '0+7500000x10',
      },
      [
        {
          expr: '8 * rate(wifi_station_receive_bytes_total{router=~"$router"}[$__rate_interval])',
          samples: [{ labels: `{${station}}`, value: 10_240_000 }],
        },
      ],
    );
    expect(out).toContain('FAILED');
  });
});
