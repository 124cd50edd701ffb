/**
 * One handler invocation of a durable execution, as the service makes it (DURABLE-2): the event that replaces the
 * caller's (the execution's ARN, a fresh checkpoint token, the first page of the pruned log with the EXECUTION
 * operation first, the ids that changed since the last invocation) and what the handler's answer means.
 */
import type { DurableExecution } from './durableExecution';
import type { ErrorObject, Operation } from './durableWire';

/** Operations per page of InitialExecutionState and GetDurableExecutionState (the SDKs ask for 1000). */
export const STATE_PAGE_ITEMS = 1000;

/**
 * An operation as a handler sees it: timestamps moved into the handler's clock (`offsetMs` = simulated − wall time
 * when the invocation started), so that a wait's end the SDK compares with its own clock is as far away as it is
 * on the simulated one.
 */
export function handlerOperation(op: Operation, offsetMs: number): Operation {
  const shift = (t: number | undefined): number | undefined => (t === undefined ? undefined : Math.round(t - offsetMs));
  const copy: Operation = { ...op, StartTimestamp: shift(op.StartTimestamp)! };
  if (op.EndTimestamp !== undefined) copy.EndTimestamp = shift(op.EndTimestamp);
  if (op.StepDetails?.NextAttemptTimestamp !== undefined)
    copy.StepDetails = { ...op.StepDetails, NextAttemptTimestamp: shift(op.StepDetails.NextAttemptTimestamp) };
  if (op.WaitDetails?.ScheduledEndTimestamp !== undefined)
    copy.WaitDetails = { ScheduledEndTimestamp: shift(op.WaitDetails.ScheduledEndTimestamp) };
  return copy;
}

export interface InvocationEvent {
  DurableExecutionArn: string;
  CheckpointToken: string;
  UpdatedOperationIds?: string[];
  InitialExecutionState: { Operations: Operation[]; NextMarker?: string };
}

/** What the handler answered, read from its result (DURABLE-2). */
export type HandlerAnswer =
  | { status: 'SUCCEEDED'; result?: string }
  | { status: 'FAILED'; error?: ErrorObject }
  | { status: 'PENDING' }
  /** Not an answer of the SDK's: the invocation failed (DURABLE-9). */
  | { status: 'INVALID'; error: ErrorObject };

export function handlerAnswer(result: unknown): HandlerAnswer {
  const r = result as { Status?: unknown; Result?: unknown; Error?: unknown } | null;
  const status = typeof r === 'object' && r !== null ? r.Status : undefined;
  if (status === 'SUCCEEDED') return { status, ...(typeof r!.Result === 'string' ? { result: r!.Result } : {}) };
  if (status === 'FAILED')
    return { status, ...(typeof r!.Error === 'object' && r!.Error !== null ? { error: r!.Error } : {}) };
  if (status === 'PENDING') return { status };
  return {
    status: 'INVALID',
    error: {
      ErrorType: 'InvalidDurableResponse',
      ErrorMessage:
        'The handler of a durable function must answer {Status: SUCCEEDED | FAILED | PENDING}: wrap it with the durable execution SDK (withDurableExecution).',
    },
  };
}

/** DURABLE-2: PENDING is an answer only while the log has something the service will resolve. */
export function hasPendingWork(execution: DurableExecution): boolean {
  return execution.operations.some(
    (op) =>
      (op.Type === 'STEP' && (op.Status === 'PENDING' || op.Status === 'READY')) ||
      ((op.Type === 'WAIT' || op.Type === 'CALLBACK' || op.Type === 'CHAINED_INVOKE') && op.Status === 'STARTED'),
  );
}
