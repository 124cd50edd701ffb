// `npm run test:desktop`: the same integration suites under @vscode/test-electron, on machines that can download
// desktop VS Code (not these CI machines: use `npm run test:integration` there, which runs them on code-server).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';
import { bundleIntegrationSuites, runBuild } from './lib/steps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, '.test-output', 'integration-desktop');
runBuild(root);
await bundleIntegrationSuites(root, join(root, 'test', 'integration'), outDir);
try {
  await runTests({
    version: '1.100.3',
    extensionDevelopmentPath: root,
    extensionTestsPath: join(outDir, 'index.js'),
    launchArgs: [join(root, 'examples'), '--disable-extensions', '--disable-workspace-trust'],
  });
} catch (err) {
  console.error(`[test:desktop] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
