// Node built-ins that only some configurations use, loaded on first use rather than at start:
// node:crypto alone adds 1.3 MiB of RSS once loaded (its bindings and Web Crypto), which a router
// without the admin listener, agentless or pseudonymised MACs never uses. A require through
// createRequire stays a require in the bundle too (esbuild leaves a call it cannot see through).
import { createRequire } from 'node:module';

const loadBuiltin = createRequire(import.meta.url);

export const nodeCrypto = (): typeof import('node:crypto') => loadBuiltin('node:crypto') as typeof import('node:crypto');
export const nodeZlib = (): typeof import('node:zlib') => loadBuiltin('node:zlib') as typeof import('node:zlib');
