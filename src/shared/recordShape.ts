/**
 * The shape of an InvocationRecord as the panel reads it: every field a renderer touches, checked before the record
 * reaches one. A record that fails is ignored with the first problem found (`attempts[0].logs[3].text is not a
 * string`), so that a malformed or foreign record cannot break the panel.
 */
import type { ExecutionView } from '../core/invoke/durable/executionView';
import type { InvocationRecord } from '../core/invoke/invocationRecord';

/** Returns what is wrong at `path`, or undefined. */
type Check = (value: unknown, path: string) => string | undefined;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const str: Check = (v, p) => (typeof v === 'string' ? undefined : `${p} is not a string`);
const num: Check = (v, p) => (typeof v === 'number' && Number.isFinite(v) ? undefined : `${p} is not a number`);
const bool: Check = (v, p) => (typeof v === 'boolean' ? undefined : `${p} is not true or false`);
const anything: Check = () => undefined;
const object: Check = (v, p) => (isObject(v) ? undefined : `${p} is not an object`);

const optional =
  (check: Check): Check =>
  (v, p) =>
    v === undefined ? undefined : check(v, p);

function list(check: Check): Check {
  return (v, p) => {
    if (!Array.isArray(v)) return `${p} is not a list`;
    for (let i = 0; i < v.length; i++) {
      const problem = check(v[i], `${p}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  };
}

function shape(fields: Record<string, Check>): Check {
  return (v, p) => {
    if (!isObject(v)) return `${p} is not an object`;
    for (const [key, check] of Object.entries(fields)) {
      const problem = check(v[key], p ? `${p}.${key}` : key);
      if (problem) return problem;
    }
    return undefined;
  };
}

function values(check: Check): Check {
  return (v, p) => {
    if (!isObject(v)) return `${p} is not an object`;
    for (const [key, value] of Object.entries(v)) {
      const problem = check(value, `${p}.${key}`);
      if (problem) return problem;
    }
    return undefined;
  };
}

const timePoint = shape({ simulated: str, wall: str });
const errorPayload = shape({
  errorType: str,
  errorMessage: str,
  trace: optional(list(str)),
  stackTrace: optional(list(str)),
});
const attempt = shape({
  number: num,
  requestId: str,
  start: timePoint,
  durationMs: num,
  billedDurationMs: num,
  memorySizeMB: num,
  maxMemoryUsedMB: num,
  initDurationMs: optional(num),
  coldStart: bool,
  outcome: str,
  result: anything,
  functionError: optional(str),
  error: optional(errorPayload),
  statusCode: optional(num),
  logs: list(shape({ time: str, stream: str, level: optional(str), text: str })),
  batchIndex: optional(num),
  faults: optional(list(str)),
  lateErrors: optional(list(shape({ requestId: str, error: errorPayload }))),
  errorAfterResponse: optional(
    shape({ error: errorPayload, logs: list(shape({ time: str, stream: str, level: optional(str), text: str })) }),
  ),
  stream: optional(shape({ contentType: optional(str), prelude: anything, chunks: num })),
});
const batch = shape({
  index: num,
  recordIds: list(str),
  filteredIds: optional(list(str)),
  reportedFailures: optional(list(str)),
  reportInvalidReason: optional(str),
  outcome: optional(str),
  bisectedFrom: optional(num),
  retryOf: optional(num),
  checkpoint: optional(str),
  returnedToQueue: optional(list(shape({ id: str, visibleAt: str }))),
  redrives: optional(list(shape({ id: str, target: str, receiveCount: num }))),
});
const delivery = shape({
  kind: str,
  condition: str,
  target: shape({ type: str, arn: str }),
  body: str,
  attributes: optional(values(shape({ DataType: str, StringValue: str }))),
  deliveredAs: optional(str),
  time: timePoint,
  error: optional(str),
});
const headerLine: Check = (v, p) => {
  if (!Array.isArray(v) || v.length !== 2) return `${p} is not a [name, value] pair`;
  return str(v[0], `${p}[0]`) ?? str(v[1], `${p}[1]`);
};
const httpMessage = {
  headers: list(headerLine),
  body: optional(str),
  bodyEncoding: optional(str),
  bodyBytes: num,
  truncated: optional(bool),
};
const httpExchange = shape({
  integration: str,
  route: str,
  role: optional(str),
  request: shape({ ...httpMessage, method: str, path: str, query: optional(str) }),
  webSocket: optional(shape({ connectionId: str, eventType: str })),
  response: optional(shape({ ...httpMessage, statusCode: num, durationMs: num, note: optional(str) })),
});
const durableExecution = shape({
  arn: str,
  id: str,
  name: str,
  status: str,
  invocation: num,
  outcome: optional(str),
  operations: list(
    shape({
      id: str,
      parentId: optional(str),
      type: str,
      subType: optional(str),
      name: optional(str),
      status: str,
    }),
  ),
});
const invocationRecord = shape({
  id: str,
  functionName: str,
  mode: str,
  source: optional(shape({ type: str, arn: optional(str), parentRecordId: optional(str), shardId: optional(str) })),
  configuration: shape({ values: object, origins: object }),
  event: anything,
  status: str,
  condition: optional(str),
  response: optional(
    shape({
      StatusCode: num,
      FunctionError: optional(str),
      ExecutedVersion: optional(str),
      Payload: optional(str),
      errorType: optional(str),
      errorMessage: optional(str),
    }),
  ),
  start: timePoint,
  end: optional(timePoint),
  attempts: list(attempt),
  batches: list(batch),
  deliveries: list(delivery),
  faults: optional(list(str)),
  cost: optional(
    shape({ requests: num, billedGbSeconds: num, estimatedUsd: num, architecture: str, priceSource: str }),
  ),
  unsettled: optional(
    shape({
      after: str,
      count: num,
      followed: num,
      awsContinues: str,
      until: optional(str),
      leftIn: str,
      ids: list(str),
    }),
  ),
  storyId: optional(str),
  http: optional(httpExchange),
  execution: optional(durableExecution),
});

/** What is wrong with a record the panel was sent, or undefined when the panel can show it. */
export function recordProblem(value: unknown): string | undefined {
  return invocationRecord(value, '');
}

export function isInvocationRecord(value: unknown): value is InvocationRecord {
  return recordProblem(value) === undefined;
}

const viewText = shape({ text: str, fullLength: optional(num) });
const errorObject = shape({
  ErrorMessage: optional(str),
  ErrorType: optional(str),
  ErrorData: optional(str),
  StackTrace: optional(list(str)),
});
const executionView = shape({
  arn: str,
  id: str,
  name: str,
  functionName: str,
  status: str,
  startMs: num,
  endMs: optional(num),
  input: viewText,
  result: optional(viewText),
  error: optional(errorObject),
  invocations: num,
  recordIds: list(str),
  invoking: bool,
  operations: list(
    shape({
      id: str,
      parentId: optional(str),
      name: optional(str),
      type: str,
      subType: optional(str),
      status: str,
      startMs: num,
      endMs: optional(num),
      attempt: optional(num),
      nextAttemptMs: optional(num),
      scheduledEndMs: optional(num),
      callbackId: optional(str),
      callbackTimeoutMs: optional(num),
      heartbeatDueMs: optional(num),
      functionName: optional(str),
      result: optional(viewText),
      error: optional(errorObject),
    }),
  ),
  history: list(
    shape({
      eventId: num,
      type: str,
      subType: optional(str),
      operationId: optional(str),
      name: optional(str),
      timeMs: num,
      details: viewText,
    }),
  ),
  historyTotal: num,
});

/** DURABLE-13: what is wrong with an execution view the panel was sent, or undefined when it can show it. */
export function executionViewProblem(value: unknown): string | undefined {
  return executionView(value, 'view');
}

export function isExecutionView(value: unknown): value is ExecutionView {
  return executionViewProblem(value) === undefined;
}
