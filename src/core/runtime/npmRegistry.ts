/**
 * The npm registry as the runner uses it: package metadata and tarballs, each tarball checked against the integrity
 * the registry publishes for it. The registry is the user's (`npm_config_registry`, `registry=` in ~/.npmrc), else
 * registry.npmjs.org. Network failures become RegistryUnreachableError, with a message that says so.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const DEFAULT_NPM_REGISTRY = 'https://registry.npmjs.org/';

/** The registry npm itself would use: the environment's, the user's ~/.npmrc, else the public one. */
export function npmRegistryUrl(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  const fromEnv = env.npm_config_registry ?? env.NPM_CONFIG_REGISTRY;
  if (fromEnv) return withSlash(fromEnv);
  try {
    const npmrc = fs.readFileSync(path.join(home, '.npmrc'), 'utf8');
    const line = /^\s*registry\s*=\s*(\S+)\s*$/m.exec(npmrc);
    if (line) return withSlash(line[1]);
  } catch {
    // No ~/.npmrc.
  }
  return DEFAULT_NPM_REGISTRY;
}

const withSlash = (url: string): string => (url.endsWith('/') ? url : `${url}/`);

/** The registry could not be reached (offline, DNS, proxy, firewall): nothing was wrong with the request. */
export class RegistryUnreachableError extends Error {
  override readonly name = 'RegistryUnreachableError';
}

export interface PackageVersion {
  name: string;
  version: string;
  bin?: Record<string, string> | string;
  dist: { tarball: string; integrity?: string; shasum?: string; unpackedSize?: number };
}

export interface Packument {
  name: string;
  versions: Record<string, PackageVersion>;
}

const NETWORK_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

function unreachable(registry: string, err: unknown): Error {
  if (err instanceof Error && err.name === 'AbortError') return new Error('cancelled: the runner is closing');
  const cause = (err as { cause?: { code?: string; message?: string } } | null)?.cause;
  const code = cause?.code ?? (err as { code?: string } | null)?.code;
  if (
    (err instanceof Error && err.name === 'TimeoutError') ||
    (code && NETWORK_CODES.has(code)) ||
    err instanceof TypeError
  )
    return new RegistryUnreachableError(
      `cannot reach the npm registry at ${registry} (${code ?? cause?.message ?? (err as Error).message}): ` +
        'is this machine offline, or behind a proxy Node.js does not use?',
    );
  return err instanceof Error ? err : new Error(String(err));
}

/** Metadata of every version of a package. */
export async function fetchPackument(
  registry: string,
  name: string,
  signal?: AbortSignal,
  timeoutMs = 30_000,
): Promise<Packument> {
  const url = `${registry}${name.replace('/', '%2f')}`;
  let response: Response;
  try {
    const timeout = AbortSignal.timeout(timeoutMs);
    response = await fetch(url, {
      headers: { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8' },
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (err) {
    throw unreachable(registry, err);
  }
  if (!response.ok) throw new Error(`the npm registry answered ${response.status} for ${name} (${url})`);
  return (await response.json()) as Packument;
}

/** Major.minor.patch of a release version; undefined for prereleases and anything else. */
export function releaseVersion(version: string): [number, number, number] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The newest release of a major version, e.g. the latest 22.x.y. */
export function newestOfMajor(packument: Packument, major: number): PackageVersion | undefined {
  let best: PackageVersion | undefined;
  for (const [version, meta] of Object.entries(packument.versions)) {
    const v = releaseVersion(version);
    if (!v || v[0] !== major) continue;
    if (!best || compareVersions(version, best.version) > 0) best = meta;
  }
  return best;
}

/**
 * Downloads a tarball to `file`, hashing it on the way, and fails unless it matches the registry's integrity
 * (`sha512-<base64>`, else the sha1 shasum). `onBytes` sees the bytes received so far and the total when known.
 */
export async function downloadVerified(
  registry: string,
  version: PackageVersion,
  file: string,
  onBytes?: (received: number, total: number | undefined) => void,
  signal?: AbortSignal,
  idleTimeoutMs = 60_000,
): Promise<void> {
  const { tarball, integrity, shasum } = version.dist;
  const expected = parseIntegrity(integrity, shasum);
  if (!expected) throw new Error(`the npm registry publishes no integrity for ${version.name}@${version.version}`);
  const controller = new AbortController();
  signal?.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  let idle = setTimeout(() => controller.abort(new Error('no data for a minute')), idleTimeoutMs);
  const out = fs.openSync(file, 'w');
  try {
    let response: Response;
    try {
      response = await fetch(tarball, { signal: controller.signal });
    } catch (err) {
      throw unreachable(registry, err);
    }
    if (!response.ok || !response.body) throw new Error(`the npm registry answered ${response.status} for ${tarball}`);
    const total = Number(response.headers.get('content-length')) || undefined;
    const hash = createHash(expected.algorithm);
    let received = 0;
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        clearTimeout(idle);
        idle = setTimeout(() => controller.abort(new Error('no data for a minute')), idleTimeoutMs);
        hash.update(chunk);
        fs.writeSync(out, chunk);
        received += chunk.length;
        onBytes?.(received, total);
      }
    } catch (err) {
      throw unreachable(registry, err);
    }
    const actual = hash.digest(expected.encoding);
    if (actual !== expected.digest)
      throw new Error(
        `${version.name}@${version.version}: the downloaded tarball does not match the registry's integrity ` +
          `(${expected.algorithm} ${actual}, expected ${expected.digest}); it was not used`,
      );
  } finally {
    clearTimeout(idle);
    fs.closeSync(out);
  }
}

function parseIntegrity(
  integrity: string | undefined,
  shasum: string | undefined,
): { algorithm: string; digest: string; encoding: 'base64' | 'hex' } | undefined {
  // Subresource Integrity: several hashes may be listed; the strongest known one is checked.
  const entries = (integrity ?? '').split(/\s+/).filter(Boolean);
  for (const algorithm of ['sha512', 'sha384', 'sha256']) {
    const entry = entries.find((e) => e.startsWith(`${algorithm}-`));
    if (entry) return { algorithm, digest: entry.slice(algorithm.length + 1), encoding: 'base64' };
  }
  if (shasum) return { algorithm: 'sha1', digest: shasum, encoding: 'hex' };
  return undefined;
}
