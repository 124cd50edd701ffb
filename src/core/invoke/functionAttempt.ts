/** One attempt: run the function through the runtime port and turn the outcome into an AttemptRecord. */
import type { InvokeOutcome } from '../runtime/outcome';
import type { FunctionInvoker } from './engineFunction';
import { timePoint, type AttemptRecord } from './invocationRecord';

export interface AttemptResult {
  attempt: AttemptRecord;
  /** Absent when the runtime itself failed (a system error, ASYNC-5). */
  outcome?: InvokeOutcome;
}

/** Per-function count of running invocations, checked against reserved concurrency. */
export class FunctionConcurrency {
  private readonly running = new Map<string, number>();

  tryAcquire(functionName: string, limit: number | undefined): boolean {
    const n = this.running.get(functionName) ?? 0;
    if (limit !== undefined && n >= limit) return false;
    this.running.set(functionName, n + 1);
    return true;
  }

  release(functionName: string): void {
    const n = (this.running.get(functionName) ?? 1) - 1;
    if (n <= 0) this.running.delete(functionName);
    else this.running.set(functionName, n);
  }

  count(functionName: string): number {
    return this.running.get(functionName) ?? 0;
  }
}

export async function runAttempt(
  invoker: FunctionInvoker,
  functionName: string,
  payloadJson: string,
  requestId: string,
  number: number,
  simulatedStartMs: number,
  signal?: AbortSignal,
): Promise<AttemptResult> {
  const start = timePoint(simulatedStartMs);
  let outcome: InvokeOutcome;
  try {
    outcome = await invoker.invoke(functionName, payloadJson, { requestId, signal });
  } catch (error) {
    // The runtime could not run the function at all: a Lambda service (system) error, not a function error.
    const message = error instanceof Error ? error.message : String(error);
    return {
      attempt: {
        number,
        requestId,
        start,
        durationMs: 0,
        billedDurationMs: 0,
        memorySizeMB: 0,
        maxMemoryUsedMB: 0,
        coldStart: false,
        outcome: 'systemError',
        statusCode: 500,
        error: { errorType: 'ServiceException', errorMessage: message },
        logs: [],
      },
    };
  }
  const attempt: AttemptRecord = {
    number,
    requestId,
    start,
    durationMs: outcome.metrics.durationMs,
    billedDurationMs: outcome.metrics.billedDurationMs,
    memorySizeMB: outcome.metrics.memorySizeMB,
    maxMemoryUsedMB: outcome.metrics.maxMemoryUsedMB,
    coldStart: outcome.coldStart,
    outcome: outcome.functionError ? 'functionError' : 'success',
    logs: outcome.logs,
  };
  if (outcome.metrics.initDurationMs !== undefined) attempt.initDurationMs = outcome.metrics.initDurationMs;
  if (outcome.runtime) attempt.runtime = outcome.runtime;
  if (outcome.lateErrors) attempt.lateErrors = outcome.lateErrors;
  if (outcome.functionError) {
    attempt.functionError = outcome.functionError;
    attempt.error = outcome.error;
  } else {
    attempt.result = outcome.result ?? null;
    if (outcome.stream) attempt.streamed = true;
  }
  return { attempt, outcome };
}

/** An attempt that never reached the function (ASYNC-5 throttle or system error, injected or real). */
export function refusedAttempt(
  number: number,
  requestId: string,
  simulatedStartMs: number,
  kind: 'throttled' | 'systemError',
  faults?: string[],
): AttemptRecord {
  const attempt: AttemptRecord = {
    number,
    requestId,
    start: timePoint(simulatedStartMs),
    durationMs: 0,
    billedDurationMs: 0,
    memorySizeMB: 0,
    maxMemoryUsedMB: 0,
    coldStart: false,
    outcome: kind,
    statusCode: kind === 'throttled' ? 429 : 500,
    error:
      kind === 'throttled'
        ? { errorType: 'TooManyRequestsException', errorMessage: 'Rate Exceeded.' }
        : {
            errorType: 'ServiceException',
            errorMessage: 'Lambda was unable to run the function (injected system error).',
          },
    logs: [],
  };
  if (faults) attempt.faults = faults;
  return attempt;
}
