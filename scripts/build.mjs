// One esbuild context per entry point (STYLE.md): extension (vscode external), language server, CLI,
// child-process bootstraps, webview script. Usage: node scripts/build.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { copyFile, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  legalComments: 'none',
  logLevel: 'warning',
  absWorkingDir: root,
  define: { __LTR_VERSION__: JSON.stringify(version) },
};

/** @type {import('esbuild').BuildOptions[]} */
const entries = [
  {
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode'],
    // Marks when the bundle starts evaluating, for the activation benchmark (bench/activation.bench.mjs).
    banner: { js: 'var __ltrBundleStart = performance.now();' },
  },
  { ...common, entryPoints: ['src/server/server.ts'], outfile: 'dist/server.js' },
  {
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
    external: ['esbuild'],
  },
  {
    ...common,
    entryPoints: ['src/core/runtime/node/bootstrap.ts'],
    outfile: 'dist/runtime/node-bootstrap.js',
    external: ['esbuild'],
    optional: true,
  },
  {
    ...common,
    entryPoints: ['src/webview/main.ts'],
    outfile: 'media/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    optional: true,
  },
];

/** Files shipped as they are, next to the bundles. */
const copies = [['src/core/runtime/python/bootstrap.py', 'dist/runtime/python_bootstrap.py']];

async function exists(path) {
  return stat(join(root, path)).then(
    () => true,
    () => false,
  );
}

async function copyAssets() {
  for (const [from, to] of copies) {
    if (!(await exists(from))) continue;
    await mkdir(dirname(join(root, to)), { recursive: true });
    await copyFile(join(root, from), join(root, to));
  }
}

async function main() {
  if (!watch) await rm(join(root, 'dist'), { recursive: true, force: true });
  const active = [];
  for (const { optional, ...options } of entries) {
    // Entry points of parts still being written are skipped rather than failing the whole build.
    if (optional && !(await exists(options.entryPoints[0]))) continue;
    active.push(options);
  }
  await copyAssets();
  if (watch) {
    const contexts = await Promise.all(active.map((o) => esbuild.context(o)));
    await Promise.all(contexts.map((c) => c.watch()));
    console.log(`[build] watching ${contexts.length} entry points`);
    return;
  }
  const started = performance.now();
  await Promise.all(active.map((o) => esbuild.build(o)));
  console.log(
    `[build] ${active.length} bundles${production ? ' (production)' : ''} in ${Math.round(performance.now() - started)} ms`,
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
