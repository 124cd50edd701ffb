/**
 * DURABLE-13: how an execution shows in the InvocationRecords of its invocations, and what a synchronous caller of
 * a durable function gets back (DURABLE-5).
 */
import type { DurableExecutionSummary, SyncResponse } from '../invocationRecord';
import type { DurableExecution } from './durableExecution';

/** The execution as record `invocation` (1-based) shows it, with what the handler answered. */
export function executionSummary(
  execution: DurableExecution,
  invocation: number,
  outcome?: string,
): DurableExecutionSummary {
  return {
    arn: execution.arn,
    id: execution.id,
    name: execution.name,
    status: execution.status,
    invocation,
    ...(outcome ? { outcome } : {}),
    operations: execution.operations.map((op) => ({
      id: op.Id,
      ...(op.ParentId !== undefined ? { parentId: op.ParentId } : {}),
      type: op.Type,
      ...(op.SubType !== undefined ? { subType: op.SubType } : {}),
      ...(op.Name !== undefined ? { name: op.Name } : {}),
      status: op.Status,
    })),
  };
}

/**
 * DURABLE-5: the result of an execution that succeeded; the error of one that failed, timed out or was stopped as a
 * function error; for one still running when the caller stops waiting, a function error that says it carries on.
 */
export function syncResponseOf(execution: DurableExecution): SyncResponse {
  if (execution.status === 'SUCCEEDED')
    return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: execution.result || 'null' };
  const error =
    execution.status === 'RUNNING'
      ? {
          errorType: 'DurableExecutionStillRunning',
          errorMessage: `The durable execution ${execution.arn} is still running after the 15 minutes a synchronous invocation waits; it carries on.`,
        }
      : {
          errorType: execution.error?.ErrorType ?? `Execution${execution.status}`,
          errorMessage: execution.error?.ErrorMessage ?? `The durable execution ended ${execution.status}.`,
          ...(execution.error?.StackTrace ? { stackTrace: execution.error.StackTrace } : {}),
        };
  return { StatusCode: 200, ExecutedVersion: '$LATEST', FunctionError: 'Unhandled', Payload: JSON.stringify(error) };
}
