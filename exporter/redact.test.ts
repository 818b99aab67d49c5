// Secrets by option name and by value pattern, in UCI files, `uci show`, logs and stderr.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { redactText, redactUci } from './redact.ts';
import { runChild } from './sources.ts';

describe('redactUci', () => {
  it.each([
    // By option name: the modem's PIN, snmpd's community, and the ones named before.
    ["\toption pincode '1234'", "\toption pincode 'REDACTED'"],
    ["\toption pin '0000'", "\toption pin 'REDACTED'"],
    ["\toption community 'public-but-secret'", "\toption community 'REDACTED'"],
    ["\toption password 'S3cr3t'", "\toption password 'REDACTED'"],
    ["network.wan.pincode='1234'", "network.wan.pincode='REDACTED'"],
    // By value: pppd options carry the password as a word of another option.
    ["\toption pppd_options 'debug password S3cr3t noipdefault'", "\toption pppd_options 'debug password REDACTED noipdefault'"],
    ["network.wan.pppd_options='user x password S3cr3t'", "network.wan.pppd_options='user x password REDACTED'"],
    // Not secrets.
    ["\toption ping_interval '5'", "\toption ping_interval '5'"],
    ["\toption proto 'pppoe'", "\toption proto 'pppoe'"],
  ])('%s', (line, redacted) => {
    expect(redactUci(line)).toBe(redacted);
  });

  it('drops the continuation lines of a multi-line secret value, and keeps what follows', () => {
    const text = "config interface 'vpn'\n\toption private_key 'line one\nline two\nline three'\n\toption proto 'wireguard'\n";
    expect(redactUci(text)).toBe("config interface 'vpn'\n\toption private_key 'REDACTED'\n\toption proto 'wireguard'\n");
  });
});

describe('redactText', () => {
  it.each([
    // pppd's PAP exchange in the system log.
    [
      'pppd[1234]: sent [PAP AuthReq id=0x1 user="isp-user" password="S3cr3t"]',
      'pppd[1234]: sent [PAP AuthReq id=0x1 user="isp-user" password="REDACTED"]',
    ],
    ['snmpd: community public-secret not allowed', 'snmpd: community REDACTED not allowed'],
    ['curl: token=abc123, retrying', 'curl: token=REDACTED, retrying'],
    ['netifd: Interface wan is up', 'netifd: Interface wan is up'],
  ])('%s', (line, redacted) => {
    expect(redactText(line)).toBe(redacted);
  });

  it('redacts the stderr line a failing command puts into the error', async () => {
    const error = await runChild(
      () => spawn('sh', ['-c', 'echo "login failed: password=S3cr3t" >&2; exit 3'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] }),
      'helper',
      { timeoutMs: 5000, maxBytes: 1000 },
    ).catch((e: Error) => e);
    expect((error as Error).message).toBe('helper: exit 3: login failed: password=REDACTED');
  });
});
