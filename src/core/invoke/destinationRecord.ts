/** ASYNC-8 and STREAM-4: the invocation records Lambda sends to destinations. */
import type { DestinationTarget } from '../discovery/functionConfig';
import type { FunctionErrorPayload } from '../runtime/outcome';
import type { DeliveryKind, DeliveryRecord } from '../services/delivery';

export type AsyncCondition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded' | 'ZeroReservedConcurrency';

export interface ResponseContext {
  statusCode: number;
  executedVersion: string;
  functionError?: string;
}

export interface AsyncDestinationRecord {
  version: '1.0';
  timestamp: string;
  requestContext: { requestId: string; functionArn: string; condition: AsyncCondition; approximateInvokeCount: number };
  requestPayload: unknown;
  responseContext?: ResponseContext;
  responsePayload?: unknown;
}

export interface LastResponse {
  functionError?: string;
  result?: unknown;
  error?: FunctionErrorPayload;
}

/**
 * ASYNC-8: `functionError` is absent on success; an event that never ran (ASYNC-6, or only throttled before
 * its age ran out) has neither responseContext nor responsePayload.
 */
export function asyncDestinationRecord(input: {
  timestampMs: number;
  requestId: string;
  functionArn: string;
  condition: AsyncCondition;
  approximateInvokeCount: number;
  requestPayload: unknown;
  lastResponse?: LastResponse;
}): AsyncDestinationRecord {
  const record: AsyncDestinationRecord = {
    version: '1.0',
    timestamp: new Date(input.timestampMs).toISOString(),
    requestContext: {
      requestId: input.requestId,
      functionArn: `${input.functionArn}:$LATEST`,
      condition: input.condition,
      approximateInvokeCount: input.approximateInvokeCount,
    },
    requestPayload: input.requestPayload,
  };
  if (input.lastResponse) {
    const { functionError } = input.lastResponse;
    record.responseContext = functionError
      ? { statusCode: 200, executedVersion: '$LATEST', functionError }
      : { statusCode: 200, executedVersion: '$LATEST' };
    record.responsePayload = functionError ? input.lastResponse.error : (input.lastResponse.result ?? null);
  }
  return record;
}

export type StreamCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/** Why and after what an event source mapping gave a batch up (STREAM-4): the record's context. */
export interface MappingFailure {
  timestampMs: number;
  /** The last invocation's request id. */
  requestId: string;
  functionArn: string;
  condition: StreamCondition;
  approximateInvokeCount: number;
  /**
   * The last invocation's FunctionError: `Unhandled` after an error; absent when the function answered and its
   * partial batch response (STREAM-3) failed the batch. The record then says `"functionError": null`, as Lambda's does.
   */
  functionError?: string;
}

/** What a Kinesis or DynamoDB on-failure record says about the batch (`KinesisBatchInfo`, `DDBStreamBatchInfo`). */
export interface StreamBatchInfo {
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  approximateArrivalOfFirstRecord: string;
  approximateArrivalOfLastRecord: string;
  batchSize: number;
  streamArn: string;
}

/**
 * STREAM-4: the on-failure record of an event source mapping, in the order Lambda writes its keys: no records of the
 * batch, only `<batchInfoKey>` (`KinesisBatchInfo`, `DDBStreamBatchInfo`, `KafkaBatchInfo`) describing it. A
 * RecordAgeExceeded record has no responseContext.
 */
export function mappingFailureRecord(
  failure: MappingFailure,
  batchInfoKey: string,
  batchInfo: object,
): Record<string, unknown> {
  const record: Record<string, unknown> = {
    requestContext: {
      requestId: failure.requestId,
      functionArn: failure.functionArn,
      condition: failure.condition,
      approximateInvokeCount: failure.approximateInvokeCount,
    },
  };
  if (failure.condition !== 'RecordAgeExceeded')
    record.responseContext = {
      statusCode: 200,
      executedVersion: '$LATEST',
      functionError: failure.functionError ?? null,
    };
  record.version = '1.0';
  record.timestamp = new Date(failure.timestampMs).toISOString();
  record[batchInfoKey] = batchInfo;
  return record;
}

/**
 * STREAM-4: what a Kinesis or DynamoDB mapping writes to an S3 destination: the record with the batch's event as
 * `payload`, every key of the record sorted by name (the payload keeps its own order), as Lambda writes the object.
 */
export function s3StreamFailureRecord(record: Record<string, unknown>, payload: unknown): Record<string, unknown> {
  return sortedKeys({ ...record, payload }, 'payload') as Record<string, unknown>;
}

function sortedKeys(value: unknown, keep?: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => {
        const v = (value as Record<string, unknown>)[k];
        return [k, k === keep ? v : sortedKeys(v)];
      }),
  );
}

/** A destination or DLQ the runner cannot reach (its type is unknown, or nothing names it), recorded as such. */
export function undeliverable(
  target: DestinationTarget,
  kind: DeliveryKind,
  condition: string,
  body: string,
  nowMs: number,
): DeliveryRecord {
  const what = target.arn ?? target.name ?? target.logicalId ?? 'a target without a name';
  return {
    kind,
    condition,
    target: { type: target.type === 'unknown' ? 'sqs' : target.type, arn: target.arn ?? what },
    body,
    time: { simulated: new Date(nowMs).toISOString(), wall: new Date().toISOString() },
    error: `The runner cannot deliver to ${what}: it is not an SQS queue, SNS topic, Lambda function, EventBridge bus or S3 bucket it knows.`,
  };
}
