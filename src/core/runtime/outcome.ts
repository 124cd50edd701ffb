/**
 * What one invocation of a handler in an execution environment produced. Shared contract between the runtime
 * (src/core/runtime, which produces it) and the invocation semantics (src/core/invoke, which consumes it).
 */

/** The error payload Lambda returns for a function error (SYNC-3, SYNC-4, SYNC-5, NODE-3, PY-2). */
export interface FunctionErrorPayload {
  errorType: string;
  errorMessage: string;
  /** Node.js: `trace`; Python: `stackTrace`. Both are kept as given by the runtime. */
  trace?: string[];
  stackTrace?: string[];
  requestId?: string;
}

export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';

/** One line of the invocation's log stream, in the order it was produced (NODE-8, PY-4). */
export interface LogLine {
  /** Wall-clock time the line was produced, ISO 8601. */
  time: string;
  /** `platform` for START/END/REPORT and runtime messages; `stdout`/`stderr` for raw process output; `console` for console/logging calls. */
  stream: 'platform' | 'console' | 'stdout' | 'stderr';
  level?: LogLevel;
  /** The line exactly as Lambda would write it to CloudWatch Logs. */
  text: string;
}

export interface InvokeMetrics {
  /** Handler duration, ms, fractional (NODE-8). */
  durationMs: number;
  /** NODE-9: rounded up to the next millisecond; includes init on a cold start. */
  billedDurationMs: number;
  memorySizeMB: number;
  /** Measured from the child process (peak RSS), MB. */
  maxMemoryUsedMB: number;
  /** Present on a cold start only. */
  initDurationMs?: number;
}

export interface InvokeOutcome {
  requestId: string;
  /** `true` when the environment was started for this invocation (NODE-10). */
  coldStart: boolean;
  /** SYNC-1: the JSON result (null when the handler returned nothing), present when `functionError` is absent. */
  result?: unknown;
  /** SYNC-2: `Unhandled` for thrown errors, timeouts, crashes and oversize responses. */
  functionError?: 'Unhandled' | 'Handled';
  error?: FunctionErrorPayload;
  logs: LogLine[];
  metrics: InvokeMetrics;
  /** Wall-clock start and end, ISO 8601. */
  startedAt: string;
  endedAt: string;
  /** Identifier of the execution environment (child process) that ran it. */
  environmentId: string;
  /** NODE-11: present when the handler streamed its response; `result` then holds the body as UTF-8 text. */
  stream?: StreamedResponse;
  /** RUNTIME-2: the Node.js or Python that ran it. */
  runtime?: RuntimeHostInfo;
  /** NODE-5: environments of the function that ended since its last invocation, after a response (see LateError). */
  lateErrors?: LateError[];
}

/**
 * NODE-5: an execution environment ended between invocations: an uncaught exception or unhandled rejection after
 * invocation `requestId` had responded, or the process exiting. Lambda logs it under that request id and the next
 * invocation is a cold start; the runner reports it on the function's next invocation, whose log starts with its lines.
 */
export interface LateError {
  /** The invocation after whose response it happened. */
  requestId: string;
  /** The error (Node.js: its payload); `Runtime.ExitError` when the process exited without one. */
  error: FunctionErrorPayload;
}

/** RUNTIME-2: what runs a function's runtime here: the language version, and why when it is not the runtime's. */
export interface RuntimeHostInfo {
  /** The function's runtime, `nodejs24.x`. */
  runtime: string;
  /** `Node.js 24.22.3`, `Python 3.12.1`. */
  runsOn: string;
  executable: string;
  /** Set when the version is not the runtime's: what runs instead, and why. */
  mismatch?: string;
}

/** NODE-11: who is told of a streamed response as it arrives (the HTTP front, which passes it on to its client). */
export interface ResponseStreamListener {
  /** HttpResponseStream.from's prelude ({statusCode, headers, cookies}), before the body's first chunk. */
  prelude(prelude: Record<string, unknown>, contentType: string): void;
  chunk(data: Buffer): void;
}

/** NODE-11: a streamed response as the caller received it. */
export interface StreamedResponse {
  /** `application/vnd.awslambda.http-integration-response` when HttpResponseStream.from was used. */
  contentType?: string;
  /** The HTTP prelude ({statusCode, headers, cookies}) given to HttpResponseStream.from. */
  prelude?: Record<string, unknown>;
  /** The whole body, base64 (binary-safe). */
  bodyBase64: string;
  chunks: number;
}
