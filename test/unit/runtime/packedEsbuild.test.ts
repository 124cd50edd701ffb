import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import {
  EsbuildUnpackError,
  PACKED_BINARY_FILE,
  PACKED_MANIFEST_FILE,
  unpackedEsbuildBinary,
} from '../../../src/core/runtime/packedEsbuild';
import { encodeX86Calls, X86_CALL_FILTER } from '../../../src/core/runtime/x86CallFilter';

/** This platform's esbuild binary, as its platform package installed it. */
function installedBinary(): string {
  const pkg = path.dirname(require.resolve(`@esbuild/${process.platform}-${process.arch}/package.json`));
  return process.platform === 'win32' ? path.join(pkg, 'esbuild.exe') : path.join(pkg, 'bin', 'esbuild');
}

describe('runtime: esbuild packed in the .vsix, unpacked on first use', function () {
  this.timeout(60_000);
  let dir: string;
  let packedDir: string;
  let cacheDir: string;
  const binary = fs.readFileSync(installedBinary());
  const sha256 = createHash('sha256').update(binary).digest('hex');
  const { version } = JSON.parse(fs.readFileSync(require.resolve('esbuild/package.json'), 'utf8')) as {
    version: string;
  };
  const file = process.platform === 'win32' ? 'esbuild.exe' : 'esbuild';
  // What scripts/lib/packEsbuild.mjs writes (at brotli's fastest here: the format is the same).
  const packed = zlib.brotliCompressSync(binary, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-packed-esbuild-'));
    packedDir = path.join(dir, 'esbuild-binary');
    cacheDir = path.join(dir, 'cache');
    fs.mkdirSync(packedDir);
    fs.writeFileSync(path.join(packedDir, PACKED_BINARY_FILE), packed);
    writeManifest({ version, file, size: binary.length, sha256 });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const writeManifest = (manifest: object): void =>
    fs.writeFileSync(path.join(packedDir, PACKED_MANIFEST_FILE), JSON.stringify(manifest));
  /** Every file under the cache folder (a failed unpack leaves no temporary file behind). */
  const cacheFiles = (): string[] =>
    fs.existsSync(cacheDir)
      ? (fs.readdirSync(cacheDir, { recursive: true }) as string[]).filter((f) =>
          fs.statSync(path.join(cacheDir, f)).isFile(),
        )
      : [];

  it('unpacks the binary into the cache once, checked, executable, and esbuild runs it (TypeScript transpiles)', async () => {
    const unpacked = await unpackedEsbuildBinary(packedDir, cacheDir);
    assert.ok(unpacked !== undefined, 'a packed binary is found');
    assert.ok(unpacked?.startsWith(path.join(cacheDir, 'esbuild', `${version}-${sha256.slice(0, 16)}`)), unpacked);
    assert.ok(fs.readFileSync(unpacked).equals(binary));
    if (process.platform !== 'win32') assert.ok((fs.statSync(unpacked).mode & 0o111) !== 0, 'executable');
    const written = fs.statSync(unpacked).mtimeMs;
    fs.rmSync(path.join(packedDir, PACKED_BINARY_FILE));
    assert.equal(await unpackedEsbuildBinary(packedDir, cacheDir), unpacked, 'found in the cache, not unpacked again');
    assert.equal(fs.statSync(unpacked).mtimeMs, written);
    const run = spawnSync(
      process.execPath,
      ['-e', "process.stdout.write(require('esbuild').transformSync('const n: number = 1', { loader: 'ts' }).code)"],
      { env: { ...process.env, ESBUILD_BINARY_PATH: unpacked }, encoding: 'utf8' },
    );
    assert.equal(run.stderr, '');
    assert.equal(run.stdout, 'const n = 1;\n');
  });

  it('an x86 binary packed through the call filter is unpacked to the very same bytes', async () => {
    const filtered = zlib.brotliCompressSync(encodeX86Calls(binary), {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 },
    });
    fs.writeFileSync(path.join(packedDir, PACKED_BINARY_FILE), filtered);
    writeManifest({ version, file, size: binary.length, sha256, filter: X86_CALL_FILTER });
    const unpacked = await unpackedEsbuildBinary(packedDir, cacheDir);
    assert.ok(unpacked !== undefined && fs.readFileSync(unpacked).equals(binary));
  });

  it('a filter it does not know, or a filtered file listed as unfiltered, is refused with the reason', async () => {
    writeManifest({ version, file, size: binary.length, sha256, filter: 'arm64-branches' });
    await assert.rejects(unpackedEsbuildBinary(packedDir, cacheDir), /does not describe a packed binary/);
    fs.writeFileSync(
      path.join(packedDir, PACKED_BINARY_FILE),
      zlib.brotliCompressSync(encodeX86Calls(binary), { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } }),
    );
    writeManifest({ version, file, size: binary.length, sha256 });
    await assert.rejects(unpackedEsbuildBinary(packedDir, cacheDir), /is not the binary it was packed from/);
    assert.deepEqual(cacheFiles(), []);
  });

  it('a folder without a packed binary (a development build) leaves esbuild to find its platform package', async () => {
    fs.rmSync(path.join(packedDir, PACKED_MANIFEST_FILE));
    assert.equal(await unpackedEsbuildBinary(packedDir, cacheDir), undefined);
    assert.deepEqual(cacheFiles(), []);
  });

  it('a damaged packed file is a clear error naming it, and nothing is left in the cache', async () => {
    fs.writeFileSync(path.join(packedDir, PACKED_BINARY_FILE), packed.subarray(0, packed.length >> 1));
    await assert.rejects(
      unpackedEsbuildBinary(packedDir, cacheDir),
      (e: Error) =>
        e instanceof EsbuildUnpackError &&
        e.message.startsWith(`Cannot unpack esbuild ${version} (it transpiles TypeScript handlers) from `) &&
        e.message.includes(path.join(packedDir, PACKED_BINARY_FILE)) &&
        /is damaged/.test(e.message),
    );
    assert.deepEqual(cacheFiles(), []);
  });

  it('bytes that do not match the checksum are refused, and nothing is left in the cache', async () => {
    writeManifest({ version, file, size: binary.length, sha256: 'f'.repeat(64) });
    await assert.rejects(unpackedEsbuildBinary(packedDir, cacheDir), (e: Error) => {
      assert.ok(e instanceof EsbuildUnpackError);
      assert.match(e.message, new RegExp(`SHA-256 ${sha256}\\) is not the binary it was packed from`));
      return true;
    });
    assert.deepEqual(cacheFiles(), []);
  });

  it('a cache that cannot be written is a clear error naming where', async () => {
    fs.writeFileSync(cacheDir, 'a file where the cache folder should be');
    await assert.rejects(
      unpackedEsbuildBinary(packedDir, cacheDir),
      (e: Error) => e instanceof EsbuildUnpackError && e.message.includes(`into ${path.join(cacheDir, 'esbuild')}`),
    );
  });

  it('a manifest that is not JSON or lacks a field says the package is damaged', async () => {
    fs.writeFileSync(path.join(packedDir, PACKED_MANIFEST_FILE), '{"version":');
    await assert.rejects(unpackedEsbuildBinary(packedDir, cacheDir), /is not JSON: the extension's package is damaged/);
    writeManifest({ version, file: '../elsewhere', size: binary.length, sha256 });
    await assert.rejects(unpackedEsbuildBinary(packedDir, cacheDir), /does not describe a packed binary/);
  });
});
