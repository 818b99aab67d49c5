// The dnsmasq collector against Debian's dnsmasq 2.90, started by the test on loopback with
// log-queries writing to a file: counts per client, type and result equal what the test sent, for
// both log formats, across a log rotation and a restart of the collector.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFile, rename } from 'node:fs/promises';
import * as path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { definitions } from '../collectors/index.ts';
import { createSources } from '../exporter/cli.ts';
import { parseConfig } from '../exporter/config.ts';
import { Exporter } from '../exporter/exporter.ts';
import { render } from '../exporter/metrics.ts';
import { parseExposition, toSeriesMap } from '../exporter/parse-exposition.ts';
import { freePort, stopProcess, tempDir, waitFor } from './helpers.ts';

const TYPES: Record<string, number> = { A: 1, AAAA: 28, TXT: 16, HTTPS: 65 };

/** Sends one DNS query from a given loopback address and waits for the answer. */
function query(from: string, port: number, name: string, type: string): Promise<void> {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const packet = Buffer.concat([
    Buffer.from([Math.floor(Math.random() * 256), 1, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]),
    ...labels,
    Buffer.from([0]),
    Buffer.from([0, TYPES[type]!, 0, 1]),
  ]);
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no answer to ${type} ${name}`));
    }, 5000);
    socket.on('message', () => {
      clearTimeout(timer);
      socket.close();
      resolve();
    });
    socket.bind({ address: from, port: 0 }, () => socket.send(packet, port, '127.0.0.1'));
  });
}

type Sent = Array<[client: string, type: string, name: string, result: string]>;
const BATCH_A: Sent = [
  ['127.0.0.2', 'A', 'www.example.test', 'forwarded'],
  ['127.0.0.2', 'A', 'www.example.test', 'cached'],
  ['127.0.0.2', 'AAAA', 'www.example.test', 'forwarded'],
  ['127.0.0.2', 'A', 'router.lan', 'local'],
  ['127.0.0.2', 'A', 'blocked.test', 'blocked'],
  ['127.0.0.2', 'HTTPS', 'www.example.test', 'forwarded'],
];
const BATCH_B: Sent = [
  ['127.0.0.3', 'A', 'missing.example.test', 'nxdomain'],
  ['127.0.0.3', 'A', 'ads.test', 'blocked'],
  ['127.0.0.3', 'TXT', 'txt.example.test', 'forwarded'],
  ['127.0.0.3', 'A', 'nosuch.lan', 'nxdomain'],
  ['127.0.0.3', 'AAAA', 'router.lan', 'local'],
  ['127.0.0.4', 'A', 'www.example.test', 'cached'],
];
const BATCH_C: Sent = [
  ['127.0.0.2', 'A', 'router.lan', 'local'],
  // --txt-record answers carry TTL 0 upstream: dnsmasq forwards the repeat too.
  ['127.0.0.4', 'TXT', 'txt.example.test', 'forwarded'],
];

function expected(batches: Sent[]): Map<string, number> {
  const out = new Map<string, number>();
  const add = (k: string) => out.set(k, (out.get(k) ?? 0) + 1);
  for (const [client, type, , result] of batches.flat()) {
    add(`openwrt_dns_queries_total{client="${client}",type="${type}"}`);
    add(`openwrt_dns_answers_total{client="${client}",result="${result}"}`);
  }
  // A client with answers has its failure series from 0 (so that rate() sees the first failure).
  for (const [client] of batches.flat())
    for (const result of ['error', 'failed']) {
      const key = `openwrt_dns_answers_total{client="${client}",result="${result}"}`;
      out.set(key, out.get(key) ?? 0);
    }
  return out;
}

function dnsSeries(series: Map<string, number>): Map<string, number> {
  return new Map([...series].filter(([k]) => k.startsWith('openwrt_dns_queries_total') || k.startsWith('openwrt_dns_answers_total')));
}

describe('dnsmasq collector with a real dnsmasq', () => {
  const processes: ChildProcess[] = [];
  afterEach(async () => {
    for (const p of processes.splice(0)) await stopProcess(p);
  });

  it.each(['log-queries', 'log-queries=extra'])(
    'counts what was sent, across a rotation and a collector restart (%s)',
    async (logQueries) => {
      const work = await tempDir('routerscope-dnsmasq-');
      const [upstream, front] = [await freePort(), await freePort()];
      const common = [
        '-k',
        '--no-resolv',
        '--no-hosts',
        '--listen-address=127.0.0.1',
        '--bind-interfaces',
        '-u',
        'root',
        '--log-facility=/dev/null',
      ];
      processes.push(
        spawn(
          'dnsmasq',
          [
            ...common,
            `--port=${upstream}`,
            `--pid-file=${work.dir}/up.pid`,
            '--address=/www.example.test/192.0.2.10',
            '--address=/www.example.test/2001:db8::10',
            '--local=/example.test/',
            '--txt-record=txt.example.test,v=spf1 -all',
            '--local-ttl=300',
          ],
          { stdio: 'ignore' },
        ),
      );
      const log = path.join(work.dir, 'dnsmasq.log');
      const dnsmasq = spawn(
        'dnsmasq',
        [
          ...common.filter((a) => !a.startsWith('--log-facility')),
          `--port=${front}`,
          `--pid-file=${work.dir}/front.pid`,
          `--${logQueries}`,
          `--log-facility=${log}`,
          `--server=/example.test/127.0.0.1#${upstream}`,
          '--address=/blocked.test/',
          '--address=/ads.test/0.0.0.0',
          '--local=/lan/',
          '--host-record=router.lan,192.168.1.1',
          '--cache-size=150',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      processes.push(dnsmasq);
      let startError = '';
      dnsmasq.stderr.on('data', (chunk: Buffer) => (startError += chunk.toString()));
      await waitFor(
        () => {
          // A daemon that could not bind has exited: say why now rather than after the deadline.
          if (dnsmasq.exitCode !== null) throw new Error(`dnsmasq exited ${dnsmasq.exitCode}: ${startError.trim()}`);
          return query('127.0.0.9', front, 'router.lan', 'A').then(
            () => true,
            () => undefined,
          );
        },
        10000,
        'dnsmasq',
      );

      const only = ['dnsmasq'];
      const yaml = JSON.stringify({
        collectors: {
          ...Object.fromEntries(definitions.map((d) => [d.name, { enabled: only.includes(d.name) }])),
          dnsmasq: { enabled: true, log_file: log, ubus_metrics: false },
        },
      });
      const config = parseConfig(yaml, { definitions });
      const exporter = new Exporter(config, definitions, createSources(config), pino({ level: 'silent' }));
      const series = async () => dnsSeries(toSeriesMap(parseExposition(render(await exporter.scrape({ timeoutSeconds: 5 })))));
      const settle = (want: Map<string, number>, what: string) =>
        waitFor(
          async () => {
            const s = await series();
            return JSON.stringify([...s].sort()) === JSON.stringify([...want].sort()) ? s : undefined;
          },
          10000,
          what,
        ).catch(async (e) => {
          expect(Object.fromEntries(await series())).toEqual(Object.fromEntries(want));
          throw e;
        });
      exporter.start();
      try {
        // The follower starts at the end of the log: the probe query above is not counted.
        await new Promise((r) => setTimeout(r, 500));
        for (const [client, type, name] of BATCH_A) await query(client, front, name, type);
        await settle(expected([BATCH_A]), 'batch A');

        // Rotate as logrotate does: move the file, then SIGUSR2 makes dnsmasq reopen its log.
        await rename(log, `${log}.1`);
        dnsmasq.kill('SIGUSR2');
        for (const [client, type, name] of BATCH_B) await query(client, front, name, type);
        await settle(expected([BATCH_A, BATCH_B]), 'batch B after the rotation');

        // Restart the collector (a config reload makes a new one): it resumes where the old one
        // stopped, so queries answered meanwhile are counted once, and nothing before them again.
        const restarted = exporter.reload(config, createSources(config));
        for (const [client, type, name] of BATCH_C) await query(client, front, name, type);
        await restarted;
        await settle(expected([BATCH_C]), 'batch C after the restart');

        const text = (await readFile(`${log}.1`, 'utf8')) + (await readFile(log, 'utf8'));
        expect(text.match(/query\[/g)?.length).toBe(1 + BATCH_A.length + BATCH_B.length + BATCH_C.length);
      } finally {
        await exporter.stop();
        await work.remove();
      }
    },
  );
});
