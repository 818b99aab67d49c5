// The ping lab's accuracy test, ten times in a row, with every core kept busy by spinning
// processes: shows that the lab measures the delay it set, not the scheduler. Prints one line per
// run and a summary; exits 1 if any run failed. `npm run bench:ping-lab`.
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.RUNS ?? 10);

const spinners = Array.from({ length: availableParallelism() }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
let passed = 0;
try {
  for (let i = 1; i <= RUNS; i++) {
    const r = spawnSync('npx', ['vitest', 'run', 'test/ping-lab.test.ts', '-t', 'measures delay and loss'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const ok = r.status === 0;
    if (ok) passed++;
    const failure = ok ? '' : ` ${(r.stdout + r.stderr).match(/lab-wan\d (mean|loss) [^\n]*/)?.[0] ?? 'see vitest output'}`;
    console.log(`run ${i}/${RUNS}: ${ok ? 'pass' : 'FAIL'} (load average ${loadavg()[0]!.toFixed(1)})${failure}`);
  }
} finally {
  for (const s of spinners) s.kill('SIGKILL');
}
console.log(`${passed} passed, ${RUNS - passed} failed (with ${spinners.length} busy spinners on ${availableParallelism()} cores)`);
process.exitCode = passed === RUNS ? 0 : 1;
