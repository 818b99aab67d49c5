// Bundles the CLI into single files that run with plain `node` and no node_modules:
// dist/routerscope-router.mjs (serve, once, check-config) is what goes onto a router;
// dist/routerscope.mjs adds the monitoring host's reports.
import { execFileSync } from 'node:child_process';
import { chmod, readFile, stat } from 'node:fs/promises';
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
  // esbuild escapes what it can; a String.raw template it must keep as written. One character
  // above Latin-1 makes V8 hold the whole source in two bytes a character.
  const wide = /[\u0100-\uffff]/.exec(await readFile(outfile, 'utf8'));
  if (wide) throw new Error(`${outfile}: ${JSON.stringify(wide[0])} at offset ${wide.index}: write it as a \\u escape`);
  const { size } = await stat(outfile);
  console.log(`${outfile}: ${(size / 1024).toFixed(0)} KiB`);
}

await bundle('exporter/router-main.ts', 'dist/routerscope-router.mjs');
await bundle('exporter/main.ts', 'dist/routerscope.mjs');
