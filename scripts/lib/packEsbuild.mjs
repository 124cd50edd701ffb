// Packs esbuild's native binary for the .vsix (src/core/runtime/packedEsbuild.ts unpacks it on first use): the binary
// of the platform package in dist/node_modules/@esbuild/<name> is brotli-compressed into dist/esbuild-binary/esbuild.br
// with binary.json (version, file, size, sha256), and the platform package is removed from dist. Compressing at
// brotli's best takes a minute: the result is kept in node_modules/.cache by the binary's checksum. An x86 binary is
// filtered first (src/core/runtime/x86CallFilter.ts: call targets made absolute), which packs it about 4% smaller.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { tsImport } from 'tsx/esm/api';

/** esbuild's platform packages whose binary is x86 machine code. */
const X86_PACKAGE = /-(x64|ia32)$/;

export const PACKED_DIR = 'esbuild-binary';

/** Packs the one platform package under dist/node_modules/@esbuild; returns what binary.json says. */
export async function packEsbuildBinary(root) {
  const platformDir = join(root, 'dist', 'node_modules', '@esbuild');
  const packages = readdirSync(platformDir);
  if (packages.length !== 1) throw new Error(`Expected one esbuild platform package in ${platformDir}: ${packages}`);
  const pkgDir = join(platformDir, packages[0]);
  // Windows packages hold esbuild.exe at their root; the others bin/esbuild.
  const file = existsSync(join(pkgDir, 'esbuild.exe')) ? 'esbuild.exe' : 'esbuild';
  const binary = readFileSync(file === 'esbuild.exe' ? join(pkgDir, file) : join(pkgDir, 'bin', file));
  const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const sha256 = createHash('sha256').update(binary).digest('hex');
  const cacheDir = join(root, 'node_modules', '.cache', 'lambda-trigger-runner');
  const { X86_CALL_FILTER, encodeX86Calls } = await tsImport(
    '../../src/core/runtime/x86CallFilter.ts',
    import.meta.url,
  );
  const filter = X86_PACKAGE.test(packages[0]) ? X86_CALL_FILTER : undefined;
  const cached = join(cacheDir, `esbuild-${sha256}${filter ? `-${filter}` : ''}.br`);
  let packed;
  if (existsSync(cached)) packed = readFileSync(cached);
  else {
    packed = brotliCompressSync(filter ? encodeX86Calls(binary) : binary, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS,
        [constants.BROTLI_PARAM_SIZE_HINT]: binary.length,
      },
    });
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(`${cached}.tmp`, packed);
    renameSync(`${cached}.tmp`, cached);
  }
  const out = join(root, 'dist', PACKED_DIR);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'esbuild.br'), packed);
  const manifest = { version, file, size: binary.length, sha256, ...(filter ? { filter } : {}) };
  writeFileSync(join(out, 'binary.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  rmSync(platformDir, { recursive: true, force: true });
  console.log(
    `[package] esbuild ${version} (${packages[0]}) packed${filter ? ` (${filter} filter)` : ''}: ${(binary.length / 2 ** 20).toFixed(1)} MB -> ` +
      `${(packed.length / 2 ** 20).toFixed(2)} MB`,
  );
  return manifest;
}
