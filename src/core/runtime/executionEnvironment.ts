/**
 * One execution environment: one child process running a bootstrap, initialised once (cold start), then reused for
 * invocations one at a time (NODE-10) until it is killed by a timeout, a crash, memory exhaustion or eviction.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { codeRootOutsideWorkspace, handlerFileOutsideCodeRoot } from '../codeBoundary';
import { EngineChannel } from './engineChannel';
import { handlerFiles } from './handlerFiles';
import { functionArn } from '../resourceArn';
import { isNodeRuntime, type ResolvedFunctionSpec } from './functionSpec';
import { DEFAULT_MAX_LOG_BYTES, InvocationLog } from './invocationLog';
import { lambdaEnvironment, newLogStreamName, newTraceId, type SdkAccess } from './lambdaEnvironment';
import { MemoryWatch } from './memoryWatch';
import { HandlerNameError, resolveNodeHandler, type ResolvedHandler } from './node/handlerResolution';
import type { FunctionErrorPayload, InvokeMetrics, InvokeOutcome, LateError } from './outcome';
import { RESPONSE_LIMIT_BYTES, responseTooLargeError } from './payloadLimits';
import { endLine, reportLine, runtimeLine, startLine } from './platformLog';
import { exitError, looksLikeHeapExhaustion, outOfMemoryError, timeoutError, timeoutMessage } from './processExit';
import { ENVIRONMENT_MARKER_VARIABLE, isZombie, killProcessTree } from './processTree';
import { isoNow } from './isoTime';
import { lineFramer } from './lineFramer';
import {
  BOOTSTRAP_ARG_COMPILED,
  BOOTSTRAP_ARG_DEBUG,
  BOOTSTRAP_ARG_DEBUG_WAIT,
  BOOTSTRAP_ARG_MAX_LOG_BYTES,
  BOOTSTRAP_ARG_RESPONSE_LIMIT,
  BOOTSTRAP_ARG_SYS_PATH,
  type ChildMessage,
  type ConfigureMessage,
  type PreBoot,
  type ResultMessage,
  type SettleMessage,
  type SupervisorMessage,
  type SupervisorRequest,
} from './protocol';
import { bootstrapArguments, preBootOf } from './preBoot';
import { prepareSupervisor, takeSupervisor } from './supervisors';
import type { PreparedNodePackages } from './awsSdkForJs';
import type { PreparedPythonPackages } from './boto3ForPython';
import type { PreinstalledPackages } from './preinstalledPackages';
import type { RuntimeHost, RuntimeHosts } from './runtimeHosts';
import { pythonShims, startsDirectly } from './pythonShims';
import { TypeScriptCompileError, type TypeScriptCompiler } from './typescriptHandler';

export const NODE_BOOTSTRAP_FILE = 'node-bootstrap.js';
export const PYTHON_BOOTSTRAP_FILE = 'python_bootstrap.py';
/** The parent of each runtime process (supervisor.ts), beside the bootstraps. */
export const SUPERVISOR_FILE = 'environment-supervisor.js';
/** Windows has neither process groups nor /proc: its runtime processes are the engine's own children there. */
const SUPERVISED = process.platform !== 'win32';
/** How long a supervisor asked to end its environment may take before the engine ends it with the tree itself. */
const SUPERVISOR_END_MS = 2000;
/** NODE-10: init (code outside the handler) is limited to 10 s. */
export const INIT_TIMEOUT_MS = 10_000;

/**
 * NODE-12: the V8 heap gets most of the function's memory; the RSS watch covers the rest. Like any V8 heap flag it
 * costs each start a few milliseconds: Node.js's built-in code cache no longer matches, so the modules it loads after
 * its startup snapshot (net, stream) are compiled from source.
 */
export function nodeHeapLimitArg(memorySizeMb: number): string {
  return `--max-old-space-size=${Math.max(32, Math.floor(memorySizeMb * 0.9))}`;
}

/** What a debugger needs to attach to an environment started in debug mode. */
export interface DebugAttachInfo {
  runtime: 'node' | 'python';
  host: string;
  port: number;
  /** Node: the inspector WebSocket URL. */
  url?: string;
  /** A VS Code launch configuration (request: attach) for this environment. */
  attachConfig: Record<string, unknown>;
}

export interface DebugOptions {
  /** Hold the handler's init until a debugger attaches. */
  waitForAttach?: boolean;
  onListening?: (info: DebugAttachInfo) => void;
}

export interface EnvironmentOptions {
  /** Directory holding node-bootstrap.js and python_bootstrap.py. */
  bootstrapDir: string;
  typescript: TypeScriptCompiler;
  /** RUNTIME-2: which Node.js or Python runs the function (found here, or downloaded). */
  hosts: RuntimeHosts;
  /** RUNTIME-3: the packages Lambda's runtimes include (the AWS SDK, boto3), where the project lacks them. */
  packages: PreinstalledPackages;
  maxLogBytes?: number;
  debug?: DebugOptions;
  /** Polling interval of the RSS watch. */
  memoryWatchIntervalMs?: number;
  /** Code roots must lie inside this directory (the workspace), compared as real paths; unset: anywhere. */
  codeBoundary?: string;
  /** How the handler's AWS SDK calls reach the local AWS endpoint (asked before the process starts). */
  sdkAccess?: (spec: ResolvedFunctionSpec) => Promise<SdkAccess | undefined>;
}

export interface InvocationRequest {
  requestId: string;
  /** The event as JSON text, already validated. */
  payloadJson: string;
  signal?: AbortSignal;
  clientContext?: unknown;
  identity?: unknown;
  /** NODE-11: each chunk of a streamed response as it arrives. */
  onResponseChunk?: (chunk: Buffer) => void;
  /** NODE-11: the HTTP prelude of a streamed response (HttpResponseStream.from), before its first chunk. */
  onResponsePrelude?: (prelude: Record<string, unknown>, contentType: string) => void;
}

type EndReason =
  | { kind: 'result'; msg: ResultMessage }
  | { kind: 'timeout' }
  | { kind: 'oom' }
  | { kind: 'cancel' }
  | { kind: 'exit'; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'protocol'; reason: string };

interface ActiveInvocation {
  req: InvocationRequest;
  log: InvocationLog;
  t0: number;
  /** ISO text. */
  startedAt: string;
  coldStart: boolean;
  memory?: MemoryWatch;
  onAbort?: () => void;
  chunks: Buffer[];
  prelude?: Record<string, unknown>;
  contentType?: string;
  resolve: (o: InvokeOutcome) => void;
}

type State = 'new' | 'initializing' | 'idle' | 'busy' | 'dead';

/** NODE-5: what an environment that ended between invocations leaves for the function's next invocation. */
export interface Afterlife {
  /** Its output since its last response, ending with a line saying how it ended. */
  log: InvocationLog;
  lateError: LateError;
}

export class ExecutionEnvironment {
  readonly id = randomBytes(6).toString('hex');
  readonly logStreamName = newLogStreamName();
  /** Set once init finished (successfully or not); reported on the first invocation. */
  initDurationMs: number | undefined;
  /** Called once when the environment can no longer be used. */
  onDeath: (() => void) | undefined;
  /** NODE-5: set (before onDeath) when the process ended on its own between invocations: what it leaves behind. */
  afterlife: Promise<Afterlife> | undefined;
  lastUsed = Date.now();

  private state: State = 'new';
  /** The supervisor (supervisor.ts), or on Windows the runtime process itself. */
  private child: ChildProcess | undefined;
  /** The runtime process (the bootstrap running the handler), as its supervisor reported it. */
  private runtimePid: number | undefined;
  /** When this environment starts the next cold start's spare supervisor (supervisors.ts); 'done' once it did. */
  private nextSpare: 'onPid' | 'afterFirstInvocation' | 'done' = 'done';
  /** What a pre-booted runtime process is sent once its supervisor says it took one (preBoot.ts). */
  private configuration: ConfigureMessage | undefined;
  /** How the runtime process exited, as its supervisor reported it before exiting itself. */
  private runtimeExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** `AWS_LAMBDA_LOG_STREAM_NAME=<this environment's stream>`: what every process it starts inherits. */
  private marker: { variable: string; value: string } | undefined;
  /** The engine killed the environment's whole tree already. */
  private treeKilled = false;
  /** The engine asked the supervisor to end the environment (endThroughSupervisor). */
  private endRequested = false;
  private channel: EngineChannel | undefined;
  private startPromise: Promise<void> | undefined;
  private initSettle: (() => void) | undefined;
  private initError: FunctionErrorPayload | undefined;
  private initExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Output produced outside an invocation (init, or after a result): shown with the next invocation. */
  private pending: InvocationLog;
  private active: ActiveInvocation | undefined;
  /** SYNC-4: the timeout timer, made by the first invocation and re-armed by each after it, and whom it times. */
  private timeoutTimer: NodeJS.Timeout | undefined;
  private timed: ActiveInvocation | undefined;
  /** NODE-12: the RSS watch, one for every invocation of the environment. */
  private memory: MemoryWatch | undefined;
  private invocations = 0;
  /** NODE-5: the last invocation's request id and an error the child reported after its response. */
  private lastRequestId: string | undefined;
  private lateError: LateError | undefined;
  private killed = false;
  /** NODE-5: what ended environments of the function left, reported with this environment's next invocation. */
  private inherited: LateError[] = [];
  /** NODE-5: callers of settle() waiting for the child's answer or its end. */
  private settleWaiters: (() => void)[] = [];
  private stderrTail = '';
  private exitSettle: (() => void) | undefined;
  private readonly exitPromise = new Promise<void>((resolve) => (this.exitSettle = resolve));
  private streamsOpen = 0;
  private onStreamsClosed: (() => void) | undefined;
  private readonly json: boolean;
  private readonly arn: string;
  /** RUNTIME-2: what runs this environment, once known. */
  private host: RuntimeHost | undefined;

  constructor(
    readonly spec: ResolvedFunctionSpec,
    private readonly options: EnvironmentOptions,
  ) {
    this.pending = new InvocationLog(options.maxLogBytes);
    this.json = spec.logFormat === 'JSON';
    this.arn = functionArn(spec.functionName, spec.location);
  }

  get alive(): boolean {
    return this.state !== 'dead';
  }

  get busy(): boolean {
    return this.state === 'busy' || this.state === 'initializing' || this.state === 'new';
  }

  /** The runtime process's id (the supervisor's until it reported it). */
  get pid(): number | undefined {
    return this.runtimePid ?? this.child?.pid;
  }

  /** Resolves once no process of this environment runs: its child exited, or it died before spawning one. */
  exited(): Promise<void> {
    return this.exitPromise;
  }

  /** Cold start: spawn the child and wait until the handler is loaded (or failed to load). Idempotent. */
  start(): Promise<void> {
    this.startPromise ??= this.spawnAndInit();
    return this.startPromise;
  }

  private async spawnAndInit(): Promise<void> {
    if (this.state === 'dead') return; // killed before it started: it never spawns
    this.state = 'initializing';
    const outside = this.codeOutsideBoundary();
    if (outside) {
      // NODE-1 / PY-1: no handler file outside its code root, no code root outside the workspace (real paths).
      this.initError = {
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: `Cannot run ${this.spec.handler}: ${outside}`,
      };
      this.initDurationMs = 0;
      this.markDead();
      return;
    }
    // RUNTIME-2: finding (or downloading) the runtime's Node.js or Python is not part of the function's init, and
    // neither is RUNTIME-3, installing the packages Lambda's runtime would include.
    const node = isNodeRuntime(this.spec.runtime);
    let host: RuntimeHost;
    let handler: ResolvedHandler | undefined;
    let packages: PreparedNodePackages | PreparedPythonPackages;
    let sdk: SdkAccess | undefined;
    try {
      host = await this.options.hosts.host(this.spec.runtime, this.spec.codeRoot);
      if (!this.alive) return; // killed while its runtime was prepared: it never spawns
      this.host = host;
      handler = node ? this.nodeHandler() : undefined;
      packages = node
        ? await this.options.packages.node(this.spec.runtime, handler?.file, host)
        : await this.options.packages.python(this.spec.runtime, host);
      sdk = await this.options.sdkAccess?.(this.spec);
    } catch (e) {
      // The runner's own failure (an unreadable cache, say): the invocation fails with it, the runner carries on.
      this.initError = {
        errorType: 'Runtime.InvalidEntrypoint',
        errorMessage: `Cannot prepare the execution environment: ${e instanceof Error ? e.message : String(e)}`,
      };
      this.initDurationMs = 0;
      this.markDead();
      return;
    }
    if (!this.alive) return; // killed while its packages were installed: it never spawns
    for (const note of [...(host.mismatch ? [host.mismatch] : []), ...packages.notes])
      this.pending.platform({ time: isoNow(), stream: 'platform', text: `[lambda-trigger] ${note}` });
    const t0 = performance.now();
    const args: string[] = [];
    let command = host.executable;
    let env = lambdaEnvironment(
      this.spec,
      this.logStreamName,
      process.env,
      { ...('nodePath' in packages && packages.nodePath ? { NODE_PATH: packages.nodePath } : {}) },
      sdk,
    );
    const debugArgs = this.options.debug
      ? [BOOTSTRAP_ARG_DEBUG, ...(this.options.debug.waitForAttach ? [BOOTSTRAP_ARG_DEBUG_WAIT] : [])]
      : [];
    if (node) {
      if (host.electron) env.ELECTRON_RUN_AS_NODE = '1';
      args.push(nodeHeapLimitArg(this.spec.memorySize));
      args.push(path.join(this.options.bootstrapDir, NODE_BOOTSTRAP_FILE), ...debugArgs);
      // NODE-8: the child drops output over the log cap instead of queueing it for the engine to throw away.
      args.push(BOOTSTRAP_ARG_MAX_LOG_BYTES, String(this.options.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES));
      const compiled = await this.compileIfTypeScript(handler);
      if (compiled === null) {
        this.initDurationMs = performance.now() - t0;
        this.markDead();
        return;
      }
      if (compiled) args.push(BOOTSTRAP_ARG_COMPILED, compiled);
      if (!this.alive) return; // killed while its TypeScript compiled: it never spawns
    } else {
      // A version manager's shim is skipped once what it runs is known (pythonShims.ts): it costs more than Python.
      ({ command, env } = pythonShims.spawnTarget(command, this.spec.codeRoot, env));
      args.push(
        '-u',
        path.join(this.options.bootstrapDir, PYTHON_BOOTSTRAP_FILE),
        BOOTSTRAP_ARG_RESPONSE_LIMIT,
        String(RESPONSE_LIMIT_BYTES),
        ...debugArgs,
      );
      if ('sysPath' in packages && packages.sysPath) args.push(BOOTSTRAP_ARG_SYS_PATH, packages.sysPath);
      args.push(BOOTSTRAP_ARG_MAX_LOG_BYTES, String(this.options.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES));
    }
    const initDone = new Promise<void>((resolve) => (this.initSettle = resolve));
    // A process of this shape may have been started ahead of need (preBoot.ts); not a debugged one. Python only when
    // the interpreter itself is started: a script in between (a version manager's shim, a wrapper, a name looked up
    // on PATH that may be one) sets variables from where it starts (PWD, PYENV_DIR), which a process started ahead of
    // need, elsewhere, would get wrong.
    const bootstrapFile = path.join(this.options.bootstrapDir, node ? NODE_BOOTSTRAP_FILE : PYTHON_BOOTSTRAP_FILE);
    const preBoot =
      SUPERVISED && debugArgs.length === 0 && (node || startsDirectly(command))
        ? preBootOf(command, args, env, bootstrapFile, node ? 'node' : 'python')
        : undefined;
    this.spawnChild(command, args, env, preBoot);
    const initTimer = this.options.debug
      ? undefined
      : setTimeout(() => {
          this.initError = {
            errorType: 'Runtime.InitTimeout',
            errorMessage: `Init phase timed out after ${(INIT_TIMEOUT_MS / 1000).toFixed(2)} seconds`,
          };
          this.kill();
          this.settleInit();
        }, INIT_TIMEOUT_MS);
    await initDone;
    if (initTimer) clearTimeout(initTimer);
    this.initDurationMs = performance.now() - t0;
    if (this.state === 'initializing') this.state = 'idle';
  }

  /** Why the function's code may not run from where it is (real paths compared), or undefined. */
  private codeOutsideBoundary(): string | undefined {
    const { codeBoundary } = this.options;
    const outside = codeBoundary !== undefined ? codeRootOutsideWorkspace(this.spec.codeRoot, codeBoundary) : undefined;
    if (outside) return outside;
    for (const file of handlerFiles(this.spec)) {
      const why = handlerFileOutsideCodeRoot(file, this.spec.codeRoot);
      if (why) return why;
    }
    return undefined;
  }

  /** The handler's module file, when the handler string names one (a malformed one is the bootstrap's to report). */
  private nodeHandler(): ResolvedHandler | undefined {
    try {
      return resolveNodeHandler(this.spec.codeRoot, this.spec.handler);
    } catch (e) {
      if (e instanceof HandlerNameError) return undefined;
      throw e;
    }
  }

  /** Returns the compiled file for a TypeScript handler, undefined for JavaScript, null when compilation failed. */
  private async compileIfTypeScript(resolved: ResolvedHandler | undefined): Promise<string | undefined | null> {
    if (!resolved || resolved.format !== 'ts' || !resolved.file) return undefined;
    try {
      return (await this.options.typescript.compile(resolved.file, resolved.typescriptModule)).compiledFile;
    } catch (e) {
      if (e instanceof TypeScriptCompileError) {
        this.initError = e.payload;
        return null;
      }
      throw e;
    }
  }

  private spawnChild(command: string, args: string[], env: Record<string, string>, preBoot?: PreBoot): void {
    let child: ChildProcess;
    const marker = env[ENVIRONMENT_MARKER_VARIABLE];
    if (marker !== undefined) this.marker = { variable: ENVIRONMENT_MARKER_VARIABLE, value: marker };
    try {
      if (SUPERVISED) {
        // engine -> supervisor -> runtime process: the handler's parent is its environment's, not the engine.
        const script = path.join(this.options.bootstrapDir, SUPERVISOR_FILE);
        const request: SupervisorRequest = {
          t: 'spawn',
          command,
          args,
          env,
          cwd: this.spec.codeRoot,
          ...(preBoot ? { preBoot } : {}),
        };
        if (preBoot)
          this.configuration = {
            t: 'configure',
            env,
            cwd: this.spec.codeRoot,
            args: bootstrapArguments(args, preBoot),
          };
        const taken = takeSupervisor(script, request);
        child = taken.child;
        this.nextSpare = taken.startNextSpare ? 'onPid' : 'afterFirstInvocation';
      } else {
        child = spawn(command, args, {
          cwd: this.spec.codeRoot,
          env,
          stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
          windowsHide: true,
        });
      }
    } catch (e) {
      this.failSpawn(command, e);
      return;
    }
    this.child = child;
    child.on('error', (e) => {
      this.failSpawn(command, e);
      if (child.pid === undefined) this.exitSettle?.(); // it never ran, so no 'exit' may follow
    });
    const control = child.stdio[4] as Socket | undefined;
    // The supervisor says how the runtime process exited just before it exits itself: its word is read first.
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let controlOpen = control !== undefined;
    const settleExit = (): void => {
      if (!exit || controlOpen) return;
      const reported = this.runtimeExit;
      // A supervisor that died before its runtime process (killed by the handler, say) leaves the rest to the engine.
      // One that exited by itself (code 0) ended the tree first.
      if (SUPERVISED && !reported && !this.treeKilled && exit.code !== 0 && child.pid !== undefined)
        killProcessTree(child.pid, this.marker);
      // Killed with its supervisor, the runtime process is no longer the supervisor's to wait for: exited() waits.
      if (!reported && this.runtimePid !== undefined) whenGone(this.runtimePid, () => this.exitSettle?.());
      else this.exitSettle?.();
      this.onExit(reported ? reported.code : exit.code, reported ? reported.signal : exit.signal);
    };
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      settleExit();
    });
    if (control) {
      control.setEncoding('utf8');
      control.on('error', () => undefined);
      control.on('close', () => {
        controlOpen = false;
        settleExit();
      });
      control.on(
        'data',
        lineFramer((line) => {
          try {
            this.onSupervisorMessage(JSON.parse(line) as SupervisorMessage, command);
          } catch {
            return false; // only the supervisor writes here
          }
        }),
      );
    }
    for (const s of ['stdout', 'stderr'] as const) {
      const stream = child[s];
      if (!stream) continue;
      this.streamsOpen++;
      stream.setEncoding('utf8');
      stream.on('data', (text: string) => this.onRaw(s, text));
      stream.on('close', () => {
        if (--this.streamsOpen === 0) this.onStreamsClosed?.();
      });
    }
    const ipc = child.stdio[3] as Socket;
    // A child's last messages (NODE-5: an error after its response) may still be unread when it exits.
    this.streamsOpen++;
    ipc.on('close', () => {
      if (--this.streamsOpen === 0) this.onStreamsClosed?.();
    });
    this.channel = new EngineChannel(
      ipc,
      (msg) => this.onMessage(msg),
      (reason) => this.onProtocolError(reason),
    );
  }

  /** The next cold start's supervisor, unless one waits already (supervisors.ts). */
  private startNextSpare(): void {
    if (this.nextSpare === 'done') return;
    this.nextSpare = 'done';
    prepareSupervisor(path.join(this.options.bootstrapDir, SUPERVISOR_FILE));
  }

  private onSupervisorMessage(msg: SupervisorMessage, command: string): void {
    if (msg.t === 'pid') {
      this.runtimePid = msg.pid;
      // A pre-booted process waits for what it would have been started with, before it inits.
      if (msg.preBooted && this.configuration) this.channel?.sendRaw(JSON.stringify(this.configuration));
      this.configuration = undefined;
      if (this.nextSpare === 'onPid') this.startNextSpare();
    } else if (msg.t === 'exit') this.runtimeExit = { code: msg.code, signal: msg.signal };
    else if (msg.t === 'spawnError') this.failSpawn(command, Object.assign(new Error(msg.message), { code: msg.code }));
  }

  private failSpawn(command: string, e: unknown): void {
    if (this.state === 'dead') return;
    const code = (e as { code?: string }).code;
    this.initError = {
      errorType: 'Runtime.InvalidEntrypoint',
      errorMessage:
        code === 'ENOENT'
          ? `Cannot start the execution environment: ${command} not found (or code root ${this.spec.codeRoot} missing)`
          : `Cannot start the execution environment: ${e instanceof Error ? e.message : String(e)}`,
    };
    this.markDead();
    this.settleInit();
  }

  private settleInit(): void {
    const s = this.initSettle;
    this.initSettle = undefined;
    s?.();
  }

  private logFor(): InvocationLog {
    return this.active ? this.active.log : this.pending;
  }

  private onRaw(stream: 'stdout' | 'stderr', text: string): void {
    if (stream === 'stderr') this.stderrTail = (this.stderrTail + text).slice(-4096);
    this.logFor().raw(stream, text, Date.now());
  }

  private onMessage(msg: ChildMessage): void {
    switch (msg.t) {
      case 'out':
        if (msg.s === 'console') this.logFor().console(msg.text, msg.level, msg.at);
        else this.logFor().raw(msg.s, msg.text, msg.at);
        return;
      case 'truncated':
        this.logFor().markTruncated();
        return;
      case 'lateError':
        // Sent between invocations; one may have started meanwhile, which the exit that follows fails.
        this.lateError = { requestId: msg.id, error: msg.error };
        return;
      case 'settled':
        for (const done of this.settleWaiters.splice(0)) done();
        return;
      case 'result': {
        const a = this.active;
        if (!a || msg.id !== a.req.requestId) return;
        if (msg.fatal) this.kill(); // NODE-5: the environment restarts after an uncaught error.
        this.finish({ kind: 'result', msg });
        return;
      }
      case 'chunk': {
        const a = this.active;
        if (!a || msg.id !== a.req.requestId) return;
        const buf = Buffer.from(msg.data, 'base64');
        a.chunks.push(buf);
        a.req.onResponseChunk?.(buf);
        return;
      }
      case 'prelude': {
        const a = this.active;
        if (!a || msg.id !== a.req.requestId) return;
        a.prelude = msg.prelude;
        a.contentType = msg.contentType;
        a.req.onResponsePrelude?.(msg.prelude, msg.contentType);
        return;
      }
      case 'ready':
        this.settleInit();
        return;
      case 'initError':
        this.initError = msg.error;
        this.markDead();
        this.kill();
        this.settleInit();
        return;
      case 'debug':
        this.options.debug?.onListening?.(debugAttachInfo(this.spec, msg.host, msg.port, msg.url));
        return;
    }
  }

  private onProtocolError(reason: string): void {
    this.kill();
    if (this.active) this.finish({ kind: 'protocol', reason });
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const wasInitializing = this.state === 'initializing';
    if (!wasInitializing) this.leaveAfterlife(code, signal);
    this.markDead();
    if (wasInitializing) {
      this.initExit = { code, signal };
      // Let stderr deliver what the process printed before it died.
      this.afterStreamsDrain(() => this.settleInit());
      return;
    }
    if (this.active) this.afterStreamsDrain(() => this.finish({ kind: 'exit', code, signal }));
  }

  /** NODE-5: the process ended on its own after a response; its error and last output go to the next invocation. */
  private leaveAfterlife(code: number | null, signal: NodeJS.Signals | null): void {
    const id = this.lastRequestId;
    if (this.killed || this.active || id === undefined) return;
    this.afterlife = new Promise<Afterlife>((resolve) =>
      this.afterStreamsDrain(() => {
        const exit = exitError(id, code, signal);
        const log = this.pending;
        log.platform(runtimeLine(id, exit.errorMessage.replace(/^RequestId: \S+ /, '')));
        resolve({ log, lateError: this.lateError ?? { requestId: id, error: exit } });
      }),
    );
  }

  /** NODE-5: what ended environments of the same function left; shown with this environment's next invocation. */
  inherit(afterlives: Afterlife[]): void {
    for (const a of afterlives) {
      this.pending.append(a.log);
      this.inherited.push(a.lateError);
    }
  }

  /**
   * NODE-5: gives what the last handler left queued (an immediate, a zero-delay timer, an unhandled rejection) the
   * chance to throw before the environment is ended: resolves when the idle child answers that it has run, or once the
   * environment has died of it (then `afterlife` holds the error), or after `timeoutMs` (a child busy in a loop).
   */
  settle(timeoutMs: number): Promise<void> {
    if (this.state !== 'idle' || !this.channel) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.settleWaiters.push(done);
      const message: SettleMessage = { t: 'settle' };
      this.channel!.sendRaw(JSON.stringify(message));
    });
  }

  /** Waits for stdout/stderr to close (bounded: a grandchild may hold them open). */
  private afterStreamsDrain(done: () => void): void {
    if (this.streamsOpen === 0) return done();
    let called = false;
    const once = (): void => {
      if (called) return;
      called = true;
      clearTimeout(timer);
      done();
    };
    const timer = setTimeout(once, 200);
    this.onStreamsClosed = once;
  }

  private markDead(): void {
    if (this.state === 'dead') return;
    this.state = 'dead';
    if (this.timeoutTimer) clearTimeout(this.timeoutTimer);
    this.timeoutTimer = undefined;
    this.memory?.dispose();
    for (const done of this.settleWaiters.splice(0)) done();
    if (!this.child) this.exitSettle?.(); // no process was spawned, and none will be
    const cb = this.onDeath;
    this.onDeath = undefined;
    cb?.();
  }

  /** Kills the child and everything it spawned. Safe to call more than once. */
  kill(): void {
    const child = this.child;
    this.killed = true;
    this.markDead();
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    // An idle child is unref'd; a killed one holds the event loop until it has exited, so whoever awaits exited()
    // (LocalAccount.dispose, the CLI before it prints) is never left with a process that ends under it.
    child.ref();
    try {
      if (!SUPERVISED || !child.pid) child.kill('SIGKILL');
      else if (!this.endThroughSupervisor(child)) {
        killProcessTree(child.pid, this.marker);
        this.treeKilled = true;
      }
    } catch {
      child.kill('SIGKILL');
    }
    this.channel?.destroy();
  }

  /**
   * Ends the runtime process now and leaves the rest of the tree to its supervisor, which reads /proc for it as it does
   * when the runtime process ends on its own: on a machine with hundreds of processes that takes tens of milliseconds,
   * which the engine's thread (VS Code's extension host) does not spend. A supervisor that has not ended within
   * SUPERVISOR_END_MS (stopped by the handler, say) is ended with the tree by the engine. False when the supervisor
   * cannot be asked: its runtime process has not started, or has ended already.
   */
  private endThroughSupervisor(child: ChildProcess): boolean {
    if (this.endRequested) return true; // killed again meanwhile: the supervisor is on it, the backstop armed
    const control = child.stdio[4] as Socket | null | undefined;
    const pid = this.runtimePid;
    if (pid === undefined || this.runtimeExit || !control || control.destroyed) return false;
    this.endRequested = true;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Ended meanwhile: its supervisor ends the rest on hearing it.
    }
    control.end(); // and in any case once the control socket ends
    const backstop = setTimeout(() => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      killProcessTree(child.pid, this.marker);
      this.treeKilled = true;
    }, SUPERVISOR_END_MS);
    child.once('exit', () => clearTimeout(backstop));
    return true;
  }

  /** While idle, the environment must not keep the engine's process alive (CLI exit, tests). */
  private hold(on: boolean): void {
    const child = this.child;
    if (!child) return;
    if (on) child.ref();
    else child.unref();
    this.channel?.setKeepsAlive(on);
    for (const s of [child.stdout, child.stderr, child.stdio[4]]) {
      const sock = s as unknown as { ref?: () => void; unref?: () => void } | null;
      if (on) sock?.ref?.();
      else sock?.unref?.();
    }
  }

  /** Runs one invocation. Never rejects for anything the handler does. */
  async invoke(req: InvocationRequest): Promise<InvokeOutcome> {
    if (this.state === 'busy') throw new Error(`Execution environment ${this.id} is busy`);
    const coldStart = this.invocations === 0;
    this.invocations++;
    this.lastRequestId = req.requestId;
    const startedAt = isoNow();
    if (coldStart) {
      this.state = this.state === 'new' ? 'new' : this.state;
      await this.start();
    }
    this.lastUsed = Date.now();
    const log = new InvocationLog(this.options.maxLogBytes);
    log.append(this.pending);
    this.pending = new InvocationLog(this.options.maxLogBytes);
    const lateErrors = this.inherited.splice(0);
    const withLate = (o: InvokeOutcome): InvokeOutcome => {
      const all = this.lateError ? [...lateErrors, this.lateError] : lateErrors;
      return all.length > 0 ? { ...o, lateErrors: all } : o;
    };

    if (coldStart && (this.initError || this.initExit)) return withLate(this.initFailureOutcome(req, log, startedAt));
    if (this.state !== 'idle') {
      throw new Error(`Execution environment ${this.id} cannot run an invocation (state ${this.state})`);
    }
    this.state = 'busy';
    this.hold(true);
    log.platform(startLine(req.requestId, this.json));
    return new Promise<InvokeOutcome>((settle) => {
      const resolve = (o: InvokeOutcome): void => {
        settle(withLate(o));
        // After the caller has its outcome: a spare booting beside the first invocation would slow it down.
        if (this.nextSpare === 'afterFirstInvocation') setImmediate(() => this.startNextSpare());
      };
      const a: ActiveInvocation = { req, log, t0: performance.now(), startedAt, coldStart, chunks: [], resolve };
      this.active = a;
      if (req.signal?.aborted) {
        this.kill();
        this.finish({ kind: 'cancel' });
        return;
      }
      // The request goes out first: the child starts on it while the engine arms the timers below (the reply can
      // only be read once this function has returned to the event loop).
      const deadline = Date.now() + this.spec.timeout * 1000;
      const head =
        `{"t":"invoke","id":${JSON.stringify(req.requestId)},"deadline":${deadline},` +
        `"traceId":${JSON.stringify(newTraceId())},"arn":${JSON.stringify(this.arn)}` +
        (req.clientContext !== undefined ? `,"clientContext":${JSON.stringify(req.clientContext)}` : '') +
        (req.identity !== undefined ? `,"identity":${JSON.stringify(req.identity)}` : '');
      this.channel?.sendRaw(`${head},"event":${singleLine(req.payloadJson)}}`);
      if (!this.options.debug) {
        // SYNC-4: a paused debuggee is never timed out. The environment's one timer is re-armed for each invocation
        // (every invocation of the environment has the same timeout): a warm invocation makes no timer.
        this.timed = a;
        if (this.timeoutTimer) this.timeoutTimer.refresh().ref();
        else this.timeoutTimer = setTimeout(() => this.onTimeout(), this.spec.timeout * 1000);
      }
      const pid = this.pid;
      if (pid) {
        this.memory ??= new MemoryWatch(
          this.spec.memorySize * 1024 * 1024,
          () => {
            this.kill();
            this.finish({ kind: 'oom' });
          },
          this.options.memoryWatchIntervalMs,
        );
        this.memory.start(pid);
        a.memory = this.memory;
      }
      if (req.signal) {
        a.onAbort = () => {
          this.kill();
          this.finish({ kind: 'cancel' });
        };
        req.signal.addEventListener('abort', a.onAbort, { once: true });
      }
    });
  }

  /** SYNC-4: the timer fired: the invocation it was armed for is still running, past the function's timeout. */
  private onTimeout(): void {
    const a = this.active;
    if (!a || a !== this.timed) return; // it fired after its invocation ended (it is re-armed, never cleared)
    this.kill();
    this.finish({ kind: 'timeout' });
  }

  private finish(reason: EndReason): void {
    const a = this.active;
    if (!a) return;
    this.active = undefined;
    if (this.timed === a) {
      this.timed = undefined;
      this.timeoutTimer?.unref();
    }
    a.memory?.stop();
    if (a.onAbort) a.req.signal?.removeEventListener('abort', a.onAbort);
    const durationMs = performance.now() - a.t0;
    const id = a.req.requestId;
    let error: FunctionErrorPayload | undefined;
    let result: unknown;
    let status = 'success';
    let maxRssKb = 0;
    switch (reason.kind) {
      case 'result':
        maxRssKb = reason.msg.maxRssKb;
        if (reason.msg.error) {
          error = reason.msg.error;
          status = 'error';
        } else if (reason.msg.oversize !== undefined) {
          error = responseTooLargeError();
          status = 'error';
        } else if (reason.msg.streamed) {
          result = Buffer.concat(a.chunks).toString('utf8');
        } else result = reason.msg.body;
        break;
      case 'timeout':
        error = timeoutError(id, this.spec.timeout);
        a.log.platform(runtimeLine(id, timeoutMessage(this.spec.timeout)));
        status = 'timeout';
        break;
      case 'oom':
        error = outOfMemoryError(id);
        status = 'error';
        break;
      case 'cancel':
        error = { errorType: 'Runtime.Cancelled', errorMessage: `RequestId: ${id} Error: Invocation cancelled` };
        status = 'error';
        break;
      case 'exit':
        // NODE-12: V8 aborts on heap exhaustion; Lambda reports that as Runtime.OutOfMemory.
        error = looksLikeHeapExhaustion(this.stderrTail)
          ? outOfMemoryError(id)
          : exitError(id, reason.code, reason.signal);
        status = 'error';
        break;
      case 'protocol':
        error = { errorType: 'Runtime.InvalidResponse', errorMessage: `RequestId: ${id} Error: ${reason.reason}` };
        status = 'error';
        break;
    }
    if (error && reason.kind !== 'result')
      a.log.platform(runtimeLine(id, `Error: ${error.errorMessage.replace(/^RequestId: \S+ Error: /, '')}`));
    const peak = Math.max(maxRssKb * 1024, a.memory?.peakBytes ?? 0);
    const metrics: InvokeMetrics = {
      durationMs: round2(durationMs),
      billedDurationMs: Math.ceil(durationMs + (a.coldStart ? (this.initDurationMs ?? 0) : 0)),
      memorySizeMB: this.spec.memorySize,
      maxMemoryUsedMB: Math.max(1, Math.ceil(peak / (1024 * 1024))),
      ...(a.coldStart && this.initDurationMs !== undefined ? { initDurationMs: round2(this.initDurationMs) } : {}),
    };
    a.log.platform(endLine(id, this.json, status, durationMs));
    a.log.platform(reportLine(id, this.json, status, metrics));
    if (this.state === 'busy') {
      this.state = 'idle';
      this.lastUsed = Date.now();
      this.hold(false);
    }
    const outcome: InvokeOutcome = {
      requestId: id,
      coldStart: a.coldStart,
      ...(error ? { functionError: 'Unhandled' as const, error } : { result }),
      logs: a.log.lines,
      metrics,
      startedAt: a.startedAt,
      endedAt: isoNow(),
      environmentId: this.id,
      ...this.hostInfo(),
    };
    if (reason.kind === 'result' && reason.msg.streamed) {
      const body = Buffer.concat(a.chunks);
      outcome.stream = {
        ...(a.contentType ? { contentType: a.contentType } : {}),
        ...(a.prelude ? { prelude: a.prelude } : {}),
        bodyBase64: body.toString('base64'),
        chunks: a.chunks.length,
      };
    }
    a.resolve(outcome);
  }

  /** NODE-3 / PY-2: the handler could not be loaded; the invocation fails with the init error. */
  private initFailureOutcome(req: InvocationRequest, log: InvocationLog, startedAt: string): InvokeOutcome {
    const id = req.requestId;
    let error: FunctionErrorPayload;
    if (this.initError) error = { ...this.initError };
    else {
      const exit = this.initExit ?? { code: null, signal: null };
      error = looksLikeHeapExhaustion(this.stderrTail) ? outOfMemoryError(id) : exitError(id, exit.code, exit.signal);
    }
    const initMs = this.initDurationMs ?? 0;
    const time = isoNow();
    log.platform({
      time,
      stream: 'platform',
      text: this.json
        ? JSON.stringify({
            time,
            type: 'platform.initReport',
            record: {
              initializationType: 'on-demand',
              phase: 'init',
              status: 'error',
              errorType: error.errorType,
              metrics: { durationMs: round2(initMs) },
            },
          })
        : `INIT_REPORT Init Duration: ${initMs.toFixed(2)} ms\tPhase: init\tStatus: error\tError Type: ${error.errorType}`,
    });
    log.platform(startLine(id, this.json));
    log.platform(endLine(id, this.json, 'error', 0));
    const metrics: InvokeMetrics = {
      durationMs: 0,
      billedDurationMs: Math.ceil(initMs),
      memorySizeMB: this.spec.memorySize,
      maxMemoryUsedMB: 0,
      initDurationMs: round2(initMs),
    };
    log.platform(reportLine(id, this.json, 'error', metrics));
    return {
      requestId: id,
      coldStart: true,
      functionError: 'Unhandled',
      error,
      logs: log.lines,
      metrics,
      startedAt,
      endedAt: isoNow(),
      environmentId: this.id,
      ...this.hostInfo(),
    };
  }

  /** RUNTIME-2: the outcome says what ran it. */
  private hostInfo(): Pick<InvokeOutcome, 'runtime'> {
    const h = this.host;
    if (!h) return {};
    return {
      runtime: {
        runtime: h.runtime,
        runsOn: h.runsOn,
        executable: h.executable,
        ...(h.mismatch ? { mismatch: h.mismatch } : {}),
      },
    };
  }
}

/**
 * Calls `done` once `pid` is gone, polling; gives up after two seconds. A zombie counts as gone: it runs no more, and
 * where PID 1 does not reap orphans (containers without an init) it would stay until the deadline.
 */
function whenGone(pid: number, done: () => void, deadline = Date.now() + 2000): void {
  try {
    process.kill(pid, 0);
  } catch {
    return done(); // ESRCH; EPERM would be another user's process, which reuses the id
  }
  if (isZombie(pid) || Date.now() > deadline) return done();
  setTimeout(() => whenGone(pid, done, deadline), 5);
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function debugAttachInfo(spec: ResolvedFunctionSpec, host: string, port: number, url?: string): DebugAttachInfo {
  if (isNodeRuntime(spec.runtime)) {
    return {
      runtime: 'node',
      host,
      port,
      ...(url ? { url } : {}),
      attachConfig: {
        type: 'node',
        request: 'attach',
        name: `Lambda: ${spec.name}`,
        address: host,
        port,
        continueOnAttach: true,
        skipFiles: ['<node_internals>/**'],
        sourceMaps: true,
      },
    };
  }
  return {
    runtime: 'python',
    host,
    port,
    attachConfig: {
      type: 'debugpy',
      request: 'attach',
      name: `Lambda: ${spec.name}`,
      connect: { host, port },
      pathMappings: [{ localRoot: spec.codeRoot, remoteRoot: spec.codeRoot }],
      justMyCode: false,
    },
  };
}

/**
 * The channel frames messages by newline. In valid JSON a raw CR or LF can only be whitespace between tokens (inside
 * strings they must be escaped), so replacing them keeps the payload's meaning.
 */
export function singleLine(json: string): string {
  return json.includes('\n') || json.includes('\r') ? json.replace(/[\r\n]/g, ' ') : json;
}
