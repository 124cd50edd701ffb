// End-to-end tests: packages the .vsix, then runs test/e2e with mocha (each suite starts code-server with it installed).
// Usage: node scripts/run-e2e.mjs [--no-package]
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { ensureCodeServer } from './lib/codeServer.mjs';
import { run } from './lib/steps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
try {
  if (!process.argv.includes('--no-package'))
    run('npm', ['run', '--silent', 'package'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  await ensureCodeServer();
} catch (err) {
  console.error(`[e2e] setup failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  [join(root, 'node_modules/mocha/bin/mocha.js'), '--config', join(root, 'test/e2e/.mocharc.json')],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
