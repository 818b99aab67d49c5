// Bundles the CLI into single files that run with plain `node` and no node_modules:
// dist/routerscope-router.mjs (serve, once, check-config) is what goes onto a router;
// dist/routerscope.mjs adds the monitoring host's reports.
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

async function bundle(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    legalComments: 'eof',
    define: { ROUTERSCOPE_REVISION: JSON.stringify(revision()), ROUTERSCOPE_BUNDLED: 'true' },
    // CommonJS dependencies (pino, prom-client) call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __rsCreateRequire } from 'node:module';\nconst require = __rsCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  await chmod(outfile, 0o755);
  const { size } = await stat(outfile);
  console.log(`${outfile}: ${(size / 1024).toFixed(0)} KiB`);
}

await bundle('exporter/router-main.ts', 'dist/routerscope-router.mjs');
await bundle('exporter/main.ts', 'dist/routerscope.mjs');
