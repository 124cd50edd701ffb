/**
 * Asynchronous invocation (ASYNC-1..9): a durable queue of events per function, retries with AWS's delays on
 * the virtual clock, maximum event age with its look-ahead, throttle/system-error backoff, reserved
 * concurrency 0, destinations and the dead-letter queue. Every step is one store transaction.
 */
import { randomUUID } from 'node:crypto';
import { deployedName } from '../discovery/functionConfig';
import { functionArn } from '../resourceArn';
import { targetArnOf } from '../services/functionResources';
import { deadLetterMessageAttributes } from './deadLetterQueue';
import { asyncDestinationRecord, undeliverable, type AsyncCondition } from './destinationRecord';
import { faultNames, type AsyncInvokeOptions, type EngineContext, type InjectedFaults } from './engineContext';
import type { EngineFunction } from './engineFunction';
import { refusedAttempt, runAttempt } from './functionAttempt';
import {
  newInvocationRecord,
  timePoint,
  usedConfiguration,
  type AttemptRecord,
  type InvocationRecord,
  type UsedConfiguration,
} from './invocationRecord';
import { LiveCollection } from '../store/liveCollection';
import { AttemptDispatcher } from './attemptDispatcher';
import { checkPayload, LambdaServiceError } from './lambdaServiceError';

export const ASYNC_COLLECTION = 'async';
/** ASYNC-2. */
export const MAX_ASYNC_PAYLOAD_BYTES = 1024 * 1024;
/** ASYNC-3: about 1 minute before the first retry, about 2 minutes before the second. */
export const ASYNC_RETRY_DELAYS_MS = [60_000, 120_000];
/** ASYNC-5: throttles and system errors back off from 1 s up to 5 minutes. */
export const THROTTLE_BACKOFF_MIN_MS = 1_000;
export const THROTTLE_BACKOFF_MAX_MS = 300_000;

export interface PendingAsyncEvent {
  id: string;
  functionName: string;
  payload: string;
  /** Kept across retries, as Lambda does. */
  requestId: string;
  receivedAt: number;
  nextAttemptAt: number;
  /** Attempts that ran the function (approximateInvokeCount). */
  invokeCount: number;
  /** Throttles and system errors so far (ASYNC-5 backoff exponent). */
  refusals: number;
  recordId: string;
  faults: InjectedFaults;
}

export function asyncSettings(fn: EngineFunction): { maxRetries: number; maxAgeSeconds: number } {
  const maxRetries = fn.eventInvokeConfig.maximumRetryAttempts;
  const maxAgeSeconds = fn.eventInvokeConfig.maximumEventAgeInSeconds;
  if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 2) {
    throw new RangeError(`${fn.name}: MaximumRetryAttempts must be 0, 1 or 2 (got ${maxRetries}).`);
  }
  if (!Number.isInteger(maxAgeSeconds) || maxAgeSeconds < 60 || maxAgeSeconds > 21600) {
    throw new RangeError(`${fn.name}: MaximumEventAgeInSeconds must be 60..21600 (got ${maxAgeSeconds}).`);
  }
  return { maxRetries, maxAgeSeconds };
}

function asyncConfiguration(fn: EngineFunction, ctx: EngineContext): UsedConfiguration {
  const { maxRetries, maxAgeSeconds } = asyncSettings(fn);
  const { destinations } = fn.eventInvokeConfig;
  return usedConfiguration(
    {
      maximumRetryAttempts: [maxRetries, 'eventInvokeConfig.maximumRetryAttempts'],
      maximumEventAgeInSeconds: [maxAgeSeconds, 'eventInvokeConfig.maximumEventAgeInSeconds'],
      onSuccess: [
        targetArnOf(destinations.onSuccess, ctx.location) ?? null,
        'eventInvokeConfig.destinations.onSuccess',
      ],
      onFailure: [
        targetArnOf(destinations.onFailure, ctx.location) ?? null,
        'eventInvokeConfig.destinations.onFailure',
      ],
      deadLetterQueue: [targetArnOf(fn.deadLetterQueue, ctx.location) ?? null, 'deadLetterQueue'],
      reservedConcurrency: [fn.reservedConcurrency ?? null, 'reservedConcurrency'],
    },
    fn.origins,
  );
}

export class AsyncInvocationQueue {
  /** The events waiting for an attempt, each written as it is at the store's next commit. */
  private readonly events: LiveCollection<PendingAsyncEvent>;
  /** Due attempts start as the function's execution environments can take them; the rest stay queued. */
  private readonly dispatcher: AttemptDispatcher;

  constructor(private readonly ctx: EngineContext) {
    this.events = new LiveCollection<PendingAsyncEvent>(ctx.store, ASYNC_COLLECTION);
    this.dispatcher = new AttemptDispatcher(
      (name) => this.attemptsAtOnce(name),
      (id) => this.attempt(id),
      (work) => void ctx.clock.track(work),
    );
  }

  /**
   * How many attempts of a function run at once: as many as the runtime has execution environments for it (the others
   * would only wait there, as 'running'). A function with reserved concurrency starts every due attempt, so that those
   * beyond it are throttled as Lambda throttles them (ASYNC-5).
   */
  private attemptsAtOnce(functionName: string): number {
    let fn: EngineFunction;
    try {
      fn = this.ctx.functionOf(functionName);
    } catch {
      return Infinity; // the attempt itself reports the missing function
    }
    if (fn.reservedConcurrency !== undefined) return Infinity;
    return this.ctx.invoker.concurrencyLimit?.(fn.name) ?? Infinity;
  }

  private save(event: PendingAsyncEvent): void {
    this.events.save(event.id, event);
  }

  private remove(id: string): void {
    this.events.delete(id);
  }

  /** The record of an async event, as it is when Lambda accepted (queued) or refused (rejected) it. */
  private newRecord(
    fn: EngineFunction,
    event: unknown,
    status: 'queued' | 'rejected',
    start: ReturnType<typeof timePoint>,
    options: AsyncInvokeOptions,
  ): InvocationRecord {
    return newInvocationRecord({
      id: randomUUID(),
      functionName: fn.name,
      mode: 'async',
      source: options.source,
      configuration: asyncConfiguration(fn, this.ctx),
      event,
      status,
      start,
      faults: faultNames(options.faults),
    });
  }

  /** ASYNC-2: the record of an event Lambda refused: nothing queued, the event kept only as its first 1 KB. */
  private refused(
    fn: EngineFunction,
    payloadJson: string,
    error: LambdaServiceError,
    options: AsyncInvokeOptions,
  ): InvocationRecord {
    const now = timePoint(this.ctx.clock.now());
    const event = { truncatedPayload: payloadJson.slice(0, 1024), sizeBytes: Buffer.byteLength(payloadJson) };
    const record = this.newRecord(fn, event, 'rejected', now, options);
    record.response = { StatusCode: error.statusCode, errorType: error.errorType, errorMessage: error.message };
    record.end = now;
    this.ctx.history.save(record);
    return record;
  }

  /** ASYNC-1: accepts the event (202) and queues it durably; the caller does not wait for the function. */
  enqueue(functionName: string, payloadJson: string, options: AsyncInvokeOptions = {}): InvocationRecord {
    const fn = this.ctx.functionOf(functionName);
    let value: unknown;
    try {
      // ASYNC-2: an oversize (or non-JSON) event is refused before anything is queued.
      value = checkPayload(payloadJson, MAX_ASYNC_PAYLOAD_BYTES);
    } catch (error) {
      if (!options.refusalAsRecord || !(error instanceof LambdaServiceError)) throw error;
      return this.refused(fn, payloadJson, error, options);
    }
    const now = this.ctx.clock.now();
    const record = this.newRecord(fn, value, 'queued', timePoint(now), options);
    const event: PendingAsyncEvent = {
      id: record.id,
      functionName: fn.name,
      payload: payloadJson,
      requestId: randomUUID(),
      receivedAt: now,
      nextAttemptAt: now,
      invokeCount: 0,
      refusals: 0,
      recordId: record.id,
      faults: { ...options.faults },
    };
    this.ctx.history.save(record);
    this.save(event);
    this.schedule(event);
    return record;
  }

  /** After reopening the store: every pending event gets its timer back (an interrupted attempt runs again). */
  resume(): number {
    const pending = [...this.events.values()];
    for (const event of pending) this.schedule(event);
    return pending.length;
  }

  /** The engine is closing: no further attempt starts (the events waiting stay in the store). */
  dispose(): void {
    this.dispatcher.dispose();
  }

  pending(): PendingAsyncEvent[] {
    return [...this.events.values()];
  }

  private schedule(event: PendingAsyncEvent): void {
    const { id, functionName } = event;
    this.ctx.clock.at(event.nextAttemptAt, () => this.dispatcher.offer(functionName, id));
  }

  private async attempt(id: string): Promise<void> {
    const { ctx } = this;
    const event = this.events.get(id);
    if (!event) return; // already finished (e.g. purged)
    const record = ctx.history.get(event.recordId) ?? this.recreateRecord(event);
    let fn: EngineFunction;
    try {
      fn = ctx.functionOf(event.functionName);
    } catch (error) {
      record.status = 'failed';
      record.condition = 'FunctionNotFound';
      record.end = timePoint(ctx.clock.now());
      record.deliveries.push({
        kind: 'deadLetterQueue',
        condition: 'FunctionNotFound',
        target: { type: 'lambda', arn: functionArn(event.functionName, ctx.location) },
        body: event.payload,
        time: record.end,
        error: (error as Error).message,
      });
      this.remove(id);
      ctx.history.save(record);
      return;
    }
    const { maxRetries, maxAgeSeconds } = asyncSettings(fn);
    const now = ctx.clock.now();
    const number = record.attempts.length + 1;

    // ASYNC-6: reserved concurrency 0: no invocation at all.
    if (fn.reservedConcurrency === 0 || event.faults.zeroConcurrency) {
      this.finish(
        event,
        record,
        fn,
        'ZeroReservedConcurrency',
        undefined,
        429,
        'Function has reserved concurrency of 0.',
      );
      return;
    }
    const injectedThrottle = (event.faults.throttle ?? 0) > 0;
    const injectedSystemError = !injectedThrottle && (event.faults.systemError ?? 0) > 0;
    const acquired =
      !injectedThrottle && !injectedSystemError && ctx.concurrency.tryAcquire(fn.name, fn.reservedConcurrency);
    if (!acquired) {
      // ASYNC-5: a throttle or system error returns the event to the queue with backoff; not a retry.
      const kind = injectedSystemError ? 'systemError' : 'throttled';
      if (injectedThrottle) event.faults.throttle = event.faults.throttle! - 1;
      if (injectedSystemError) event.faults.systemError = event.faults.systemError! - 1;
      const faults =
        injectedThrottle || injectedSystemError ? [kind === 'throttled' ? 'throttle' : 'systemError'] : undefined;
      const attempt = refusedAttempt(number, event.requestId, now, kind, faults);
      record.attempts.push(attempt);
      const delay = Math.min(THROTTLE_BACKOFF_MIN_MS * 2 ** event.refusals, THROTTLE_BACKOFF_MAX_MS);
      event.refusals++;
      this.retryOrExpire(event, record, fn, now + delay, maxAgeSeconds, attempt);
      return;
    }

    record.status = 'running';
    ctx.history.save(record);
    let result;
    try {
      result = await runAttempt(ctx.invoker, fn.name, event.payload, event.requestId, number, now);
      if (event.faults.deliverTwice && result.outcome) {
        // ASYNC-1: at-least-once; the duplicate carries the same event and request id.
        record.attempts.push(result.attempt);
        event.faults.deliverTwice = false;
        const duplicate = await runAttempt(
          ctx.invoker,
          fn.name,
          event.payload,
          event.requestId,
          number + 1,
          ctx.clock.now(),
        );
        duplicate.attempt.faults = ['deliverTwice'];
        record.attempts.push(duplicate.attempt);
      } else {
        record.attempts.push(result.attempt);
      }
    } finally {
      ctx.concurrency.release(fn.name);
    }
    const after = ctx.clock.now();
    const attempt = result.attempt;
    if (attempt.outcome === 'systemError') {
      const delay = Math.min(THROTTLE_BACKOFF_MIN_MS * 2 ** event.refusals, THROTTLE_BACKOFF_MAX_MS);
      event.refusals++;
      this.retryOrExpire(event, record, fn, after + delay, maxAgeSeconds, attempt);
      return;
    }
    event.invokeCount++;
    if (attempt.outcome === 'success') {
      this.finish(event, record, fn, 'Success', attempt);
      return;
    }
    // ASYNC-3: function errors are retried MaximumRetryAttempts times, 1 then 2 minutes apart.
    const retriesDone = event.invokeCount - 1;
    if (retriesDone >= maxRetries) {
      this.finish(event, record, fn, 'RetriesExhausted', attempt, 200, attempt.error?.errorMessage ?? '');
      return;
    }
    this.retryOrExpire(event, record, fn, after + ASYNC_RETRY_DELAYS_MS[retriesDone], maxAgeSeconds, attempt);
  }

  /** ASYNC-4: the look-ahead: an attempt that would start at or after the maximum age is not made. */
  private retryOrExpire(
    event: PendingAsyncEvent,
    record: InvocationRecord,
    fn: EngineFunction,
    nextAt: number,
    maxAgeSeconds: number,
    last: AttemptRecord,
  ): void {
    if (nextAt - event.receivedAt >= maxAgeSeconds * 1000) {
      const lastInvoked = [...record.attempts]
        .reverse()
        .find((a) => a.outcome === 'success' || a.outcome === 'functionError');
      const code = last.outcome === 'functionError' ? 200 : (last.statusCode ?? 500);
      this.finish(event, record, fn, 'EventAgeExceeded', lastInvoked, code, last.error?.errorMessage ?? '');
      return;
    }
    event.nextAttemptAt = nextAt;
    record.status = 'queued';
    this.save(event);
    this.ctx.history.save(record);
    this.schedule(event);
  }

  private finish(
    event: PendingAsyncEvent,
    record: InvocationRecord,
    fn: EngineFunction,
    condition: AsyncCondition,
    lastInvoked: AttemptRecord | undefined,
    errorCode = 200,
    errorMessage = '',
  ): void {
    const { ctx } = this;
    const now = ctx.clock.now();
    const success = condition === 'Success';
    const destinationRecord = asyncDestinationRecord({
      timestampMs: now,
      requestId: event.requestId,
      functionArn: functionArn(deployedName(fn), ctx.location),
      condition,
      approximateInvokeCount: event.invokeCount,
      requestPayload: JSON.parse(event.payload) as unknown,
      lastResponse: lastInvoked
        ? { functionError: lastInvoked.functionError, result: lastInvoked.result, error: lastInvoked.error }
        : undefined,
    });
    const { destinations } = fn.eventInvokeConfig;
    const target = success ? destinations.onSuccess : destinations.onFailure;
    if (target) {
      const body = JSON.stringify(destinationRecord);
      const arn = targetArnOf(target, ctx.location);
      record.deliveries.push(
        arn
          ? ctx.services.deliver(arn, {
              kind: 'destination',
              condition,
              body,
              functionName: deployedName(fn),
              success,
              recordId: record.id,
            })
          : undeliverable(target, 'destination', condition, body, now),
      );
    }
    if (!success && fn.deadLetterQueue) {
      // ASYNC-9: the original event unchanged, with RequestID / ErrorCode / ErrorMessage.
      const arn = targetArnOf(fn.deadLetterQueue, ctx.location);
      const attributes = deadLetterMessageAttributes(event.requestId, errorCode, errorMessage);
      record.deliveries.push(
        arn
          ? ctx.services.deliver(arn, {
              kind: 'deadLetterQueue',
              condition,
              body: event.payload,
              attributes,
              functionName: deployedName(fn),
              success,
              recordId: record.id,
            })
          : undeliverable(fn.deadLetterQueue, 'deadLetterQueue', condition, event.payload, now),
      );
    }
    record.status = success ? 'succeeded' : 'failed';
    record.condition = condition;
    record.end = timePoint(now);
    this.remove(event.id);
    ctx.history.save(record);
  }

  private recreateRecord(event: PendingAsyncEvent): InvocationRecord {
    // The record was trimmed from the history while the event waited: start a fresh one.
    return newInvocationRecord({
      id: event.recordId,
      functionName: event.functionName,
      mode: 'async',
      configuration: { values: {}, origins: {} },
      event: JSON.parse(event.payload) as unknown,
      status: 'queued',
      start: timePoint(event.receivedAt),
    });
  }
}
