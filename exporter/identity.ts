// What client identities (MAC addresses, host names) look like in series. Users who must not
// store them turn exposure off: MACs become salted pseudonyms (or are dropped and their series
// summed), host names are dropped.
import type { Logger } from 'pino';
import { nodeCrypto } from './lazy-builtins.ts';
import { errorMessage, isAbsent } from './errors.ts';
import type { Sources } from './sources.ts';

export interface Identities {
  readonly exposed: boolean;
  mac(mac: string): string;
  hostname(name: string): string;
}

export interface IdentitySettings {
  readonly expose: boolean;
  readonly anonymize: 'hash' | 'omit';
  /**
   * Keeps pseudonyms stable across restarts: the configured salt, or one kept on the router (a
   * promise: pseudonyms wait for it, see `ready`); a random one, for this process only, when absent.
   */
  readonly salt?: string | Promise<string> | undefined;
}

export function createIdentities(settings: IdentitySettings): Identities & { readonly ready: Promise<void> } {
  if (settings.expose) {
    return { exposed: true, mac: (m) => m.toLowerCase(), hostname: (h) => h, ready: Promise.resolve() };
  }
  const { createHmac, randomBytes } = nodeCrypto();
  let salt = typeof settings.salt === 'string' ? settings.salt : randomBytes(16).toString('hex');
  const ready = settings.salt instanceof Promise ? settings.salt.then((kept) => void (salt = kept)) : Promise.resolve();
  return {
    exposed: false,
    mac: (m) =>
      settings.anonymize === 'omit' ? '' : 'anon-' + createHmac('sha256', salt).update(m.toLowerCase()).digest('hex').slice(0, 12),
    hostname: () => '',
    ready,
  };
}

/** Where the pseudonym salt is kept when none is configured: on the router's flash, beside its config. */
export const KEPT_SALT_FILE = '/etc/routerscope-identity-salt';

/**
 * The salt kept on the router, drawn and written there the first time. Without it, pseudonyms would
 * change at every restart and every client would look new (NewClientSeen for the whole house).
 * Never fails: a router where it cannot be written gets a salt for this process, and a warning.
 */
export async function keptSalt(sources: Sources, log: Logger): Promise<string> {
  const salt = nodeCrypto().randomBytes(16).toString('hex');
  try {
    const kept = (await sources.readFile(KEPT_SALT_FILE)).trim();
    if (/^[0-9a-f]{32}$/.test(kept)) return kept;
    log.warn({ file: KEPT_SALT_FILE }, 'the kept pseudonym salt is not 32 hex digits; drawing a new one');
  } catch (e) {
    // Not there yet is the first start on this router; any other failure (the router unreachable)
    // must not replace a salt that may well be there.
    if (!isAbsent(e)) {
      log.warn(
        { file: KEPT_SALT_FILE, err: errorMessage(e) },
        'cannot read the kept pseudonym salt; pseudonyms differ until a restart reads it',
      );
      return salt;
    }
  }
  try {
    await sources.writeFile(KEPT_SALT_FILE, salt + '\n');
  } catch (e) {
    log.warn({ file: KEPT_SALT_FILE, err: errorMessage(e) }, 'cannot keep the pseudonym salt; pseudonyms will change at restart');
  }
  return salt;
}

export const EXPOSE_ALL: Identities = createIdentities({ expose: true, anonymize: 'hash' });
