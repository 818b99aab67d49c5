// What client identities (MAC addresses, host names) look like in series. Users who must not
// store them turn exposure off: MACs become salted pseudonyms (or are dropped and their series
// summed), host names are dropped.
import { createHmac, randomBytes } from 'node:crypto';

export interface Identities {
  readonly exposed: boolean;
  mac(mac: string): string;
  hostname(name: string): string;
}

export interface IdentitySettings {
  readonly expose: boolean;
  readonly anonymize: 'hash' | 'omit';
  /** Keeps pseudonyms stable across restarts; a random one is drawn when absent. */
  readonly salt?: string | undefined;
}

export function createIdentities(settings: IdentitySettings): Identities {
  if (settings.expose) {
    return { exposed: true, mac: (m) => m.toLowerCase(), hostname: (h) => h };
  }
  const salt = settings.salt ?? randomBytes(16).toString('hex');
  return {
    exposed: false,
    mac: (m) =>
      settings.anonymize === 'omit' ? '' : 'anon-' + createHmac('sha256', salt).update(m.toLowerCase()).digest('hex').slice(0, 12),
    hostname: () => '',
  };
}

export const EXPOSE_ALL: Identities = createIdentities({ expose: true, anonymize: 'hash' });
