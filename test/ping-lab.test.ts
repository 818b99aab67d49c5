// The ping prober against a lab in network namespaces: two WAN links with 20 ms and 60 ms of delay,
// 5% loss on the second, real iputils and BusyBox ping bound to each WAN's source address.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitions } from '../collectors/index.ts';
import { createSources } from '../exporter/cli.ts';
import { parseConfig } from '../exporter/config.ts';
import { Exporter } from '../exporter/exporter.ts';
import { render } from '../exporter/metrics.ts';
import { parseExposition, toSeriesMap } from '../exporter/parse-exposition.ts';
import { isAlive, processes, tempDir, waitFor } from './helpers.ts';
import { createLab, LAB_TARGET, type Lab } from './lab/netns.ts';

const INTERVAL = 0.02;

function pingExporter(bin: string, targets: object[], extra: object = {}) {
  const yaml = JSON.stringify({
    collectors: {
      ...Object.fromEntries(definitions.map((d) => [d.name, { enabled: false }])),
      ping: { enabled: true, interval_seconds: INTERVAL, timeout_seconds: 1, targets, ...extra },
    },
  });
  const config = parseConfig(yaml, { definitions, flags: [{ flag: 'b', path: ['path', 'bin'], value: [bin] }] });
  const exporter = new Exporter(config, definitions, createSources(config), pino({ level: 'silent' }));
  const series = async () => toSeriesMap(parseExposition(render(await exporter.scrape({ timeoutSeconds: 5 }))));
  return { exporter, series };
}

/** Series of one target, by metric name (histograms by suffix). */
function target(series: Map<string, number>, name: string) {
  const pick = (metric: string) =>
    [...series].find(([k]) => k.startsWith(metric + '{') && k.includes(`target="${name}"`) && !k.includes('le='))?.[1];
  const requests = pick('openwrt_ping_requests_total') ?? 0;
  const responses = pick('openwrt_ping_responses_total') ?? 0;
  const count = pick('openwrt_ping_rtt_seconds_count') ?? 0;
  const sum = pick('openwrt_ping_rtt_seconds_sum') ?? 0;
  return {
    requests,
    responses,
    loss: requests ? 1 - responses / requests : NaN,
    meanMs: count ? (sum / count) * 1000 : NaN,
    up: pick('openwrt_ping_up'),
  };
}

describe('ping prober in a network-namespace lab', () => {
  let lab: Lab;
  let work: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    work = await tempDir('routerscope-lab-');
    lab = await createLab(
      String(process.pid % 10000),
      [
        { name: 'wan1', delayMs: 20, lossPercent: 0 },
        { name: 'wan2', delayMs: 60, lossPercent: 5 },
      ],
      2,
      work.dir,
    );
  });
  afterAll(async () => {
    await lab?.remove();
    await work?.remove();
  });

  it.each(['iputils', 'busybox'] as const)('measures delay and loss per WAN with %s ping', async (flavor) => {
    const [wan1, wan2] = lab.links;
    const { exporter, series } = pingExporter(
      await lab.binDir(flavor),
      [
        { name: 'lab-wan1', host: LAB_TARGET, source: wan1!.routerAddress, labels: { interface: 'wan1' } },
        { name: 'lab-wan2', host: LAB_TARGET, source: wan2!.routerAddress, labels: { interface: 'wan2' } },
      ],
      { flavor },
    );
    exporter.start();
    try {
      const s = await waitFor(
        async () => {
          const now = await series();
          return target(now, 'lab-wan1').requests >= 420 && target(now, 'lab-wan2').requests >= 420 ? now : undefined;
        },
        40000,
        '420 resolved probes on each link',
      );
      for (const [name, link] of [
        ['lab-wan1', wan1!],
        ['lab-wan2', wan2!],
      ] as const) {
        const t = target(s, name);
        expect(Math.abs(t.meanMs - link.delayMs), `${name} mean ${t.meanMs} ms`).toBeLessThanOrEqual(1 + 0.05 * link.delayMs);
        expect(Math.abs(t.loss - link.lossPercent / 100), `${name} loss ${t.loss}`).toBeLessThanOrEqual(0.03);
      }
    } finally {
      await exporter.stop();
    }
  });

  it('reports loss 1 for an unreachable target, with series from the start, and recovers a name that resolves again', async () => {
    const [wan1] = lab.links;
    await lab.setHosts('127.0.0.1 localhost\n');
    const { exporter, series } = pingExporter(
      await lab.binDir('iputils'),
      [
        { name: 'nowhere', host: '10.201.9.99', source: wan1!.routerAddress },
        { name: 'by-name', host: 'lab-target', source: wan1!.routerAddress },
      ],
      { flavor: 'iputils', resolve_interval_seconds: 1 },
    );
    const before = await series();
    expect(target(before, 'nowhere')).toMatchObject({ requests: 0, responses: 0 });
    expect(before.has('openwrt_ping_rtt_seconds_count{kind="target",source="10.201.1.2",target="nowhere"}')).toBe(true);
    exporter.start();
    try {
      const down = await waitFor(
        async () => {
          const s = await series();
          return target(s, 'nowhere').requests >= 50 && target(s, 'by-name').requests >= 5 ? s : undefined;
        },
        20000,
        'losses to accumulate',
      );
      expect(target(down, 'nowhere').loss).toBe(1);
      expect(target(down, 'by-name').loss).toBe(1);
      await lab.setHosts(`127.0.0.1 localhost\n${LAB_TARGET} lab-target\n`);
      const answered = target(down, 'by-name').responses;
      await waitFor(
        async () => (target(await series(), 'by-name').responses > answered + 20 ? true : undefined),
        20000,
        'the name to resolve again',
      );
    } finally {
      await exporter.stop();
    }
  });

  it('restarts a killed ping, leaves no zombie, and does not count twice', async () => {
    const [wan1] = lab.links;
    // Silence past the timeout is loss by design; the restart's 1 s backoff plus a spawn on a busy
    // machine must stay inside it, or the test would count the gap it causes.
    const { exporter, series } = pingExporter(
      await lab.binDir('iputils'),
      [{ name: 'killme', host: LAB_TARGET, source: wan1!.routerAddress }],
      { flavor: 'iputils', timeout_seconds: 3 },
    );
    const started = Date.now();
    exporter.start();
    try {
      await waitFor(async () => (target(await series(), 'killme').responses >= 50 ? true : undefined), 20000, 'replies');
      const pid = (await processes()).find(
        (p) => p.args.includes(`-I ${wan1!.routerAddress} ${LAB_TARGET}`) && p.args.includes('ping -n -i'),
      )!.pid;
      process.kill(pid, 'SIGKILL');
      await waitFor(() => (isAlive(pid) ? undefined : true), 5000, 'ping to die');
      const afterKill = target(await series(), 'killme');
      // Up again once the new ping has run 5 s (it lived only seconds before it was killed, as a
      // ping in a crash loop would).
      await waitFor(
        async () => {
          const now = target(await series(), 'killme');
          return now.responses >= afterKill.responses + 50 && now.up === 1 ? true : undefined;
        },
        20000,
        'replies after the restart, and the prober up',
      );
      const end = target(await series(), 'killme');
      expect(end.up).toBe(1);
      // No more requests than could have been sent, and (no loss on this link) nearly all answered.
      expect(end.requests).toBeLessThanOrEqual((Date.now() - started) / 1000 / INTERVAL + 5);
      expect(end.responses).toBeLessThanOrEqual(end.requests);
      expect(end.loss).toBeLessThan(0.02);
      const zombies = (await processes()).filter((p) => p.ppid === process.pid && p.stat.startsWith('Z'));
      expect(zombies).toEqual([]);
    } finally {
      await exporter.stop();
    }
  });
});
