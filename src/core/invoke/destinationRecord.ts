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
 * STREAM-4: the on-failure record of a stream mapping; no stream records, RecordAgeExceeded has no responseContext.
 * `functionError` is the last invocation's: `Unhandled` after an error, absent when the function answered and its
 * reported item failures (STREAM-3) failed the batch; the record then holds `"functionError": null`, as Lambda's does.
 */
export function streamFailureRecord(input: {
  kind: 'kinesis' | 'dynamodb';
  timestampMs: number;
  requestId: string;
  functionArn: string;
  condition: StreamCondition;
  approximateInvokeCount: number;
  functionError?: string;
  batchInfo: StreamBatchInfo;
}): Record<string, unknown> {
  const record: Record<string, unknown> = {
    requestContext: {
      requestId: input.requestId,
      functionArn: input.functionArn,
      condition: input.condition,
      approximateInvokeCount: input.approximateInvokeCount,
    },
  };
  if (input.condition !== 'RecordAgeExceeded')
    record.responseContext = {
      statusCode: 200,
      executedVersion: '$LATEST',
      functionError: input.functionError ?? null,
    };
  record.version = '1.0';
  record.timestamp = new Date(input.timestampMs).toISOString();
  record[input.kind === 'kinesis' ? 'KinesisBatchInfo' : 'DDBStreamBatchInfo'] = input.batchInfo;
  return record;
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
