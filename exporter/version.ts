import pkg from '../package.json' with { type: 'json' };

// Replaced at bundle time by esbuild's `define`; from a checkout it stays "unknown".
declare const ROUTERSCOPE_REVISION: string | undefined;
declare const ROUTERSCOPE_BUNDLED: boolean | undefined;

export const VERSION: string = pkg.version;
/** True in the bundles (dist/*.mjs), which carry none of the checkout's tools. */
export const BUNDLED: boolean = typeof ROUTERSCOPE_BUNDLED === 'boolean' && ROUTERSCOPE_BUNDLED;
export const REVISION: string = typeof ROUTERSCOPE_REVISION === 'string' ? ROUTERSCOPE_REVISION : 'unknown';
