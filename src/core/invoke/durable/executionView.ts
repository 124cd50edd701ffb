/**
 * DURABLE-13: a durable execution as the invocation panel shows it: its operations (with attempts, due times,
 * callback ids, payloads and errors), its history events and the records of its handler invocations. Built from the
 * execution the store keeps; payloads are cut to a size a panel can show, saying how long they were.
 */
import type { DurableExecution } from './durableExecution';
import type { ErrorObject, HistoryEvent, Operation } from './durableWire';

/** A payload as the panel shows it: its first characters, and how many there were when it was cut. */
export interface ViewText {
  text: string;
  /** The payload's length when `text` is only its beginning. */
  fullLength?: number;
}

export interface OperationView {
  id: string;
  parentId?: string;
  name?: string;
  /** EXECUTION, CONTEXT, STEP, WAIT, CALLBACK or CHAINED_INVOKE. */
  type: string;
  /** What the SDK made of it: Step, Wait, Callback, WaitForCallback, RunInChildContext, Parallel, Map ... */
  subType?: string;
  status: string;
  startMs: number;
  endMs?: number;
  /** STEP: attempts that ended so far; when the next one is due (a retry waiting for its delay). */
  attempt?: number;
  nextAttemptMs?: number;
  /** WAIT: when it is due. */
  scheduledEndMs?: number;
  /** CALLBACK: the id a caller completes it with, and when it times out (in all, or for want of a heartbeat). */
  callbackId?: string;
  callbackTimeoutMs?: number;
  heartbeatDueMs?: number;
  /** CHAINED_INVOKE: the function it calls. */
  functionName?: string;
  result?: ViewText;
  error?: ErrorObject;
}

export interface HistoryEventView {
  eventId: number;
  type: string;
  subType?: string;
  operationId?: string;
  name?: string;
  timeMs: number;
  /** The event's details as JSON text (cut when long). */
  details: ViewText;
}

export interface ExecutionView {
  arn: string;
  id: string;
  name: string;
  functionName: string;
  status: string;
  startMs: number;
  endMs?: number;
  input: ViewText;
  result?: ViewText;
  error?: ErrorObject;
  /** Handler invocations so far (replays included), and their records, oldest first. */
  invocations: number;
  recordIds: string[];
  /** True while a handler invocation of it runs. */
  invoking: boolean;
  operations: OperationView[];
  /** The latest history events (at most HISTORY_IN_VIEW), and how many the execution has in all. */
  history: HistoryEventView[];
  historyTotal: number;
}

/** How much of one payload the panel gets (the rest is said as a length). */
export const VIEW_TEXT_LIMIT = 8 * 1024;
/** How many of the latest history events the panel gets (the CLI's `executions history` has them all). */
export const HISTORY_IN_VIEW = 300;

export function viewText(text: string, limit = VIEW_TEXT_LIMIT): ViewText {
  return text.length <= limit ? { text } : { text: text.slice(0, limit), fullLength: text.length };
}

const optionalText = (text: string | undefined): { result?: ViewText } =>
  text === undefined ? {} : { result: viewText(text) };

function cutError(error: ErrorObject | undefined): { error?: ErrorObject } {
  if (!error) return {};
  const cut: ErrorObject = { ...error };
  if (cut.ErrorMessage !== undefined) cut.ErrorMessage = viewText(cut.ErrorMessage).text;
  if (cut.ErrorData !== undefined) cut.ErrorData = viewText(cut.ErrorData).text;
  if (cut.StackTrace !== undefined) cut.StackTrace = cut.StackTrace.slice(0, 50);
  return { error: cut };
}

/** The function a CHAINED_INVOKE calls, as its start event recorded it. */
function chainedFunction(history: readonly HistoryEvent[], operationId: string): string | undefined {
  const started = history.find((e) => e.EventType === 'ChainedInvokeStarted' && e.Id === operationId);
  const name = (started?.ChainedInvokeStartedDetails as { FunctionName?: unknown } | undefined)?.FunctionName;
  return typeof name === 'string' ? name : undefined;
}

/** Where an operation's result and error are: the details of its type. */
function outcomeDetails(op: Operation): { result?: string; error?: ErrorObject } | undefined {
  const details = {
    STEP: op.StepDetails,
    CONTEXT: op.ContextDetails,
    CALLBACK: op.CallbackDetails,
    CHAINED_INVOKE: op.ChainedInvokeDetails,
    WAIT: undefined,
    EXECUTION: undefined,
  }[op.Type];
  return details && { result: details.Result, error: details.Error };
}

export function executionView(execution: DurableExecution): ExecutionView {
  const operations: OperationView[] = execution.operations.map((op) => {
    const timers = execution.callbackTimers[op.Id];
    // Each operation type keeps its outcome in its own details; the EXECUTION operation's is the execution's.
    const outcome = op.Type === 'EXECUTION' ? execution : outcomeDetails(op);
    const functionName = op.Type === 'CHAINED_INVOKE' ? chainedFunction(execution.history, op.Id) : undefined;
    return {
      id: op.Id,
      ...(op.ParentId !== undefined ? { parentId: op.ParentId } : {}),
      ...(op.Name !== undefined ? { name: op.Name } : {}),
      type: op.Type,
      ...(op.SubType !== undefined ? { subType: op.SubType } : {}),
      status: op.Status,
      startMs: op.StartTimestamp,
      ...(op.EndTimestamp !== undefined ? { endMs: op.EndTimestamp } : {}),
      ...(op.StepDetails?.Attempt !== undefined ? { attempt: op.StepDetails.Attempt } : {}),
      ...(op.StepDetails?.NextAttemptTimestamp !== undefined
        ? { nextAttemptMs: op.StepDetails.NextAttemptTimestamp }
        : {}),
      ...(op.WaitDetails?.ScheduledEndTimestamp !== undefined
        ? { scheduledEndMs: op.WaitDetails.ScheduledEndTimestamp }
        : {}),
      ...(op.CallbackDetails?.CallbackId !== undefined ? { callbackId: op.CallbackDetails.CallbackId } : {}),
      ...(timers?.timeoutAt !== undefined ? { callbackTimeoutMs: timers.timeoutAt } : {}),
      ...(timers?.heartbeatAt !== undefined ? { heartbeatDueMs: timers.heartbeatAt } : {}),
      ...(functionName !== undefined ? { functionName } : {}),
      ...optionalText(outcome?.result),
      ...cutError(outcome?.error),
    };
  });
  const history: HistoryEventView[] = execution.history.slice(-HISTORY_IN_VIEW).map((event) => {
    const detailsKey = Object.keys(event).find((k) => k.endsWith('Details'));
    const details = detailsKey ? event[detailsKey as `${string}Details`] : {};
    return {
      eventId: event.EventId,
      type: event.EventType,
      ...(event.SubType !== undefined ? { subType: event.SubType } : {}),
      ...(event.Id !== undefined ? { operationId: event.Id } : {}),
      ...(event.Name !== undefined ? { name: event.Name } : {}),
      timeMs: event.EventTimestamp,
      details: viewText(JSON.stringify(details)),
    };
  });
  return {
    arn: execution.arn,
    id: execution.id,
    name: execution.name,
    functionName: execution.functionName,
    status: execution.status,
    startMs: execution.startMs,
    ...(execution.endMs !== undefined ? { endMs: execution.endMs } : {}),
    input: viewText(execution.input),
    ...(execution.result !== undefined ? { result: viewText(execution.result) } : {}),
    ...cutError(execution.error),
    invocations: execution.invocations,
    recordIds: [...execution.recordIds],
    invoking: execution.invocation !== undefined,
    operations,
    history,
    historyTotal: execution.history.length,
  };
}
