/**
 * RUNTIME-3: the AWS SDK for JavaScript v3, which Lambda's Node.js 18+ runtimes include: a handler may import
 * `@aws-sdk/client-sqs` without bundling it. Here the project's own node_modules come first, as on Lambda (where the
 * function's code comes before the runtime's); an `@aws-sdk/*` package the handler imports and the project lacks is
 * installed into the runtime cache on first need (`<cacheDir>/aws-sdk-js/node<major>`, with npm, for that Node.js
 * version), which the environment searches after the project (NODE_PATH, and the ES module hook).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { HandlerImports, packageResolvableFrom } from './handlerImports';
import { majorOf } from './nodeInstallations';
import { compareVersions } from './npmRegistry';
import { findNpmCli, npmInstall } from './npmInstall';
import { lockDirectory } from './runtimeCache';
import type { RuntimeHost } from './runtimeHosts';
import { reportProgress, type RuntimeProgressListener } from './runtimeProgress';

export interface AwsSdkForJsOptions {
  cacheDir: string;
  registry: string;
  onProgress?: RuntimeProgressListener;
  env?: NodeJS.ProcessEnv;
  /** Kills an install in flight (the pool is closing). */
  signal?: AbortSignal;
}

/** What an environment gets from the preinstalled packages: where to find them, and what went wrong. */
export interface PreparedNodePackages {
  /** The cache's node_modules, searched after the project's (NODE_PATH). */
  nodePath?: string;
  /** Lines for the invocation's log (a package that could not be installed, and why). */
  notes: string[];
}

const SDK_SCOPE = '@aws-sdk/';
const RETRY_MS = 60_000;

export class AwsSdkForJs {
  private readonly imports = new HandlerImports();
  /** One install at a time per cache directory in this process (other processes: the directory lock). */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** A failed install: tried again on a cold start a minute on, not on every one. */
  private readonly failed = new Map<string, { at: number; note: string }>();

  constructor(private readonly options: AwsSdkForJsOptions) {}

  /** The cache directory of the SDK for the Node.js major version that runs it. */
  prefixFor(host: Pick<RuntimeHost, 'version'>): string {
    return path.join(this.options.cacheDir, 'aws-sdk-js', `node${majorOf(host.version ?? '0')}`);
  }

  async prepare(runtime: string, handlerFile: string | undefined, host: RuntimeHost): Promise<PreparedNodePackages> {
    const prefix = this.prefixFor(host);
    const nodeModules = path.join(prefix, 'node_modules');
    const notes: string[] = [];
    if (handlerFile) {
      const fromDir = path.dirname(handlerFile);
      const missing = (await this.imports.packagesOf(handlerFile)).filter(
        (name) => name.startsWith(SDK_SCOPE) && !packageResolvableFrom(fromDir, name) && !inCache(nodeModules, name),
      );
      const failedKey = `${prefix}\0${missing.join(' ')}`;
      const failed = this.failed.get(failedKey);
      if (missing.length > 0 && failed && Date.now() - failed.at < RETRY_MS) notes.push(failed.note);
      else if (missing.length > 0) {
        try {
          await this.serially(prefix, () => this.install(prefix, missing, host, runtime));
        } catch (err) {
          notes.push(
            `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not in the project and could not be installed ` +
              `into the runtime cache: ${err instanceof Error ? err.message : String(err)}. Lambda's ${runtime} ` +
              `runtime includes the AWS SDK for JavaScript v3; to run here offline, add ${missing.length === 1 ? 'it' : 'them'} ` +
              `to the project (npm install ${missing.join(' ')}).`,
          );
          this.failed.set(failedKey, { at: Date.now(), note: notes[notes.length - 1] });
        }
      }
    }
    return { ...(fs.existsSync(nodeModules) ? { nodePath: nodeModules } : {}), notes };
  }

  private serially<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.queues.set(key, next);
    return next;
  }

  private async install(prefix: string, names: string[], host: RuntimeHost, runtime: string): Promise<void> {
    const task = `aws-sdk-js-${path.basename(prefix)}`;
    const release = await lockDirectory(prefix, {
      ...(this.options.signal ? { signal: this.options.signal } : {}),
      onWait: () =>
        reportProgress(this.options.onProgress, {
          task,
          phase: 'progress',
          message: `Waiting for another process that installs into ${prefix}`,
        }),
    });
    try {
      const nodeModules = path.join(prefix, 'node_modules');
      const still = names.filter((n) => !inCache(nodeModules, n));
      if (still.length === 0) return;
      const npmCli = findNpmCli([host.executable, process.execPath], this.options.env);
      if (!npmCli) throw new Error('npm was not found (next to Node.js or on PATH), so the runner cannot install it');
      // One snapshot of the SDK per cache, like a runtime's: later packages come from the same release or older.
      const snapshot = sdkSnapshot(prefix);
      const specs = still.map((n) => `${n}@${snapshot ? `<=${snapshot}` : '^3'}`);
      const started = performance.now();
      reportProgress(this.options.onProgress, {
        task,
        phase: 'start',
        message:
          `Installing ${still.join(', ')} into the runtime cache (${prefix}) from the npm registry: Lambda's ` +
          `${runtime} runtime includes the AWS SDK for JavaScript v3, this project does not`,
      });
      try {
        await npmInstall({
          node: runsNpm(host) ? host.executable : process.execPath,
          electron: runsNpm(host) ? host.electron === true : process.versions.electron !== undefined,
          npmCli,
          prefix,
          specs,
          registry: this.options.registry,
          ...(host.version ? { nodeVersion: host.version } : {}),
          ...(this.options.env ? { env: this.options.env } : {}),
          ...(this.options.signal ? { signal: this.options.signal } : {}),
        });
      } catch (err) {
        reportProgress(this.options.onProgress, {
          task,
          phase: 'failed',
          message: `Could not install ${still.join(', ')}: ${err instanceof Error ? err.message : String(err)}`,
        });
        throw err;
      }
      const versions = still.map((n) => `${n}@${installedVersion(nodeModules, n) ?? '?'}`);
      reportProgress(this.options.onProgress, {
        task,
        phase: 'done',
        message: `Installed ${versions.join(', ')} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      });
    } finally {
      release();
    }
  }
}

function inCache(nodeModules: string, name: string): boolean {
  return fs.existsSync(path.join(nodeModules, name, 'package.json'));
}

function installedVersion(nodeModules: string, name: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(nodeModules, name, 'package.json'), 'utf8')) as { version?: string })
      .version;
  } catch {
    return undefined;
  }
}

/** The newest `@aws-sdk/*` version the cache's package.json pins, if any. */
function sdkSnapshot(prefix: string): string | undefined {
  let deps: Record<string, string> = {};
  try {
    deps =
      (
        JSON.parse(fs.readFileSync(path.join(prefix, 'package.json'), 'utf8')) as {
          dependencies?: Record<string, string>;
        }
      ).dependencies ?? {};
  } catch {
    return undefined;
  }
  const versions = Object.entries(deps)
    .filter(([name, v]) => name.startsWith(SDK_SCOPE) && /^\d+\.\d+\.\d+$/.test(v))
    .map(([, v]) => v)
    .sort(compareVersions);
  return versions.at(-1);
}

/** npm 10 needs Node.js 18.17 or later. */
function runsNpm(host: RuntimeHost): boolean {
  return host.version !== undefined && compareVersions(host.version, '18.17.0') >= 0;
}
