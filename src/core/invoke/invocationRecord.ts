/**
 * One InvocationRecord tree per event: the only thing the panel and the CLI read. JSON-serialisable with stable
 * field names; `version` changes when a field changes meaning.
 */
import type { Origin } from '../discovery/functionConfig';
import type { FunctionErrorPayload, LateError, LogLine, RuntimeHostInfo } from '../runtime/outcome';
import type { DeliveryRecord, InvocationSource } from '../services/delivery';
import type { UnsettledEvent } from './followHorizon';
import type { InvocationCost } from './invocationCost';
import { isoFormatter, isoNow } from '../runtime/isoTime';

export type { DeliveryKind, DeliveryRecord } from '../services/delivery';
export type { Origin } from '../discovery/functionConfig';
export type { UnsettledEvent } from './followHorizon';

/** 2: `configuration.origins` holds Origin objects (file, line, source) instead of text. */
export const INVOCATION_RECORD_VERSION = 2;

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

export interface RecordSource extends InvocationSource {
  /** direct, sqs, sns, eventbridge, kinesis, dynamodb, destination, replay ... */
  type: string;
  mappingId?: string;
  /** Streams, Kafka partitions, MQ queues: the shard the batch was read from. */
  shardId?: string;
  /** `sdk`: the AWS API the call came through (lambda), and its operation (Invoke, InvokeWithResponseStream). */
  service?: string;
  operation?: string;
  /** `sdk`: the function whose handler made the call; absent for calls from outside the runner (a script, a test). */
  caller?: string;
}

/**
 * A record's source in a line: `sqs arn:aws:sqs:...`, or for an SDK call (SDK-4) the service, the operation and the
 * calling function: `sdk: lambda Invoke from CheckoutFunction`.
 */
export function describeRecordSource(source: RecordSource): string {
  if (source.type === 'sdk')
    return `sdk: ${[source.service, source.operation].filter(Boolean).join(' ')} ${
      source.caller ? `from ${source.caller}` : 'from outside the runner'
    }`;
  return `${source.type}${source.arn ? ` ${source.arn}` : ''}`;
}

export interface UsedConfiguration {
  values: Record<string, unknown>;
  /** Where each value came from: the template, serverless.yml or settings file and line, or Lambda's default. */
  origins: Record<string, Origin>;
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
  /** RUNTIME-2: the Node.js or Python that ran the attempt, and why when it is not the runtime's version. */
  runtime?: RuntimeHostInfo;
  /** NODE-5: environments that ended after an earlier invocation's response; this attempt's log starts with theirs. */
  lateErrors?: LateError[];
  /**
   * NODE-5: the error this attempt's environment threw after its response (a timer, a promise nobody awaited), with
   * the environment's output from the response to its end, when no later invocation carried it (the runner closed the
   * environment first: a single CLI run).
   */
  errorAfterResponse?: { error: FunctionErrorPayload; logs: LogLine[] };
  /** NODE-11: the handler streamed its response. */
  stream?: AttemptStream;
}

/** NODE-11: how a streamed response came back (its body is the attempt's `result`, as UTF-8 text). */
export interface AttemptStream {
  /** `application/vnd.awslambda.http-integration-response` when the handler used HttpResponseStream.from. */
  contentType?: string;
  /** The HTTP prelude ({statusCode, headers, cookies}) given to HttpResponseStream.from. */
  prelude?: Record<string, unknown>;
  chunks: number;
}

/** Headers and the first bytes of the body of an HTTP request or response, as a record keeps them. */
export interface HttpMessageRecord {
  /** Every header line in order. */
  headers: Array<[name: string, value: string]>;
  /** The body's first bytes: text, or base64 when `bodyEncoding` says so. */
  body?: string;
  bodyEncoding?: 'base64';
  /** The whole body's size. */
  bodyBytes: number;
  /** Only the first bytes of the body are kept. */
  truncated?: boolean;
}

/** The HTTP request the HTTP front turned into this invocation, and the response its client got. */
export interface HttpExchange {
  /** REST API, HTTP API, ALB, function URL or WebSocket API. */
  integration: 'rest' | 'http' | 'alb' | 'url' | 'websocket';
  /** The route that matched: `GET /orders/{id}`, `$default`, an ALB path pattern, `/` for a function URL. */
  route: string;
  /** `authorizer`: this invocation was the route's Lambda authorizer, deciding whether the request goes on. */
  role?: 'authorizer';
  /**
   * WebSocket APIs: the upgrade request (`$connect`), or the message the client sent (method `WS`, the frame's body);
   * `$disconnect` has neither headers nor body.
   */
  request: HttpMessageRecord & { method: string; path: string; query?: string };
  /** WebSocket APIs: the connection the event belongs to, and which of the three events it is. */
  webSocket?: { connectionId: string; eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT' };
  /**
   * Absent until the client has its answer. WebSocket APIs: `$connect`'s is the handshake's status (101 when the
   * connection opened); a message's is what went back to the client (nothing on a one-way route).
   */
  response?: HttpMessageRecord & {
    statusCode: number;
    /** From the request's arrival to the response's end, ms. */
    durationMs: number;
    /** Why the response is not the function's own: a malformed result, the integration timeout, a denial. */
    note?: string;
  };
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
  /** What its attempts would cost on AWS: requests, billed GB-seconds and an estimate in USD. */
  cost?: InvocationCost;
  /**
   * The run stopped following an event that is still failing and that its source would retry until it expires
   * (followHorizon.ts): what AWS does next, and where the event stays. A later run follows it again.
   */
  unsettled?: UnsettledEvent;
  /**
   * The first record of the event's story, when this record continues one: a later receive of the same SQS
   * message, a replay of it from a dead-letter queue, a function a destination invoked. Absent on a story's first
   * record. Set from `source.parentRecordId` when the record is first saved.
   */
  storyId?: string;
  /** The HTTP request and response, when the HTTP front invoked the function. */
  http?: HttpExchange;
  /** DURABLE-13: the durable execution this invocation of a durable function belongs to. */
  execution?: DurableExecutionSummary;
}

/** DURABLE-13: a durable execution as one of its handler invocations' records shows it. */
export interface DurableExecutionSummary {
  arn: string;
  id: string;
  name: string;
  /** RUNNING, SUCCEEDED, FAILED, TIMED_OUT or STOPPED, as of the record's last save. */
  status: string;
  /** Which invocation of the execution this record is (1 is the first; later ones replay). */
  invocation: number;
  /** What the handler answered: SUCCEEDED, FAILED or PENDING (absent while it runs, or when it failed to answer). */
  outcome?: string;
  /** The operation log as of the record's last save, in creation order. */
  operations: DurableOperationSummary[];
}

export interface DurableOperationSummary {
  id: string;
  parentId?: string;
  /** EXECUTION, CONTEXT, STEP, WAIT, CALLBACK or CHAINED_INVOKE. */
  type: string;
  subType?: string;
  name?: string;
  status: string;
}

const DEFAULT_ORIGIN: Origin = { source: 'default' };

/**
 * Where the value at a model path came from: its own origin, else the nearest enclosing one (a trigger's
 * `triggers.0` for `triggers.0.batchSize`), else Lambda's default.
 */
export function originOf(origins: Readonly<Record<string, Origin>> | undefined, modelPath: string): Origin {
  for (let p = modelPath; p; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
    const origin = origins?.[p];
    if (origin) return origin;
  }
  return DEFAULT_ORIGIN;
}

/**
 * The configuration a record ran with: each value under the name the record shows, with the origin of its path in
 * the function model (`{ batchSize: [10, 'triggers.0.batchSize'] }`).
 */
export function usedConfiguration(
  entries: Record<string, readonly [value: unknown, modelPath: string]>,
  origins: Readonly<Record<string, Origin>> | undefined,
): UsedConfiguration {
  const values: Record<string, unknown> = {};
  const o: Record<string, Origin> = {};
  for (const [key, [value, modelPath]] of Object.entries(entries)) {
    values[key] = value;
    o[key] = originOf(origins, modelPath);
  }
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

/** The simulated clock's times, formatted apart from the wall clock's (each keeps its last text). */
const simulatedTime = isoFormatter();

export function timePoint(simulatedMs: number): TimePoint {
  return { simulated: simulatedTime(simulatedMs), wall: isoNow() };
}
