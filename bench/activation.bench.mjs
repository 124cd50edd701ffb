// Activation time of the extension in a real VS Code extension host (code-server), and bundle sizes.
// Usage: node bench/activation.bench.mjs [--runs N]   (npm run bench builds the production bundles first)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { printTable, percentile } from './report.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);

const bundles = [
  'dist/extension.js',
  'dist/engine.js',
  'dist/languageClient.js',
  'dist/server.js',
  'dist/serverFeatures.js',
  'dist/cli.js',
  'dist/runtime/node-bootstrap.js',
  'media/webview.js',
];
const sizes = {};
for (const file of bundles) {
  try {
    sizes[file] = statSync(join(root, file)).size;
  } catch {
    /* bundle not built in this configuration */
  }
}
// The shipped package, as `npm run package` builds it (same production bundles as measured above).
const packaged = spawnSync(process.execPath, [join(root, 'scripts', 'package.mjs')], { cwd: root, stdio: 'ignore' });
if (packaged.status === 0) sizes['.vsix'] = statSync(join(root, 'dist', 'lambda-trigger-runner.vsix')).size;
else console.error('packaging failed: the .vsix size is not reported');

const samplesFile = join(tmpdir(), `ltr-activation-${process.pid}.jsonl`);
rmSync(samplesFile, { force: true });
for (let i = 0; i < runs; i++) {
  const result = spawnSync(
    process.execPath,
    [
      join(root, 'scripts/run-integration.mjs'),
      '--no-build',
      '--suite-dir',
      join(root, 'bench/host'),
      '--out',
      join(root, '.test-output/bench-host'),
    ],
    { cwd: root, stdio: 'ignore', env: { ...process.env, LTR_BENCH_OUT: samplesFile, LTR_RESULTS_FILE: '' } },
  );
  if (result.status !== 0) {
    console.error(`run ${i + 1} failed; see .test-output/bench-host/report.txt`);
    process.exit(1);
  }
}
const samples = readFileSync(samplesFile, 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
const median = (key) =>
  percentile(
    samples.map((s) => s[key]),
    50,
  );
const figures = {
  runs,
  bundleEvaluationMsP50: median('bundleEvaluationMs'),
  hostUntilActivateMsP50: median('hostUntilActivateMs'),
  activateMsP50: median('activateMs'),
  serverStartMsP50: median('serverStartMs'),
  firstRequestMsP50: median('firstRequestMs'),
  bundleBytes: sizes,
};
printTable('Extension activation (real VS Code 1.100.3 extension host, production bundles)', [
  ['bundle evaluation, p50', '<= 50 ms', `${figures.bundleEvaluationMsP50.toFixed(1)} ms`],
  ['the host, until it calls activate(), p50', '-', `${figures.hostUntilActivateMsP50.toFixed(1)} ms`],
  ['activate(), p50', '-', `${figures.activateMsP50.toFixed(1)} ms`],
  ['language server start, p50', '-', `${figures.serverStartMsP50.toFixed(0)} ms`],
  ['first server request, p50', '-', `${figures.firstRequestMsP50.toFixed(1)} ms`],
  ...Object.entries(sizes).map(([file, bytes]) => [`size ${file}`, '-', `${(bytes / 1024).toFixed(1)} KiB`]),
]);
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/activation.json'), JSON.stringify(figures, null, 2));
rmSync(samplesFile, { force: true });
