/**
 * One InvocationRecord tree per event: the only thing the panel and the CLI read. JSON-serialisable with stable
 * field names; `version` changes when a field changes meaning.
 */
import type { FunctionErrorPayload, LogLine } from '../runtime/outcome';

export const INVOCATION_RECORD_VERSION = 1;

export type InvocationMode = 'sync' | 'async' | 'batch';

export type InvocationStatus =
  | 'queued' // async: accepted, waiting for an attempt
  | 'running'
  | 'succeeded'
  | 'failed' // sync: function error; async/batch: gave up (see condition)
  | 'rejected' // refused before running (SYNC-6, unknown function ...)
  | 'dryRun'; // SYNC-8

export interface TimePoint {
  /** Simulated AWS time, ISO 8601. */
  simulated: string;
  /** Wall-clock time, ISO 8601. */
  wall: string;
}

export interface RecordSource {
  /** direct, sqs, sns, eventbridge, kinesis, dynamodb, destination, replay ... */
  type: string;
  arn?: string;
  mappingId?: string;
  /** Streams, Kafka partitions, MQ queues: the shard the batch was read from. */
  shardId?: string;
  /** The record this one was started from (destination chains, replays). */
  parentRecordId?: string;
}

export interface UsedConfiguration {
  values: Record<string, unknown>;
  origins: Record<string, string>;
}

export type AttemptOutcome = 'success' | 'functionError' | 'throttled' | 'systemError' | 'skipped';

export interface AttemptRecord {
  number: number;
  requestId: string;
  start: TimePoint;
  durationMs: number;
  billedDurationMs: number;
  memorySizeMB: number;
  maxMemoryUsedMB: number;
  initDurationMs?: number;
  coldStart: boolean;
  outcome: AttemptOutcome;
  /** SYNC-1: the result on success. */
  result?: unknown;
  functionError?: string;
  error?: FunctionErrorPayload;
  /** Throttles and system errors (ASYNC-5): the HTTP status Lambda's service answered. */
  statusCode?: number;
  logs: LogLine[];
  /** Index into `batches` for poll-based invocations. */
  batchIndex?: number;
  /** Faults injected into this attempt. */
  faults?: string[];
}

export interface BatchRecord {
  index: number;
  /** Message ids (SQS) or sequence numbers (streams) in the batch, in order. */
  recordIds: string[];
  /** Filtered out before invoking (FILTER-4). */
  filteredIds?: string[];
  /** SQS-4 / STREAM-3: identifiers the handler reported; `invalid` when the response counted as full failure. */
  reportedFailures?: string[];
  reportInvalidReason?: string;
  outcome?: 'success' | 'partialFailure' | 'failure';
  /** STREAM-2: the batch this one was split from. */
  bisectedFrom?: number;
  /** STREAM-3: the batch whose partial failure this one retries (from the lowest failed record on). */
  retryOf?: number;
  /** STREAM-3: sequence number checkpointed after this batch. */
  checkpoint?: string;
  /** SQS: ids that went back to the queue (visible again at the given simulated time). */
  returnedToQueue?: Array<{ id: string; visibleAt: string }>;
  /** SQS-3: ids the queue moved to its dead-letter queue. */
  redrives?: Array<{ id: string; target: string; receiveCount: number }>;
}

export type DeliveryKind = 'destination' | 'deadLetterQueue' | 'queueRedrive' | 'fanOut';

export interface DeliveryRecord {
  kind: DeliveryKind;
  /** Success, RetriesExhausted, EventAgeExceeded, ZeroReservedConcurrency, RetryAttemptsExhausted, RecordAgeExceeded ... */
  condition: string;
  target: { type: 'sqs' | 'sns' | 'lambda' | 'eventbridge' | 's3'; arn: string };
  /** The exact body (SQS), message (SNS), payload (Lambda), event (EventBridge) or object content (S3). */
  body: string;
  /** ASYNC-9: message attributes (DLQ). */
  attributes?: Record<string, { DataType: string; StringValue: string }>;
  /** Where the delivery ended up: message id, object path, record id of the invoked function. */
  deliveredAs?: string;
  time: TimePoint;
  error?: string;
}

export interface SyncResponse {
  StatusCode: number;
  FunctionError?: string;
  ExecutedVersion?: string;
  /** JSON text, as Lambda returns the payload. */
  Payload?: string;
  /** Service errors (SYNC-6 ...). */
  errorType?: string;
  errorMessage?: string;
}

export interface InvocationRecord {
  version: typeof INVOCATION_RECORD_VERSION;
  id: string;
  functionName: string;
  mode: InvocationMode;
  source?: RecordSource;
  configuration: UsedConfiguration;
  /** The event as sent (for batches: the first batch's event). */
  event: unknown;
  status: InvocationStatus;
  /** Why an async event or batch ended: Success, RetriesExhausted, EventAgeExceeded ... */
  condition?: string;
  /** Sync invocations: the response record (SYNC-2, SYNC-6, SYNC-8). */
  response?: SyncResponse;
  start: TimePoint;
  end?: TimePoint;
  attempts: AttemptRecord[];
  batches: BatchRecord[];
  deliveries: DeliveryRecord[];
  /** Faults requested for this event. */
  faults?: string[];
}

/** The configuration a record ran with: each value, and where it came from ('default' when nothing set it). */
export function usedConfiguration(
  values: Record<string, unknown>,
  origins?: Readonly<Record<string, string>>,
): UsedConfiguration {
  const o: Record<string, string> = {};
  for (const key of Object.keys(values)) o[key] = origins?.[key] ?? 'default';
  return { values, origins: o };
}

export interface NewRecordFields {
  id: string;
  functionName: string;
  mode: InvocationMode;
  source?: RecordSource | undefined;
  configuration: UsedConfiguration;
  event: unknown;
  status: InvocationStatus;
  start: TimePoint;
  batches?: BatchRecord[];
  /** Requested faults; none leaves the field out. */
  faults?: string[];
}

/** A new record tree, before any attempt, batch result or delivery. */
export function newInvocationRecord(f: NewRecordFields): InvocationRecord {
  const record: InvocationRecord = {
    version: INVOCATION_RECORD_VERSION,
    id: f.id,
    functionName: f.functionName,
    mode: f.mode,
    ...(f.source ? { source: f.source } : {}),
    configuration: f.configuration,
    event: f.event,
    status: f.status,
    start: f.start,
    attempts: [],
    batches: f.batches ?? [],
    deliveries: [],
  };
  if (f.faults && f.faults.length > 0) record.faults = f.faults;
  return record;
}

export function timePoint(simulatedMs: number): TimePoint {
  return { simulated: new Date(simulatedMs).toISOString(), wall: new Date().toISOString() };
}
