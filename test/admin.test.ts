// The admin listener as a process over the BPI-R4 test router, with the UCI test double keeping
// real files: hostile requests change nothing, apply-without-confirm restores the files byte for
// byte, and the diagnostics bundle holds none of the router's secrets.
import { once } from 'node:events';
import { access, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startAdminLab, TOKEN, type AdminLab } from './admin-lab.ts';
import { ROOT, startExporter, waitFor } from './helpers.ts';
import { SSH_SERVERS, startSshLab, type SshLab } from './ssh-lab.ts';

const ARRANGEMENT = { primary: 'wan1', bonded: ['wan2', 'wan3'], standby: [], disabled: ['wan4'] };

/** Apply, refuse a second change, roll back unconfirmed, keep confirmed: locally and agentless. */
function applyAndRollback(labOf: () => AdminLab): void {
  let lab: AdminLab;
  beforeAll(() => {
    lab = labOf();
  });

  /** The files back byte for byte (network and OMR's), and the network reloaded that many times. */
  async function restoredAndReloaded(original: { network: string; omr: string }, reloads: number): Promise<void> {
    const restored = async () =>
      (await lab.configFile('network')) === original.network && (await lab.configFile('openmptcprouter')) === original.omr;
    await waitFor(async () => ((await restored()) ? true : undefined), 15000, 'the rollback');
    await waitFor(async () => ((await lab.reloads()) === reloads ? true : undefined), 5000, 'the reload after the rollback');
  }

  it('restores the files byte for byte when a change is not confirmed; a second change meanwhile gets 409', async () => {
    const original = { network: await lab.configFile('network'), omr: await lab.configFile('openmptcprouter') };
    const reloads = await lab.reloads();
    const applied = await call(lab.url, 'PUT', '/api/wan/policy', { body: ARRANGEMENT });
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({ applied: true });
    expect(await lab.configFile('network')).toMatch(/config interface 'wan3'\n(\t.*\n)*\toption multipath 'on'/);
    expect(await lab.configFile('openmptcprouter')).toMatch(/config interface 'wan3'\n\toption multipath 'on'/);
    expect(await lab.reloads()).toBe(reloads + 1);
    const second = await call(lab.url, 'PATCH', '/api/wan/wan1', { body: { mtu: 1492 } });
    expect(second.status).toBe(409);
    expect(String(second.body!.error)).toMatch(/^a change is waiting for confirmation until .+: confirm it or let it roll back first$/);
    // No confirmation within 5 s: the originals come back, and the network reloads again.
    await restoredAndReloaded(original, reloads + 2);
    await waitFor(async () => ((await lab.audit()).some((a) => a.result === 'rolled back') ? true : undefined), 5000, 'the audit line');
    await expect(access(path.join(lab.router.dir, 'rootfs', 'etc', 'routerscope-pending'))).rejects.toThrow();
  });

  it('survives the exporter killed mid-change: the guard on the router restores and reloads, the next start audits it', async () => {
    const original = { network: await lab.configFile('network'), omr: await lab.configFile('openmptcprouter') };
    const reloads = await lab.reloads();
    expect((await call(lab.url, 'PUT', '/api/wan/policy', { body: ARRANGEMENT })).status).toBe(200);
    expect(await lab.configFile('network')).not.toBe(original.network);
    const died = once(lab.exporter.process, 'exit');
    lab.exporter.process.kill('SIGKILL');
    await died;
    await restoredAndReloaded(original, reloads + 2);
    await lab.restart();
    const audit = await waitFor(
      async () => {
        const lines = await lab.audit();
        return lines.some((a) => a.result === 'rolled back while routerscope was down') ? lines : undefined;
      },
      10000,
      'the audit line at start-up',
    );
    expect(audit.at(-1)).toMatchObject({ client: 'start-up', method: 'ROLLBACK', change: 'WAN policy' });
    await expect(access(path.join(lab.router.dir, 'rootfs', 'etc', 'routerscope-pending'))).rejects.toThrow();
    // The restored network is the one in force: a new change is accepted.
    expect((await call(lab.url, 'GET', '/api/wan')).body).toMatchObject({ pending: null });
  });

  it('keeps a confirmed change', async () => {
    const applied = await call(lab.url, 'PATCH', '/api/wan/wan1', { body: { mtu: 1492, dns: ['1.1.1.1', '2606:4700:4700::1111'] } });
    expect(applied.status).toBe(200);
    const confirmed = await call(lab.url, 'POST', '/api/wan/confirm');
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toEqual({ confirmed: 'settings of wan1' });
    await new Promise((r) => setTimeout(r, 6000)); // past the confirmation timeout
    const network = await lab.configFile('network');
    expect(network).toMatch(/config interface 'wan1'\n(\t.*\n)*\toption mtu '1492'/);
    expect(network).toContain("\tlist dns '1.1.1.1'\n\tlist dns '2606:4700:4700::1111'");
    expect((await call(lab.url, 'POST', '/api/wan/confirm')).status).toBe(409);
    const audit = await lab.audit();
    const change = audit.find((a) => a.path === '/api/wan/wan1' && a.result === 'applied, awaiting confirmation')!;
    expect(change).toMatchObject({ client: '127.0.0.1', method: 'PATCH', before: { proto: 'dhcp' }, after: { mtu: 1492 } });
    expect(audit.some((a) => a.result === 'confirmed')).toBe(true);
  });

  it('rolls back at once when the exporter is stopped (SIGTERM) during the window', async () => {
    const original = { network: await lab.configFile('network'), omr: await lab.configFile('openmptcprouter') };
    const reloads = await lab.reloads();
    expect((await call(lab.url, 'PUT', '/api/wan/policy', { body: ARRANGEMENT })).status).toBe(200);
    await lab.exporter.stop();
    // Restored before the 5 s confirmation timeout could have done it.
    expect(await lab.configFile('network')).toBe(original.network);
    expect(await lab.configFile('openmptcprouter')).toBe(original.omr);
    await restoredAndReloaded(original, reloads + 2);
    expect((await lab.audit()).at(-1)).toMatchObject({ result: 'rolled back', change: 'WAN policy' });
    await lab.restart();
  });
}

describe('admin listener', () => {
  let lab: AdminLab;
  beforeAll(async () => {
    lab = await startAdminLab({
      allow: ['127.0.0.1/32', '::1'],
      host_names: ['router.lan'],
      confirm_timeout_seconds: 5,
      max_body_bytes: 1024,
    });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('lists the WANs with policy, effective mode, status and addressing', async () => {
    const r = await call(lab.url, 'GET', '/api/wan');
    expect(r.status).toBe(200);
    const wans = r.body!.wans as Array<Record<string, unknown>>;
    expect(wans.map((w) => [w.interface, w.policy, w.effective_mode])).toEqual([
      ['wan1', 'primary', 'on'],
      ['wan2', 'bonded', 'off'],
      ['wan3', 'standby', 'backup'],
      ['wan4', 'disabled', 'off'],
    ]);
    expect(wans[0]).toMatchObject({ status: { up: true, device: 'wan' }, addressing: { proto: 'dhcp', addresses: ['100.66.12.34/22'] } });
  });

  it.each([
    ['no token', { token: null }, 'GET', '/api/wan', 401, 'missing or wrong token: send Authorization: Bearer <token>'],
    ['a wrong token', { token: 'x'.repeat(32) }, 'GET', '/api/wan', 401, 'missing or wrong token: send Authorization: Bearer <token>'],
    ['a non-allowed address', { from: '127.0.0.3' }, 'GET', '/api/wan', 403, 'address 127.0.0.3 is not allowed'],
    [
      'an oversized body',
      { raw: JSON.stringify({ ...ARRANGEMENT, pad: 'x'.repeat(2000) }) },
      'PUT',
      '/api/wan/policy',
      413,
      'the body is larger than 1024 bytes',
    ],
    [
      'a body that is not JSON',
      { raw: 'primary=wan1', type: 'application/x-www-form-urlencoded' },
      'PUT',
      '/api/wan/policy',
      415,
      'the body must be JSON (Content-Type: application/json)',
    ],
    ['broken JSON', { raw: '{"primary":' }, 'PUT', '/api/wan/policy', 400, 'the body is not valid JSON'],
    [
      'two primaries',
      { body: { ...ARRANGEMENT, primary: ['wan1', 'wan2'], bonded: ['wan3'] } },
      'PUT',
      '/api/wan/policy',
      400,
      'exactly one primary WAN is required: "primary" must be one WAN name',
    ],
    [
      'an unknown WAN',
      { body: { ...ARRANGEMENT, disabled: ['wan9', 'wan4'] } },
      'PUT',
      '/api/wan/policy',
      400,
      'unknown WAN "wan9": the WANs are wan1, wan2, wan3, wan4',
    ],
    ['a WAN placed twice', { body: { ...ARRANGEMENT, standby: ['wan2'] } }, 'PUT', '/api/wan/policy', 400, 'WAN "wan2" is placed twice'],
    [
      'a WAN left out',
      { body: { primary: 'wan1', bonded: ['wan2'], standby: ['wan3'] } },
      'PUT',
      '/api/wan/policy',
      400,
      'every WAN must be placed; missing: wan4',
    ],
    [
      'shell metacharacters as primary',
      { body: { ...ARRANGEMENT, primary: 'wan;reboot' } },
      'PUT',
      '/api/wan/policy',
      400,
      'unknown WAN "wan;reboot": the WANs are wan1, wan2, wan3, wan4',
    ],
    [
      'an option as a WAN',
      { body: { ...ARRANGEMENT, bonded: ['-f', 'wan2', 'wan3'] } },
      'PUT',
      '/api/wan/policy',
      400,
      'unknown WAN "-f": the WANs are wan1, wan2, wan3, wan4',
    ],
    [
      'a path as a WAN',
      { body: { ...ARRANGEMENT, standby: ['../x'] } },
      'PUT',
      '/api/wan/policy',
      400,
      'unknown WAN "../x": the WANs are wan1, wan2, wan3, wan4',
    ],
    [
      'command substitution as a WAN',
      { body: { ...ARRANGEMENT, disabled: ['$(reboot)'] } },
      'PUT',
      '/api/wan/policy',
      400,
      'unknown WAN "$(reboot)": the WANs are wan1, wan2, wan3, wan4',
    ],
    [
      'an unknown field',
      { body: { ...ARRANGEMENT, handover: [] } },
      'PUT',
      '/api/wan/policy',
      400,
      'unknown field "handover": use primary, bonded, standby and disabled',
    ],
    [
      'shell metacharacters in the WAN path',
      { body: { mtu: 1500 } },
      'PATCH',
      '/api/wan/wan;reboot',
      404,
      'unknown WAN "wan;reboot": the WANs are wan1, wan2, wan3, wan4',
    ],
    [
      'an option in the WAN path',
      { body: { mtu: 1500 } },
      'PATCH',
      '/api/wan/-f',
      404,
      'unknown WAN "-f": the WANs are wan1, wan2, wan3, wan4',
    ],
    [
      'a path in the WAN path',
      { body: { mtu: 1500 } },
      'PATCH',
      '/api/wan/..%2Fx',
      404,
      'unknown WAN "../x": the WANs are wan1, wan2, wan3, wan4',
    ],
    ['MTU 575', { body: { mtu: 575 } }, 'PATCH', '/api/wan/wan1', 400, 'mtu must be a whole number from 576 to 9000, not 575'],
    ['MTU 9001', { body: { mtu: 9001 } }, 'PATCH', '/api/wan/wan1', 400, 'mtu must be a whole number from 576 to 9000, not 9001'],
    [
      'MTU with a command',
      { body: { mtu: '1500;reboot' } },
      'PATCH',
      '/api/wan/wan1',
      400,
      'mtu must be a whole number from 576 to 9000, not "1500;reboot"',
    ],
    [
      'a bad IP',
      { body: { proto: 'static', ipaddr: '300.1.1.1', netmask: '255.255.255.0' } },
      'PATCH',
      '/api/wan/wan1',
      400,
      'ipaddr must be an IPv4 address, not "300.1.1.1"',
    ],
    [
      'an IP with a command',
      { body: { proto: 'static', ipaddr: '192.0.2.5;reboot', netmask: '255.255.255.0' } },
      'PATCH',
      '/api/wan/wan1',
      400,
      'ipaddr must be an IPv4 address, not "192.0.2.5;reboot"',
    ],
    [
      'an option as a gateway',
      { body: { proto: 'static', ipaddr: '192.0.2.5', netmask: '255.255.255.0', gateway: '-f' } },
      'PATCH',
      '/api/wan/wan1',
      400,
      'gateway must be an IPv4 address, not "-f"',
    ],
    [
      'a bad netmask',
      { body: { proto: 'static', ipaddr: '192.0.2.5', netmask: '255.0.255.0' } },
      'PATCH',
      '/api/wan/wan1',
      400,
      'netmask must be a dotted netmask such as 255.255.255.0, not "255.0.255.0"',
    ],
    ['an option as DNS', { body: { dns: ['-f'] } }, 'PATCH', '/api/wan/wan1', 400, 'dns server "-f" is not an IP address'],
    [
      'three DNS servers',
      { body: { dns: ['1.1.1.1', '8.8.8.8', '9.9.9.9'] } },
      'PATCH',
      '/api/wan/wan1',
      400,
      'dns must be a list of at most two addresses',
    ],
    ['a path as proto', { body: { proto: '../x' } }, 'PATCH', '/api/wan/wan1', 400, 'proto must be "dhcp" or "static", not "../x"'],
    ['static without an address', { body: { proto: 'static' } }, 'PATCH', '/api/wan/wan1', 400, 'a static WAN needs ipaddr'],
  ])('rejects %s, and changes nothing', async (_what, options, method, pathname, status, message) => {
    const before = { network: await lab.configFile('network'), omr: await lab.configFile('openmptcprouter'), reloads: await lab.reloads() };
    const audited = (await lab.audit()).length;
    const r = await call(lab.url, method, pathname, options);
    expect(r.status).toBe(status);
    // A settings error also names its field (the page shows the message beside it): one the message is about.
    const { error, field, ...rest } = r.body ?? {};
    expect({ error, rest }).toEqual({ error: message, rest: {} });
    if (pathname.startsWith('/api/wan/wan1')) expect(message).toContain(String(field));
    else expect(field).toBeUndefined();
    expect({
      network: await lab.configFile('network'),
      omr: await lab.configFile('openmptcprouter'),
      reloads: await lab.reloads(),
    }).toEqual(before);
    // A change that fails validation is audited with its cause; refusals before it (auth, body) are not.
    const validationFailed = status === 400 && message !== 'the body is not valid JSON';
    expect((await lab.audit()).slice(audited)).toEqual(
      validationFailed ? [expect.objectContaining({ method, result: `rejected: ${message}` })] : [],
    );
  });

  it('shows the plan on a dry run, as argument arrays, and changes nothing', async () => {
    const before = await lab.configFile('network');
    const r = await call(lab.url, 'PUT', '/api/wan/policy?dry_run=1', { body: ARRANGEMENT });
    expect(r.status).toBe(200);
    const confdir = path.join(lab.router.dir, 'rootfs', 'etc', 'config');
    expect(r.body!.commands).toEqual([
      ['uci', '-c', confdir, 'set', 'network.wan1.multipath=master'],
      ['uci', '-c', confdir, 'set', 'openmptcprouter.wan1.multipath=master'],
      ['uci', '-c', confdir, 'set', 'network.wan2.multipath=on'],
      ['uci', '-c', confdir, 'set', 'openmptcprouter.wan2.multipath=on'],
      ['uci', '-c', confdir, 'set', 'network.wan3.multipath=on'],
      ['uci', '-c', confdir, 'set', 'openmptcprouter.wan3.multipath=on'],
      ['uci', '-c', confdir, 'set', 'network.wan4.multipath=off'],
      ['uci', '-c', confdir, 'set', 'network.wan4.disabled=1'],
      ['uci', '-c', confdir, 'commit', 'network'],
      ['uci', '-c', confdir, 'commit', 'openmptcprouter'],
      ['ubus', 'call', 'network', 'reload'],
    ]);
    expect(await lab.configFile('network')).toBe(before);
  });

  applyAndRollback(() => lab);

  it('never ends with an unconfirmed change when PUTs hammer the rollback window', async () => {
    const original = { network: await lab.configFile('network'), omr: await lab.configFile('openmptcprouter') };
    expect((await call(lab.url, 'PUT', '/api/wan/policy', { body: ARRANGEMENT })).status).toBe(200);
    // Through the 5 s confirmation window and the restore after it: every accepted change is
    // left unconfirmed too, and must roll back to the same original files.
    const accepted: number[] = [];
    const until = Date.now() + 8000;
    while (Date.now() < until) {
      const r = await call(lab.url, 'PUT', '/api/wan/policy', { body: { ...ARRANGEMENT, standby: ['wan4'], disabled: [] } });
      if (r.status === 200) accepted.push(Date.now());
      else expect(r.status).toBe(409);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Each accepted change is rolled back, and audited once its restore has finished.
    const rolledBack = async () => (await lab.audit()).filter((a) => a.result === 'rolled back').length;
    const before = await rolledBack();
    await waitFor(
      async () =>
        (await rolledBack()) >= before + (accepted.length > 0 ? 1 : 0) && (await call(lab.url, 'GET', '/api/wan')).body?.pending === null
          ? true
          : undefined,
      15000,
      'the last rollback',
    );
    expect(await lab.configFile('network')).toBe(original.network);
    expect(await lab.configFile('openmptcprouter')).toBe(original.omr);
  }, 40_000);

  it('puts no secret of the router into the diagnostics bundle', async () => {
    const secrets = [
      'S3cr3t-pppoe-pass',
      'uPrivate+KeyOfTheRouterDoNotLeak0000000000=',
      'PresharedKeyDoNotLeak000000000000000000000=',
      'vps-api-token-do-not-leak',
      'Wifi-Passphrase-Do-Not-Leak',
      TOKEN,
    ];
    // The secrets are really on the router: in its config files and in wg's output.
    const planted =
      (await Promise.all(['network', 'openmptcprouter', 'wireless'].map((f) => lab.configFile(f)))).join('') +
      (await readFile(path.join(lab.router.dir, 'commands', 'wg_show_all_dump'), 'utf8'));
    for (const s of secrets.slice(0, -1)) expect(planted).toContain(s);
    const r = await call(lab.url, 'GET', '/api/diagnostics');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/gzip');
    const files = new Map<string, string>();
    const ex = extract();
    ex.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        files.set(header.name, Buffer.concat(chunks).toString('utf8'));
        next();
      });
    });
    await new Promise<void>((resolve, reject) => {
      ex.on('finish', resolve);
      ex.on('error', reject);
      ex.end(gunzipSync(r.raw));
    });
    expect([...files.keys()].sort(), [...files.keys()].join(' ')).toEqual([
      'routerscope-diagnostics/logs/kernel.log',
      'routerscope-diagnostics/logs/system.log',
      'routerscope-diagnostics/mptcp/endpoints.json',
      'routerscope-diagnostics/mptcp/limits.txt',
      'routerscope-diagnostics/network/interfaces.json',
      'routerscope-diagnostics/network/neighbours.json',
      'routerscope-diagnostics/network/routes.json',
      'routerscope-diagnostics/routerscope/status.json',
      'routerscope-diagnostics/uci/firewall',
      'routerscope-diagnostics/uci/network',
      'routerscope-diagnostics/uci/openmptcprouter',
      'routerscope-diagnostics/uci/wireless',
      'routerscope-diagnostics/vpn/wireguard.json',
    ]);
    expect(files.get('routerscope-diagnostics/uci/network')).toContain("option password 'REDACTED'");
    expect(files.get('routerscope-diagnostics/vpn/wireguard.json')).toContain('hQ2mK0mPhonePublicKey00000000000000000000c=');
    const all = [...files.values()].join('\n') + r.raw.toString('latin1');
    for (const s of secrets) expect(all, s).not.toContain(s);
  });

  it('refuses wrong tokens from an address after five, and still lets the right token in from it', async () => {
    // Five failures in a minute lock the address's wrong tokens out (the exporter was restarted by
    // the crash test above, which forgot earlier ones).
    const statuses: number[] = [];
    for (let i = 0; i < 6 && statuses.at(-1) !== 429; i++)
      statuses.push((await call(lab.url, 'GET', '/api/wan', { token: `wrong-${i}` })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const locked = await call(lab.url, 'GET', '/api/wan', { token: 'wrong-again' });
    expect(locked.status).toBe(429);
    expect(String(locked.body!.error)).toMatch(/^too many failed attempts from 127\.0\.0\.1; retry in \d+ s$/);
    expect(locked.headers['retry-after']).toMatch(/^\d+$/);
    // Whoever shares the address cannot lock its owner out: the right token is never refused.
    expect((await call(lab.url, 'GET', '/api/wan')).status).toBe(200);
    expect((await call(lab.url, 'GET', '/api/wan', { token: 'wrong-still' })).status).toBe(429);
  });

  it('answers only to its addresses, localhost and the configured names (DNS rebinding)', async () => {
    const port = new URL(lab.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `router.lan:${port}`, 'ROUTER.LAN'])
      expect((await call(lab.url, 'GET', '/api/wan', { host })).status, host).toBe(200);
    for (const host of [`evil.example:${port}`, 'rebind.attacker.test', 'router.lan.evil.example']) {
      for (const pathname of ['/', '/api/wan']) {
        const refused = await call(lab.url, 'GET', pathname, { host });
        expect(refused.status, `${host} ${pathname}`).toBe(403);
      }
    }
    const refused = await call(lab.url, 'PUT', '/api/wan/policy?dry_run=1', { host: 'evil.example', body: {} });
    expect(refused.body).toEqual({
      error: 'Host "evil.example" is not this listener\'s: use its address, or add the name to admin.host_names',
    });
  });
});

// A restart takes a few seconds, so this lab gives 15 s to confirm rather than 5.
describe('admin listener restarted within the confirmation window', () => {
  let lab: AdminLab;
  beforeAll(async () => {
    lab = await startAdminLab({ allow: ['127.0.0.1/32', '::1'], confirm_timeout_seconds: 15 });
  }, 60_000);
  afterAll(() => lab?.stop());

  it('keeps waiting for confirmation when the exporter restarts within the window, and a confirmation then holds', async () => {
    const original = await lab.configFile('network');
    const applied = await call(lab.url, 'PATCH', '/api/wan/wan1', { body: { mtu: 1480 } });
    expect(applied.status).toBe(200);
    const pending = (await call(lab.url, 'GET', '/api/wan')).body!.pending as { id: string };
    const died = once(lab.exporter.process, 'exit');
    lab.exporter.process.kill('SIGKILL');
    await died;
    await lab.restart();
    // The restarted exporter adopted the journal: the same change waits, and a second is refused.
    expect((await call(lab.url, 'GET', '/api/wan')).body!.pending).toMatchObject({ id: pending.id, change: 'settings of wan1' });
    expect((await call(lab.url, 'PATCH', '/api/wan/wan1', { body: { mtu: 1400 } })).status).toBe(409);
    expect((await call(lab.url, 'POST', '/api/wan/confirm')).body).toEqual({ confirmed: 'settings of wan1' });
    await new Promise((r) => setTimeout(r, 21_000)); // past the guard's own deadline (timeout + 5 s)
    const network = await lab.configFile('network');
    expect(network).not.toBe(original);
    expect(network).toContain("option mtu '1480'");
  });
});

describe('admin listener off', () => {
  it('does not start without a token file', async () => {
    const exporter = await startExporter(['--path.rootfs', path.join(ROOT, 'fixtures/routers/gl-mt2500a/rootfs'), '--no-collector.ping']);
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(exporter.logs.some((l) => l.msg === 'admin listening')).toBe(false);
    } finally {
      await exporter.stop();
    }
  });
});

describe.each(SSH_SERVERS)('admin listener agentless, over %s to a BusyBox ash login', (server) => {
  let ssh: SshLab;
  let lab: AdminLab;
  beforeAll(async () => {
    ssh = await startSshLab({ server });
    lab = await startAdminLab({ allow: ['127.0.0.1/32', '::1'], confirm_timeout_seconds: 5 }, ssh);
  }, 60_000);
  afterAll(async () => {
    await lab?.stop();
    await ssh?.stop();
  });

  applyAndRollback(() => lab);

  it("follows the exporter's current sources after a reload (the old SSH connection is closed)", async () => {
    const reloaded = lab.exporter.logs.filter((l) => l.msg === 'config reloaded').length;
    lab.exporter.process.kill('SIGHUP');
    await waitFor(
      () => (lab.exporter.logs.filter((l) => l.msg === 'config reloaded').length > reloaded ? true : undefined),
      15000,
      'the reload',
    );
    const wans = await call(lab.url, 'GET', '/api/wan');
    expect(wans.status).toBe(200);
    expect((wans.body!.wans as unknown[]).length).toBe(4);
  });
});
