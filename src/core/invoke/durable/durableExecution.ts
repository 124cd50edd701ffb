/**
 * One durable execution as the store keeps it: its operation log (EXECUTION first), its history, the checkpoint
 * token of the invocation in flight, the operations the handler has not seen change yet, and its timers' inputs.
 */
import type { ErrorObject, ExecutionStatus, HistoryEvent, Operation, OperationStatus } from './durableWire';

export interface DurableExecution {
  /** The execution's id: the last segment of its ARN. */
  id: string;
  arn: string;
  /** The execution name (idempotent start key): `X-Amz-Durable-Execution-Name`, else the id. */
  name: string;
  /** The workspace function (its name in the runner). */
  functionName: string;
  functionArn: string;
  /** The raw payload the execution started with. */
  input: string;
  status: ExecutionStatus;
  startMs: number;
  endMs?: number;
  result?: string;
  error?: ErrorObject;
  executionTimeoutSeconds: number;
  retentionPeriodInDays: number;
  /** The log in creation order; `operations[0]` is the EXECUTION operation. */
  operations: Operation[];
  history: HistoryEvent[];
  /** Sequence of the latest checkpoint token; a token names its execution, invocation and sequence. */
  tokenSeq: number;
  /** The request id of the handler invocation in flight (its token is valid only while it runs). */
  invocation?: string;
  /** Invocations so far (InvocationCompleted events). */
  invocations: number;
  /** Failed invocations in a row (DURABLE-9). */
  failedInvocations: number;
  /** Ids of operations that changed since the handler last saw them (the next delta, `UpdatedOperationIds`). */
  unseen: string[];
  /** Callback timers: when a CALLBACK times out in all, and when its heartbeat runs out (epoch ms). */
  callbackTimers: Record<string, { timeoutAt?: number; heartbeatSeconds?: number; heartbeatAt?: number }>;
  /** DURABLE-8: the last checkpoint answered, so that a retried request (same client token) gets the same answer. */
  lastCheckpoint?: { clientToken: string; checkpointToken: string; response: unknown };
  /** The invocation records of this execution, oldest first (the first is the story's head). */
  recordIds: string[];
  /** How the execution was started: a synchronous caller waits for its result. */
  startedBy: 'sync' | 'async';
  /** DURABLE-12: the CHAINED_INVOKE operation of another execution that this one answers. */
  parent?: { arn: string; operationId: string };
  /** DURABLE-14: started by an event source mapping, which waits for its end (15 minutes at most). */
  eventSourceMapping?: true;
  /** CHAINED_INVOKE operations whose (non-durable) target still runs: started again after a reopen. */
  chainedInFlight?: string[];
  /** DURABLE-9: when a failed (or throttled) invocation is tried again (epoch ms). */
  retryInvocationAt?: number;
}

export const TERMINAL_EXECUTION: ReadonlySet<ExecutionStatus> = new Set([
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'STOPPED',
]);

export const isClosed = (execution: Pick<DurableExecution, 'status'>): boolean =>
  TERMINAL_EXECUTION.has(execution.status);

/** `arn:aws:lambda:<region>:<account>:function:<name>:$LATEST/durable-execution/<executionName>/<id>` */
export function executionArn(functionArn: string, name: string, id: string): string {
  return `${functionArn}:$LATEST/durable-execution/${name}/${id}`;
}

/** What Lambda accepts as an execution name (1 to 64 letters, digits, hyphens and underscores). */
export const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * DURABLE-4 pruning: the log without the descendants of a CONTEXT that ended (SUCCEEDED or FAILED) and does not ask
 * for its children to be replayed; the SDK takes such a context's stored result instead of running its children.
 */
export function prunedOperations(operations: readonly Operation[]): Operation[] {
  const byId = new Map(operations.map((op) => [op.Id, op]));
  const hidden = new Map<string, boolean>();
  const hides = (op: Operation): boolean =>
    op.Type === 'CONTEXT' &&
    (op.Status === 'SUCCEEDED' || op.Status === 'FAILED') &&
    op.ContextDetails?.ReplayChildren !== true;
  const isHidden = (op: Operation, depth = 0): boolean => {
    const known = hidden.get(op.Id);
    if (known !== undefined) return known;
    const parent = op.ParentId !== undefined ? byId.get(op.ParentId) : undefined;
    const result = parent !== undefined && depth < 10_000 && (hides(parent) || isHidden(parent, depth + 1));
    hidden.set(op.Id, result);
    return result;
  };
  return operations.filter((op) => !isHidden(op));
}

/** The execution's errors the SDK would recognise: the message first, the type when there is one. */
export function errorText(error: ErrorObject | undefined): string {
  if (!error) return 'no error details';
  return [error.ErrorType, error.ErrorMessage].filter(Boolean).join(': ') || 'no error details';
}

/** The handler has not seen operation `id` change yet: it is in the next delta and `UpdatedOperationIds`. */
export function markUnseen(execution: DurableExecution, id: string): void {
  if (!execution.unseen.includes(id)) execution.unseen.push(id);
}

/** DURABLE-3: a CALLBACK ends (completed from outside, or timed out) at `now`; its timers stop. */
export function finishCallback(
  now: number,
  execution: DurableExecution,
  op: Operation,
  status: OperationStatus,
  details: { Result?: string; Error?: ErrorObject },
): void {
  op.Status = status;
  op.EndTimestamp = now;
  op.CallbackDetails = { ...op.CallbackDetails, ...details };
  delete execution.callbackTimers[op.Id];
  markUnseen(execution, op.Id);
}
