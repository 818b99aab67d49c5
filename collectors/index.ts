// The explicit list of collectors, in the order their flags are listed.
import type { CollectorDefinition } from '../exporter/collector.ts';
import { clients } from './clients.ts';
import { conntrack } from './conntrack.ts';
import { cpu } from './cpu.ts';
import { dnsmasq } from './dnsmasq.ts';
import { events } from './events.ts';
import { filefd } from './filefd.ts';
import { filesystem } from './filesystem.ts';
import { hwmon } from './hwmon.ts';
import { loadavg } from './loadavg.ts';
import { meminfo } from './meminfo.ts';
import { mptcp } from './mptcp.ts';
import { netclass } from './netclass.ts';
import { netdev } from './netdev.ts';
import { nlbwmon } from './nlbwmon.ts';
import { openwrt } from './openwrt.ts';
import { optics } from './optics.ts';
import { ping } from './ping.ts';
import { snmpCollector } from './snmp.ts';
import { textfile } from './textfile.ts';
import { thermal_zone } from './thermal_zone.ts';
import { time } from './time.ts';
import { uname } from './uname.ts';
import { vpn } from './vpn.ts';
import { wan } from './wan.ts';
import { wifi } from './wifi.ts';

export const definitions: readonly CollectorDefinition[] = [
  clients,
  conntrack,
  cpu,
  dnsmasq,
  events,
  filefd,
  filesystem,
  hwmon,
  loadavg,
  meminfo,
  mptcp,
  netclass,
  netdev,
  nlbwmon,
  openwrt,
  optics,
  ping,
  snmpCollector,
  textfile,
  thermal_zone,
  time,
  uname,
  vpn,
  wan,
  wifi,
];
