import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { definitions } from '../collectors/index.ts';
import { exporterCommand, ROOT, tempDir } from '../test/helpers.ts';
import { parseConfig, validateListenAddress, type FlagOverride } from './config.ts';

const load = (text: string | undefined, flags: FlagOverride[] = []) => parseConfig(text, { file: 'routerscope.yml', flags, definitions });
const problems = (text: string | undefined, flags: FlagOverride[] = []): string[] => {
  try {
    load(text, flags);
  } catch (e) {
    return (e as { problems: string[] }).problems;
  }
  throw new Error('expected the config to be rejected');
};

describe('config', () => {
  it('gives typed defaults for an empty file, frozen', () => {
    const config = load('');
    expect(config.web.listen_address).toBe('127.0.0.1:9100');
    expect(config.path.rootfs).toBe('/');
    expect(config.collectors.netdev).toEqual({ enabled: true, device_exclude: '^$' });
    expect(Object.isFrozen(config.collectors.netdev)).toBe(true);
  });

  it('says when a file sets nothing: empty, only comments, or an empty document', () => {
    for (const text of ['', '# routerscope\n# nothing yet\n', '---\n']) expect(load(text).empty).toBe(true);
    expect(load('log:\n  level: info\n').empty).toBe(false);
    expect(load(undefined).empty).toBe(false);
  });

  it('reports 20,000 unknown keys as the first hundred and a count, each with its line', () => {
    const text = 'web:\n' + Array.from({ length: 20_000 }, (_, i) => `  key${i}: 1\n`).join('') + '  key7: 2\n';
    const found = problems(text);
    // The duplicate is a YAML problem and comes first, alone; then the unknown keys once it is gone.
    expect(found).toEqual(['routerscope.yml:20002: invalid YAML: Map keys must be unique']);
    const unknown = problems(text.replace('  key7: 2\n', ''));
    expect(unknown).toHaveLength(101);
    expect(unknown[0]).toBe('routerscope.yml:2: web.key0: unknown key');
    expect(unknown[99]).toBe('routerscope.yml:101: web.key99: unknown key');
    expect(unknown[100]).toBe('routerscope.yml: and 19900 more problems like these');
  });

  it('names the file and line of an alias bomb, and refuses it', () => {
    const rows = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [name, prev] of [
      ['b', 'a'],
      ['c', 'b'],
      ['d', 'c'],
      ['e', 'd'],
      ['f', 'e'],
    ])
      rows.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    expect(problems(rows.join('\n') + '\n')).toEqual([
      'routerscope.yml:2: invalid YAML: Excessive alias count indicates a resource exhaustion attack',
    ]);
  });

  it('escapes control characters from the file in its messages (a NUL never reaches the terminal raw)', () => {
    expect(problems('web:\n  listen\u0000address: 1\n')).toEqual(['routerscope.yml:2: web.listen\\x00address: unknown key']);
    expect(problems('web:\n  listen_address: "a\\0b\\e[2J"\n')[0]).toBe(
      'routerscope.yml:2: web.listen_address: "a\\x00b\\x1b[2J" is not host:port',
    );
  });

  it('lets flags override the file', () => {
    const config = load('web:\n  listen_address: 127.0.0.1:9200\ncollectors:\n  netdev:\n    enabled: true\n', [
      { flag: '--web.listen-address', path: ['web', 'listen_address'], value: '127.0.0.1:9300' },
      { flag: '--no-collector.netdev', path: ['collectors', 'netdev', 'enabled'], value: false },
    ]);
    expect(config.web.listen_address).toBe('127.0.0.1:9300');
    expect(config.collectors.netdev!.enabled).toBe(false);
  });

  it.each([
    ['an unknown top-level key', 'web:\n  listen_address: 127.0.0.1:9100\nwbe: {}\n', ['routerscope.yml:3: wbe: unknown key']],
    [
      'an unknown collector option',
      'collectors:\n  netdev:\n    enabeld: true\n',
      ['routerscope.yml:3: collectors.netdev.enabeld: unknown key'],
    ],
    ['an unknown collector', 'collectors:\n  nosuch:\n    enabled: true\n', ['routerscope.yml:2: collectors.nosuch: unknown key']],
    [
      'a wrong type',
      'collectors:\n  cpu:\n    enabled: "yes"\n',
      ['routerscope.yml:3: collectors.cpu.enabled: expected boolean, got string "yes"'],
    ],
    [
      'a number where a string belongs',
      'log:\n  level: 3\n',
      ['routerscope.yml:2: log.level: expected one of "trace", "debug", "info", "warn", "error", "fatal", got number 3'],
    ],
    [
      'a bad listen address',
      'web:\n  listen_address: localhost\n',
      ['routerscope.yml:2: web.listen_address: "localhost" is not host:port'],
    ],
    [
      'a port out of range',
      'web:\n  listen_address: 127.0.0.1:70000\n',
      ['routerscope.yml:2: web.listen_address: port 70000 is out of range 0-65535'],
    ],
    [
      'a bad regular expression',
      'collectors:\n  netdev:\n    device_exclude: "(lo"\n',
      [
        'routerscope.yml:3: collectors.netdev.device_exclude: invalid regular expression: Invalid regular expression: /(lo/: Unterminated group',
      ],
    ],
    ['a list where a mapping belongs', 'collectors: [cpu]\n', ['routerscope.yml:1: collectors: expected object, got a list']],
    [
      'invalid YAML',
      'web:\n  listen_address: [\n',
      ['routerscope.yml:3: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ],
    ['a duplicate key', 'log:\n  level: info\nlog:\n  level: debug\n', ['routerscope.yml:3: invalid YAML: Map keys must be unique']],
    [
      'a target that is not ssh://',
      'target:\n  url: http://router\n',
      ['routerscope.yml:2: target.url: "http://router" is not ssh://user@host[:port]'],
    ],
    [
      'an unknown host key policy',
      'target:\n  strict_host_key_checking: no\n',
      ['routerscope.yml:2: target.strict_host_key_checking: expected one of "yes", "accept-new", got string "no"'],
    ],
  ])('rejects %s with a message naming key and line', (_what, text, expected) => {
    expect(problems(text)).toEqual(expected);
  });

  it('names the flag when a flag is wrong', () => {
    expect(problems('', [{ flag: '--web.listen-address', path: ['web', 'listen_address'], value: '127.0.0.1:x' }])).toEqual([
      'flag --web.listen-address: web.listen_address: "127.0.0.1:x" is not host:port',
    ]);
  });

  it('reports every problem at once', () => {
    expect(problems('wbe: 1\ncollectors:\n  cpu:\n    enabled: 1\n')).toHaveLength(2);
  });

  it('says which bound a value breaks, in words (not "Invalid input")', () => {
    const text =
      'web:\n  scrape_timeout_seconds: 900\npath:\n  bin: []\ncollectors:\n  dnsmasq:\n    top_domains: 1.5\n  ping:\n    targets: [{name: "", host: x}]\n';
    expect(problems(text)).toEqual([
      'routerscope.yml:2: web.scrape_timeout_seconds: Too big: expected number to be <=300',
      'routerscope.yml:4: path.bin: Too small: expected array to have >=1 items',
      'routerscope.yml:7: collectors.dnsmasq.top_domains: expected int, got number 1.5',
      'routerscope.yml:9: collectors.ping.targets.0.name: Too small: expected string to have >=1 characters',
    ]);
  });

  it.each([
    ['127.0.0.1:9100', undefined],
    ['[::1]:9100', undefined],
    [':9100', undefined],
    ['router.lan:9100', undefined],
    ['[::x]:9100', '"::x" is not an IPv6 address'],
    ['bad host!:1', '"bad host!" is not an IP address or host name'],
    ['127.0.0.1:0', undefined],
    ['127.0.0.1:', '"127.0.0.1:" is not host:port'],
  ])('validates listen address %s', (address, problem) => {
    expect(validateListenAddress(address)).toBe(problem);
  });
});

describe('renamed keys', () => {
  const OLD = `collectors:
  clients:
    expose_identities: false
    anonymize: omit
    identity_salt: a-long-salt
  ping:
    targets:
      - {name: a, host: 192.0.2.1, interval: 5}
      - {name: b, host: 192.0.2.2}
    access_points:
      - {name: garden, ip: 192.168.1.3}
  snmp:
    targets:
      - {name: switch, host: 192.0.2.9, interval: 60, timeout: 4}
`;

  it('reads each old spelling as the new one, with a deprecation line for each', () => {
    const config = load(OLD);
    expect(config.privacy).toEqual({ expose_identities: false, anonymize: 'omit', identity_salt: 'a-long-salt' });
    expect(config.collectors.ping).toMatchObject({
      targets: [{ name: 'a', interval_seconds: 5 }, { name: 'b' }],
      access_points: [{ name: 'garden', host: '192.168.1.3' }],
    });
    expect(config.collectors.snmp).toMatchObject({ targets: [{ name: 'switch', interval_seconds: 60, timeout_seconds: 4 }] });
    expect(config.deprecations).toEqual([
      'routerscope.yml: collectors.snmp.targets.0.interval is deprecated: call it collectors.snmp.targets.0.interval_seconds',
      'routerscope.yml: collectors.snmp.targets.0.timeout is deprecated: call it collectors.snmp.targets.0.timeout_seconds',
      'routerscope.yml: collectors.ping.targets.0.interval is deprecated: call it collectors.ping.targets.0.interval_seconds',
      'routerscope.yml: collectors.ping.access_points.0.ip is deprecated: call it collectors.ping.access_points.0.host',
      'routerscope.yml: collectors.clients.expose_identities is deprecated: call it privacy.expose_identities',
      'routerscope.yml: collectors.clients.anonymize is deprecated: call it privacy.anonymize',
      'routerscope.yml: collectors.clients.identity_salt is deprecated: call it privacy.identity_salt',
    ]);
  });

  it('gives the same config as the new spelling', () => {
    const NEW = `privacy: {expose_identities: false, anonymize: omit, identity_salt: a-long-salt}
collectors:
  clients: {}
  ping:
    targets:
      - {name: a, host: 192.0.2.1, interval_seconds: 5}
      - {name: b, host: 192.0.2.2}
    access_points:
      - {name: garden, host: 192.168.1.3}
  snmp:
    targets:
      - {name: switch, host: 192.0.2.9, interval_seconds: 60, timeout_seconds: 4}
`;
    const fresh = load(NEW);
    expect(fresh.deprecations).toEqual([]);
    expect({ ...load(OLD), deprecations: [] }).toEqual(fresh);
  });

  it('refuses a key set in both spellings', () => {
    expect(problems('privacy: {anonymize: hash}\ncollectors:\n  clients: {anonymize: omit}\n')).toEqual([
      'routerscope.yml: collectors.clients.anonymize: set twice, also as privacy.anonymize: keep only the new key',
    ]);
  });
});

describe('routerscope check-config', () => {
  const run = promisify(execFile);
  const checkConfig = (args: string[]) =>
    run(process.execPath, [...exporterCommand(), 'check-config', ...args], { cwd: ROOT }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  it('exits 2 with the problem and its line for a bad file, and for a bad flag', async () => {
    const tmp = await tempDir();
    const file = path.join(tmp.dir, 'bad.yml');
    await writeFile(file, 'collectors:\n  netdev:\n    enabeld: true\n');
    const bad = await checkConfig(['--config.file', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`routerscope: invalid configuration\n${file}:3: collectors.netdev.enabeld: unknown key\n`);
    const badFlag = await checkConfig(['--web.listen-address', 'nowhere']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain('flag --web.listen-address: web.listen_address: "nowhere" is not host:port');
    const good = await checkConfig(['--no-collector.netdev']);
    expect(good.code).toBe(0);
    expect(good.stdout).toBe(
      `config OK; collectors: ${definitions
        .filter((d) => d.defaultEnabled && d.name !== 'netdev')
        .map((d) => d.name)
        .join(', ')}\n`,
    );
    expect(good.stdout).not.toContain('netdev');
    await tmp.remove();
  });

  it('--collector.disable-defaults keeps only what a flag or the file enables, as node_exporter does', async () => {
    const tmp = await tempDir();
    const file = path.join(tmp.dir, 'routerscope.yml');
    await writeFile(file, 'collectors:\n  uname:\n    enabled: true\n  netdev:\n    enabled: false\n');
    const result = await checkConfig(['--config.file', file, '--collector.disable-defaults', '--collector.loadavg']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`config OK (${file}); collectors: loadavg, uname\n`);
    const flagsOnly = await checkConfig(['--collector.disable-defaults', '--collector.meminfo', '--no-collector.loadavg']);
    expect(flagsOnly.stdout).toBe('config OK; collectors: meminfo\n');
    await tmp.remove();
  });

  it('says that a comment-only file sets nothing, and still passes it', async () => {
    const tmp = await tempDir();
    const file = path.join(tmp.dir, 'routerscope.yml');
    await writeFile(file, '# collectors:\n#   netdev:\n#     enabled: false\n');
    const result = await checkConfig(['--config.file', file]);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(`${file}: sets nothing (empty or only comments): every default applies`);
    expect(result.stdout).toContain(`config OK (${file})`);
    await tmp.remove();
  });
});
