// The background kit's tests in one place: a Follower of `logread -f` restarted mid-stream (replay
// skipped at any cut), one of a log file through rotation, truncation and a restart in the same
// process, its three health series, and Periodic never running a task twice at once.
import { existsSync } from 'node:fs';
import { appendFile, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parseLogLine, ReplayFilter } from '../openwrt/logread.ts';
import { capture } from '../test/captures.ts';
import { tempDir, waitFor, writeScript } from '../test/helpers.ts';
import { Follower, Periodic } from './follower.ts';
import { LineStream } from './line-stream.ts';
import { MetricSink, render } from './metrics.ts';
import { parseExposition, toSeriesMap } from './parse-exposition.ts';

import { LocalSources } from './sources.ts';

const log = pino({ level: 'silent' });
const story = capture('logread/constructed-logread-pppoe-and-link-events.log').trim().split('\n');

async function router() {
  const tmp = await tempDir('routerscope-follower-');
  const sources = new LocalSources({ rootfs: tmp.dir, binPath: [tmp.dir], commandTimeoutMs: 1000, maxOutputBytes: 1 << 20 });
  return { ...tmp, sources };
}

function follow(sources: LocalSources, file?: string) {
  const lines: string[] = [];
  const follower = new Follower({ sources, file, onLine: (l) => lines.push(l), log });
  return { follower, lines };
}

describe('Follower of logread -f', () => {
  it.each([1, 10, 17, 30, story.length - 1])(
    'gives every line once when logread dies after %i lines and replays the buffer',
    async (cut) => {
      const { dir, sources, remove } = await router();
      await writeFile(path.join(dir, 'buffer'), story.join('\n') + '\n');
      // The first logread prints `cut` lines and dies; the next prints the whole buffer and waits.
      await writeScript(
        path.join(dir, 'logread'),
        `if [ -e "${dir}/ran" ]; then cat "${dir}/buffer"; exec sleep 600; fi\ntouch "${dir}/ran"; head -n ${cut} "${dir}/buffer"`,
      );
      const { follower, lines } = follow(sources);
      try {
        follower.start();
        await waitFor(() => (follower.restarts === 1 && lines.length >= story.length ? true : undefined), 10000, 'the restarted logread');
        await new Promise((r) => setTimeout(r, 200));
        expect(lines).toEqual(story);
        expect(follower.lines).toBe(story.length);
      } finally {
        await follower.stop();
        await remove();
      }
    },
  );

  it('starts nothing when asked to start after it was stopped (a reload that came before the first refresh)', async () => {
    const { dir, sources, remove } = await router();
    await writeScript(path.join(dir, 'logread'), `touch "${dir}/started"; exec sleep 600`);
    const { follower } = follow(sources);
    await follower.stop();
    follower.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(follower.running).toBe(false);
    expect(existsSync(path.join(dir, 'started'))).toBe(false);
    await remove();
  });

  it('reports its health as the same three series for every collector', async () => {
    const { dir, sources, remove } = await router();
    await writeScript(path.join(dir, 'logread'), `printf '%s\\n' "${story[0]}" "${story[1]}"; exec sleep 600`);
    const { follower } = follow(sources);
    try {
      follower.start();
      await waitFor(() => (follower.lines === 2 ? true : undefined), 5000, 'two lines');
      const out = new MetricSink();
      follower.report(out, 'events');
      expect(Object.fromEntries(toSeriesMap(parseExposition(render(out.result()))))).toEqual({
        'routerscope_follower_up{collector="events"}': 1,
        'routerscope_follower_restarts_total{collector="events"}': 0,
        'routerscope_follower_lines_total{collector="events"}': 2,
      });
    } finally {
      await follower.stop();
      await remove();
    }
    const out = new MetricSink();
    follower.report(out, 'events');
    expect(toSeriesMap(parseExposition(render(out.result()))).get('routerscope_follower_up{collector="events"}')).toBe(0);
  });
});

describe('LineStream health', () => {
  it('reads a process that keeps dying as down, even while one of its short lives runs; one that stays, or restarts after a long life, is up', async () => {
    const { dir, sources, remove } = await router();
    // Lives 150 ms, then fails, until a `stay` file appears.
    await writeScript(path.join(dir, 'logread'), `[ -e "${dir}/stay" ] && exec sleep 600; sleep 0.15; exit 1`);
    const stream = new LineStream({
      sources,
      command: 'logread',
      args: ['-f'],
      onLine: () => {},
      log,
      minBackoffMs: 50,
      maxBackoffMs: 100,
      settleMs: 400,
    });
    try {
      stream.start();
      await waitFor(() => (stream.starts >= 2 ? true : undefined), 5000, 'a restart');
      const seen = { running: 0, up: 0 };
      for (let i = 0; i < 60; i++) {
        if (stream.running) seen.running++;
        if (stream.up) seen.up++;
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(seen.running).toBeGreaterThan(0);
      expect(seen.up).toBe(0);
      await writeFile(path.join(dir, 'stay'), '');
      await waitFor(() => (stream.up ? true : undefined), 5000, 'the process that stays to count as up');
      expect(stream.running).toBe(true);
      // One that ran a while and was killed (logd restarted) is up again as soon as it runs.
      const pid = stream.pid!;
      process.kill(pid, 'SIGKILL');
      await waitFor(() => (stream.running && stream.pid !== pid ? true : undefined), 5000, 'the restart');
      expect(stream.up).toBe(true);
    } finally {
      await stream.stop();
      await remove();
    }
  });
});

describe('the replay filter', () => {
  it('counts identical lines within one second each time they happen', () => {
    const line = "Sun Nov 22 08:00:01 2026 daemon.notice netifd: Interface 'wan' is now up";
    const time = parseLogLine(line)!.time;
    const filter = new ReplayFilter();
    filter.restart();
    const first = [filter.accept(line, time), filter.accept(line, time)];
    filter.restart();
    const replayed = [filter.accept(line, time), filter.accept(line, time), filter.accept(line, time)];
    expect(first).toEqual([true, true]);
    expect(replayed).toEqual([false, false, true]); // two replayed, the third one new
  });

  it('drops a line older than the newest passed', () => {
    const filter = new ReplayFilter();
    expect(filter.accept('b', 200)).toBe(true);
    expect(filter.accept('a', 100)).toBe(false);
  });
});

describe('Follower of a log file', () => {
  it('starts at the end, and follows appends, a rotation, a truncation and a restart without loss or repeat', async () => {
    const { dir, sources, remove } = await router();
    const file = path.join(dir, 'dnsmasq.log');
    await writeFile(file, 'old 1\nold 2\n');
    let { follower, lines } = follow(sources, '/dnsmasq.log');
    const until = (n: number, what: string) => waitFor(() => (lines.length >= n ? true : undefined), 5000, what);
    try {
      follower.start();
      await new Promise((r) => setTimeout(r, 400));
      await appendFile(file, 'a\nb\n');
      await until(2, 'the appended lines');
      // Rotated as logrotate does: the old file gets a last line, then a new file appears.
      await appendFile(file, 'c\n');
      await rename(file, `${file}.1`);
      await writeFile(file, 'd1\nd2\n');
      await until(5, 'the rotated and the new file');
      // Truncated in place (shorter than what was read): read again from the start.
      await writeFile(file, 'e\n');
      await until(6, 'the truncated file');
      expect(lines).toEqual(['a', 'b', 'c', 'd1', 'd2', 'e']);
      expect(follower.restarts).toBe(1);
      // A config reload: a new follower resumes where the last one stopped.
      await follower.stop();
      await appendFile(file, 'f\n');
      ({ follower, lines } = follow(sources, '/dnsmasq.log'));
      follower.start();
      await until(1, 'the line written between the two followers');
      await appendFile(file, 'g\n');
      await until(2, 'the next line');
      expect(lines).toEqual(['f', 'g']);
    } finally {
      await follower.stop();
      await remove();
    }
  });
});

describe('Periodic', () => {
  it('runs at once when asked, then every interval, never twice at once', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    const task = new Periodic(0.02, async () => {
      running++;
      most = Math.max(most, running);
      runs++;
      await new Promise((r) => setTimeout(r, 70));
      running--;
    });
    await task.start(true);
    expect(runs).toBe(1);
    await waitFor(() => (runs >= 3 ? true : undefined), 5000, 'three runs');
    task.stop();
    expect(most).toBe(1);
  });
});
