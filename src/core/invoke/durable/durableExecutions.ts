/**
 * The local durable execution service (DURABLE-1..13): starts executions of durable functions, invokes their
 * handler one invocation at a time, answers the SDK's checkpoints and state reads, completes waits, step retries,
 * callbacks and chained invokes on the virtual clock and re-invokes the handler when they do, and keeps every
 * execution in the store, so that a reopened workspace carries on where it stopped.
 */
import { randomUUID } from 'node:crypto';
import { deployedName } from '../../discovery/functionConfig';
import { functionArn } from '../../resourceArn';
import { LiveCollection } from '../../store/liveCollection';
import type { EngineContext } from '../engineContext';
import type { EngineFunction } from '../engineFunction';
import { runAttempt } from '../functionAttempt';
import {
  newInvocationRecord,
  timePoint,
  usedConfiguration,
  type HttpExchange,
  type InvocationRecord,
  type RecordSource,
} from '../invocationRecord';
import { checkPayload, LambdaServiceError } from '../lambdaServiceError';
import { deadLetterMessageAttributes } from '../deadLetterQueue';
import { undeliverable } from '../destinationRecord';
import { targetArnOf } from '../../services/functionResources';
import { SYNC_REQUEST_LIMIT_BYTES } from '../../runtime/payloadLimits';
import { applyUpdates, checkUpdates, parseUpdates } from './checkpointUpdates';
import {
  errorText,
  EXECUTION_NAME,
  executionArn,
  finishCallback,
  isClosed,
  markUnseen,
  prunedOperations,
  type DurableExecution,
} from './durableExecution';
import {
  handlerAnswer,
  handlerOperation,
  hasPendingWork,
  STATE_PAGE_ITEMS,
  type InvocationEvent,
} from './durableInvocation';
import {
  callbackId,
  checkpointToken,
  maxItemsOf,
  pageMarker,
  readCallbackId,
  readCheckpointToken,
  readPageMarker,
} from './durableTokens';
import {
  DurableServiceError,
  INVALID_TOKEN_PREFIX,
  invalidParameter,
  notFound,
  type ErrorObject,
  type ExecutionStatus,
  type HistoryEvent,
  type Operation,
  type OperationStatus,
} from './durableWire';
import { errorOf, recordEvent, resultOf, withoutData } from './executionHistory';
import { dueTimes, executionDeadline, passDueTimes, retentionEnd } from './executionDeadlines';
import { executionSummary, syncResponseOf } from './executionRecords';
import { invokePlainTarget, targetFunctionName } from './chainedInvoke';

export const DURABLE_COLLECTION = 'durableExecutions';
/** DURABLE-5: a synchronous start waits for its execution this long at most (simulated time). */
export const SYNC_START_CAP_MS = 15 * 60_000;
/** DURABLE-14: an execution an event source mapping started lasts this long at most, whatever its ExecutionTimeout. */
export const MAPPING_EXECUTION_LIMIT_SECONDS = 15 * 60;
/** DURABLE-9: a failed invocation is tried again after this long, and the execution fails after this many in a row. */
export const INVOCATION_RETRY_DELAY_MS = 5_000;
export const MAX_FAILED_INVOCATIONS = 5;

/** What the first invocation's record of an execution carries from the caller: its source, its HTTP request. */
interface FirstRecord {
  source?: RecordSource | undefined;
  http?: HttpExchange | undefined;
}

export type DurableFunction = EngineFunction & { durableConfig: NonNullable<EngineFunction['durableConfig']> };

export const isDurable = (fn: EngineFunction): fn is DurableFunction => fn.durableConfig !== undefined;

export interface StartOptions {
  /** DURABLE-5: the execution name (idempotent start key). */
  name?: string;
  source?: RecordSource;
  startedBy: 'sync' | 'async';
  parent?: DurableExecution['parent'];
  /** DURABLE-14: an event source mapping waits for the execution, which lasts 15 minutes at most. */
  eventSourceMapping?: boolean;
  /** DURABLE-14: the HTTP request that started it (the HTTP front), kept in its first record. */
  http?: HttpExchange;
}

/** What a checkpoint answers (timestamps in ms, in the handler's clock). */
export interface CheckpointAnswer {
  CheckpointToken?: string;
  NewExecutionState: { Operations: Operation[] };
}

export class DurableExecutions {
  private readonly executions: LiveCollection<DurableExecution>;
  /** Execution ARN by execution id (callback ids and tokens name the id). */
  private readonly arnById = new Map<string, string>();
  /** Two timers per execution (`active <arn>`, `passive <arn>`): its earliest due moment of each kind. */
  private readonly timers = new Map<string, { id: number; at: number }>();
  /** Per invocation in flight: the handler's clock offset (simulated − wall ms) at its start. */
  private readonly frames = new Map<string, number>();
  /** A change arrived while the handler ran: invoke again when it answers. */
  private readonly reinvoke = new Set<string>();
  /** The terminal event of an execution that ended while its handler ran: recorded after InvocationCompleted. */
  private readonly endEvents = new Map<string, { type: string; details: Record<string, unknown> }>();
  private readonly waiters = new Map<string, Array<(execution: DurableExecution) => void>>();

  constructor(private readonly ctx: EngineContext) {
    this.executions = new LiveCollection<DurableExecution>(ctx.store, DURABLE_COLLECTION);
  }

  // ---- starting ----

  /**
   * DURABLE-5: starts an execution of a durable function (or, for a name already used with the same input, finds
   * it) and schedules its first invocation. Throws LambdaServiceError for a bad payload or name, and for a name in
   * use with another input.
   */
  start(
    fn: DurableFunction,
    payloadJson: string,
    options: StartOptions,
  ): { execution: DurableExecution; existing: boolean } {
    checkPayload(payloadJson, SYNC_REQUEST_LIMIT_BYTES);
    const name = options.name;
    if (name !== undefined && !EXECUTION_NAME.test(name))
      throw new LambdaServiceError(
        'InvalidParameterValueException',
        400,
        `The durable execution name "${name}" is not valid: use 1 to 64 letters, digits, hyphens or underscores.`,
      );
    if (name !== undefined) {
      const same = [...this.executions.values()].find((e) => e.functionName === fn.name && e.name === name);
      if (same) {
        if (same.input === payloadJson) return { execution: same, existing: true };
        throw new LambdaServiceError(
          'DurableExecutionAlreadyStartedException',
          409,
          `A durable execution named "${name}" of ${fn.name} already exists with another input (${same.arn}).`,
        );
      }
    }
    const now = this.now();
    const id = randomUUID();
    const fnArn = functionArn(deployedName(fn), this.ctx.location);
    const execution: DurableExecution = {
      id,
      arn: executionArn(fnArn, name ?? id, id),
      name: name ?? id,
      functionName: fn.name,
      functionArn: fnArn,
      input: payloadJson,
      status: 'RUNNING',
      startMs: now,
      executionTimeoutSeconds: options.eventSourceMapping
        ? Math.min(fn.durableConfig.executionTimeout, MAPPING_EXECUTION_LIMIT_SECONDS)
        : fn.durableConfig.executionTimeout,
      retentionPeriodInDays: fn.durableConfig.retentionPeriodInDays,
      operations: [
        {
          Id: id,
          Type: 'EXECUTION',
          StartTimestamp: now,
          Status: 'STARTED',
          ExecutionDetails: { InputPayload: payloadJson },
        },
      ],
      history: [],
      tokenSeq: 0,
      invocations: 0,
      failedInvocations: 0,
      unseen: [],
      callbackTimers: {},
      recordIds: [],
      startedBy: options.startedBy,
      ...(options.parent ? { parent: options.parent } : {}),
      ...(options.eventSourceMapping ? { eventSourceMapping: true } : {}),
    };
    recordEvent(
      execution,
      now,
      'ExecutionStarted',
      { Id: id, Name: execution.name },
      {
        Input: resultOf(payloadJson),
        ExecutionTimeout: execution.executionTimeoutSeconds,
      },
    );
    this.arnById.set(id, execution.arn);
    this.save(execution);
    this.invokeSoon(execution, { source: options.source, http: options.http });
    return { execution, existing: false };
  }

  /**
   * Resolves with the execution once it has ended, or after `capMs` of simulated time (then still RUNNING): a
   * synchronous start's wait (DURABLE-5). With an infinite cap, only its end (an event source mapping's wait, whose
   * execution times out by itself, DURABLE-14).
   */
  waitForEnd(arn: string, capMs = SYNC_START_CAP_MS): Promise<DurableExecution> {
    const execution = this.byArn(arn);
    if (isClosed(execution)) return Promise.resolve(execution);
    return new Promise((resolve) => {
      let timer: number | undefined;
      const done = (e: DurableExecution): void => {
        if (timer !== undefined) this.ctx.clock.cancel(timer);
        resolve(e);
      };
      if (!Number.isFinite(capMs)) {
        this.waiters.set(arn, [...(this.waiters.get(arn) ?? []), done]);
        return;
      }
      timer = this.ctx.clock.after(capMs, () => {
        timer = undefined;
        const list = this.waiters.get(arn) ?? [];
        this.waiters.set(
          arn,
          list.filter((w) => w !== done),
        );
        resolve(this.byArn(arn));
      });
      this.waiters.set(arn, [...(this.waiters.get(arn) ?? []), done]);
    });
  }

  /** After reopening the store: timers back, interrupted invocations and chained invokes run again. */
  resume(): void {
    for (const execution of this.executions.values()) {
      this.arnById.set(execution.id, execution.arn);
      if (!isClosed(execution)) {
        if (execution.invocation !== undefined) {
          // DURABLE-9: the invocation in flight when the process stopped failed; nothing it did not checkpoint counts.
          const now = this.now();
          delete execution.invocation;
          execution.invocations++;
          recordEvent(execution, now, 'InvocationCompleted', undefined, {
            StartTimestamp: now,
            EndTimestamp: now,
            RequestId: 'interrupted',
            Error: errorOf({
              ErrorType: 'Runtime.Interrupted',
              ErrorMessage: 'The runner stopped during the invocation.',
            }),
          });
          this.save(execution);
          this.invokeSoon(execution);
        }
        for (const op of execution.operations)
          if (op.Type === 'CHAINED_INVOKE' && op.Status === 'STARTED' && execution.chainedInFlight?.includes(op.Id)) {
            const started = execution.history.find((e) => e.EventType === 'ChainedInvokeStarted' && e.Id === op.Id);
            const details = started?.ChainedInvokeStartedDetails as
              { FunctionName?: string; Input?: { Payload?: string } } | undefined;
            if (details?.FunctionName)
              this.startChained(execution, op.Id, details.FunctionName, details.Input?.Payload ?? '{}');
          }
      }
      this.arm(execution);
    }
  }

  // ---- the service APIs (DURABLE-6..11) ----

  /** CheckpointDurableExecution. */
  checkpoint(arn: string, body: Record<string, unknown>): CheckpointAnswer {
    const execution = this.byArn(arn);
    const tokenText = body.CheckpointToken;
    const clientToken = typeof body.ClientToken === 'string' ? body.ClientToken : undefined;
    // DURABLE-8: the same request again (a retry after a lost answer) gets the same answer.
    const last = execution.lastCheckpoint;
    if (clientToken && last && last.clientToken === clientToken && last.checkpointToken === tokenText)
      return last.response as CheckpointAnswer;
    this.checkToken(execution, tokenText);
    const updates = parseUpdates(body.Updates);
    checkUpdates(execution, updates);
    const now = this.now();
    const applied = applyUpdates(execution, updates, now, (opId) => callbackId(execution.id, opId));
    for (const id of applied.changed) markUnseen(execution, id);
    for (const start of applied.chainedStarts)
      this.startChained(execution, start.operationId, start.functionName, start.payload);
    if (applied.executionEnd) {
      // The SDK's large-result path: the execution ends here, and this checkpoint answers no token.
      this.end(
        execution,
        applied.executionEnd.status,
        applied.executionEnd.status === 'SUCCEEDED'
          ? { result: applied.executionEnd.result }
          : { error: applied.executionEnd.error },
      );
    } else execution.tokenSeq++;
    const offset = this.frames.get(execution.arn) ?? 0;
    const answer: CheckpointAnswer = {
      ...(isClosed(execution)
        ? {}
        : {
            CheckpointToken: checkpointToken({
              executionId: execution.id,
              invocation: execution.invocation!,
              seq: execution.tokenSeq,
            }),
          }),
      NewExecutionState: { Operations: this.takeUnseen(execution).map((op) => handlerOperation(op, offset)) },
    };
    if (clientToken && typeof tokenText === 'string')
      execution.lastCheckpoint = { clientToken, checkpointToken: tokenText, response: answer };
    this.save(execution);
    this.arm(execution);
    return answer;
  }

  /** GetDurableExecutionState: a page of the pruned log, for the invocation in flight only. */
  state(
    arn: string,
    tokenText: string | null,
    marker: string | null,
    maxItemsText: string | null,
  ): { Operations: Operation[]; NextMarker?: string } {
    const execution = this.byArn(arn);
    this.checkToken(execution, tokenText ?? undefined);
    const maxItems = maxItemsOf(maxItemsText, STATE_PAGE_ITEMS, STATE_PAGE_ITEMS);
    const start = readPageMarker(marker, 'state', execution.id, execution.tokenSeq);
    const ops = prunedOperations(execution.operations);
    const offset = this.frames.get(execution.arn) ?? 0;
    const page = ops.slice(start, start + maxItems).map((op) => handlerOperation(op, offset));
    const next = start + maxItems < ops.length;
    return {
      Operations: page,
      ...(next
        ? {
            NextMarker: pageMarker({
              kind: 'state',
              of: execution.id,
              index: start + maxItems,
              seq: execution.tokenSeq,
            }),
          }
        : {}),
    };
  }

  /** GetDurableExecution. */
  get(arn: string, includeData = true): DurableExecution & { includeData: boolean } {
    return { ...this.byArn(arn), includeData };
  }

  /** GetDurableExecutionHistory: oldest first unless reversed; payloads only when asked for. */
  history(
    arn: string,
    options: { includeData: boolean; reverse: boolean; marker: string | null; maxItems: string | null },
  ): { Events: HistoryEvent[]; NextMarker?: string } {
    const execution = this.byArn(arn);
    const maxItems = maxItemsOf(options.maxItems, 100, 1000);
    const start = readPageMarker(options.marker, 'history', `${execution.id}:${options.reverse}`);
    const events = options.reverse ? [...execution.history].reverse() : execution.history;
    const page = events.slice(start, start + maxItems).map((e) => (options.includeData ? e : withoutData(e)));
    return {
      Events: page,
      ...(start + maxItems < events.length
        ? {
            NextMarker: pageMarker({
              kind: 'history',
              of: `${execution.id}:${options.reverse}`,
              index: start + maxItems,
            }),
          }
        : {}),
    };
  }

  /** ListDurableExecutionsByFunction (and the CLI's list): oldest first unless reversed. */
  list(
    functionName: string,
    options: {
      name?: string;
      statuses?: readonly string[];
      startedAfter?: number;
      startedBefore?: number;
      reverse?: boolean;
      marker?: string | null;
      maxItems?: string | null;
    } = {},
  ): { executions: DurableExecution[]; nextMarker?: string } {
    const maxItems = maxItemsOf(options.maxItems, 50, 1000);
    const filterKey = JSON.stringify([
      functionName,
      options.name,
      options.statuses,
      options.startedAfter,
      options.startedBefore,
      options.reverse,
    ]);
    const start = readPageMarker(options.marker, 'list', filterKey);
    let all = [...this.executions.values()]
      .filter((e) => e.functionName === functionName)
      .filter((e) => options.name === undefined || e.name === options.name)
      .filter((e) => !options.statuses?.length || options.statuses.includes(e.status))
      .filter((e) => options.startedAfter === undefined || e.startMs >= options.startedAfter)
      .filter((e) => options.startedBefore === undefined || e.startMs <= options.startedBefore)
      .sort((a, b) => a.startMs - b.startMs);
    if (options.reverse) all = all.reverse();
    return {
      executions: all.slice(start, start + maxItems),
      ...(start + maxItems < all.length
        ? { nextMarker: pageMarker({ kind: 'list', of: filterKey, index: start + maxItems }) }
        : {}),
    };
  }

  /** Every execution, oldest first (the CLI's list of all functions). */
  all(): DurableExecution[] {
    return [...this.executions.values()].sort((a, b) => a.startMs - b.startMs);
  }

  /** An execution by ARN, or by id or name (the CLI's argument). */
  find(ref: string): DurableExecution | undefined {
    const arn = this.arnById.get(ref) ?? ref;
    return (
      this.executions.get(arn) ??
      [...this.executions.values()].find((e) => e.name === ref) ??
      [...this.executions.values()].find((e) => e.arn.endsWith(ref))
    );
  }

  /** StopDurableExecution (DURABLE-11): idempotent on an execution that has ended. */
  stop(arn: string, error?: ErrorObject): { stopTimestamp: number } {
    const execution = this.byArn(arn);
    if (!isClosed(execution)) this.end(execution, 'STOPPED', { error });
    this.save(execution);
    return { stopTimestamp: execution.endMs! };
  }

  /** SendDurableExecutionCallbackSuccess: the raw body is the result (DURABLE-3). */
  callbackSuccess(id: string, body: Buffer): void {
    const { execution, op } = this.callbackOf(id);
    const result = body.length > 0 ? body.toString('utf8') : undefined;
    finishCallback(this.now(), execution, op, 'SUCCEEDED', result !== undefined ? { Result: result } : {});
    recordEvent(execution, this.now(), 'CallbackSucceeded', op, { Result: resultOf(result) });
    this.changed(execution);
  }

  /** SendDurableExecutionCallbackFailure. */
  callbackFailure(id: string, error: ErrorObject): void {
    const { execution, op } = this.callbackOf(id);
    finishCallback(this.now(), execution, op, 'FAILED', { Error: error });
    recordEvent(execution, this.now(), 'CallbackFailed', op, { Error: errorOf(error) });
    this.changed(execution);
  }

  /** SendDurableExecutionCallbackHeartbeat: the heartbeat timeout starts again. */
  callbackHeartbeat(id: string): void {
    const { execution, op } = this.callbackOf(id);
    const timers = execution.callbackTimers[op.Id];
    if (!timers?.heartbeatSeconds)
      throw invalidParameter(`Callback ${id} has no heartbeat timeout: there is nothing a heartbeat would extend.`);
    timers.heartbeatAt = this.now() + timers.heartbeatSeconds * 1000;
    this.save(execution);
    this.arm(execution);
  }

  // ---- internals ----

  /** Simulated time in whole milliseconds: what the log, the history and the wire carry. */
  private now(): number {
    return Math.round(this.ctx.clock.now());
  }

  private byArn(arn: string): DurableExecution {
    const execution = this.executions.get(arn);
    if (!execution) throw notFound(`Durable execution not found: ${arn}`);
    return execution;
  }

  private save(execution: DurableExecution): void {
    this.executions.save(execution.arn, execution);
  }

  /** DURABLE-6: a token is valid while its invocation runs, and only the latest one. */
  private checkToken(execution: DurableExecution, tokenText: unknown): void {
    const token = readCheckpointToken(tokenText);
    if (token.executionId !== execution.id)
      throw invalidParameter(`${INVALID_TOKEN_PREFIX}: the token belongs to another execution.`);
    if (isClosed(execution))
      throw invalidParameter(`${INVALID_TOKEN_PREFIX}: the execution has ended (${execution.status}).`);
    if (execution.invocation !== token.invocation)
      throw invalidParameter(`${INVALID_TOKEN_PREFIX}: the invocation it was issued to has ended.`);
    if (token.seq !== execution.tokenSeq)
      throw invalidParameter(`${INVALID_TOKEN_PREFIX}: a newer token has been issued since.`);
  }

  /** The operations the handler has not seen change, which it sees now. */
  private takeUnseen(execution: DurableExecution): Operation[] {
    const ids = new Set(execution.unseen);
    execution.unseen = [];
    return execution.operations.filter((op) => ids.has(op.Id));
  }

  /** Something the handler waits for changed: save, rearm, and invoke the handler (now, or when it answers). */
  private changed(execution: DurableExecution): void {
    this.save(execution);
    this.arm(execution);
    this.invokeSoon(execution);
  }

  private callbackOf(id: string): { execution: DurableExecution; op: Operation } {
    const parts = readCallbackId(id);
    const arn = parts ? this.arnById.get(parts.executionId) : undefined;
    const execution = arn ? this.executions.get(arn) : undefined;
    const op = execution?.operations.find((o) => o.Id === parts!.operationId && o.CallbackDetails?.CallbackId === id);
    if (!execution || !op) throw notFound(`Callback not found: ${id}`);
    if (op.Status === 'TIMED_OUT')
      throw new DurableServiceError('CallbackTimeoutException', 400, `Callback ${id} has timed out.`);
    if (op.Status !== 'STARTED') throw invalidParameter(`Callback ${id} has already completed (${op.Status}).`);
    if (isClosed(execution))
      throw invalidParameter(`Callback ${id} belongs to an execution that has ended (${execution.status}).`);
    return { execution, op };
  }

  /** DURABLE-4: the handler runs again for this execution now, or when its invocation in flight answers. */
  private invokeSoon(execution: DurableExecution, first?: FirstRecord): void {
    if (isClosed(execution)) return;
    if (execution.invocation !== undefined) {
      this.reinvoke.add(execution.arn);
      return;
    }
    // Marked at once, so that two triggers in a row start one invocation.
    execution.invocation = randomUUID();
    void this.ctx.clock.track(this.invoke(execution, execution.invocation, first));
  }

  private async invoke(execution: DurableExecution, requestId: string, first?: FirstRecord): Promise<void> {
    const { ctx } = this;
    let fn: EngineFunction;
    try {
      fn = ctx.functionOf(execution.functionName);
    } catch (err) {
      delete execution.invocation;
      this.end(execution, 'FAILED', {
        error: { ErrorType: 'ResourceNotFoundException', ErrorMessage: (err as Error).message },
      });
      this.save(execution);
      return;
    }
    if (!ctx.concurrency.tryAcquire(fn.name, fn.reservedConcurrency)) {
      // Throttled: the service tries again a moment later.
      delete execution.invocation;
      execution.retryInvocationAt = this.now() + 1000;
      this.save(execution);
      this.arm(execution);
      return;
    }
    const startMs = this.now();
    execution.tokenSeq++;
    delete execution.retryInvocationAt;
    const offset = startMs - Date.now();
    this.frames.set(execution.arn, offset);
    const updated = execution.unseen;
    execution.unseen = [];
    const ops = prunedOperations(execution.operations);
    const event: InvocationEvent = {
      DurableExecutionArn: execution.arn,
      CheckpointToken: checkpointToken({ executionId: execution.id, invocation: requestId, seq: execution.tokenSeq }),
      ...(updated.length > 0 ? { UpdatedOperationIds: updated } : {}),
      InitialExecutionState: {
        Operations: ops.slice(0, STATE_PAGE_ITEMS).map((op) => handlerOperation(op, offset)),
        ...(ops.length > STATE_PAGE_ITEMS
          ? {
              NextMarker: pageMarker({
                kind: 'state',
                of: execution.id,
                index: STATE_PAGE_ITEMS,
                seq: execution.tokenSeq,
              }),
            }
          : {}),
      },
    };
    const record = this.newRecord(execution, fn, event, startMs, first);
    this.save(execution);
    let attemptResult;
    try {
      attemptResult = await runAttempt(ctx.invoker, fn.name, JSON.stringify(event), requestId, 1, startMs);
    } finally {
      ctx.concurrency.release(fn.name);
      this.frames.delete(execution.arn);
    }
    const { attempt } = attemptResult;
    record.attempts.push(attempt);
    const endMs = this.now();
    delete execution.invocation;
    execution.invocations++;
    const answer =
      attempt.outcome === 'success'
        ? handlerAnswer(attempt.result)
        : {
            status: 'INVALID' as const,
            error: {
              ErrorType: attempt.error?.errorType ?? 'ServiceException',
              ErrorMessage: attempt.error?.errorMessage ?? 'The invocation failed.',
              ...(attempt.error?.stackTrace ? { StackTrace: attempt.error.stackTrace } : {}),
            },
          };
    const invocationError =
      answer.status === 'INVALID'
        ? answer.error
        : answer.status === 'PENDING' &&
            !isClosed(execution) &&
            !hasPendingWork(execution) &&
            // Something it waited for changed after its last checkpoint: the next invocation sees it.
            execution.unseen.length === 0
          ? {
              ErrorType: 'InvalidParameterValueException',
              ErrorMessage: 'Cannot return PENDING status with no pending operations.',
            }
          : undefined;
    recordEvent(execution, endMs, 'InvocationCompleted', undefined, {
      StartTimestamp: startMs,
      EndTimestamp: endMs,
      RequestId: requestId,
      ...(invocationError ? { Error: errorOf(invocationError) } : {}),
    });
    record.condition = answer.status === 'INVALID' ? 'InvocationFailed' : answer.status;
    record.status = answer.status === 'INVALID' || answer.status === 'FAILED' ? 'failed' : 'succeeded';
    if (answer.status !== 'INVALID') execution.failedInvocations = 0;
    const pendingEnd = this.endEvents.get(execution.arn);
    if (isClosed(execution)) {
      // Ended while the handler ran (its large result, a stop, the execution timeout): its answer changes nothing.
      if (pendingEnd) {
        recordEvent(
          execution,
          execution.endMs ?? endMs,
          pendingEnd.type,
          { Id: execution.id, Name: execution.name },
          pendingEnd.details,
        );
        this.endEvents.delete(execution.arn);
      }
    } else if (answer.status === 'SUCCEEDED') {
      this.end(execution, 'SUCCEEDED', { result: answer.result });
    } else if (answer.status === 'FAILED') {
      this.end(execution, 'FAILED', { error: answer.error });
    } else if (answer.status === 'PENDING' && !invocationError) {
      if (this.reinvoke.has(execution.arn) || execution.unseen.length > 0) this.invokeSoon(execution);
    } else if (answer.status === 'PENDING') {
      this.end(execution, 'FAILED', { error: invocationError });
    } else {
      // DURABLE-9: a failed invocation is tried again a little later; too many in a row fail the execution.
      execution.failedInvocations++;
      if (execution.failedInvocations >= MAX_FAILED_INVOCATIONS)
        this.end(execution, 'FAILED', { error: invocationError });
      else execution.retryInvocationAt = endMs + INVOCATION_RETRY_DELAY_MS;
    }
    this.reinvoke.delete(execution.arn);
    record.execution = executionSummary(
      execution,
      record.execution!.invocation,
      answer.status === 'INVALID' ? undefined : answer.status,
    );
    record.end = timePoint(endMs);
    ctx.history.save(record);
    this.save(execution);
    this.arm(execution);
    await ctx.store.flush();
  }

  private newRecord(
    execution: DurableExecution,
    fn: EngineFunction,
    event: InvocationEvent,
    startMs: number,
    first?: FirstRecord,
  ): InvocationRecord {
    const head = execution.recordIds[0];
    const record = newInvocationRecord({
      id: randomUUID(),
      functionName: fn.name,
      mode: execution.startedBy,
      // The first invocation has the caller's source; the later ones are the service's.
      source: head === undefined ? first?.source : { type: 'durable', arn: execution.arn, parentRecordId: head },
      configuration: usedConfiguration(
        {
          timeout: [fn.timeout, 'timeout'],
          memorySize: [fn.memorySize, 'memorySize'],
          executionTimeout: [execution.executionTimeoutSeconds, 'durableConfig.executionTimeout'],
          retentionPeriodInDays: [execution.retentionPeriodInDays, 'durableConfig.retentionPeriodInDays'],
        },
        fn.origins,
      ),
      event,
      status: 'running',
      start: timePoint(startMs),
    });
    if (head === undefined && first?.http) record.http = first.http;
    record.execution = executionSummary(execution, execution.invocations + 1);
    execution.recordIds.push(record.id);
    this.ctx.history.save(record);
    return record;
  }

  /** The execution ends: its EXECUTION operation, its terminal event, its waiters, its parent's chained invoke. */
  private end(
    execution: DurableExecution,
    status: Exclude<ExecutionStatus, 'RUNNING'>,
    outcome: { result?: string | undefined; error?: ErrorObject | undefined },
  ): void {
    const now = this.now();
    execution.status = status;
    execution.endMs = now;
    if (outcome.result !== undefined) execution.result = outcome.result;
    if (outcome.error !== undefined) execution.error = outcome.error;
    delete execution.retryInvocationAt;
    const op = execution.operations[0];
    op.Status = status;
    op.EndTimestamp = now;
    const type = {
      SUCCEEDED: 'ExecutionSucceeded',
      FAILED: 'ExecutionFailed',
      TIMED_OUT: 'ExecutionTimedOut',
      STOPPED: 'ExecutionStopped',
    }[status];
    const details = status === 'SUCCEEDED' ? { Result: resultOf(outcome.result) } : { Error: errorOf(outcome.error) };
    // The terminal event follows the InvocationCompleted of a handler still running.
    if (execution.invocation !== undefined) this.endEvents.set(execution.arn, { type, details });
    else recordEvent(execution, now, type, { Id: execution.id, Name: execution.name }, details);
    this.finishRecords(execution);
    if (status !== 'SUCCEEDED' && execution.startedBy === 'async' && !execution.parent)
      this.deadLetter(execution, status);
    for (const resolve of this.waiters.get(execution.arn) ?? []) resolve(execution);
    this.waiters.delete(execution.arn);
    if (execution.parent) this.finishChained(execution.parent.arn, execution.parent.operationId, status, outcome);
  }

  /**
   * DURABLE-14: an execution an asynchronous invocation started that ends FAILED, TIMED_OUT or STOPPED sends the
   * original event to the function's dead-letter queue (ASYNC-9's message and attributes); Lambda does not retry it.
   */
  private deadLetter(execution: DurableExecution, status: ExecutionStatus): void {
    let fn: EngineFunction;
    try {
      fn = this.ctx.functionOf(execution.functionName);
    } catch {
      return; // the function is gone from the workspace: nowhere to send it
    }
    if (!fn.deadLetterQueue) return;
    const head = this.ctx.history.get(execution.recordIds[0] ?? '');
    const requestId = head?.attempts[0]?.requestId ?? execution.id;
    const condition = `Execution${status === 'TIMED_OUT' ? 'TimedOut' : status === 'STOPPED' ? 'Stopped' : 'Failed'}`;
    const arn = targetArnOf(fn.deadLetterQueue, this.ctx.location);
    const delivery = arn
      ? this.ctx.services.deliver(arn, {
          kind: 'deadLetterQueue',
          condition,
          body: execution.input,
          attributes: deadLetterMessageAttributes(requestId, 200, errorText(execution.error)),
          functionName: deployedName(fn),
          success: false,
          ...(head ? { recordId: head.id } : {}),
        })
      : undeliverable(fn.deadLetterQueue, 'deadLetterQueue', condition, execution.input, this.now());
    if (head) {
      head.deliveries.push(delivery);
      if (head.status !== 'running') this.ctx.history.save(head);
    }
  }

  /** The records show the ended execution; a synchronous start's first record carries its response. */
  private finishRecords(execution: DurableExecution): void {
    const head = this.ctx.history.get(execution.recordIds[0] ?? '');
    const latest = this.ctx.history.get(execution.recordIds[execution.recordIds.length - 1] ?? '');
    for (const record of new Set([head, latest])) {
      if (!record?.execution) continue;
      record.execution = executionSummary(execution, record.execution.invocation, record.execution.outcome);
      if (record === head && execution.startedBy === 'sync') record.response = this.syncResponse(execution);
      if (record.status !== 'running') this.ctx.history.save(record);
    }
  }

  /** DURABLE-5: what a synchronous caller gets (executionRecords.ts). */
  syncResponse(execution: DurableExecution): NonNullable<InvocationRecord['response']> {
    return syncResponseOf(execution);
  }

  // ---- chained invokes (DURABLE-12) ----

  private startChained(execution: DurableExecution, operationId: string, target: string, payload: string): void {
    const name = targetFunctionName(target);
    let fn: EngineFunction;
    try {
      fn = this.ctx.functionOf(name);
    } catch (err) {
      this.finishChained(execution.arn, operationId, 'FAILED', {
        error: { ErrorType: 'ResourceNotFoundException', ErrorMessage: (err as Error).message },
      });
      return;
    }
    const head = execution.recordIds[0];
    const source: RecordSource = { type: 'durable', arn: execution.arn, ...(head ? { parentRecordId: head } : {}) };
    if (isDurable(fn)) {
      try {
        const child = this.start(fn, payload, {
          startedBy: 'async',
          source,
          parent: { arn: execution.arn, operationId },
        });
        const started = execution.history.find((e) => e.EventType === 'ChainedInvokeStarted' && e.Id === operationId);
        if (started)
          started.ChainedInvokeStartedDetails = {
            ...started.ChainedInvokeStartedDetails,
            DurableExecutionArn: child.execution.arn,
          };
      } catch (err) {
        this.finishChained(execution.arn, operationId, 'FAILED', {
          error: { ErrorType: (err as Error).name, ErrorMessage: (err as Error).message },
        });
      }
      return;
    }
    execution.chainedInFlight = [...(execution.chainedInFlight ?? []), operationId];
    const run = invokePlainTarget(this.ctx, fn.name, payload, source).then((outcome) =>
      this.finishChained(execution.arn, operationId, outcome.status, outcome),
    );
    void this.ctx.clock.track(run);
  }

  private finishChained(
    parentArn: string,
    operationId: string,
    status: ExecutionStatus | 'FAILED' | 'SUCCEEDED',
    outcome: { result?: string | undefined; error?: ErrorObject | undefined },
  ): void {
    const execution = this.executions.get(parentArn);
    const op = execution?.operations.find((o) => o.Id === operationId);
    if (!execution || !op || op.Status !== 'STARTED' || isClosed(execution)) return;
    execution.chainedInFlight = (execution.chainedInFlight ?? []).filter((id) => id !== operationId);
    const opStatus: OperationStatus = status === 'RUNNING' ? 'FAILED' : status;
    op.Status = opStatus;
    op.EndTimestamp = this.now();
    op.ChainedInvokeDetails = {
      ...(outcome.result !== undefined ? { Result: outcome.result } : {}),
      ...(outcome.error !== undefined ? { Error: outcome.error } : {}),
    };
    const type = {
      SUCCEEDED: 'ChainedInvokeSucceeded',
      FAILED: 'ChainedInvokeFailed',
      TIMED_OUT: 'ChainedInvokeTimedOut',
      STOPPED: 'ChainedInvokeStopped',
      CANCELLED: 'ChainedInvokeStopped',
    }[opStatus as 'SUCCEEDED'];
    recordEvent(
      execution,
      op.EndTimestamp,
      type,
      op,
      opStatus === 'SUCCEEDED' ? { Result: resultOf(outcome.result) } : { Error: errorOf(outcome.error) },
    );
    markUnseen(execution, op.Id);
    this.changed(execution);
  }

  // ---- time (DURABLE-4) ----

  private arm(execution: DurableExecution): void {
    const due = dueTimes(execution);
    for (const kind of ['active', 'passive'] as const) {
      const key = `${kind} ${execution.arn}`;
      const at = due[kind];
      const current = this.timers.get(key);
      if (current && current.at === at) continue;
      if (current) this.ctx.clock.cancel(current.id);
      this.timers.delete(key);
      if (at === undefined) continue;
      const fire = (): void => {
        this.timers.delete(key);
        this.fire(execution.arn);
      };
      const id = kind === 'active' ? this.ctx.clock.at(at, fire) : this.ctx.clock.deadline(at, fire);
      this.timers.set(key, { id, at });
    }
  }

  private fire(arn: string): void {
    const execution = this.executions.get(arn);
    if (!execution) return;
    const now = this.now();
    if (isClosed(execution)) {
      // DURABLE-11: retention is over; the execution and its history are gone.
      if (retentionEnd(execution) <= now) {
        this.executions.delete(arn);
        this.arnById.delete(execution.id);
        for (const kind of ['active', 'passive']) {
          const timer = this.timers.get(`${kind} ${arn}`);
          if (timer) this.ctx.clock.cancel(timer.id);
          this.timers.delete(`${kind} ${arn}`);
        }
      } else this.arm(execution);
      return;
    }
    if (executionDeadline(execution) <= now) {
      this.end(execution, 'TIMED_OUT', {
        error: {
          ErrorType: 'ExecutionTimedOut',
          ErrorMessage: execution.eventSourceMapping
            ? `The durable execution ran longer than the ${execution.executionTimeoutSeconds} seconds an execution started by an event source mapping may last.`
            : `The durable execution ran longer than its ExecutionTimeout of ${execution.executionTimeoutSeconds} seconds.`,
        },
      });
      this.save(execution);
      this.arm(execution);
      return;
    }
    const changed = passDueTimes(execution, now);
    this.save(execution);
    this.arm(execution);
    if (changed) this.invokeSoon(execution);
  }
}

export { DurableServiceError } from './durableWire';
