/**
 * RUNTIME-2: which Node.js or Python runs a function's runtime. nodejs22.x runs on a Node.js 22 and python3.13 on a
 * Python 3.13, found on this machine (PATH, version managers, the runner's cache) or, for Node.js, downloaded from the
 * npm registry into the cache on first use. When only another version is available the function still runs, on it,
 * and the host says so (`mismatch`), for the record, the panel, `list` and the CLI.
 */
import * as os from 'node:os';
import { isNodeRuntime, type RuntimeId } from './functionSpec';
import { downloadNode } from './nodeDownload';
import {
  defaultNode,
  findCachedNode,
  findNodeInstallation,
  majorOf,
  type NodeInstallation,
  type NodeLookup,
} from './nodeInstallations';
import type { RuntimeHostInfo } from './outcome';
import { executableVersion } from './executableVersion';
import { findPythonInstallation, minorOf, type PythonInstallation } from './pythonInstallations';
import { detectPythonInterpreter } from './pythonInterpreter';
import type { RuntimeProgressListener } from './runtimeProgress';

export interface RuntimeHost extends RuntimeHostInfo {
  language: 'nodejs' | 'python';
  /** The exact version the executable reports, when it answers. */
  version?: string;
  /** Electron running as Node.js (VS Code's own executable): needs ELECTRON_RUN_AS_NODE=1. */
  electron?: boolean;
}

export interface RuntimeHostsOptions {
  /** The runner's cache (downloaded Node.js versions in `node/`). */
  cacheDir: string;
  /** The npm registry Node.js is downloaded from. */
  registry: string;
  /** Download a missing Node.js version on first use (default true). */
  downloads?: boolean;
  /** A Node.js executable the user chose: the default instead of this process's. */
  nodeExecutable?: string;
  /** A Python interpreter the user chose: used for every Python function, whatever its version. */
  pythonInterpreter?: string;
  /** Where to stop looking for a virtualenv above a code root. */
  workspaceRoot?: string;
  onProgress?: RuntimeProgressListener;
  /** Aborts downloads in flight (the pool is closing). */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  home?: string;
  platform?: NodeJS.Platform;
  /** This process as a Node.js (tests stand in another). */
  self?: NodeLookup['self'];
}

/** How a runtime would run here, without downloading anything (for `list`). */
export type RuntimeHostPlan =
  | { kind: 'ready'; host: RuntimeHost }
  | { kind: 'download'; runtime: string; major: number; cacheDir: string; registry: string };

const NODE_PLACES = 'PATH, nvm, fnm, volta, asdf, mise, n, the runtime cache';
const PYTHON_PLACES = 'PATH, pyenv, asdf, mise, uv';
/** A failed download is tried again on a later cold start, not on every one. */
const RETRY_DOWNLOAD_MS = 60_000;

export class RuntimeHosts {
  private readonly nodeHosts = new Map<string, { host: Promise<RuntimeHost>; failedAt?: number }>();
  private readonly pythonHosts = new Map<string, Promise<RuntimeHost>>();
  private readonly lookup: NodeLookup;

  constructor(private readonly options: RuntimeHostsOptions) {
    const env = options.env ?? process.env;
    this.lookup = {
      env,
      home: options.home ?? os.homedir(),
      platform: options.platform ?? process.platform,
      cacheDir: options.cacheDir,
      self: options.self ?? {
        executable: process.execPath,
        version: process.versions.node,
        electron: process.versions.electron !== undefined,
      },
      ...(options.nodeExecutable ? { configured: options.nodeExecutable } : {}),
    };
  }

  get downloads(): boolean {
    return this.options.downloads ?? true;
  }

  /** The host of a function's runtime; for Node.js it may download (once per version, shared). */
  host(runtime: RuntimeId, codeRoot: string): Promise<RuntimeHost> {
    return isNodeRuntime(runtime) ? this.node(runtime) : this.python(runtime, codeRoot);
  }

  node(runtime: string): Promise<RuntimeHost> {
    const cached = this.nodeHosts.get(runtime);
    if (cached && !(cached.failedAt !== undefined && Date.now() - cached.failedAt > RETRY_DOWNLOAD_MS))
      return cached.host;
    const entry: { host: Promise<RuntimeHost>; failedAt?: number } = {
      host: this.resolveNode(runtime).then(({ host, downloadFailed }) => {
        if (downloadFailed) entry.failedAt = Date.now();
        return host;
      }),
    };
    this.nodeHosts.set(runtime, entry);
    return entry.host;
  }

  /** How `runtime` would run, looking only at this machine. */
  async plan(runtime: RuntimeId, codeRoot: string): Promise<RuntimeHostPlan> {
    if (!isNodeRuntime(runtime)) return { kind: 'ready', host: await this.python(runtime, codeRoot) };
    const major = nodeMajor(runtime);
    const found = await findNodeInstallation(major, this.lookup);
    if (found) return { kind: 'ready', host: nodeHost(runtime, found) };
    if (this.downloads)
      return { kind: 'download', runtime, major, cacheDir: this.options.cacheDir, registry: this.options.registry };
    return {
      kind: 'ready',
      host: nodeHost(
        runtime,
        await defaultNode(this.lookup),
        `no Node.js ${major} was found (${NODE_PLACES}) and downloads are off`,
      ),
    };
  }

  private async resolveNode(runtime: string): Promise<{ host: RuntimeHost; downloadFailed?: boolean }> {
    const major = nodeMajor(runtime);
    const found = await findNodeInstallation(major, this.lookup);
    if (found) return { host: nodeHost(runtime, found) };
    const fallback = async (why: string) => nodeHost(runtime, await defaultNode(this.lookup), why);
    if (!this.downloads)
      return { host: await fallback(`no Node.js ${major} was found (${NODE_PLACES}) and downloads are off`) };
    try {
      const downloaded = await downloadNode(major, {
        cacheDir: this.options.cacheDir,
        registry: this.options.registry,
        purpose: runtime,
        ...(this.options.signal ? { signal: this.options.signal } : {}),
        ...(this.options.onProgress ? { onProgress: this.options.onProgress } : {}),
        ...(this.options.platform ? { platform: this.options.platform } : {}),
      });
      return { host: nodeHost(runtime, downloaded) };
    } catch (err) {
      // Another process may have filled the cache meanwhile.
      const cached = findCachedNode(major, this.lookup);
      if (cached) return { host: nodeHost(runtime, cached) };
      const why = err instanceof Error ? err.message : String(err);
      return {
        host: await fallback(`no Node.js ${major} was found (${NODE_PLACES}) and it could not be downloaded: ${why}`),
        downloadFailed: true,
      };
    }
  }

  python(runtime: string, codeRoot: string): Promise<RuntimeHost> {
    const venv = this.options.pythonInterpreter
      ? undefined
      : detectPythonInterpreter(codeRoot, this.options.workspaceRoot);
    const key = `${runtime}\0${venv ?? ''}`;
    let host = this.pythonHosts.get(key);
    if (!host) {
      host = this.resolvePython(runtime, venv);
      this.pythonHosts.set(key, host);
    }
    return host;
  }

  private async resolvePython(runtime: string, venv: string | undefined): Promise<RuntimeHost> {
    const wanted = runtime.replace(/^python/, '');
    const { env } = this.lookup;
    const chosen = this.options.pythonInterpreter
      ? { executable: this.options.pythonInterpreter, source: 'configured' as const }
      : venv
        ? { executable: venv, source: 'virtualenv' as const }
        : undefined;
    if (chosen) {
      // The user's choice wins, whatever its version; a different one is said.
      const version = await executableVersion(chosen.executable, env);
      const what = chosen.source === 'configured' ? 'the configured interpreter' : "the project's virtualenv";
      return pythonHost(
        runtime,
        { ...chosen, ...(version ? { version } : {}) },
        version && minorOf(version) !== wanted ? `${what} is Python ${version}` : undefined,
      );
    }
    const found = await findPythonInstallation(wanted, this.lookup);
    if (found) return pythonHost(runtime, found);
    const fallback = this.lookup.platform === 'win32' ? 'python' : 'python3';
    const version = await executableVersion(fallback, env);
    return pythonHost(
      runtime,
      { executable: fallback, source: 'PATH', ...(version ? { version } : {}) },
      version && minorOf(version) === wanted ? undefined : `no Python ${wanted} was found (${PYTHON_PLACES})`,
    );
  }
}

function nodeMajor(runtime: string): number {
  return Number(/^nodejs(\d+)\.x$/.exec(runtime)?.[1]);
}

function describeSource(source: string, executable: string): string {
  return source === 'this process' ? 'the Node.js running the runner' : `${source}: ${executable}`;
}

function nodeHost(runtime: string, found: NodeInstallation, whyNot?: string): RuntimeHost {
  const major = nodeMajor(runtime);
  const differs = majorOf(found.version) !== major;
  return {
    runtime,
    language: 'nodejs',
    runsOn: `Node.js ${found.version}`,
    executable: found.executable,
    version: found.version,
    ...(found.electron ? { electron: true } : {}),
    ...(differs
      ? {
          mismatch:
            `${runtime} runs on Node.js ${found.version} (${describeSource(found.source, found.executable)}), ` +
            `not on Node.js ${major}: ${whyNot ?? `the configured Node.js is ${found.version}`}`,
        }
      : {}),
  };
}

function pythonHost(runtime: string, found: PythonInstallation, whyNot?: string): RuntimeHost {
  const runsOn = found.version ? `Python ${found.version}` : `Python (${found.executable})`;
  return {
    runtime,
    language: 'python',
    runsOn,
    executable: found.executable,
    ...(found.version ? { version: found.version } : {}),
    ...(whyNot
      ? {
          mismatch: `${runtime} runs on ${runsOn} (${found.source}: ${found.executable}), not on Python ${runtime.replace(/^python/, '')}: ${whyNot}`,
        }
      : {}),
  };
}
