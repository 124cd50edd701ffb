/** Builds the bootstraps once into a temp dir, as scripts/build.mjs does for dist/runtime (ARCHITECTURE: child bootstrap bundle). */
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '../../..');
let built: Promise<string> | undefined;

export function buildBootstraps(): Promise<string> {
  built ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-runtime-boot-'));
    await esbuild.build({
      entryPoints: [path.join(repoRoot, 'src/core/runtime/node/bootstrap.ts')],
      outfile: path.join(dir, 'node-bootstrap.js'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['esbuild'],
      logLevel: 'silent',
    });
    const py = path.join(repoRoot, 'src/core/runtime/python/bootstrap.py');
    if (fs.existsSync(py)) fs.copyFileSync(py, path.join(dir, 'python_bootstrap.py'));
    return dir;
  })();
  return built;
}

export const fixturesRoot = path.join(repoRoot, 'test/fixtures/runtime');
