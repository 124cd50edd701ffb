/**
 * The IPC protocol between the engine and the bootstrap inside an execution environment.
 * Transport: newline-delimited JSON over the child's fd 3 (a socket pair), both directions; the child's own stdout and
 * stderr stay separate so that output written below the language runtime (native code, grandchildren) is still captured.
 * The Node bootstrap imports these types; the Python bootstrap (python/bootstrap.py) speaks the same shapes.
 */
import type { FunctionErrorPayload, LogLevel } from './outcome';

/** Engine -> child: run one invocation. `event` is the raw JSON payload, spliced in without re-encoding. */
export interface InvokeMessage {
  t: 'invoke';
  id: string;
  /** Epoch ms at which the invocation times out (NODE-6 getRemainingTimeInMillis). */
  deadline: number;
  traceId: string;
  /** NODE-6 invokedFunctionArn. */
  arn: string;
  event: unknown;
  clientContext?: unknown;
  identity?: unknown;
}

/** Engine -> child: stop at once (used before a forced kill, so a well-behaved child can exit cleanly). */
export interface ShutdownMessage {
  t: 'shutdown';
}

/**
 * Engine -> child: NODE-5, answer `settled` once what the last handler left queued (an immediate, a zero-delay timer, a
 * rejection nobody handles) has run, so that an error it throws after the response surfaces before the engine ends
 * the environment. Sent only between invocations.
 */
export interface SettleMessage {
  t: 'settle';
}

/**
 * Engine -> child, first and once, to a pre-booted runtime process only (BOOTSTRAP_ARG_AWAIT_CONFIGURATION): what it
 * would have been started with. It takes the environment, working directory and bootstrap arguments, then inits.
 */
export interface ConfigureMessage {
  t: 'configure';
  env: Record<string, string>;
  cwd: string;
  /** The bootstrap's own arguments (those after its file). */
  args: string[];
}

export type EngineMessage = InvokeMessage | ShutdownMessage | SettleMessage | ConfigureMessage;

/** Child -> engine: init finished, the handler is loaded and the environment is warm. */
export interface ReadyMessage {
  t: 'ready';
}

/** Child -> engine: init failed (NODE-3, PY-2); the environment is unusable. */
export interface InitErrorMessage {
  t: 'initError';
  error: FunctionErrorPayload;
}

/** Child -> engine: one piece of output produced by the handler, in production order. */
export interface OutputMessage {
  t: 'out';
  /** `console` = a formatted console/logging line; `stdout`/`stderr` = raw writes to process.stdout/stderr. */
  s: 'console' | 'stdout' | 'stderr';
  text: string;
  level?: LogLevel;
  /** Epoch ms when it was produced. */
  at: number;
}

/** Child -> engine: NODE-8, the child dropped output over the log cap from here to the end of the current log. */
export interface TruncatedMessage {
  t: 'truncated';
  at: number;
}

/**
 * Child -> engine: NODE-5, an uncaught exception or unhandled rejection after invocation `id` had responded (a timer,
 * a promise nobody awaited). The child exits next; the engine reports it with the function's next invocation.
 */
export interface LateErrorMessage {
  t: 'lateError';
  id: string;
  error: FunctionErrorPayload;
}

/** Child -> engine: the answer to `settle`: nothing the last handler left queued threw. */
export interface SettledMessage {
  t: 'settled';
}

/** Child -> engine: the invocation completed. Exactly one of `body` (the JSON result, parsed) or `error`. */
export interface ResultMessage {
  t: 'result';
  id: string;
  body?: unknown;
  error?: FunctionErrorPayload;
  /** Size of the serialised response in bytes (SYNC-6 is checked in the child, before sending). */
  size?: number;
  /** SYNC-6: the response was this many bytes, over the limit; neither `body` nor `error` is sent. */
  oversize?: number;
  /** Peak RSS of the child so far, KB (NODE-8 Max Memory Used). */
  maxRssKb: number;
  /** NODE-11: the body was sent as chunk messages; `body` is absent. */
  streamed?: boolean;
  /** The environment must not be reused (NODE-5: uncaught exception / unhandled rejection). */
  fatal?: boolean;
}

/** Child -> engine: one chunk of a streamed response (NODE-11), base64. */
export interface ChunkMessage {
  t: 'chunk';
  id: string;
  data: string;
}

/** Child -> engine: the HTTP prelude of a streamed function-URL response (NODE-11 HttpResponseStream.from). */
export interface PreludeMessage {
  t: 'prelude';
  id: string;
  prelude: Record<string, unknown>;
  contentType: string;
}

/** Child -> engine: the debugger is listening (Node inspector or debugpy). */
export interface DebugListeningMessage {
  t: 'debug';
  host: string;
  port: number;
  /** Node: the inspector's WebSocket URL. */
  url?: string;
}

export type ChildMessage =
  | ReadyMessage
  | InitErrorMessage
  | OutputMessage
  | TruncatedMessage
  | LateErrorMessage
  | SettledMessage
  | ResultMessage
  | ChunkMessage
  | PreludeMessage
  | DebugListeningMessage;

/** Internal argv flags given to the bootstraps (never in the function's environment). */
export const BOOTSTRAP_ARG_DEBUG = '--lt-debug';
export const BOOTSTRAP_ARG_DEBUG_WAIT = '--lt-debug-wait';
export const BOOTSTRAP_ARG_COMPILED = '--lt-compiled';
/** SYNC-6: followed by the response limit in bytes (the Python bootstrap cannot import it). */
export const BOOTSTRAP_ARG_RESPONSE_LIMIT = '--lt-response-limit';
/** Followed by the engine's log cap per invocation in bytes (NODE-8), so that the child drops what is over it. */
export const BOOTSTRAP_ARG_MAX_LOG_BYTES = '--lt-max-log-bytes';
/** Python: a directory appended to sys.path (RUNTIME-3: boto3 for an interpreter that lacks it). */
export const BOOTSTRAP_ARG_SYS_PATH = '--lt-sys-path';
/** Started ahead of need: wait for the ConfigureMessage before reading the environment (see PreBoot). */
export const BOOTSTRAP_ARG_AWAIT_CONFIGURATION = '--lt-await-configuration';

/**
 * A runtime process (Node.js or Python) a spare supervisor starts ahead of need, so that the next cold start of the
 * same shape skips the process start (Node.js boots, and compiles `net` and `stream` from source under the heap flag;
 * Python starts its interpreter and imports the bootstrap's modules: most of a cold start). The shape is what must be
 * right when the process starts: the executable, its flags and bootstrap file (`args`, without the bootstrap's own
 * arguments), and the variables the runtime, its libraries or the dynamic loader read at start (`env`, see
 * startupEnvironment). The rest of the environment, the working directory and the bootstrap's arguments come in the
 * ConfigureMessage.
 */
export interface PreBoot {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** Engine -> supervisor, once, on its control socket: what to run (the supervisor was started ahead of need). */
export interface SupervisorRequest {
  t: 'spawn';
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** The request's shape when a pre-booted process may serve it: the supervisor's, if it has the same one. */
  preBoot?: PreBoot;
}

/** Engine -> spare supervisor, right after it starts: start this runtime process now (see PreBoot). */
export interface SupervisorPreBoot {
  t: 'preboot';
  preBoot: PreBoot;
}

/**
 * Supervisor -> engine, over the supervisor's control socket (fd 4, see supervisor.ts): the runtime process's pid,
 * how it exited (the supervisor exits next), or why it could not be started.
 */
export type SupervisorMessage =
  | { t: 'pid'; pid: number; preBooted?: boolean }
  | { t: 'exit'; code: number | null; signal: NodeJS.Signals | null }
  | { t: 'spawnError'; code?: string; message: string };
