// `npm run bench`: every benchmark in bench/, one after another (they measure; they never assert).
// Usage: node bench/run.mjs [name...]   e.g. node bench/run.mjs activation runtime
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => /\.bench\.(mjs|ts)$/.test(f))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.bench\.(mjs|ts)$/, '')))
  .sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n### ${file}`);
  const args = file.endsWith('.ts') ? ['--import', 'tsx', join(here, file)] : [join(here, file)];
  const result = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: join(here, '..') });
  if (result.status !== 0) {
    failed++;
    console.error(`${file} did not complete (exit ${result.status ?? result.signal})`);
  }
}
console.log(`\n${benches.length - failed} of ${benches.length} benchmarks completed; figures in bench/results/.`);
process.exit(failed > 0 ? 1 : 0);
