import type { AwsLocation } from '../awsLocation';

/**
 * The one model of a Lambda function that discovery produces out of code, SAM/CloudFormation, serverless.yml,
 * the project settings file and env overrides. Plain JSON: it crosses the LSP boundary and `list --json` prints it.
 */

/** Where a configured value came from. Lines are 1-based. */
export type OriginSource =
  'sam' | 'cloudformation' | 'serverless' | 'settings' | 'vscode' | 'env-file' | 'code' | 'cli' | 'default';

export interface Origin {
  /** Absolute path; absent for built-in defaults. */
  file?: string;
  line?: number;
  source: OriginSource;
  /**
   * The `${...}` expression written at `file:line` that could not be resolved locally (serverless.yml): the value is
   * then a default, or absent, and a diagnostic at that line says so.
   */
  unresolved?: string;
}

/**
 * Where an async destination, a DLQ, a redrive target or a mapping's on-failure destination points (ASYNC-7, ASYNC-9,
 * STREAM-4). A Kafka topic (`kafka://<topic>`, the on-failure destination of a Kafka mapping) is a topic of the
 * cluster the mapping reads.
 */
export interface DestinationTarget {
  type: 'sqs' | 'sns' | 'lambda' | 'eventbridge' | 's3' | 'kafka' | 'unknown';
  /** The CloudFormation logical id when the target is a resource of the same template. */
  logicalId?: string;
  name?: string;
  arn?: string;
}

export interface EventInvokeConfig {
  /** ASYNC-3: 0..2, default 2. */
  maximumRetryAttempts: number;
  /** ASYNC-4: 60..21600, default 21600. */
  maximumEventAgeInSeconds: number;
  destinations: { onSuccess?: DestinationTarget; onFailure?: DestinationTarget };
}

/** A resource an event source reads from, as far as the template lets us resolve it. */
export interface SourceResource {
  logicalId?: string;
  name?: string;
  arn?: string;
}

/** STREAM-6: which item images a DynamoDB stream's records carry (the table's `StreamSpecification`). */
export type StreamViewType = 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';

export const STREAM_VIEW_TYPES: readonly StreamViewType[] = [
  'KEYS_ONLY',
  'NEW_IMAGE',
  'OLD_IMAGE',
  'NEW_AND_OLD_IMAGES',
];

/** The stream a Kinesis or DynamoDB trigger reads. */
export interface StreamResource extends SourceResource {
  /** DynamoDB: the table's `StreamSpecification.StreamViewType`, when the template declares the table. */
  viewType?: StreamViewType;
}

export interface SqsQueue extends SourceResource {
  /** SQS-2: seconds, AWS default 30. */
  visibilityTimeout: number;
  fifo: boolean;
  /** SQS-5: a FIFO queue derives a message's deduplication id from its body when none is given. */
  contentBasedDeduplication?: boolean;
  /** SQS-3: the queue's own redrive policy. */
  redrivePolicy?: { deadLetterTarget: DestinationTarget; maxReceiveCount: number };
  /** Seconds SQS keeps a message (`MessageRetentionPeriod`, 60..1,209,600; AWS default 4 days). */
  messageRetentionPeriod?: number;
}

/** FILTER-1: each pattern is the parsed JSON of one `Filters[].Pattern`. */
export interface FilterCriteria {
  patterns: unknown[];
}

interface TriggerBase {
  /** The event's key in the template (SAM `Events` key, serverless index `sqs#0`, mapping logical id). */
  id: string;
  /** Section 1: how the source invokes the function. */
  invocation: 'sync' | 'async' | 'poll';
  enabled: boolean;
}

export interface SqsTrigger extends TriggerBase {
  kind: 'sqs';
  queue: SqsQueue;
  /** SQS-1: default 10. */
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  /** SQS-4: `ReportBatchItemFailures` enables partial batch responses. */
  functionResponseTypes: string[];
  filterCriteria?: FilterCriteria;
  /** SQS-6 */
  maximumConcurrency?: number;
}

export interface StreamTrigger extends TriggerBase {
  kind: 'kinesis' | 'dynamodb';
  stream: StreamResource;
  startingPosition?: string;
  /** AT_TIMESTAMP (Kinesis): seconds since the epoch. */
  startingPositionTimestamp?: number;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  /** -1 is infinite (section 5 table). */
  maximumRetryAttempts: number;
  maximumRecordAgeInSeconds: number;
  bisectBatchOnFunctionError: boolean;
  parallelizationFactor: number;
  tumblingWindowInSeconds: number;
  functionResponseTypes: string[];
  filterCriteria?: FilterCriteria;
  /** STREAM-4 */
  onFailure?: DestinationTarget;
}

export interface KafkaTrigger extends TriggerBase {
  kind: 'kafka';
  flavor: 'msk' | 'self-managed';
  cluster?: SourceResource;
  bootstrapServers: string[];
  topics: string[];
  startingPosition?: string;
  /** KAFKA-1: default 100. */
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  /** -1 (default): retry until the record leaves the topic's retention. */
  maximumRetryAttempts?: number;
  consumerGroupId?: string;
  filterCriteria?: FilterCriteria;
  /** STREAM-4: an SQS queue, SNS topic, S3 bucket or Kafka topic (`kafka://<topic>`). */
  onFailure?: DestinationTarget;
}

export interface MqTrigger extends TriggerBase {
  kind: 'mq';
  engine: 'activemq' | 'rabbitmq';
  broker: SourceResource;
  queues: string[];
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  filterCriteria?: FilterCriteria;
}

export interface S3Trigger extends TriggerBase {
  kind: 's3';
  bucket: SourceResource;
  events: string[];
  prefix?: string;
  suffix?: string;
}

export interface SnsTrigger extends TriggerBase {
  kind: 'sns';
  topic: SourceResource;
  filterPolicy?: unknown;
  filterPolicyScope?: 'MessageAttributes' | 'MessageBody';
}

/** CORS as an API, an HTTP API or a function URL configures it (SAM `Cors`/`CorsConfiguration`, serverless `cors`). */
export interface HttpCors {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  allowCredentials: boolean;
  /** Seconds a browser may cache a preflight's answer. */
  maxAge?: number;
}

/** A Lambda authorizer that guards a route (SAM `Auth.Authorizers`, serverless `authorizer`). */
export interface HttpAuthorizer {
  /** Its name in the template (`MyLambdaTokenAuth`). */
  name: string;
  /** The workspace function that decides (logical id or function key); absent when it is not in the workspace. */
  functionName?: string;
  /** TOKEN: the event carries one token (REST APIs only); REQUEST: headers, query and context. */
  type: 'token' | 'request';
  /** HTTP APIs: the event's payload format version (REST authorizers always get 1.0). */
  payloadFormatVersion: '1.0' | '2.0';
  /** HTTP APIs with payload 2.0: the function answers `{isAuthorized, context}` instead of an IAM policy. */
  simpleResponses: boolean;
  /**
   * Where the identity comes from, as API Gateway writes it: `method.request.header.Authorization` (REST) or
   * `$request.header.Authorization` (HTTP APIs). A request without one of them is refused with 401 before the
   * authorizer runs.
   */
  identitySource: string[];
  /** TOKEN: a token that does not match this regular expression is refused with 401 without calling the function. */
  validationExpression?: string;
}

export interface HttpTrigger extends TriggerBase {
  kind: 'api';
  /** REST v1, HTTP v2, ALB, the function's own URL, or a WebSocket API's route. */
  api: 'rest' | 'http' | 'alb' | 'url' | 'websocket';
  /**
   * ALB: a path pattern with `*` and `?`; function URL: `/` (it serves every path); WebSocket API: the route key
   * (`$connect`, `$disconnect`, `$default`, `sendMessage`).
   */
  path: string;
  /** WebSocket API routes: `WS`. */
  method: string;
  /** WebSocket APIs: how a message picks its route (`$request.body.action`, the default). */
  routeSelectionExpression?: string;
  /** WebSocket APIs: the route has a route response, so the integration's answer goes back to the client. */
  twoWay?: boolean;
  payloadFormatVersion?: '1.0' | '2.0';
  /** The function is the route's Lambda authorizer (a REQUEST authorizer), not its integration. */
  authorizer?: boolean;
  /** The API's logical id (SAM's implicit `ServerlessRestApi`/`ServerlessHttpApi` when the event names none). */
  apiId?: string;
  /** The API's stage (`Prod` for SAM's implicit REST API, `$default` for HTTP APIs). */
  stage?: string;
  stageVariables?: Record<string, string>;
  cors?: HttpCors;
  /** REST APIs: content types whose bodies reach the function base64-encoded (`image/png`, `*\/*`). */
  binaryMediaTypes?: string[];
  /** The Lambda authorizer the route runs first. */
  lambdaAuthorizer?: HttpAuthorizer;
  /** Function URL: `RESPONSE_STREAM` sends the body as the handler writes it. */
  invokeMode?: 'BUFFERED' | 'RESPONSE_STREAM';
  /** Function URL: `AWS_IAM` wants SigV4-signed requests (not checked locally). */
  authType?: 'NONE' | 'AWS_IAM';
  /** ALB: the target group's `lambda.multi_value_headers.enabled`. */
  multiValueHeaders?: boolean;
  /** ALB: the listener rule's priority (lowest first). */
  priority?: number;
}

export interface ScheduleTrigger extends TriggerBase {
  kind: 'schedule';
  expression: string;
  /** EventBridge Scheduler: the time zone of a `cron()` or `at()` expression (UTC when absent). */
  timezone?: string;
  /** EventBridge Scheduler: `FLEXIBLE` lets each run start up to `maximumWindowInMinutes` late; `OFF` runs on time. */
  flexibleTimeWindow?: { mode: 'OFF' | 'FLEXIBLE'; maximumWindowInMinutes?: number };
  input?: unknown;
  retryPolicy?: { maximumRetryAttempts?: number; maximumEventAgeInSeconds?: number };
}

export interface EventBridgeTrigger extends TriggerBase {
  kind: 'eventbridge';
  pattern?: unknown;
  eventBusName?: string;
  input?: unknown;
  inputPath?: string;
  retryPolicy?: { maximumRetryAttempts?: number; maximumEventAgeInSeconds?: number };
}

export interface LogsTrigger extends TriggerBase {
  kind: 'cloudwatchLogs';
  logGroupName: string;
  filterPattern: string;
}

export interface CognitoTrigger extends TriggerBase {
  kind: 'cognito';
  userPool: SourceResource;
  triggers: string[];
}

export interface IotTrigger extends TriggerBase {
  kind: 'iot';
  sql: string;
  sqlVersion?: string;
}

export interface AlexaTrigger extends TriggerBase {
  kind: 'alexa';
  skillId?: string;
}

/** A source the runner cannot emulate; kept so nothing configured is silently dropped. */
export interface UnsupportedTrigger extends TriggerBase {
  kind: 'unsupported';
  sourceType: string;
  reason: string;
}

export type EventTrigger =
  | SqsTrigger
  | StreamTrigger
  | KafkaTrigger
  | MqTrigger
  | S3Trigger
  | SnsTrigger
  | HttpTrigger
  | ScheduleTrigger
  | EventBridgeTrigger
  | LogsTrigger
  | CognitoTrigger
  | IotTrigger
  | AlexaTrigger
  | UnsupportedTrigger;

/** Lambda's LoggingConfig of a function (NODE-8). */
export interface LoggingConfig {
  logFormat?: 'Text' | 'JSON';
  /** Honoured in the JSON log format. */
  applicationLogLevel?: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
}

export type RuntimeFamily = 'node' | 'python' | 'other';

/** DURABLE-1: the function runs durable executions (SAM/CloudFormation `DurableConfig`, serverless `durableConfig`). */
export interface DurableConfig {
  /** Seconds one execution may run in all, across its invocations: 1..31,622,400. */
  executionTimeout: number;
  /** Days a closed execution and its history stay readable: 1..90, default 14. */
  retentionPeriodInDays: number;
}

export interface FunctionConfig {
  /** Unique in the workspace: `<definition file relative to the root>#<name>`. */
  id: string;
  /**
   * Logical id (SAM/CFN), function key (serverless) or settings key; what `sam local invoke` would call it. A
   * code-only function's is made from its path (`plain-handlers-invoice-handler`), so that it is a valid Lambda name.
   */
  name: string;
  /** How lists show a code-only function: its module path and export (`plain-handlers/invoice.handler`). */
  displayName?: string;
  /** The deployed name when the template sets one (FunctionName / name). */
  physicalName?: string;
  /** The handler string as configured, e.g. `src/orders.handler` (NODE-1, PY-1). */
  handler: string;
  runtime: string;
  /** `Image` for a container image function (no handler, no runtime), which cannot run without Docker. */
  packageType?: 'Image';
  /** Absolute directory the handler string is relative to (CodeUri, serverless service dir, asset dir). */
  codeRoot: string;
  /** Absolute file the handler resolves to (NODE-2, PY-1); absent when it resolves to nothing. */
  handlerFile?: string;
  /** The export (Node: first segment of the property path) or Python function name. */
  exportName: string;
  /** Seconds (SYNC-4: default 3). */
  timeout: number;
  /** MB (NODE-12: default 128). */
  memorySize: number;
  /** The instruction set (`Architectures` / `architecture`); Lambda's default is x86_64. It sets the price. */
  architecture?: 'x86_64' | 'arm64';
  environment: Record<string, string>;
  /** NODE-8: the function's LoggingConfig; the `lambdaTrigger.logFormat` setting applies when it sets no format. */
  loggingConfig?: LoggingConfig;
  /** ASYNC-6 */
  reservedConcurrency?: number;
  /** ASYNC-9 */
  deadLetterQueue?: DestinationTarget;
  eventInvokeConfig: EventInvokeConfig;
  /** DURABLE-1: present when the function is durable. */
  durableConfig?: DurableConfig;
  triggers: EventTrigger[];
  /** Where every value came from: keys are value paths (`timeout`, `environment.TABLE`, `triggers.0`). */
  origins: Record<string, Origin>;
  /** The file that defines the function (template, serverless.yml, settings file or the handler itself). */
  definedIn: string;
  definedBy: OriginSource;
}

/** One problem discovery found; becomes a diagnostic in the editor and a line on stderr in the CLI. */
export interface DiscoveryProblem {
  file: string;
  /** 1-based; 1 when the problem concerns the whole file. */
  line: number;
  /** 1-based, optional. */
  column?: number;
  severity: 'error' | 'warning' | 'info';
  code:
    | 'invalid-yaml'
    | 'invalid-json'
    | 'invalid-template'
    | 'unknown-intrinsic'
    | 'unresolved-variable'
    | 'circular-ref'
    | 'handler-outside-workspace'
    | 'handler-not-found'
    | 'malformed-handler'
    | 'runtime-mismatch'
    | 'unsupported-runtime'
    | 'deprecated-runtime'
    | 'unknown-runtime'
    | 'unsupported-event'
    | 'invalid-settings'
    | 'syntax-error'
    | 'unreadable-file';
  message: string;
}

/** What every reader of a template or configuration file needs to know besides the file. */
export interface DiscoveryOptions {
  /** The local account's region and id: CloudFormation pseudo parameters and the ARNs of resources. */
  location: AwsLocation;
  /** CloudFormation parameter values that replace the template's defaults. */
  parameterOverrides?: Record<string, string>;
}

/** Defaults that apply when nothing configures a value. */
export const LAMBDA_DEFAULTS = {
  timeout: 3,
  memorySize: 128,
  maximumRetryAttempts: 2,
  maximumEventAgeInSeconds: 21600,
  sqsVisibilityTimeout: 30,
} as const;

/**
 * A function with Lambda's defaults for everything its definition leaves out, as a handler run on its own (no
 * template) is deployed: no triggers, no destinations, async retries 2 and event age 6 hours.
 */
export function functionWithDefaults(
  f: Pick<FunctionConfig, 'name' | 'handler' | 'runtime' | 'codeRoot'> & Partial<FunctionConfig>,
): FunctionConfig {
  const exportName = f.handler.slice(f.handler.lastIndexOf('.') + 1);
  return {
    id: `${f.codeRoot}#${f.name}`,
    exportName,
    timeout: LAMBDA_DEFAULTS.timeout,
    memorySize: LAMBDA_DEFAULTS.memorySize,
    environment: {},
    eventInvokeConfig: {
      maximumRetryAttempts: LAMBDA_DEFAULTS.maximumRetryAttempts,
      maximumEventAgeInSeconds: LAMBDA_DEFAULTS.maximumEventAgeInSeconds,
      destinations: {},
    },
    triggers: [],
    origins: {},
    definedIn: f.codeRoot,
    definedBy: 'code',
    ...f,
  };
}

/**
 * The name the function has in Lambda: the template's `FunctionName` (serverless `name`) when it sets one, else the
 * name the runner knows it by. `context.functionName`, `AWS_LAMBDA_FUNCTION_NAME` and the function's ARN use it.
 */
export function deployedName(fn: Pick<FunctionConfig, 'name' | 'physicalName'>): string {
  return fn.physicalName ?? fn.name;
}

/** The function `ref` names: by the name the runner knows it by, else by its physical name. */
export function functionNamed<F extends Pick<FunctionConfig, 'name' | 'physicalName'>>(
  functions: Iterable<F>,
  ref: string,
): F | undefined {
  let byPhysicalName: F | undefined;
  for (const fn of functions) {
    if (fn.name === ref) return fn;
    if (fn.physicalName === ref) byPhysicalName ??= fn;
  }
  return byPhysicalName;
}

/** What Lambda accepts as a function name. */
export const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export function runtimeFamily(runtime: string | undefined): RuntimeFamily {
  if (!runtime) return 'other';
  if (runtime.startsWith('nodejs')) return 'node';
  if (runtime.startsWith('python')) return 'python';
  return 'other';
}
