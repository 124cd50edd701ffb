/** Builds the bootstraps once into a temp dir, as scripts/build.mjs does for dist/runtime (ARCHITECTURE: child bootstrap bundle). */
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDirForRun } from '../../support/tempDirs';

const repoRoot = path.resolve(__dirname, '../../..');
const built = new Map<boolean, Promise<string>>();

/** Builds once per `minify` choice (the runtime benchmark measures the minified bundle the build ships). */
export function buildBootstraps({ minify = false }: { minify?: boolean } = {}): Promise<string> {
  let pending = built.get(minify);
  if (pending) return pending;
  pending = (async () => {
    const dir = tempDirForRun('lt-runtime-boot-');
    // The bootstrap and its supervisor run on every Node.js a runtime may get (nodejs18.x on Node.js 18).
    const bundles = [
      { entry: 'src/core/runtime/node/bootstrap.ts', out: 'node-bootstrap.js', format: 'cjs' },
      { entry: 'src/core/runtime/node/moduleHooks.ts', out: 'node-module-hooks.mjs', format: 'esm' },
      { entry: 'src/core/runtime/supervisor.ts', out: 'environment-supervisor.js', format: 'cjs' },
    ] as const;
    for (const { entry, out, format } of bundles)
      await esbuild.build({
        entryPoints: [path.join(repoRoot, entry)],
        outfile: path.join(dir, out),
        bundle: true,
        platform: 'node',
        format,
        target: 'node18',
        external: ['esbuild'],
        minify,
        logLevel: 'silent',
      });
    const py = path.join(repoRoot, 'src/core/runtime/python/bootstrap.py');
    if (fs.existsSync(py)) fs.copyFileSync(py, path.join(dir, 'python_bootstrap.py'));
    return dir;
  })();
  built.set(minify, pending);
  return pending;
}

export const fixturesRoot = path.join(repoRoot, 'test/fixtures/runtime');
