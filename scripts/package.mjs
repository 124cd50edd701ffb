// `npm run package`: production build, then one .vsix per platform target. The package carries esbuild's native
// binary (TypeScript handlers are transpiled at run time), so each is platform-specific (vsce --target) and holds only
// its own platform's binary, from esbuild's package for that platform (@esbuild/<platform>), brotli-compressed
// (scripts/lib/packEsbuild.mjs; unpacked into the runner's cache on first use).
// Usage: node scripts/package.mjs [--target <vsce target>]...
//   no --target: this platform, written to dist/lambda-trigger-runner.vsix (what `npm start` and the e2e tests install)
//   --target linux-arm64 --target darwin-arm64 ...: dist/lambda-trigger-runner-<target>.vsix each; the binaries of
//   other platforms are fetched with `npm pack` from the npm registry.
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { packEsbuildBinary } from './lib/packEsbuild.mjs';
import { run, runBuild } from './lib/steps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const host = `${process.platform}-${process.arch}`;
const { values } = parseArgs({ options: { target: { type: 'string', multiple: true } } });
const targets = values.target ?? [];

/** vsce's platform targets and the esbuild package holding each one's binary (its Linux builds are static). */
const esbuildPackageOf = {
  'win32-x64': 'win32-x64',
  'win32-arm64': 'win32-arm64',
  'linux-x64': 'linux-x64',
  'linux-arm64': 'linux-arm64',
  'linux-armhf': 'linux-arm',
  'alpine-x64': 'linux-x64',
  'alpine-arm64': 'linux-arm64',
  'darwin-x64': 'darwin-x64',
  'darwin-arm64': 'darwin-arm64',
};
for (const target of targets)
  if (!esbuildPackageOf[target])
    throw new Error(`Unknown target ${target}; one of: ${Object.keys(esbuildPackageOf).join(', ')}`);

const platformDir = join(root, 'dist', 'node_modules', '@esbuild');
const esbuildVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'esbuild', 'package.json'), 'utf8')).version;

/** Puts esbuild's binary for `target` into dist/node_modules/@esbuild, alone (fetched when it is not this platform's). */
function useEsbuildBinaryOf(target, work) {
  const name = esbuildPackageOf[target];
  const installed = join(root, 'node_modules', '@esbuild', name);
  let source = installed;
  if (!existsSync(installed)) {
    const fetched = join(work, name);
    if (!existsSync(fetched)) {
      run('npm', ['pack', `@esbuild/${name}@${esbuildVersion}`, '--pack-destination', work, '--silent'], {
        cwd: work,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      const tarball = join(work, `esbuild-${name}-${esbuildVersion}.tgz`);
      run('tar', ['-xzf', tarball, '-C', work]);
      renameSync(join(work, 'package'), fetched);
    }
    source = fetched;
  }
  rmSync(platformDir, { recursive: true, force: true });
  cpSync(source, join(platformDir, name), { recursive: true, dereference: true });
}

function vsce(target, out) {
  run(
    process.execPath,
    [
      join(root, 'node_modules/@vscode/vsce/vsce'),
      'package',
      '--no-dependencies',
      '--allow-missing-repository',
      '--no-rewrite-relative-links',
      '--target',
      target,
      '--out',
      out,
    ],
    { cwd: root },
  );
}

runBuild(root, { production: true });
if (targets.length === 0) {
  await packEsbuildBinary(root);
  vsce(host, join(root, 'dist', 'lambda-trigger-runner.vsix'));
} else {
  const work = mkdtempSync(join(tmpdir(), 'ltr-package-'));
  try {
    for (const target of targets) {
      useEsbuildBinaryOf(target, work);
      await packEsbuildBinary(root);
      vsce(target, join(root, 'dist', `lambda-trigger-runner-${target}.vsix`));
    }
  } finally {
    // dist/ keeps this machine's binary, packed as in the package without a target.
    if (esbuildPackageOf[host]) {
      useEsbuildBinaryOf(host, work);
      await packEsbuildBinary(root);
    }
    rmSync(work, { recursive: true, force: true });
  }
}
