// node:crypto, loaded on first use rather than at start: it adds 1.3 MiB of RSS once loaded (its
// bindings and Web Crypto), which a router without the admin listener, agentless or pseudonymised
// MACs never uses. Its users are synchronous, so not import(): a require through createRequire
// stays a require in the bundle too (esbuild leaves a call it cannot see through).
import { createRequire } from 'node:module';

const loadBuiltin = createRequire(import.meta.url);

export const nodeCrypto = (): typeof import('node:crypto') => loadBuiltin('node:crypto') as typeof import('node:crypto');
