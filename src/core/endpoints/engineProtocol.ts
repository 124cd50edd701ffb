/**
 * The protocol of the engine endpoint: how a front (the CLI) talks to the engine another process holds. Declared
 * once, imported by both sides (engineEndpoint.ts serves it, remoteWorkspaceEngine.ts speaks it).
 *
 * Transport: newline-delimited JSON over a local socket (jsonLineChannel.ts), one message per line, at most
 * `maxLineBytes` per line. The client opens with `hello`; the server answers `welcome`, or `refused` and closes.
 * Then the client sends requests with ids; the server answers each with a response carrying the same id, in any
 * order, and pushes `notification`s (records, after `records/subscribe`). The hello/welcome/refused shapes never
 * change, so that two sides of different major versions can still tell each other which versions they speak.
 * Minor versions only add methods and answer fields; anything else is a new major version.
 */
import type { InvocationMode } from '../account/localAccount';
import type { FunctionConfig } from '../discovery/functionConfig';
import type { InjectedFaults } from '../invoke/engineContext';
import type { QueueSummary } from '../services/localServices';
import type { HttpExchange, InvocationRecord, RecordSource } from '../invoke/invocationRecord';
import type { SendMessageInput, SqsMessage } from '../services/sqsQueue';
import {
  boolean,
  finiteNumber,
  integer,
  listOf,
  mapOf,
  nonEmptyString,
  objectOf,
  oneOf,
  optional,
  plainObject,
  string,
  type Shape,
} from './messageShape';
import type { RedriveResult, SendResult } from './workspaceEngine';

/** `major.minor` of the protocol this build speaks. */
export const ENGINE_PROTOCOL_VERSION = '1.1';

/** Default bound on one message line, both ways: a batch's records with their logs fit, a runaway peer does not. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

const VERSION = /^(\d{1,6})\.(\d{1,6})$/;

/** The major version of `major.minor`, or undefined when it is not one. */
export function protocolMajor(version: string): number | undefined {
  const m = VERSION.exec(version);
  return m ? Number(m[1]) : undefined;
}

// ---- handshake ----

/** client -> server, the first line: who is asking and which protocol it speaks. */
export interface HelloMessage {
  type: 'hello';
  protocol: string;
  /** e.g. "the lambda-trigger CLI" */
  client: string;
  /** The client's package version. */
  version: string;
  pid: number;
}

/** Who holds the engine, as the welcome tells the client (and the client tells its user). */
export interface EngineHolder {
  /** e.g. "Visual Studio Code (the Lambda Trigger Runner extension)" */
  owner: string;
  pid: number;
  /** The holder's package version. */
  version: string;
  workspaceRoot: string;
  /** Simulated seconds per wall second of the engine's clock; 'instant' when unbounded. */
  timeScale: number | 'instant';
}

/** "Visual Studio Code (the Lambda Trigger Runner extension), process 4242", as messages to users name a holder. */
export function describeHolder(holder: Pick<EngineHolder, 'owner' | 'pid'>): string {
  return `${holder.owner}, process ${holder.pid}`;
}

/** server -> client: the handshake is accepted; requests may follow. */
export interface WelcomeMessage {
  type: 'welcome';
  protocol: string;
  engine: EngineHolder;
}

/** server -> client: the handshake is refused (another major version, or no hello); the server closes. */
export interface RefusedMessage {
  type: 'refused';
  protocol: string;
  /** The server's package version. */
  version: string;
  reason: 'protocolVersion' | 'badHello';
  message: string;
}

export const helloShape: Shape<HelloMessage> = objectOf(
  {
    type: oneOf('hello'),
    protocol: string,
    client: string,
    version: string,
    pid: integer(0, 2 ** 32),
  },
  'keep',
);

const holderShape: Shape<EngineHolder> = objectOf(
  {
    owner: string,
    pid: integer(0, 2 ** 32),
    version: string,
    workspaceRoot: string,
    timeScale: (value, where) => (value === 'instant' ? 'instant' : finiteNumber(value, where)),
  },
  'keep',
);

/** What the server answers a hello with; checked by the client before anything else. */
export const handshakeAnswerShape: Shape<WelcomeMessage | RefusedMessage> = (value, where) => {
  const type = oneOf('welcome', 'refused')(plainObject(value, where).type, `${where}.type`);
  if (type === 'welcome')
    return objectOf({ type: oneOf('welcome'), protocol: string, engine: holderShape }, 'keep')(value, where);
  return objectOf(
    {
      type: oneOf('refused'),
      protocol: string,
      version: string,
      reason: oneOf('protocolVersion', 'badHello'),
      message: string,
    },
    'keep',
  )(value, where);
};

// ---- requests, responses, notifications ----

/** client -> server */
export interface RequestMessage {
  type: 'request';
  id: number;
  method: string;
  params: Record<string, unknown>;
}

/**
 * Why a request was not answered with a result. `badRequest`: the parameters or the request itself are wrong
 * (unknown function or queue, bad payload...), as AccountRequestError; `badMessage`: the line is not a message of
 * this protocol; `unknownMethod`: the server does not know the method (another minor version); `engineClosed`: the
 * engine was closed (its window closed or re-opened the account) before answering; `engineFailed`: anything else.
 */
export type EngineErrorKind = 'badRequest' | 'badMessage' | 'unknownMethod' | 'engineClosed' | 'engineFailed';

export interface EngineErrorBody {
  kind: EngineErrorKind;
  message: string;
}

/** server -> client: the answer to the request with `id` (null: to a line that had no readable id). */
export interface ResponseMessage {
  type: 'response';
  id: number | null;
  result?: unknown;
  error?: EngineErrorBody;
}

/** server -> client, unasked (after a subscription). */
export interface NotificationMessage {
  type: 'notification';
  method: string;
  params: unknown;
}

export const requestShape: Shape<RequestMessage> = objectOf({
  type: oneOf('request'),
  id: integer(0, Number.MAX_SAFE_INTEGER),
  method: string,
  params: (value, where) => (value === undefined ? {} : plainObject(value, where)),
});

const errorBodyShape: Shape<EngineErrorBody> = objectOf(
  {
    kind: oneOf('badRequest', 'badMessage', 'unknownMethod', 'engineClosed', 'engineFailed'),
    message: string,
  },
  'keep',
);

/** A message from the server after the handshake. */
export const serverMessageShape: Shape<ResponseMessage | NotificationMessage> = (value, where) => {
  const type = oneOf('response', 'notification')(plainObject(value, where).type, `${where}.type`);
  if (type === 'notification')
    return objectOf({ type: oneOf('notification'), method: string, params: (v) => v }, 'keep')(value, where);
  const response = objectOf(
    {
      type: oneOf('response'),
      id: (v, w) => (v === null ? null : integer(0, Number.MAX_SAFE_INTEGER)(v, w)),
      result: (v) => v,
      error: optional(errorBodyShape),
    },
    'keep',
  )(value, where);
  return response;
};

/** One request of the protocol: its method name, the shape of its parameters and of its result. */
export interface EngineRequestType<P, R> {
  readonly method: string;
  readonly params: Shape<P>;
  readonly result: Shape<R>;
}

/** One notification of the protocol. */
export interface EngineNotificationType<P> {
  readonly method: string;
  readonly params: Shape<P>;
}

const request = <P, R>(method: string, params: Shape<P>, result: Shape<R>): EngineRequestType<P, R> => ({
  method,
  params,
  result,
});

const noParams = objectOf({});
const emptyResult = (value: unknown, where: string): Record<string, never> => {
  plainObject(value, where);
  return {};
};

// Answers are checked for the fields the client reads; the rest of a record or message is passed through as is.
const recordShape = objectOf(
  {
    id: string,
    functionName: string,
    mode: oneOf('sync', 'async', 'batch'),
    status: string,
    attempts: listOf(plainObject),
    batches: listOf(plainObject),
    deliveries: listOf(plainObject),
  },
  'keep',
) as unknown as Shape<InvocationRecord>;
const recordsShape = listOf(recordShape);

const messageShape = objectOf(
  {
    messageId: string,
    body: string,
    receiveCount: finiteNumber,
    messageAttributes: mapOf(objectOf({ DataType: string }, 'keep')),
  },
  'keep',
) as unknown as Shape<SqsMessage>;

const queueSummaryShape = objectOf(
  {
    name: string,
    arn: string,
    fifo: boolean,
    visible: finiteNumber,
    inFlight: finiteNumber,
    total: finiteNumber,
    deadLetterQueueOf: listOf(string),
  },
  'keep',
) as Shape<QueueSummary>;

const functionShape = objectOf(
  {
    name: string,
    handler: string,
    runtime: string,
    codeRoot: string,
    triggers: listOf(
      objectOf({ id: string, kind: string, invocation: oneOf('sync', 'async', 'poll'), enabled: boolean }, 'keep'),
    ),
  },
  'keep',
) as unknown as Shape<FunctionConfig>;

const faultsShape: Shape<InjectedFaults> = objectOf({
  deliverTwice: optional(boolean),
  throttle: optional(integer(0, 9999)),
  systemError: optional(integer(0, 9999)),
  zeroConcurrency: optional(boolean),
});

const sendInputShape: Shape<SendMessageInput> = objectOf({
  body: nonEmptyString,
  messageAttributes: optional(
    mapOf(objectOf({ DataType: string, StringValue: optional(string), BinaryValue: optional(string) })),
  ),
  delaySeconds: optional(integer(0, 900)),
  messageGroupId: optional(string),
  messageDeduplicationId: optional(string),
});

/** client -> server: the functions the engine runs. */
export const functionsRequest = request('functions/list', noParams, listOf(functionShape));

export interface InvokeParams {
  functionName: string;
  /** The event, as JSON text. */
  payloadJson: string;
  mode: InvocationMode;
  faults?: InjectedFaults;
  /** The HTTP front's: where the invocation came from and the HTTP request it answers (sync only). */
  source?: RecordSource;
  http?: HttpExchange;
}

const sourceShape: Shape<RecordSource> = objectOf(
  { type: nonEmptyString, arn: optional(string), parentRecordId: optional(string) },
  'keep',
);

// The request is kept as the front made it; the fields the panel reads are checked when a record is shown.
const httpExchangeShape = objectOf(
  {
    integration: oneOf('rest', 'http', 'alb', 'url', 'websocket'),
    route: string,
    request: objectOf(
      { method: string, path: string, bodyBytes: finiteNumber, headers: listOf(listOf(string)) },
      'keep',
    ),
  },
  'keep',
) as unknown as Shape<HttpExchange>;

const httpResponseShape = objectOf(
  { statusCode: integer(100, 599), durationMs: finiteNumber, bodyBytes: finiteNumber, headers: listOf(listOf(string)) },
  'keep',
) as unknown as Shape<NonNullable<HttpExchange['response']>>;

/** client -> server: invoke a function as its event source would; the records once it is done (LocalAccount.invoke). */
export const invokeRequest = request<InvokeParams, InvocationRecord[]>(
  'invoke',
  objectOf({
    functionName: nonEmptyString,
    payloadJson: string,
    mode: oneOf('sync', 'async', 'batch'),
    faults: optional(faultsShape),
    source: optional(sourceShape),
    http: optional(httpExchangeShape),
  }),
  recordsShape,
);

/** client -> server: the HTTP front's client got this response to the request a record came from. */
export const httpResponseRequest = request(
  'records/httpResponse',
  objectOf({ recordId: nonEmptyString, response: httpResponseShape }),
  emptyResult,
);

/** client -> server: the address and key of the engine's local AWS endpoint (started if it is not yet). */
export const awsEndpointRequest = request(
  'aws/endpoint',
  noParams,
  objectOf({
    url: nonEmptyString,
    accessKeyId: nonEmptyString,
    secretAccessKey: nonEmptyString,
    region: nonEmptyString,
  }),
);

/** client -> server: every queue with its counts. */
export const listQueuesRequest = request('queues/list', noParams, listOf(queueSummaryShape));

/** client -> server: a queue's messages, not received. */
export const peekRequest = request('queues/peek', objectOf({ queue: nonEmptyString }), listOf(messageShape));

/** client -> server: send one message; with `deliver`, wait until the mappings are idle and return their records. */
export const sendRequest = request<{ queue: string; message: SendMessageInput; deliver: boolean }, SendResult>(
  'queues/send',
  objectOf({ queue: nonEmptyString, message: sendInputShape, deliver: boolean }),
  objectOf({ message: messageShape, records: recordsShape }, 'keep'),
);

/** client -> server: delete every message of a queue. */
export const purgeRequest = request(
  'queues/purge',
  objectOf({ queue: nonEmptyString }),
  objectOf({ purged: integer(0, Number.MAX_SAFE_INTEGER) }, 'keep'),
);

/** client -> server: SQS-3 move a dead-letter queue's messages back to their source (or `to`). */
export const redriveRequest = request<{ queue: string; to?: string; deliver: boolean }, RedriveResult>(
  'queues/redrive',
  objectOf({ queue: nonEmptyString, to: optional(nonEmptyString), deliver: boolean }),
  objectOf({ moved: integer(0, Number.MAX_SAFE_INTEGER), to: listOf(string), records: recordsShape }, 'keep'),
);

/** client -> server: ASYNC-9 invoke a function with one queued message; its record once the engine is idle. */
export const replayRequest = request(
  'queues/replay',
  objectOf({
    queue: nonEmptyString,
    messageId: nonEmptyString,
    functionName: nonEmptyString,
    mode: oneOf('sync', 'async'),
  }),
  recordShape,
);

/**
 * client -> server (1.1): the durable executions of one function, or of all, oldest first (the shape of
 * ListDurableExecutionsByFunction's entries).
 */
export const listExecutionsRequest = request<{ functionName?: string }, Array<Record<string, unknown>>>(
  'executions/list',
  objectOf({ functionName: optional(nonEmptyString) }),
  listOf(plainObject),
);

/** client -> server (1.1): one execution by ARN, id or name (GetDurableExecution's shape, with its data). */
export const getExecutionRequest = request('executions/get', objectOf({ execution: nonEmptyString }), plainObject);

/** client -> server (1.1): an execution's history events, oldest first, with their data. */
export const executionHistoryRequest = request(
  'executions/history',
  objectOf({ execution: nonEmptyString }),
  listOf(plainObject),
);

/** client -> server (1.1): DURABLE-11 stop an execution; when it stopped (epoch ms). */
export const stopExecutionRequest = request(
  'executions/stop',
  objectOf({ execution: nonEmptyString, error: optional(plainObject) }),
  objectOf({ stopTimestamp: finiteNumber }),
);

/** client -> server (1.1): DURABLE-3 complete (`succeed` with a result, `fail` with an error) or heartbeat a callback. */
export const sendCallbackRequest = request<
  { callbackId: string; action: 'succeed' | 'fail' | 'heartbeat'; result?: string; error?: Record<string, unknown> },
  Record<string, never>
>(
  'executions/callback',
  objectOf({
    callbackId: nonEmptyString,
    action: oneOf('succeed', 'fail', 'heartbeat'),
    result: optional(string),
    error: optional(plainObject),
  }),
  emptyResult,
);

/** client -> server: wait until nothing is pending or in flight in the engine. */
export const runUntilIdleRequest = request('engine/runUntilIdle', noParams, emptyResult);

/** client -> server: the records of the engine's history with these ids (unknown ones left out). */
export const recordsRequest = request('records/get', objectOf({ ids: listOf(nonEmptyString, 10_000) }), recordsShape);

/** client -> server: from now on, push a `record` notification whenever the engine saves a record. */
export const subscribeRecordsRequest = request('records/subscribe', noParams, emptyResult);

/** server -> client (after records/subscribe): a record was created or changed, in its current state. */
export const recordNotification: EngineNotificationType<InvocationRecord> = {
  method: 'record',
  params: recordShape,
};
