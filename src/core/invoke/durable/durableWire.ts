/**
 * The shapes of Lambda's durable execution APIs (restJson1, API version 2025-12-01) as the durable execution SDKs
 * send and read them: operations, operation updates, errors, history events. Timestamps are kept here as epoch
 * milliseconds; the API answers them as epoch seconds and the invocation event as epoch milliseconds.
 */

export type OperationType = 'EXECUTION' | 'CONTEXT' | 'STEP' | 'WAIT' | 'CALLBACK' | 'CHAINED_INVOKE';
export type OperationAction = 'START' | 'SUCCEED' | 'FAIL' | 'RETRY' | 'CANCEL';
export type OperationStatus =
  'STARTED' | 'PENDING' | 'READY' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'TIMED_OUT' | 'STOPPED';
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'STOPPED';

export const OPERATION_TYPES: readonly OperationType[] = [
  'EXECUTION',
  'CONTEXT',
  'STEP',
  'WAIT',
  'CALLBACK',
  'CHAINED_INVOKE',
];
export const OPERATION_ACTIONS: readonly OperationAction[] = ['START', 'SUCCEED', 'FAIL', 'RETRY', 'CANCEL'];
export const EXECUTION_STATUSES: readonly ExecutionStatus[] = [
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'STOPPED',
];
const TERMINAL_OPERATION: ReadonlySet<OperationStatus> = new Set([
  'SUCCEEDED',
  'FAILED',
  'CANCELLED',
  'TIMED_OUT',
  'STOPPED',
]);

export const isTerminalOperation = (status: OperationStatus): boolean => TERMINAL_OPERATION.has(status);

export interface ErrorObject {
  ErrorMessage?: string;
  ErrorType?: string;
  ErrorData?: string;
  StackTrace?: string[];
}

/** One entry of an execution's operation log (timestamps: epoch ms). */
export interface Operation {
  Id: string;
  ParentId?: string;
  Name?: string;
  Type: OperationType;
  SubType?: string;
  StartTimestamp: number;
  EndTimestamp?: number;
  Status: OperationStatus;
  ExecutionDetails?: { InputPayload?: string };
  ContextDetails?: { ReplayChildren?: boolean; Result?: string; Error?: ErrorObject };
  StepDetails?: { Attempt?: number; NextAttemptTimestamp?: number; Result?: string; Error?: ErrorObject };
  WaitDetails?: { ScheduledEndTimestamp?: number };
  CallbackDetails?: { CallbackId?: string; Result?: string; Error?: ErrorObject };
  ChainedInvokeDetails?: { Result?: string; Error?: ErrorObject };
}

export interface OperationUpdate {
  Id: string;
  ParentId?: string;
  Name?: string;
  Type: OperationType;
  SubType?: string;
  Action: OperationAction;
  Payload?: string;
  Error?: ErrorObject;
  ContextOptions?: { ReplayChildren?: boolean };
  StepOptions?: { NextAttemptDelaySeconds?: number };
  WaitOptions?: { WaitSeconds?: number };
  CallbackOptions?: { TimeoutSeconds?: number; HeartbeatTimeoutSeconds?: number };
  ChainedInvokeOptions?: { FunctionName: string; TenantId?: string };
}

/** One event of an execution's history (timestamps: epoch ms); exactly one `<EventType>Details` field is set. */
export interface HistoryEvent {
  EventType: string;
  SubType?: string;
  EventId: number;
  Id?: string;
  Name?: string;
  ParentId?: string;
  EventTimestamp: number;
  [details: `${string}Details`]: Record<string, unknown>;
}

/** An error the durable execution APIs answer with: the AWS error code, its HTTP status and a message. */
export class DurableServiceError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

export const invalidParameter = (message: string): DurableServiceError =>
  new DurableServiceError('InvalidParameterValueException', 400, message);

export const notFound = (message: string): DurableServiceError =>
  new DurableServiceError('ResourceNotFoundException', 404, message);

/**
 * DURABLE-6: the SDKs treat an InvalidParameterValueException whose message starts with these words as "this
 * invocation is over, retry it", not as a failure of the execution.
 */
export const INVALID_TOKEN_PREFIX = 'Invalid Checkpoint Token';
