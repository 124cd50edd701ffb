/**
 * DURABLE-14: an event source mapping invokes a durable function synchronously and waits for the whole execution:
 * the batch's one attempt is the execution, its answer the execution's result (a batch item failure report
 * included), or its error when it failed, timed out (15 minutes at most) or was stopped. The handler's own
 * invocations are the execution's records, in the batch's story.
 */
import { randomUUID } from 'node:crypto';
import type { EngineContext } from '../engineContext';
import type { AttemptResult } from '../functionAttempt';
import { timePoint, type AttemptRecord, type RecordSource } from '../invocationRecord';
import { syncResponseOf } from './executionRecords';
import type { DurableFunction } from './durableExecutions';

/**
 * Starts an execution of `fn` with the batch's event and resolves with the attempt its end makes. `story` is the
 * batch's record: the execution's records continue its story. The caller's clock tracks the batch; the wait for the
 * execution does not count as work in flight, so that its waits and retries pass.
 */
export async function runExecutionAttempt(
  ctx: EngineContext,
  fn: DurableFunction,
  payloadJson: string,
  number: number,
  startMs: number,
  story: { id: string; source?: RecordSource | undefined },
): Promise<AttemptResult> {
  const base = {
    number,
    start: timePoint(startMs),
    durationMs: 0,
    billedDurationMs: 0,
    memorySizeMB: fn.memorySize,
    maxMemoryUsedMB: 0,
    coldStart: false,
    logs: [],
  };
  let arn: string;
  try {
    const { execution } = ctx.durable.start(fn, payloadJson, {
      startedBy: 'sync',
      eventSourceMapping: true,
      source: { ...(story.source ?? { type: 'direct' }), parentRecordId: story.id },
    });
    arn = execution.arn;
  } catch (error) {
    const attempt: AttemptRecord = {
      ...base,
      requestId: randomUUID(),
      outcome: 'systemError',
      statusCode: 500,
      error: { errorType: 'ServiceException', errorMessage: error instanceof Error ? error.message : String(error) },
    };
    return { attempt };
  }
  const execution = await ctx.clock.untracked(ctx.durable.waitForEnd(arn, Infinity));
  const response = syncResponseOf(execution);
  // The attempt takes the id of the execution's first invocation, which its records and logs carry.
  const head = ctx.history.get(execution.recordIds[0] ?? '');
  const attempt: AttemptRecord = {
    ...base,
    requestId: head?.attempts[0]?.requestId ?? execution.id,
    durationMs: Math.max(0, (execution.endMs ?? startMs) - startMs),
    outcome: response.FunctionError ? 'functionError' : 'success',
  };
  if (response.FunctionError) {
    const error = JSON.parse(response.Payload ?? '{}') as AttemptRecord['error'] & { stackTrace?: string[] };
    attempt.functionError = response.FunctionError;
    attempt.error = error;
  } else attempt.result = JSON.parse(response.Payload ?? 'null') as unknown;
  return { attempt };
}
