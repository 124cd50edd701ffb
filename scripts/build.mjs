// One esbuild context per entry point (STYLE.md): extension (vscode external) and its lazily loaded engine and
// language client, language server, CLI, child-process bootstraps, webview script. Usage: node scripts/build.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { copyFile, cp, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));

/**
 * `@babel/parser` (the discovery parser for JS/TS code, ~320 KB minified) is bundled once into
 * dist/vendor/babel-parser.js and required lazily, on the first scan, by the bundles that scan code (engine, language
 * server features, CLI), instead of each holding a copy.
 */
const vendorParser = {
  name: 'vendor-parser',
  setup(build) {
    build.onResolve({ filter: /^@babel\/parser$/ }, () => ({ path: './vendor/babel-parser.js', external: true }));
  },
};

/**
 * What activation does not need is bundled apart and loaded on first use (src/extension/lazyModules.ts): the engine
 * (dist/engine.js) and the language client library (dist/languageClient.js). The extension bundle requires them by
 * their file names instead of holding a copy.
 */
const lazyBundles = (bundles) => ({
  name: 'lazy-bundles',
  setup(build) {
    const names = Object.keys(bundles).map((b) => b.slice(2));
    build.onResolve({ filter: new RegExp(`^\\./(${names.join('|')})$`) }, (args) => ({
      path: bundles[args.path],
      external: true,
    }));
  },
});
const lazyExtensionBundles = lazyBundles({
  './engineBundle': './engine.js',
  './languageClientBundle': './languageClient.js',
});
/** Likewise the language server's features (src/server/lazyFeatures.ts): loaded once it answered `initialize`. */
const lazyServerFeatures = lazyBundles({ './serverFeatures': './serverFeatures.js' });

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
  // jsonc-parser's UMD build hides its requires from bundlers; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
  define: { __LTR_VERSION__: JSON.stringify(version) },
};

/** @type {import('esbuild').BuildOptions[]} */
const entries = [
  {
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode', 'esbuild'],
    plugins: [lazyExtensionBundles],
    // Marks when the bundle starts evaluating, for the activation benchmark (bench/activation.bench.mjs) ...
    banner: { js: 'var __ltrBundleStart = performance.now(), __ltrBundleEnd = {};' },
    // ... and when it is done: what VS Code does after, until it calls activate(), is the host's.
    footer: { js: '__ltrBundleEnd.at = performance.now();' },
  },
  {
    ...common,
    entryPoints: ['src/extension/engineBundle.ts'],
    outfile: 'dist/engine.js',
    external: ['vscode', 'esbuild'],
    plugins: [vendorParser],
  },
  {
    ...common,
    entryPoints: ['src/extension/languageClientBundle.ts'],
    outfile: 'dist/languageClient.js',
    external: ['vscode'],
  },
  { ...common, entryPoints: ['src/server/server.ts'], outfile: 'dist/server.js', plugins: [lazyServerFeatures] },
  {
    ...common,
    entryPoints: ['src/server/serverFeatures.ts'],
    outfile: 'dist/serverFeatures.js',
    plugins: [vendorParser],
  },
  {
    ...common,
    entryPoints: ['node_modules/@babel/parser/lib/index.js'],
    outfile: 'dist/vendor/babel-parser.js',
    sourcemap: false,
    minify: true,
  },
  {
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
    external: ['esbuild'],
    plugins: [vendorParser],
  },
  {
    ...common,
    entryPoints: ['src/core/runtime/node/bootstrap.ts'],
    outfile: 'dist/runtime/node-bootstrap.js',
    external: ['esbuild'],
    // The bootstrap runs on every Node.js a runtime may get (nodejs18.x on Node.js 18).
    target: 'node18',
  },
  {
    ...common,
    // The parent of every runtime process (Node.js and Python): runs on the engine's own Node.js.
    entryPoints: ['src/core/runtime/supervisor.ts'],
    outfile: 'dist/runtime/environment-supervisor.js',
    sourcemap: false,
  },
  {
    ...common,
    // Registered by the bootstrap with module.register: ES module TypeScript handlers, preinstalled packages.
    entryPoints: ['src/core/runtime/node/moduleHooks.ts'],
    outfile: 'dist/runtime/node-module-hooks.mjs',
    format: 'esm',
    target: 'node18',
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

/**
 * esbuild (transpiles TypeScript handlers at run time) cannot be bundled: its JS API and this platform's binary are
 * copied into dist/node_modules, which makes the .vsix platform-specific (vsce --target).
 */
const esbuildPlatformPackage = `@esbuild/${process.platform}-${process.arch}`;
const runtimePackages = ['esbuild', esbuildPlatformPackage];

/** Files shipped as they are, next to the bundles. */
const copies = [
  ['src/core/runtime/python/bootstrap.py', 'dist/runtime/python_bootstrap.py'],
  ['node_modules/@vscode/codicons/dist/codicon.css', 'media/codicons/codicon.css'],
  ['node_modules/@vscode/codicons/dist/codicon.ttf', 'media/codicons/codicon.ttf'],
];

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
  for (const pkg of runtimePackages) {
    const from = join(root, 'node_modules', pkg);
    if (!(await exists(join('node_modules', pkg)))) throw new Error(`${pkg} is not installed; run npm install`);
    // esbuild's own bin/esbuild is a second copy of the native binary (for its command line): the JS API runs the
    // platform package's binary, so leaving it out halves what the package carries.
    const cliCopy = join(from, 'bin');
    await cp(from, join(root, 'dist', 'node_modules', pkg), {
      recursive: true,
      dereference: true,
      filter: (source) => pkg !== 'esbuild' || (source !== cliCopy && !source.startsWith(cliCopy + sep)),
    });
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
