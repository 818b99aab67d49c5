import pkg from '../package.json' with { type: 'json' };

// Replaced at bundle time by esbuild's `define`; from a checkout it stays "unknown".
declare const ROUTERSCOPE_REVISION: string | undefined;

export const VERSION: string = pkg.version;
export const REVISION: string = typeof ROUTERSCOPE_REVISION === 'string' ? ROUTERSCOPE_REVISION : 'unknown';
