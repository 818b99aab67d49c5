// Bundles the CLI into one file, dist/routerscope.mjs, that runs with plain `node` and no
// node_modules: this is what goes onto a router.
import { execFileSync } from 'node:child_process';
import { chmod, stat } from 'node:fs/promises';
import { build } from 'esbuild';

function revision(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

const outfile = 'dist/routerscope.mjs';
await build({
  entryPoints: ['exporter/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'eof',
  define: { ROUTERSCOPE_REVISION: JSON.stringify(revision()), ROUTERSCOPE_BUNDLED: 'true' },
  // CommonJS dependencies (pino, prom-client) call require() for Node built-ins.
  banner: { js: "import { createRequire as __rsCreateRequire } from 'node:module';\nconst require = __rsCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
await chmod(outfile, 0o755);
const { size } = await stat(outfile);
console.log(`${outfile}: ${(size / 1024).toFixed(0)} KiB`);
