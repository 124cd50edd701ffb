/** Builds the bootstraps once into a temp dir, as scripts/build.mjs does for dist/runtime (ARCHITECTURE: child bootstrap bundle). */
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '../../..');
const built = new Map<boolean, Promise<string>>();

/** Builds once per `minify` choice (the runtime benchmark measures the minified bundle the build ships). */
export function buildBootstraps({ minify = false }: { minify?: boolean } = {}): Promise<string> {
  let pending = built.get(minify);
  if (pending) return pending;
  pending = (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-runtime-boot-'));
    await esbuild.build({
      entryPoints: [path.join(repoRoot, 'src/core/runtime/node/bootstrap.ts')],
      outfile: path.join(dir, 'node-bootstrap.js'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      // The bootstrap runs on every Node.js a runtime may get (nodejs18.x on Node.js 18).
      target: 'node18',
      external: ['esbuild'],
      minify,
      logLevel: 'silent',
    });
    await esbuild.build({
      entryPoints: [path.join(repoRoot, 'src/core/runtime/node/moduleHooks.ts')],
      outfile: path.join(dir, 'node-module-hooks.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node18',
      minify,
      logLevel: 'silent',
    });
    await esbuild.build({
      entryPoints: [path.join(repoRoot, 'src/core/runtime/supervisor.ts')],
      outfile: path.join(dir, 'environment-supervisor.js'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
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
