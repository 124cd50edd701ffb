/**
 * The runner's cache of what it fetches for functions: Node.js versions from the npm registry (`node/<version>`), the
 * AWS SDK for JavaScript (`aws-sdk-js/node<major>`) and boto3 (`python/boto3-<version>`). One per user, shared by
 * the CLI and every VS Code window; every fill is atomic (a temporary directory renamed into place) or locked.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const CACHE_DIR_ENV = 'LAMBDA_TRIGGER_CACHE_DIR';

/** `$LAMBDA_TRIGGER_CACHE_DIR`, else the platform's user cache directory + `lambda-trigger-runner`. */
export function defaultRuntimeCacheDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  const explicit = env[CACHE_DIR_ENV];
  if (explicit) return path.resolve(explicit);
  if (platform === 'win32')
    return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'lambda-trigger-runner', 'Cache');
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'lambda-trigger-runner');
  return path.join(env.XDG_CACHE_HOME ?? path.join(home, '.cache'), 'lambda-trigger-runner');
}

/** A fresh temporary path beside `final` (same file system, so that a rename can move it into place). */
export function siblingTemp(final: string): string {
  return path.join(
    path.dirname(final),
    `.${path.basename(final)}.${process.pid}.${Math.random().toString(36).slice(2, 8)}`,
  );
}

/**
 * Moves a finished temporary directory into place. Another process may have won the race: its copy is kept and ours
 * removed. Returns the final path.
 */
export function publishDirectory(temp: string, final: string): string {
  try {
    fs.renameSync(temp, final);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTEMPTY' && code !== 'EPERM') throw err;
    fs.rmSync(temp, { recursive: true, force: true });
  }
  return final;
}

/**
 * An exclusive lock on a cache directory across processes: a `.lock` directory holding the owner's pid. A lock whose
 * owner is gone, or older than `staleMs`, is taken over. Resolves with the release function.
 */
export async function lockDirectory(
  dir: string,
  options: { staleMs?: number; onWait?: () => void; signal?: AbortSignal } = {},
): Promise<() => void> {
  const lock = path.join(dir, '.lock');
  const staleMs = options.staleMs ?? 10 * 60_000;
  fs.mkdirSync(dir, { recursive: true });
  let waited = false;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      return () => fs.rmSync(lock, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (isStale(lock, staleMs)) {
      fs.rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (!waited) options.onWait?.();
    waited = true;
    if (options.signal?.aborted) throw new Error('Cancelled while waiting for the runtime cache');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function isStale(lock: string, staleMs: number): boolean {
  try {
    const stat = fs.statSync(lock);
    if (Date.now() - stat.mtimeMs > staleMs) return true;
    const pid = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return Date.now() - stat.mtimeMs > 5_000;
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // ESRCH: its owner is gone. ENOENT: released meanwhile (or the pid not written yet: give it a moment).
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ESRCH';
  }
}
