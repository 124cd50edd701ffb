// Small shared steps of the repository's scripts.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Runs a command with inherited output and throws on a non-zero exit. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status ?? result.signal}`);
  }
}

export function runBuild(root, { production = false } = {}) {
  run(process.execPath, [join(root, 'scripts/build.mjs'), ...(production ? ['--production'] : [])], { cwd: root });
}

function collectTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? collectTests(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}

/** Bundles the extension-host test index and every `*.test.ts` of `suiteDir` into `outDir` (vscode, mocha external). */
export async function bundleIntegrationSuites(root, suiteDir, outDir) {
  await rm(outDir, { recursive: true, force: true });
  const tests = collectTests(suiteDir);
  await esbuild.build({
    entryPoints: [join(root, 'test/integration/index.ts'), ...tests],
    outdir: outDir,
    entryNames: '[name]',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    // As scripts/build.mjs: jsonc-parser's UMD build hides its requires from bundlers; its ESM build bundles cleanly.
    mainFields: ['module', 'main'],
    logLevel: 'warning',
    absWorkingDir: root,
  });
  return tests.length;
}
