// `npm test`: every suite of the test pyramid, then one line `N passed, N failed, N skipped` with the totals.
// Stages: static checks (typecheck, lint, format), unit (mocha, src/core), integration (inside VS Code on
// code-server), end-to-end (Playwright clicks on the packaged extension). A stage that cannot run counts as failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const node = process.execPath;
const bin = (name) => join(root, 'node_modules', '.bin', name);
const only = process.argv.slice(2);

const staticChecks = [
  ['typecheck', bin('tsc'), ['--noEmit', '-p', '.']],
  ['lint', bin('eslint'), ['src', 'test', 'scripts', 'bench']],
  ['format', bin('prettier'), ['--check', '.']],
];

const suites = [
  ['unit', node, [join(root, 'node_modules/mocha/bin/mocha.js'), 'test/unit/**/*.test.ts']],
  ['integration', node, [join(root, 'scripts/run-integration.mjs')]],
  [
    'untrusted',
    node,
    [
      join(root, 'scripts/run-integration.mjs'),
      '--no-build',
      '--untrusted',
      '--suite-dir',
      join(root, 'test/integration-untrusted'),
      '--out',
      join(root, '.test-output/integration-untrusted'),
    ],
  ],
  ['e2e', node, [join(root, 'scripts/run-e2e.mjs')]],
];

const totals = { passed: 0, failed: 0, skipped: 0 };
const summary = [];
const scratch = mkdtempSync(join(tmpdir(), 'ltr-test-'));

function stage(name, command, args, { counted }) {
  if (only.length > 0 && !only.includes(name)) return;
  console.log(`\n=== ${name} ===`);
  const resultsFile = join(scratch, `${name}.json`);
  const started = Date.now();
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, LTR_RESULTS_FILE: resultsFile, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  let counts;
  if (counted && existsSync(resultsFile)) counts = JSON.parse(readFileSync(resultsFile, 'utf8'));
  else counts = result.status === 0 ? { passed: 1, failed: 0, skipped: 0 } : { passed: 0, failed: 1, skipped: 0 };
  // A runner that reported no failure but exited non-zero still failed (a crash after the last test, say).
  if (result.status !== 0 && counts.failed === 0) counts.failed = 1;
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped ?? 0;
  summary.push(
    `${name.padEnd(12)} ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped ?? 0} skipped (${seconds} s)`,
  );
}

for (const [name, command, args] of staticChecks) stage(name, command, args, { counted: false });
for (const [name, command, args] of suites) stage(name, command, args, { counted: true });
rmSync(scratch, { recursive: true, force: true });

console.log(`\n=== summary ===\n${summary.join('\n')}\n`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
