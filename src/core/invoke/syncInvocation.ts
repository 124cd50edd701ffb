/**
 * Synchronous invocation (SYNC-1..8): the invocation wrapper around one run of the function. The caller waits;
 * Lambda never retries (SYNC-7).
 */
import { randomUUID } from 'node:crypto';
import { faultNames, type EngineContext, type InjectedFaults } from './engineContext';
import { runAttempt } from './functionAttempt';
import {
  newInvocationRecord,
  timePoint,
  usedConfiguration,
  type InvocationRecord,
  type HttpExchange,
  type RecordSource,
  type SyncResponse,
} from './invocationRecord';
import type { ResponseStreamListener } from '../runtime/outcome';
import { RESPONSE_LIMIT_BYTES, responseTooLargeError, SYNC_REQUEST_LIMIT_BYTES } from '../runtime/payloadLimits';
import { checkPayload, LambdaServiceError } from './lambdaServiceError';

export interface SyncInvokeOptions {
  /** SYNC-8: validate only, run nothing. */
  dryRun?: boolean;
  /** `throttle`/`systemError`/`zeroConcurrency` answer 429/500/429 instead of running (deliverTwice is an async fault). */
  faults?: InjectedFaults;
  source?: RecordSource;
  signal?: AbortSignal;
  /** The HTTP request that the HTTP front turned into this invocation. */
  http?: HttpExchange;
  /** NODE-11: told of a streamed response as it arrives. */
  responseStream?: ResponseStreamListener;
  /** DURABLE-5: the execution name of a durable function's invocation (`X-Amz-Durable-Execution-Name`). */
  durableExecutionName?: string;
  /** The HTTP front's answer to its client, made from the finished record just before it is saved (kept in `http`). */
  answer?: (record: InvocationRecord) => HttpExchange['response'];
}

export async function invokeSync(
  ctx: EngineContext,
  functionName: string,
  payloadJson: string,
  options: SyncInvokeOptions = {},
): Promise<InvocationRecord> {
  const fn = ctx.functionOf(functionName);
  const now = ctx.clock.now();
  const record = newInvocationRecord({
    id: randomUUID(),
    functionName: fn.name,
    mode: 'sync',
    source: options.source,
    configuration: usedConfiguration(
      {
        timeout: [fn.timeout, 'timeout'],
        memorySize: [fn.memorySize, 'memorySize'],
        reservedConcurrency: [fn.reservedConcurrency ?? null, 'reservedConcurrency'],
      },
      fn.origins,
    ),
    event: null,
    status: 'running',
    start: timePoint(now),
    faults: faultNames(options.faults),
  });
  if (options.http) record.http = options.http;

  /** The last save of the record: the HTTP front answers its client first, and the record keeps that answer. */
  const saveFinished = (): void => {
    if (options.answer && record.http) {
      try {
        const response = options.answer(record);
        if (response) record.http = { ...record.http, response };
      } catch {
        // The front answers again from the record it gets back; the engine's record is saved either way.
      }
    }
    ctx.history.save(record);
  };

  const reject = (error: LambdaServiceError): InvocationRecord => {
    record.status = 'rejected';
    record.response = { StatusCode: error.statusCode, errorType: error.errorType, errorMessage: error.message };
    record.end = timePoint(ctx.clock.now());
    saveFinished();
    return record;
  };

  try {
    // SYNC-6: an oversize (or non-JSON) request is refused before the handler runs.
    record.event = checkPayload(payloadJson, SYNC_REQUEST_LIMIT_BYTES);
  } catch (error) {
    record.event = { truncatedPayload: payloadJson.slice(0, 1024), sizeBytes: Buffer.byteLength(payloadJson) };
    if (error instanceof LambdaServiceError) return reject(error);
    throw error;
  }

  if (options.dryRun) {
    // SYNC-8: parameters are valid; nothing runs.
    record.status = 'dryRun';
    record.response = { StatusCode: 204 };
    record.end = timePoint(ctx.clock.now());
    ctx.history.save(record);
    return record;
  }
  if (fn.reservedConcurrency === 0 || options.faults?.zeroConcurrency || options.faults?.throttle) {
    return reject(new LambdaServiceError('TooManyRequestsException', 429, 'Rate Exceeded.'));
  }
  if (options.faults?.systemError) {
    return reject(
      new LambdaServiceError('ServiceException', 500, 'Lambda was unable to run the function (injected system error).'),
    );
  }
  if (!ctx.concurrency.tryAcquire(fn.name, fn.reservedConcurrency)) {
    return reject(new LambdaServiceError('TooManyRequestsException', 429, 'Rate Exceeded.'));
  }

  ctx.history.save(record);
  let result;
  try {
    // SYNC-7: exactly one attempt; the caller decides about retries.
    result = await runAttempt(
      ctx.invoker,
      fn.name,
      payloadJson,
      randomUUID(),
      1,
      now,
      options.signal,
      options.responseStream,
    );
  } finally {
    ctx.concurrency.release(fn.name);
  }
  const { attempt } = result;
  if (attempt.outcome === 'success') {
    const payload = JSON.stringify(attempt.result ?? null);
    if (Buffer.byteLength(payload) > RESPONSE_LIMIT_BYTES) {
      // SYNC-6: an oversize response is a function error (the runtime's environments report it themselves).
      attempt.outcome = 'functionError';
      attempt.functionError = 'Unhandled';
      attempt.error = responseTooLargeError();
      delete attempt.result;
    }
  }
  record.attempts.push(attempt);
  let response: SyncResponse;
  if (attempt.outcome === 'systemError') {
    response = { StatusCode: 500, errorType: attempt.error!.errorType, errorMessage: attempt.error!.errorMessage };
    record.status = 'failed';
  } else if (attempt.outcome === 'functionError') {
    // SYNC-2: a function error is still HTTP 200, with FunctionError.
    response = {
      StatusCode: 200,
      FunctionError: attempt.functionError ?? 'Unhandled',
      ExecutedVersion: '$LATEST',
      Payload: JSON.stringify(attempt.error ?? null),
    };
    record.status = 'failed';
  } else {
    // SYNC-1: the return value as JSON, `null` when the handler returned nothing.
    response = { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: JSON.stringify(attempt.result ?? null) };
    record.status = 'succeeded';
  }
  record.response = response;
  record.end = timePoint(ctx.clock.now());
  saveFinished();
  return record;
}
