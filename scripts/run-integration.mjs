// Runs test/integration inside a real VS Code extension host: code-server + headless Chromium (ARCHITECTURE.md).
// Usage: node scripts/run-integration.mjs [--no-build] [--grep <pattern>] [--folder <workspace>]
// Writes counts to $LTR_RESULTS_FILE when set (scripts/test-all.mjs reads them).
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, startCodeServer, testUserSettings, workbenchUrl } from './lib/codeServer.mjs';
import { bundleIntegrationSuites, runBuild } from './lib/steps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    'no-build': { type: 'boolean', default: false },
    grep: { type: 'string' },
    // The workspace to open; by default a fresh copy of examples/ so runs never write into the repository.
    folder: { type: 'string' },
    // A folder of *.test.ts suites to run in the extension host (the benchmarks use bench/host).
    'suite-dir': { type: 'string', default: join(root, 'test', 'integration') },
    out: { type: 'string', default: join(root, '.test-output', 'integration') },
    untrusted: { type: 'boolean', default: false },
    timeout: { type: 'string', default: String(15 * 60_000) },
  },
});

const suiteDir = resolve(values['suite-dir']);
const outDir = resolve(values.out);

async function main() {
  if (!values['no-build']) await runBuild(root);
  const suites = await bundleIntegrationSuites(root, suiteDir, outDir);
  const reportFile = join(outDir, 'report.txt');
  const countsFile = join(outDir, 'counts.json');
  await mkdir(outDir, { recursive: true });
  await writeFile(reportFile, '');
  const env = { LTR_TEST_REPORT: reportFile, LTR_TEST_COUNTS: countsFile };
  if (values.grep) env.LTR_TEST_GREP = values.grep;

  const folder = values.folder ?? (await copyExamples());
  console.log(`[integration] ${suites} suite file(s) from ${relative(root, suiteDir)}, workspace ${folder}`);
  const server = await startCodeServer({
    settings: testUserSettings({ trusted: !values.untrusted }),
    env,
    logFile: join(outDir, 'code-server.log'),
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const browserLog = [];
  let exitCode;
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let resolveExit;
    const exited = new Promise((resolve) => (resolveExit = resolve));
    await page.exposeFunction('codeAutomationExit', (code) => resolveExit(Number(code)));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      browserLog.push(`[${type}] ${Array.isArray(args) ? args.join(' ') : String(args)}`);
    });
    page.on('pageerror', (err) => browserLog.push(`[pageerror] ${err.message}`));
    const url = workbenchUrl(server, folder, {
      extensionDevelopmentPath: root,
      extensionTestsPath: join(outDir, 'index.js'),
      skipWelcome: 'true',
    });
    await page.goto(url);
    const timeoutMs = Number(values.timeout);
    const timedOut = new Promise((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
    exitCode = await Promise.race([exited, timedOut]);
    if (exitCode === 'timeout') {
      await page.screenshot({ path: join(outDir, 'timeout.png') }).catch(() => undefined);
      throw new Error(
        `the extension host did not finish the tests within ${timeoutMs / 1000} s (screenshot: ${relative(root, join(outDir, 'timeout.png'))})`,
      );
    }
  } finally {
    await writeFile(join(outDir, 'browser.log'), browserLog.join('\n'));
    await browser.close().catch(() => undefined);
    await server.stop();
    // The copy of the examples made for this run (not a --folder given): its stores and saved events go with it.
    if (!values.folder) await rm(dirname(folder), { recursive: true, force: true }).catch(() => undefined);
  }

  const report = await readFile(reportFile, 'utf8');
  process.stdout.write(report);
  if (!existsSync(countsFile)) {
    console.error(`[integration] the tests did not report counts (exit ${exitCode}). Browser log tail:`);
    console.error(browserLog.slice(-40).join('\n'));
    await writeResults({ passed: 0, failed: 1, skipped: 0 });
    return 1;
  }
  const counts = JSON.parse(await readFile(countsFile, 'utf8'));
  await writeResults(counts);
  console.log(
    `[integration] ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped (workbench exit ${exitCode})`,
  );
  return counts.failed > 0 || exitCode !== 0 ? 1 : 0;
}

async function copyExamples() {
  const dir = await mkdtemp(join(tmpdir(), 'ltr-examples-'));
  // Only what a checkout holds: not the store a local run of the examples left in examples/.lambda-trigger.
  await cp(join(root, 'examples'), join(dir, 'examples'), {
    recursive: true,
    filter: (source) => !source.split(/[\\/]/).includes('.lambda-trigger'),
  });
  return join(dir, 'examples');
}

async function writeResults(counts) {
  if (process.env.LTR_RESULTS_FILE) await writeFile(process.env.LTR_RESULTS_FILE, JSON.stringify(counts));
}

main().then(
  (code) => process.exit(code),
  async (err) => {
    console.error(`[integration] ${err instanceof Error ? err.message : String(err)}`);
    await writeResults({ passed: 0, failed: 1, skipped: 0 });
    process.exit(1);
  },
);
