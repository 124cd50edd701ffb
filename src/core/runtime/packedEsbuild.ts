/**
 * esbuild (it transpiles TypeScript handlers) as the .vsix carries it: its native binary brotli-compressed,
 * `dist/esbuild-binary/esbuild.br` (3.7 MB instead of 11 MB), with `binary.json` (esbuild's version, the binary's file
 * name, size and SHA-256; scripts/lib/packEsbuild.mjs writes both). On first use the binary is unpacked into the
 * runner's cache (`<cache>/esbuild/<version>-<sha256 prefix>/<file>`), checked against its size and checksum before it
 * is renamed into place, and esbuild's JS API is pointed at it (ESBUILD_BINARY_PATH, which the API reads once, when it
 * is loaded). Run from source or from a development build there is no binary.json: esbuild finds its platform
 * package as usual.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { defaultRuntimeCacheDir, siblingTemp } from './runtimeCache';
import { decodeX86Calls, X86_CALL_FILTER } from './x86CallFilter';

export const PACKED_BINARY_FILE = 'esbuild.br';
export const PACKED_MANIFEST_FILE = 'binary.json';

/** What binary.json says about the packed binary. */
export interface PackedBinary {
  version: string;
  /** `esbuild`, or `esbuild.exe` on Windows. */
  file: string;
  size: number;
  sha256: string;
  /** A filter applied before compressing (x86 binaries: x86CallFilter.ts), reversed after decompressing. */
  filter?: typeof X86_CALL_FILTER;
}

/** The packed binary could not be unpacked (damaged package, full disk, unwritable cache): says what and where. */
export class EsbuildUnpackError extends Error {
  override readonly name = 'EsbuildUnpackError';
}

const brotliDecompress = promisify(zlib.brotliDecompress);

/**
 * The path of the binary packed in `packedDir`, unpacked into `cacheDir` (at most once: a later call finds it there);
 * undefined when `packedDir` holds no packed binary.
 */
export async function unpackedEsbuildBinary(packedDir: string, cacheDir: string): Promise<string | undefined> {
  const manifestFile = path.join(packedDir, PACKED_MANIFEST_FILE);
  let manifestText: string;
  try {
    manifestText = await fsp.readFile(manifestFile, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EsbuildUnpackError(`Cannot read ${manifestFile}: ${(e as Error).message}`);
  }
  const manifest = manifestOf(manifestText, manifestFile);
  const target = path.join(cacheDir, 'esbuild', `${manifest.version}-${manifest.sha256.slice(0, 16)}`, manifest.file);
  // Checked when it was unpacked (a temporary file is renamed into place only then): its size is enough now.
  if (sizeOf(target) === manifest.size) return target;
  const packed = path.join(packedDir, PACKED_BINARY_FILE);
  const failed = (why: string): EsbuildUnpackError =>
    new EsbuildUnpackError(
      `Cannot unpack esbuild ${manifest.version} (it transpiles TypeScript handlers) from ${packed} into ${target}: ` +
        `${why}. Reinstalling the extension restores the packed file; the cache folder can be chosen with ` +
        'LAMBDA_TRIGGER_CACHE_DIR.',
    );
  let binary: Buffer;
  try {
    binary = await brotliDecompress(await fsp.readFile(packed));
    if (manifest.filter === X86_CALL_FILTER) decodeX86Calls(binary);
  } catch (e) {
    throw failed(`the packed file cannot be read or is damaged (${(e as Error).message})`);
  }
  const sha256 = createHash('sha256').update(binary).digest('hex');
  if (binary.length !== manifest.size || sha256 !== manifest.sha256)
    throw failed(
      `what it holds (${binary.length} bytes, SHA-256 ${sha256}) is not the binary it was packed from ` +
        `(${manifest.size} bytes, SHA-256 ${manifest.sha256})`,
    );
  const temp = siblingTemp(target);
  try {
    await fsp.mkdir(path.dirname(target), { recursive: true });
    await fsp.writeFile(temp, binary, { mode: 0o755 });
    // Another process may have unpacked it meanwhile: the same bytes, renamed over it.
    await fsp.rename(temp, target);
  } catch (e) {
    await fsp.rm(temp, { force: true }).catch(() => undefined); // nothing to remove where nothing could be written
    throw failed((e as Error).message);
  }
  return target;
}

function sizeOf(file: string): number | undefined {
  try {
    return fs.statSync(file).size;
  } catch {
    return undefined; // not there, or not reachable (written below, or failing there with the reason)
  }
}

function manifestOf(text: string, file: string): PackedBinary {
  let value: Partial<Record<keyof PackedBinary, unknown>>;
  try {
    value = JSON.parse(text) as typeof value;
  } catch {
    throw new EsbuildUnpackError(`${file} is not JSON: the extension's package is damaged; reinstall it.`);
  }
  const { version, file: name, size, sha256, filter } = value;
  if (
    (filter !== undefined && filter !== X86_CALL_FILTER) ||
    typeof version !== 'string' ||
    typeof name !== 'string' ||
    !/^esbuild(\.exe)?$/.test(name) ||
    typeof size !== 'number' ||
    typeof sha256 !== 'string' ||
    !/^[0-9a-f]{64}$/.test(sha256)
  )
    throw new EsbuildUnpackError(
      `${file} does not describe a packed binary (version, file, size, sha256, filter): the extension's package ` +
        'is damaged; reinstall it.',
    );
  return { version, file: name, size, sha256, ...(filter ? { filter } : {}) };
}

let loading: Promise<typeof import('esbuild')> | undefined;

/**
 * esbuild's JS API, with the packed binary unpacked first when this bundle carries one (dist/esbuild-binary beside
 * it). A failed unpack rejects with an EsbuildUnpackError, and the next call tries again.
 */
export function loadEsbuild(): Promise<typeof import('esbuild')> {
  loading ??= (async () => {
    const binary = await unpackedEsbuildBinary(path.join(__dirname, 'esbuild-binary'), defaultRuntimeCacheDir());
    if (binary === undefined) return import('esbuild');
    const before = process.env.ESBUILD_BINARY_PATH;
    process.env.ESBUILD_BINARY_PATH = binary;
    try {
      return await import('esbuild');
    } finally {
      // Read as the API loaded: the variable does not stay in the environment handlers inherit.
      if (before === undefined) delete process.env.ESBUILD_BINARY_PATH;
      else process.env.ESBUILD_BINARY_PATH = before;
    }
  })().catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}
