/**
 * The execution environments of every function: a pool per function, warm reuse (NODE-10), a per-function
 * concurrency limit, idle eviction. The one entry point the invocation semantics (src/core/invoke) use.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ExecutionEnvironment,
  SUPERVISOR_FILE,
  type Afterlife,
  type DebugOptions,
  type EnvironmentOptions,
} from './executionEnvironment';
import { prepareSupervisor } from './supervisors';
import {
  InvalidFunctionSpecError,
  resolveFunctionSpec,
  type FunctionSpec,
  type ResolvedFunctionSpec,
  type RuntimeSettings,
} from './functionSpec';
import type { AwsLocation } from '../awsLocation';
import type { InvokeOutcome } from './outcome';
import type { SdkAccess } from './lambdaEnvironment';
import { payloadTooDeepMessage, requestTooLargeMessage, SYNC_REQUEST_LIMIT_BYTES } from './payloadLimits';
import { npmRegistryUrl } from './npmRegistry';
import { PreinstalledPackages } from './preinstalledPackages';
import { defaultRuntimeCacheDir } from './runtimeCache';
import { RuntimeHosts } from './runtimeHosts';
import type { RuntimeProgressListener } from './runtimeProgress';
import { TypeScriptCompiler, defaultTypeScriptCacheDir } from './typescriptHandler';

export interface EnvironmentPoolOptions {
  /** Directory with node-bootstrap.js and python_bootstrap.py (dist/runtime in the build). */
  bootstrapDir: string;
  /** The local account's region and id (AWS_REGION, invokedFunctionArn). */
  location: AwsLocation;
  /** Log format of functions whose LoggingConfig sets none (default Text). */
  logFormat?: 'Text' | 'JSON';
  /** Python interpreter for every Python function without its own; else the workspace virtualenv, else python3. */
  pythonInterpreter?: string;
  /** Where to look for a virtualenv above a function's code root. */
  workspaceRoot?: string;
  /**
   * Code roots must lie inside this directory (the workspace), and every handler file inside its code root,
   * compared as real paths; a function outside fails with Runtime.HandlerNotFound before anything starts. Unset:
   * code roots may be anywhere (handler files still stay inside theirs).
   */
  codeBoundary?: string;
  /** Node executable for functions whose Node.js major version is not found (default: this process's). */
  nodeExecutable?: string;
  /** RUNTIME-2/3: downloaded Node.js versions and preinstalled packages (default: the user's cache directory). */
  cacheDir?: string;
  /** The npm registry Node.js versions and the AWS SDK come from (default: npm's own setting). */
  registry?: string;
  /** Download a function's Node.js version when this machine lacks it (default true). */
  runtimeDownloads?: boolean;
  /** Progress of downloads and installs an environment waits for (the CLI prints it, the extension shows it). */
  onProgress?: RuntimeProgressListener;
  /** Which Node.js or Python runs each runtime; by default one built from the options above. */
  hosts?: RuntimeHosts;
  /** Where runtimes are looked for (PATH, version managers under the home directory); default this process's. */
  runtimeLookup?: { env: NodeJS.ProcessEnv; home: string };
  /** Concurrent environments per function (default 10). */
  maxConcurrency?: number;
  /** What to do when a function is at its limit: wait for a free environment (default) or throttle. */
  onConcurrencyLimit?: 'queue' | 'throttle';
  /** Idle environments are killed after this long (default 10 minutes). */
  idleTimeoutMs?: number;
  /** Compiled TypeScript handlers are cached here (default: <tmp>/lambda-trigger-runner/ts-cache). */
  typescriptCacheDir?: string;
  /** Captured output per invocation (default 4 MB); beyond it lines are dropped with a note. */
  maxLogBytes?: number;
  memoryWatchIntervalMs?: number;
  /** How handlers' AWS SDK calls reach the local AWS endpoint (the account's); asked before each environment starts. */
  sdkAccess?: (spec: ResolvedFunctionSpec) => Promise<SdkAccess | undefined>;
}

export interface InvokeOptions {
  requestId?: string;
  signal?: AbortSignal;
  clientContext?: unknown;
  identity?: unknown;
  /** Start a dedicated environment with the debugger listening (inspector / debugpy); no timeout is enforced. */
  debug?: DebugOptions;
  /** NODE-11: each chunk of a streamed response as it arrives. */
  onResponseChunk?: (chunk: Buffer) => void;
  /** NODE-11: the HTTP prelude of a streamed response, before its first chunk. */
  onResponsePrelude?: (prelude: Record<string, unknown>, contentType: string) => void;
  /** The caller produced or already parsed the payload: it is not parsed again (the size limit still applies). */
  payloadIsJson?: boolean;
}

/** A request Lambda rejects before running anything (SYNC-6 oversize, unparseable JSON, throttling). */
export class InvokeRequestError extends Error {
  override readonly name = 'InvokeRequestError';
  constructor(
    /** Lambda's exception name, e.g. RequestEntityTooLargeException. */
    readonly errorType: string,
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

interface FunctionEnvironments {
  fingerprint: string;
  spec: ResolvedFunctionSpec;
  idle: ExecutionEnvironment[];
  all: Set<ExecutionEnvironment>;
  waiters: (() => void)[];
}

export class EnvironmentPool {
  private readonly functions = new Map<string, FunctionEnvironments>();
  /** NODE-5: what environments that ended between invocations left, by function, for its next invocation. */
  private readonly afterlives = new Map<string, Promise<Afterlife>[]>();
  private readonly resolvedSpecs = new WeakMap<FunctionSpec, { resolved: ResolvedFunctionSpec; fingerprint: string }>();
  private readonly typescript: TypeScriptCompiler;
  private readonly sweeper: NodeJS.Timeout;
  /** Every environment whose process may still run, tracked or not (debug sessions), until it has exited. */
  private readonly living = new Set<ExecutionEnvironment>();
  private disposed = false;
  /** Aborted on dispose: downloads and installs started for this pool's environments stop with it. */
  private readonly lifetime = new AbortController();
  private readonly settings: RuntimeSettings;
  /** RUNTIME-2: which Node.js or Python runs each runtime (shared by every environment). */
  readonly hosts: RuntimeHosts;
  /** RUNTIME-3: the AWS SDK and boto3 where a project lacks them. */
  private readonly packages: PreinstalledPackages;

  constructor(private readonly options: EnvironmentPoolOptions) {
    if (!options || typeof options.bootstrapDir !== 'string')
      throw new TypeError('EnvironmentPool needs a bootstrapDir');
    this.settings = { location: options.location, logFormat: options.logFormat ?? 'Text' };
    const cacheDir = options.cacheDir ?? defaultRuntimeCacheDir();
    const registry = options.registry ?? npmRegistryUrl();
    this.packages = new PreinstalledPackages({
      cacheDir,
      registry,
      signal: this.lifetime.signal,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    this.hosts =
      options.hosts ??
      new RuntimeHosts({
        cacheDir,
        registry,
        signal: this.lifetime.signal,
        downloads: options.runtimeDownloads ?? true,
        ...(options.nodeExecutable ? { nodeExecutable: options.nodeExecutable } : {}),
        ...(options.pythonInterpreter ? { pythonInterpreter: options.pythonInterpreter } : {}),
        ...(options.workspaceRoot ? { workspaceRoot: options.workspaceRoot } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.runtimeLookup ?? {}),
      });
    this.typescript = new TypeScriptCompiler(options.typescriptCacheDir ?? defaultTypeScriptCacheDir());
    // The first cold start finds its environment's supervisor booted, or booting.
    if (process.platform !== 'win32') prepareSupervisor(path.join(options.bootstrapDir, SUPERVISOR_FILE));
    const idle = this.idleTimeoutMs;
    this.sweeper = setInterval(() => this.evictIdle(), Math.max(50, Math.min(idle / 2, 30_000)));
    this.sweeper.unref();
  }

  private get idleTimeoutMs(): number {
    return this.options.idleTimeoutMs ?? 10 * 60_000;
  }

  private get maxConcurrency(): number {
    return this.options.maxConcurrency ?? 10;
  }

  /**
   * Runs one synchronous invocation. Resolves with the outcome for anything the handler does (errors, timeouts,
   * crashes); rejects only for bad input: InvalidFunctionSpecError, InvokeRequestError (SYNC-6, bad JSON, throttle).
   */
  async invoke(spec: FunctionSpec, payload: string, options: InvokeOptions = {}): Promise<InvokeOutcome> {
    if (this.disposed) throw new Error('EnvironmentPool is disposed');
    const { resolved, fingerprint } = this.resolve(spec);
    checkPayload(payload, options.payloadIsJson === true);
    const requestId = options.requestId ?? randomUUID();
    const request = {
      requestId,
      payloadJson: payload,
      signal: options.signal,
      clientContext: options.clientContext,
      identity: options.identity,
      onResponseChunk: options.onResponseChunk,
      onResponsePrelude: options.onResponsePrelude,
    };
    if (options.debug) {
      // A debug session gets its own environment, never shared and never kept warm.
      checkCodeRoot(resolved);
      const env = this.newEnvironment(resolved, options.debug);
      try {
        return await env.invoke(request);
      } finally {
        env.kill();
      }
    }
    const fn = this.functionFor(resolved, fingerprint);
    const env = await this.acquire(fn, options.signal);
    try {
      const left = this.afterlives.get(resolved.name);
      if (left) {
        this.afterlives.delete(resolved.name);
        env.inherit(await Promise.all(left));
      }
      return await env.invoke(request);
    } finally {
      this.release(fn, env);
    }
  }

  /**
   * True when an invocation of the function now would wait for an environment: it has as many as it may, all busy.
   * A handler that invokes such a function synchronously would wait on itself.
   */
  atConcurrencyLimit(functionName: string): boolean {
    const fn = this.functions.get(functionName);
    return fn !== undefined && fn.idle.length === 0 && fn.all.size >= this.maxConcurrency;
  }

  /** How many invocations of a function run at once; more wait for a free environment (or are throttled). */
  concurrencyLimit(): number {
    return this.maxConcurrency;
  }

  /** Number of live environments of a function (for status displays and tests). */
  environmentCount(functionName: string): number {
    return this.functions.get(functionName)?.all.size ?? 0;
  }

  /**
   * The function's code changed on disk: its idle environments end now and its busy ones once their invocation is
   * done, so that the next invocation loads the code afresh (a cold start).
   */
  retire(functionName: string): void {
    const fn = this.functions.get(functionName);
    if (!fn) return;
    this.functions.delete(functionName);
    for (const env of fn.all) if (!env.busy) env.kill();
  }

  /** Kills every environment of a function (e.g. after its code or configuration changed). */
  reset(functionName: string): void {
    const fn = this.functions.get(functionName);
    if (!fn) return;
    for (const env of fn.all) env.kill();
  }

  /** Process ids of the environments whose process runs (for status displays and tests). */
  processIds(): number[] {
    return [...this.living].flatMap((env) => (env.pid !== undefined && env.alive ? [env.pid] : []));
  }

  /**
   * NODE-5: the errors environments threw after a response that no invocation has carried yet, taken (the next
   * invocation no longer carries them). Each idle environment first gets the chance to throw what its handler left
   * queued (ExecutionEnvironment.settle, at most `timeoutMs`).
   */
  async takeLateErrors(timeoutMs = 1000): Promise<Afterlife[]> {
    const idle = [...this.functions.values()].flatMap((fn) => fn.idle.filter((env) => env.alive));
    await Promise.all(idle.map((env) => env.settle(timeoutMs)));
    const left = [...this.afterlives.values()].flat();
    this.afterlives.clear();
    return Promise.all(left);
  }

  /** Disposes the pool and resolves once the process of every environment it started has exited. */
  async close(): Promise<void> {
    this.dispose();
    const living = [...this.living];
    for (const env of living) env.kill();
    await Promise.all(living.map((env) => env.exited()));
  }

  /** Kills every environment at once without waiting for the processes to exit (close() waits). */
  dispose(): void {
    this.disposed = true;
    this.lifetime.abort();
    clearInterval(this.sweeper);
    for (const fn of this.functions.values()) {
      for (const env of fn.all) env.kill();
      for (const w of fn.waiters.splice(0)) w();
    }
    this.functions.clear();
  }

  /**
   * The validated spec and its fingerprint, cached per spec object: the warm path must not re-validate and
   * re-serialise the same configuration on every call (callers treat a FunctionSpec as immutable).
   */
  private resolve(spec: FunctionSpec): { resolved: ResolvedFunctionSpec; fingerprint: string } {
    let cached = this.resolvedSpecs.get(spec);
    if (!cached) {
      const resolved = resolveFunctionSpec(spec, this.settings);
      cached = { resolved, fingerprint: JSON.stringify(resolved) };
      if (spec && typeof spec === 'object') this.resolvedSpecs.set(spec, cached);
    }
    return cached;
  }

  private functionFor(spec: ResolvedFunctionSpec, fingerprint: string): FunctionEnvironments {
    let fn = this.functions.get(spec.name);
    if (fn && fn.fingerprint !== fingerprint) {
      // New configuration or code location: old environments must not serve it.
      for (const env of fn.all) if (!env.busy) env.kill();
      fn = undefined;
    }
    if (!fn) {
      fn = { fingerprint, spec, idle: [], all: new Set(), waiters: [] };
      this.functions.set(spec.name, fn);
    }
    return fn;
  }

  private newEnvironment(spec: ResolvedFunctionSpec, debug?: DebugOptions): ExecutionEnvironment {
    const options: EnvironmentOptions = {
      bootstrapDir: this.options.bootstrapDir,
      typescript: this.typescript,
      hosts: this.hosts,
      packages: this.packages,
      maxLogBytes: this.options.maxLogBytes,
      memoryWatchIntervalMs: this.options.memoryWatchIntervalMs,
      debug,
      ...(this.options.codeBoundary !== undefined ? { codeBoundary: this.options.codeBoundary } : {}),
      ...(this.options.sdkAccess ? { sdkAccess: this.options.sdkAccess } : {}),
    };
    const env = new ExecutionEnvironment(spec, options);
    this.living.add(env);
    void env.exited().then(() => this.living.delete(env));
    return env;
  }

  private track(fn: FunctionEnvironments, env: ExecutionEnvironment): void {
    fn.all.add(env);
    env.onDeath = () => {
      if (env.afterlife) {
        const left = this.afterlives.get(fn.spec.name) ?? [];
        // A few are enough to show; an environment crashing in a loop must not grow this without end.
        if (left.length < 10) left.push(env.afterlife);
        this.afterlives.set(fn.spec.name, left);
      }
      fn.all.delete(env);
      const i = fn.idle.indexOf(env);
      if (i >= 0) fn.idle.splice(i, 1);
      fn.waiters.shift()?.();
    };
  }

  private async acquire(fn: FunctionEnvironments, signal?: AbortSignal): Promise<ExecutionEnvironment> {
    for (;;) {
      if (this.disposed) throw new Error('EnvironmentPool is disposed');
      // NODE-10: most recently used first, so a steady caller keeps hitting the same warm environment.
      const warm = fn.idle.pop();
      if (warm) {
        if (warm.alive) return warm;
        continue;
      }
      if (fn.all.size < this.maxConcurrency) {
        // A warm environment proves the code root was there when it started; only a new one needs the check (not
        // every invocation that waits for an environment: a burst of events checked it once per event).
        checkCodeRoot(fn.spec);
        const env = this.newEnvironment(fn.spec);
        this.track(fn, env);
        return env;
      }
      if (this.options.onConcurrencyLimit === 'throttle')
        throw new InvokeRequestError(
          'TooManyRequestsException',
          429,
          `Rate Exceeded. Function ${fn.spec.name} is at its concurrency limit (${this.maxConcurrency})`,
        );
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          const i = fn.waiters.indexOf(wake);
          if (i >= 0) fn.waiters.splice(i, 1);
          reject(new Error('Invocation cancelled while waiting for a free execution environment'));
        };
        const wake = (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        fn.waiters.push(wake);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
  }

  private release(fn: FunctionEnvironments, env: ExecutionEnvironment): void {
    const current = this.functions.get(fn.spec.name) === fn;
    if (env.alive && current && !this.disposed) fn.idle.push(env);
    else if (env.alive) env.kill();
    fn.waiters.shift()?.();
  }

  private evictIdle(): void {
    const cutoff = Date.now() - this.idleTimeoutMs;
    for (const fn of this.functions.values()) {
      for (const env of [...fn.idle]) if (env.lastUsed <= cutoff) env.kill();
    }
  }
}

/** SYNC-6 and request validation: rejected before any handler runs. */
function checkCodeRoot(spec: ResolvedFunctionSpec): void {
  if (!fs.existsSync(spec.codeRoot) || !fs.statSync(spec.codeRoot).isDirectory())
    throw new InvalidFunctionSpecError(`Function "${spec.name}": codeRoot ${spec.codeRoot} is not a directory`);
}

function checkPayload(payload: string, isJson: boolean): void {
  if (typeof payload !== 'string')
    throw new InvokeRequestError('InvalidRequestContentException', 400, 'The payload must be JSON text');
  const size = Buffer.byteLength(payload);
  if (size > SYNC_REQUEST_LIMIT_BYTES)
    throw new InvokeRequestError(
      'RequestEntityTooLargeException',
      413,
      requestTooLargeMessage(SYNC_REQUEST_LIMIT_BYTES),
    );
  const tooDeep = payloadTooDeepMessage(payload);
  if (tooDeep) throw new InvokeRequestError('InvalidRequestContentException', 400, `${tooDeep}.`);
  if (isJson) return;
  try {
    JSON.parse(payload);
  } catch (e) {
    throw new InvokeRequestError(
      'InvalidRequestContentException',
      400,
      `Could not parse request body into json: ${(e as Error).message}`,
    );
  }
}
