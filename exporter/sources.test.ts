import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { isAlive, tempDir, waitFor, writeScript } from '../test/helpers.ts';
import { LineStream } from './line-stream.ts';
import { LocalSources } from './sources.ts';

async function binDir() {
  const tmp = await tempDir();
  const sources = new LocalSources({ rootfs: tmp.dir, binPath: [tmp.dir], commandTimeoutMs: 1000, maxOutputBytes: 1024 });
  return { ...tmp, sources };
}

describe('LocalSources commands', () => {
  it('passes arguments without a shell', async () => {
    const { dir, sources, remove } = await binDir();
    await writeScript(path.join(dir, 'echoargs'), 'for a in "$@"; do echo "[$a]"; done');
    const { stdout } = await sources.run('echoargs', ['wan;reboot', '$(id)', 'a b']);
    expect(stdout).toBe('[wan;reboot]\n[$(id)]\n[a b]\n');
    await remove();
  });

  it('refuses names that are paths or options, and names the bin path for a missing command', async () => {
    const { dir, sources, remove } = await binDir();
    await expect(sources.run('../bin/sh', [])).rejects.toThrow('invalid command name "../bin/sh"');
    await expect(sources.run('-f', [])).rejects.toThrow('invalid command name "-f"');
    await expect(sources.run('nosuch', [])).rejects.toThrow(`command "nosuch" not found in --path.bin (${dir})`);
    await remove();
  });

  it('looks for a missing command again after a minute, not on every scrape', async () => {
    const { dir, sources, remove } = await binDir();
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      await expect(sources.run('late', [])).rejects.toThrow('command "late" not found');
      await writeScript(path.join(dir, 'late'), 'echo here');
      await expect(sources.run('late', [])).rejects.toThrow('command "late" not found');
      vi.setSystemTime(Date.now() + 61_000);
      expect((await sources.run('late', [])).stdout).toBe('here\n');
    } finally {
      vi.useRealTimers();
      await remove();
    }
  });

  it('kills a command that runs past its timeout, children included', async () => {
    const { dir, sources, remove } = await binDir();
    await writeScript(path.join(dir, 'hang'), `sleep 600 & echo $! > '${dir}/pid'; wait`);
    await expect(sources.run('hang', ['x'], { timeoutMs: 300 })).rejects.toThrow('hang x: timed out after 300 ms');
    const pid = Number(await readFile(path.join(dir, 'pid'), 'utf8'));
    await waitFor(() => (isAlive(pid) ? undefined : true), 5000, 'the child to die');
    await remove();
  });

  it.each([
    ['a background grandchild', `sleep 600 & echo $! > "$1/pid"; echo started`],
    ['a daemonising helper (setsid)', `setsid sleep 600 & echo $! > "$1/pid"; echo started`],
  ])('finishes at its deadline a command that exits while %s holds its output open, naming it', async (_what, body) => {
    const { dir, sources, remove } = await binDir();
    await writeScript(path.join(dir, 'daemonise'), body);
    await expect(sources.run('daemonise', [dir], { timeoutMs: 400 })).rejects.toThrow(`daemonise ${dir}: timed out after 400 ms`);
    const pid = Number(await readFile(path.join(dir, 'pid'), 'utf8'));
    // The one in our process group is killed; the one that left it is not ours, but holds nothing of ours.
    if (!body.startsWith('setsid')) await waitFor(() => (isAlive(pid) ? undefined : true), 5000, 'the grandchild to die');
    else process.kill(pid, 'SIGKILL');
    await remove();
  });

  it('stops a command whose output exceeds the cap', async () => {
    const { dir, sources, remove } = await binDir();
    await writeScript(path.join(dir, 'flood'), 'yes routerscope');
    await expect(sources.run('flood', [])).rejects.toThrow('flood: output exceeds 1024 bytes');
    await remove();
  });

  it('stops a command when the scrape is aborted', async () => {
    const { dir, sources, remove } = await binDir();
    await writeScript(path.join(dir, 'slow'), 'sleep 5');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(sources.run('slow', [], { signal: controller.signal })).rejects.toThrow('slow: aborted (scrape deadline)');
    await remove();
  });
});

describe('LineStream', () => {
  it('restarts a command that ends, and delivers every line of each run', async () => {
    const { dir, sources, remove } = await binDir();
    await writeScript(path.join(dir, 'emit'), 'echo one; echo two');
    const lines: string[] = [];
    const stream = new LineStream({
      sources,
      command: 'emit',
      args: [],
      onLine: (l) => lines.push(l),
      log: pino({ level: 'silent' }),
      minBackoffMs: 20,
    });
    stream.start();
    await waitFor(() => (stream.starts >= 3 ? true : undefined), 5000, 'three starts');
    await stream.stop();
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(lines.slice(0, 4)).toEqual(['one', 'two', 'one', 'two']);
    await remove();
  });

  it('kills its process on stop', async () => {
    const { dir, sources, remove } = await binDir();
    await writeScript(path.join(dir, 'follow'), 'echo ready; exec sleep 600');
    const stream = new LineStream({ sources, command: 'follow', args: [], onLine: () => {}, log: pino({ level: 'silent' }) });
    stream.start();
    const pid = await waitFor(() => stream.pid, 5000, 'start');
    await stream.stop();
    expect(isAlive(pid)).toBe(false);
    await remove();
  });
});
