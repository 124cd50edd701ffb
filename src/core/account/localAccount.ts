/**
 * A local AWS account: the workspace's functions (from discovery) running in execution environments (runtime)
 * under the invocation engine's semantics, with its queues, topics, buses and history in a durable store.
 * The CLI and the extension both use it, so both fronts produce the same InvocationRecords.
 */
import * as path from 'node:path';
import type { AwsLocation } from '../awsLocation';
import { functionNamed, type EventTrigger, type FunctionConfig } from '../discovery/functionConfig';
import { faultNames, type InjectedFaults } from '../invoke/engineContext';
import type { FunctionInvoker } from '../invoke/engineFunction';
import { InvocationEngine } from '../invoke/invocationEngine';
import type { HttpExchange, InvocationRecord, RecordSource } from '../invoke/invocationRecord';
import { VirtualClock } from '../invoke/virtualClock';
import { EnvironmentPool, type DebugOptions, type InvokeOutcome, type RuntimeProgressListener } from '../runtime';
import type { ResponseStreamListener } from '../runtime/outcome';
import { triggerSourceName } from '../services/functionResources';
import { LocalServices, ResourceNotFoundError } from '../services/localServices';
import type { SendMessageInput } from '../services/sqsQueue';
import { DurableStore } from '../store/durableStore';
import { isClosed } from '../invoke/durable/durableExecution';
import { DebuggedExecutions } from './debuggedExecutions';
import { lambdaPricing } from '../invoke/invocationCost';
import { payloadTooDeepMessage } from '../runtime/payloadLimits';
import { AccountRequestError } from './accountRequestError';
import type { LocalAwsAccount } from '../endpoints/aws/awsApiContext';
import { AwsEndpoint, type AwsEndpointInfo } from '../endpoints/aws/awsEndpoint';
import { loadEndpointKey } from '../endpoints/aws/endpointKey';
import {
  handlerAwsAccess,
  NO_CREDENTIALS,
  passedKeyOf,
  type AwsCredentialsMode,
} from '../endpoints/aws/handlerCredentials';
import {
  describeResource,
  eventResourceOf,
  localResourceName,
  putEventsEntryOf,
  snsPublishesOf,
  type EventResource,
} from './eventResource';
import type { PricingOverride } from './accountSettings';
import {
  dynamoDbChangesOf,
  kafkaRecordsOf,
  kinesisRecordsOf,
  mqMessagesOf,
  pollSourceOf,
  type PollSourceKind,
} from './pollEventRecords';

export { AccountRequestError } from './accountRequestError';

export interface LocalAccountOptions {
  workspaceRoot: string;
  /**
   * false: the functions' code roots may lie outside the workspace (a handler the CLI runs on its own, by its path).
   * Default true: a code root outside the workspace (real paths compared) does not run.
   */
  confineCodeToWorkspace?: boolean;
  functions: readonly FunctionConfig[];
  /** dist/runtime: the Node and Python bootstraps. */
  bootstrapDir: string;
  /** Default `<workspaceRoot>/.lambda-trigger/store`. */
  storeDir?: string;
  /** Who holds the store, as another process that finds it in use is told. */
  storeOwner?: string;
  /** Told what opening the store had to repair (a damaged file moved aside, naming the file and its lines). */
  onStoreWarning?: (message: string) => void;
  /** The local account's region and id (the `lambdaTrigger.region` and `accountId` settings). */
  location: AwsLocation;
  /** Simulated seconds per wall second; Infinity (default) runs retries and visibility timeouts at once. */
  timeScale?: number;
  pythonInterpreter?: string;
  /** Node executable for functions whose Node.js version is not found (the extension host passes its own). */
  nodeExecutable?: string;
  /** Downloads and installs an execution environment waits for (a Node.js version, the AWS SDK, boto3). */
  onRuntimeProgress?: RuntimeProgressListener;
  logFormat?: 'Text' | 'JSON';
  /** Prices for cost estimates that override the price data file's (the `lambdaTrigger.pricing` setting). */
  pricing?: PricingOverride;
  /**
   * false: the event source mappings stay disabled, so queues and streams can be inspected and changed without
   * functions picking messages up (the CLI's `queues` commands). Default true.
   */
  eventSourceMappings?: boolean;
  /**
   * Deliveries of one event a run follows when its source would retry it until it expires (the
   * `lambdaTrigger.followDeliveries` setting, the CLI's --follow); default 5.
   */
  followDeliveries?: number;
  /**
   * What handlers' AWS SDK calls to services the runner does not simulate get (the `lambdaTrigger.awsCredentials`
   * setting, the CLI's --aws-profile / --aws-credentials): none (default: they fail at once, saying so), the user's
   * profile, or the user's credential variables.
   */
  awsCredentials?: AwsCredentialsMode;
  /** The port of the local AWS endpoint (the `lambdaTrigger.awsEndpoint.port` setting); 0 (default): a free one. */
  awsEndpointPort?: number;
  /** Where the user's credentials and profile files are found when they are passed (default process.env). */
  userEnv?: NodeJS.ProcessEnv;
}

export type InvocationMode = 'sync' | 'async' | 'batch';

/** What a front that answers HTTP requests adds to a synchronous invocation (the HTTP front). */
export interface SyncRequestOptions {
  /** Where the invocation came from (`apigateway`, `alb`, `lambda-url`), and the record it continues. */
  source?: RecordSource;
  /** The HTTP request, kept in the record; its response is added once the client has it. */
  http?: HttpExchange;
  /** NODE-11: told of a streamed response as it arrives. */
  responseStream?: ResponseStreamListener;
  /**
   * Called with the finished record just before the engine saves it: the HTTP front answers its client there and
   * returns that response, which the record keeps. Only an engine in this process calls it.
   */
  answer?: (record: InvocationRecord) => HttpExchange['response'];
}

/** The triggers `batch` mode can send through: the poll-based event source mappings (section 1). */
export type PollTrigger = Extract<EventTrigger, { kind: PollSourceKind }>;

const POLL_SOURCE_LABELS: Record<PollSourceKind, string> = {
  sqs: 'SQS',
  kinesis: 'Kinesis',
  dynamodb: 'DynamoDB Streams',
  kafka: 'Kafka',
  mq: 'Amazon MQ',
};

/** The function's enabled poll-based triggers, in template order. */
export function pollTriggersOf(fn: FunctionConfig): PollTrigger[] {
  return fn.triggers.filter(
    (t): t is PollTrigger => t.enabled && Object.prototype.hasOwnProperty.call(POLL_SOURCE_LABELS, t.kind),
  );
}

/** Runs a function by name through the environment pool (the engine's runtime port). */
class PoolInvoker implements FunctionInvoker {
  /** Debug options for the next invocation of a function (LocalAccount.debug sets them just before invoking). */
  private readonly debugNext = new Map<string, DebugOptions>();

  constructor(
    private readonly pool: EnvironmentPool,
    /** The runtime reads its narrow view (FunctionSpec) of each function straight from the model. */
    private readonly functions: ReadonlyMap<string, FunctionConfig>,
    /** DURABLE-15: the durable executions started under the debugger, whose every invocation runs under it. */
    readonly debuggedExecutions: DebuggedExecutions,
  ) {}

  debugNextInvocation(functionName: string, debug: DebugOptions | undefined): void {
    if (debug) this.debugNext.set(functionName, debug);
    else this.debugNext.delete(functionName);
  }

  concurrencyLimit(): number {
    return this.pool.concurrencyLimit();
  }

  invoke(
    functionName: string,
    payloadJson: string,
    opts: { requestId: string; signal?: AbortSignal; responseStream?: ResponseStreamListener },
  ): Promise<InvokeOutcome> {
    const spec = this.functions.get(functionName);
    if (!spec) return Promise.reject(new AccountRequestError(`No function named "${functionName}" in this workspace.`));
    const asked = this.debugNext.get(functionName);
    this.debugNext.delete(functionName);
    const debug = spec.durableConfig ? this.debuggedExecutions.optionsFor(payloadJson, asked) : asked;
    // The engine produced or parsed every payload it passes on (FunctionInvoker).
    const { responseStream, ...rest } = opts;
    return this.pool.invoke(spec, payloadJson, {
      ...rest,
      payloadIsJson: true,
      ...(debug ? { debug } : {}),
      ...(responseStream
        ? {
            onResponseChunk: (chunk: Buffer) => responseStream.chunk(chunk),
            onResponsePrelude: (prelude: Record<string, unknown>, type: string) =>
              responseStream.prelude(prelude, type),
          }
        : {}),
    });
  }
}

/** Where a workspace's durable store lives. */
export function workspaceStoreDir(workspaceRoot: string): string {
  return path.join(workspaceRoot, '.lambda-trigger', 'store');
}

export class LocalAccount {
  private constructor(
    readonly engine: InvocationEngine,
    /** The account's simulated queues, topics, buses, streams, Kafka topics, broker queues and buckets. */
    readonly services: LocalServices,
    readonly pool: EnvironmentPool,
    private readonly functionsByName: ReadonlyMap<string, FunctionConfig>,
    readonly location: AwsLocation,
    private readonly invoker: PoolInvoker,
    private readonly awsOptions: {
      storeDir: string;
      mode: AwsCredentialsMode;
      port: number;
      userEnv: NodeJS.ProcessEnv;
    },
  ) {}

  /** The local AWS endpoint, started on first need (the first environment, or the first ask); one start shared. */
  private awsEndpointStart: Promise<AwsEndpoint> | undefined;
  private disposed = false;
  /** Calls through the endpoint that put something into a service or started an invocation, so far. */
  private sdkWork = 0;

  /**
   * The local AWS endpoint of this account (started now if no handler needed it yet): its URL, and the access key
   * handlers sign with, which scripts and the AWS CLI can use too (`aws --endpoint-url <url> sqs send-message ...`).
   */
  async awsEndpoint(): Promise<AwsEndpointInfo> {
    return (await this.startAwsEndpoint()).info;
  }

  private startAwsEndpoint(): Promise<AwsEndpoint> {
    if (this.disposed) return Promise.reject(new Error('The local account is closed.'));
    this.awsEndpointStart ??= (async () => {
      const { storeDir, mode, port, userEnv } = this.awsOptions;
      const passed = passedKeyOf(mode, userEnv);
      let key;
      try {
        key = loadEndpointKey(storeDir);
      } catch (err) {
        throw new Error(
          `The local AWS endpoint cannot keep its key in ${storeDir}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      try {
        return await AwsEndpoint.start({
          account: this.awsPort(),
          key,
          ...(passed ? { acceptedKeys: [passed] } : {}),
          port,
        });
      } catch (err) {
        const where =
          port === 0 ? 'a free port of 127.0.0.1' : `127.0.0.1:${port} (the lambdaTrigger.awsEndpoint.port setting)`;
        throw new Error(
          `The local AWS endpoint cannot listen on ${where}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    })();
    // A failed start (a configured port in use) is tried again on the next need.
    this.awsEndpointStart.catch(() => (this.awsEndpointStart = undefined));
    return this.awsEndpointStart;
  }

  /** What the endpoint's services use of this account. */
  private awsPort(): LocalAwsAccount {
    return {
      location: this.location,
      services: this.services,
      engine: this.engine,
      functions: () => this.functions(),
      atConcurrencyLimit: (name) => this.pool.atConcurrencyLimit(name),
      onSdkWork: () => {
        this.sdkWork++;
      },
    };
  }

  /** The variables a function's environments get for their SDK calls (asked by the pool before each starts). */
  private async sdkAccessFor(functionName: string) {
    const endpoint = await this.startAwsEndpoint();
    return handlerAwsAccess({
      endpoint: endpoint.info,
      mode: this.awsOptions.mode,
      userEnv: this.awsOptions.userEnv,
      functionName,
      accountId: this.location.accountId,
      localQueue: (name) => localResourceName(name, this.services.resourceNames('sqs')),
    });
  }

  /**
   * A synchronous invocation in a dedicated environment with the debugger listening (Node inspector or debugpy):
   * `debug.onListening` gets the attach configuration; no timeout applies while paused. The record is the engine's.
   * DURABLE-15: for a durable function, every invocation of the execution it starts (replays included, each in an
   * environment of its own) runs under the debugger too, and calls `onListening` again.
   */
  async debug(functionName: string, payloadJson: string, debug: DebugOptions): Promise<InvocationRecord> {
    const fn = this.function(functionName);
    this.invoker.debugNextInvocation(fn.name, debug);
    try {
      return await this.engine.invokeSync(fn.name, payloadJson);
    } finally {
      this.invoker.debugNextInvocation(fn.name, undefined);
    }
  }

  static async open(options: LocalAccountOptions): Promise<LocalAccount> {
    const location = options.location;
    const byName = new Map<string, FunctionConfig>();
    for (const fn of options.functions) if (!byName.has(fn.name)) byName.set(fn.name, fn);
    const storeDir = options.storeDir ?? workspaceStoreDir(options.workspaceRoot);
    const store = await DurableStore.open(storeDir, {
      ...(options.storeOwner ? { owner: options.storeOwner } : {}),
      ...(options.onStoreWarning ? { onWarning: options.onStoreWarning } : {}),
    });
    const pool = new EnvironmentPool({
      bootstrapDir: options.bootstrapDir,
      // Handlers' SDK calls go to the account's AWS endpoint, started before the first environment needs it.
      sdkAccess: (spec) => {
        if (!opened) return Promise.resolve(undefined);
        return opened.sdkAccessFor(spec.name);
      },
      location,
      ...(options.logFormat ? { logFormat: options.logFormat } : {}),
      workspaceRoot: options.workspaceRoot,
      ...(options.confineCodeToWorkspace === false ? {} : { codeBoundary: options.workspaceRoot }),
      ...(options.pythonInterpreter ? { pythonInterpreter: options.pythonInterpreter } : {}),
      ...(options.nodeExecutable ? { nodeExecutable: options.nodeExecutable } : {}),
      ...(options.onRuntimeProgress ? { onProgress: options.onRuntimeProgress } : {}),
    });
    let opened: LocalAccount | undefined;
    const invoker = new PoolInvoker(
      pool,
      byName,
      new DebuggedExecutions((arn) => {
        const execution = opened?.engine.durable.find(arn);
        return execution !== undefined && !isClosed(execution);
      }),
    );
    try {
      const clock = new VirtualClock({ scale: options.timeScale ?? Number.POSITIVE_INFINITY });
      const services = new LocalServices({ store, clock, location });
      const engine = new InvocationEngine({
        invoker,
        services,
        clock,
        functions: [...byName.values()],
        eventSourceMappings: options.eventSourceMappings ?? true,
        pricing: lambdaPricing(location.region, options.pricing),
        ...(options.followDeliveries !== undefined ? { followDeliveries: options.followDeliveries } : {}),
      });
      opened = new LocalAccount(engine, services, pool, byName, location, invoker, {
        storeDir,
        mode: options.awsCredentials ?? NO_CREDENTIALS,
        port: options.awsEndpointPort ?? 0,
        userEnv: options.userEnv ?? process.env,
      });
      return opened;
    } catch (err) {
      pool.dispose();
      await store.close();
      throw err;
    }
  }

  functions(): FunctionConfig[] {
    return [...this.functionsByName.values()];
  }

  /** A function by its name or its physical name (`FunctionName`). */
  function(name: string): FunctionConfig {
    const fn = this.functionsByName.get(name) ?? functionNamed(this.functionsByName.values(), name);
    if (!fn) {
      const known = [...this.functionsByName.keys()];
      throw new AccountRequestError(
        `No function named "${name}". Known functions: ${known.length ? known.join(', ') : '(none)'}.`,
      );
    }
    return fn;
  }

  /**
   * Invokes `functionName` with `payload` the way its event source would: `sync` waits for the result, `async`
   * queues the event and waits until its retries, destinations and DLQ deliveries are done, `batch` puts the
   * records of an SQS, Kinesis, DynamoDB Streams, Kafka or MQ event on the function's source and waits until its
   * mapping has drained them, following events that would be retried until they expire only as far as the follow
   * horizon (followHorizon.ts); the function's events that earlier runs stopped following are followed again.
   * `faults` (sync and async only) injects ASYNC-1 / ASYNC-5 / ASYNC-6 faults.
   */
  async invoke(
    functionName: string,
    payloadJson: string,
    mode: InvocationMode,
    options: SyncRequestOptions & { signal?: AbortSignal; faults?: InjectedFaults } = {},
  ): Promise<InvocationRecord[]> {
    const fn = this.function(functionName);
    if ((options.http || options.responseStream || options.answer) && mode !== 'sync')
      throw new AccountRequestError('An HTTP request invokes its function synchronously.');
    const faults = faultNames(options.faults).length > 0 ? { faults: { ...options.faults } } : {};
    if (faults.faults && mode === 'batch')
      throw new AccountRequestError(
        'Faults apply to sync and async invocations; a batch goes through the event source mapping, which has none.',
      );
    if (faults.faults?.deliverTwice && mode === 'sync')
      throw new AccountRequestError(
        'deliverTwice is an asynchronous fault (Lambda delivers async events at least once); invoke async to use it.',
      );
    if (fn.durableConfig && mode !== 'batch') return this.invokeDurable(fn, payloadJson, mode, options);
    switch (mode) {
      case 'sync': {
        const sdkWorkBefore = this.sdkWork;
        const record = await this.engine.invokeSync(fn.name, payloadJson, {
          ...faults,
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.source ? { source: options.source } : {}),
          ...(options.http ? { http: options.http } : {}),
          ...(options.responseStream ? { responseStream: options.responseStream } : {}),
          ...(options.answer ? { answer: options.answer } : {}),
        });
        // The handler's SDK calls started work (a message its queue's consumer reads, an async invoke): the run
        // follows it, as it follows an async event's retries.
        if (this.sdkWork !== sdkWorkBefore) await this.engine.runUntilIdle();
        return [record];
      }
      case 'async': {
        const queued = await this.engine.invokeAsync(fn.name, payloadJson, { ...faults, refusalAsRecord: true });
        await this.engine.runUntilIdle();
        return [this.engine.record(queued.id) ?? queued];
      }
      case 'batch':
        return this.sendBatch(fn, payloadJson);
    }
  }

  /**
   * DURABLE-5: a durable function's invocation starts an execution, which the run follows until nothing is left to do
   * but wait for someone else (a callback, a deadline): the records of its invocations, first to last (a synchronous
   * start's first record with the execution's response once it has ended).
   */
  private async invokeDurable(
    fn: FunctionConfig,
    payloadJson: string,
    mode: 'sync' | 'async',
    options: SyncRequestOptions & { signal?: AbortSignal; faults?: InjectedFaults },
  ): Promise<InvocationRecord[]> {
    if (faultNames(options.faults).length > 0)
      throw new AccountRequestError(
        `${fn.name} is a durable function: faults apply to plain invocations; its executions retry failed invocations themselves.`,
      );
    const source = options.source ? { source: options.source } : {};
    const first =
      mode === 'sync'
        ? // DURABLE-14: an HTTP request keeps its exchange in the execution's first record; the front answers it with the execution's end.
          this.engine.invokeSync(fn.name, payloadJson, { ...source, ...(options.http ? { http: options.http } : {}) })
        : this.engine.invokeAsync(fn.name, payloadJson, { ...source, refusalAsRecord: true });
    // The run follows the execution (not tracked by the clock while it waits, so its waits pass).
    const [head] = await Promise.all([first, this.engine.runUntilIdle()]);
    await this.engine.runUntilIdle();
    const arn = head.execution?.arn;
    if (!arn) return [head];
    const story = this.engine
      .records()
      .filter((r) => r.execution?.arn === arn)
      .sort((a, b) => (a.execution?.invocation ?? 0) - (b.execution?.invocation ?? 0));
    const execution = this.engine.durable.find(arn);
    if (mode === 'sync' && execution && story[0])
      story[0] = { ...story[0], response: this.engine.durable.syncResponse(execution) };
    return story.length > 0 ? story : [head];
  }

  /**
   * Puts the records of a poll-based event on the source of the function's matching trigger (the one whose
   * kind the event's `eventSource` names, else the first), then runs the mappings until they are idle.
   */
  private async sendBatch(fn: FunctionConfig, payloadJson: string): Promise<InvocationRecord[]> {
    const triggers = pollTriggersOf(fn);
    if (triggers.length === 0) {
      throw new AccountRequestError(
        `${fn.name} has no poll-based trigger (SQS, Kinesis, DynamoDB Streams, Kafka or MQ) to send a batch through. Add one to its template (or lambda-trigger.json), or invoke it sync or async.`,
      );
    }
    const event = parseRequestEvent(payloadJson, 'payload');
    const kind = pollSourceOf(event);
    const trigger = kind ? triggers.find((t) => t.kind === kind) : triggers[0];
    if (!trigger) {
      throw new AccountRequestError(
        `The event comes from ${POLL_SOURCE_LABELS[kind!]}, but ${fn.name} is triggered by ${triggers
          .map((t) => `${POLL_SOURCE_LABELS[t.kind]} (${t.id})`)
          .join(', ')}.`,
      );
    }
    const before = new Set(this.engine.records().map((r) => r.id));
    this.engine.followAgain({ functionName: fn.name });
    try {
      await this.putOnSource(fn, trigger, payloadJson, event);
    } catch (err) {
      if (err instanceof AccountRequestError) throw err;
      // The source refused the records (size, partition key, DynamoDB JSON ...): bad input, said as such.
      throw new AccountRequestError(
        `${POLL_SOURCE_LABELS[trigger.kind]} (${trigger.id}) refused the event's records: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    await this.engine.runUntilIdle();
    return this.engine.records().filter((r) => !before.has(r.id) && r.functionName === fn.name);
  }

  private async putOnSource(fn: FunctionConfig, trigger: PollTrigger, payloadJson: string, event: unknown) {
    const source = triggerSourceName(fn, trigger);
    const { services } = this;
    switch (trigger.kind) {
      case 'sqs':
        await services.sendMessages(source, this.notQueuedYet(source, sqsMessagesOf(payloadJson)));
        return;
      case 'kinesis':
        await services.putKinesisRecords(source, kinesisRecordsOf(event));
        return;
      case 'dynamodb':
        await services.putDynamoDbChanges(source, dynamoDbChangesOf(event));
        return;
      case 'kafka': {
        if (trigger.topics.length === 0)
          throw new AccountRequestError(`${fn.name}'s Kafka trigger ${trigger.id} names no topic.`);
        const byTopic = new Map<string, Parameters<LocalServices['sendKafkaRecords']>[1]>();
        for (const { topic, record } of kafkaRecordsOf(event)) {
          // A template's sample topic stands for the trigger's topic when the trigger reads only one.
          const target = trigger.topics.includes(topic)
            ? topic
            : trigger.topics.length === 1
              ? trigger.topics[0]
              : undefined;
          if (!target)
            throw new AccountRequestError(
              `The event's topic "${topic}" is not one of ${fn.name}'s topics: ${trigger.topics.join(', ')}.`,
            );
          byTopic.set(target, [...(byTopic.get(target) ?? []), record]);
        }
        for (const [topic, records] of byTopic) await services.sendKafkaRecords(topic, records);
        return;
      }
      case 'mq': {
        const queue = trigger.queues[0];
        if (!queue) throw new AccountRequestError(`${fn.name}'s MQ trigger ${trigger.id} names no queue.`);
        await services.sendMqMessages(queue, mqMessagesOf(event), source);
        return;
      }
    }
  }

  /** True when the account has the resource (declared by a template, or left in the store by an earlier run). */
  hasResource(resource: EventResource): boolean {
    return this.localResource(resource) !== undefined;
  }

  /** The account's own resource an event's resource stands for (by name, or deployed name), if it has it. */
  localResource(resource: EventResource): EventResource | undefined {
    const name = localResourceName(resource.name, this.services.resourceNames(resource.kind));
    if (!name) return undefined;
    try {
      this.resourceOf({ ...resource, name });
      return { ...resource, name };
    } catch (err) {
      if (err instanceof ResourceNotFoundError) return undefined;
      throw err;
    }
  }

  /** The account's resource of that kind and name (or deployed name standing for it); throws when it has none. */
  private resourceOf(resource: EventResource): unknown {
    const { services } = this;
    const local = localResourceName(resource.name, services.resourceNames(resource.kind));
    if (local) resource = { ...resource, name: local };
    switch (resource.kind) {
      case 'sqs':
        return services.queue(resource.name);
      case 'kinesis':
        return services.stream('kinesis', resource.name);
      case 'dynamodb':
        return services.stream('dynamodb', resource.name);
      case 'sns':
        return services.topic(resource.name);
      case 'eventbridge':
        return services.bus(resource.name);
    }
  }

  /**
   * Puts the event's messages on the resource it names (its queue, stream, table, topic or bus), then runs until
   * whatever reads that resource is idle: the functions its mappings, subscriptions and rules invoke, as on AWS.
   * Resolves with the records that appeared.
   */
  async sendToResource(payloadJson: string): Promise<{ resource: EventResource; records: InvocationRecord[] }> {
    const event = parseRequestEvent(payloadJson, 'event');
    let resource = eventResourceOf(event);
    if (!resource)
      throw new AccountRequestError(
        'The event names no queue, stream, table, topic or bus to send it to (an eventSourceARN, a TopicArn, or an EventBridge source and detail-type).',
      );
    const local = localResourceName(resource.name, this.services.resourceNames(resource.kind));
    if (!local) {
      const known = this.services.resourceNames(resource.kind);
      throw new AccountRequestError(
        `The event is for the ${describeResource(resource)}, which this workspace does not have (it has: ${known.length ? known.join(', ') : 'none'}).`,
      );
    }
    resource = { ...resource, name: local };
    const before = new Set(this.engine.records().map((r) => r.id));
    const { services } = this;
    const arn = this.arnOf(resource);
    if (arn) this.engine.followAgain({ sourceArn: arn });
    try {
      switch (resource.kind) {
        case 'sqs':
          await services.sendMessages(resource.name, this.notQueuedYet(resource.name, sqsMessagesOf(payloadJson)));
          break;
        case 'kinesis':
          await services.putKinesisRecords(resource.name, kinesisRecordsOf(event));
          break;
        case 'dynamodb':
          await services.putDynamoDbChanges(resource.name, dynamoDbChangesOf(event));
          break;
        case 'sns':
          for (const p of snsPublishesOf(event))
            await services.publish(resource.name, p.message, {
              ...(p.subject ? { subject: p.subject } : {}),
              ...(p.messageAttributes ? { messageAttributes: p.messageAttributes } : {}),
            });
          break;
        case 'eventbridge':
          await services.putEvents(resource.name, [putEventsEntryOf(event)]);
          break;
      }
    } catch (err) {
      if (err instanceof AccountRequestError) throw err;
      throw new AccountRequestError(
        `The ${describeResource(resource)} refused the event: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    await this.engine.runUntilIdle();
    return { resource, records: this.engine.records().filter((r) => !before.has(r.id)) };
  }

  /** The ARN of a queue or stream an event names, which event source mappings read (undefined for the others). */
  private arnOf(resource: EventResource): string | undefined {
    switch (resource.kind) {
      case 'sqs':
        return this.services.queue(resource.name).arn;
      case 'kinesis':
      case 'dynamodb':
        return this.services.stream(resource.kind, resource.name).arn;
      default:
        return undefined;
    }
  }

  /**
   * The messages of an event that are not in the queue already. An event sent again while its messages are still
   * there (a run stopped following them) follows those messages instead of sending copies, which the queue would
   * refuse under the same ids; a different message under a taken id is still refused.
   */
  private notQueuedYet(queueName: string, inputs: SendMessageInput[]): SendMessageInput[] {
    const queue = this.services.queue(queueName);
    return inputs.filter((input) => {
      if (input.messageId === undefined) return true;
      const queued = queue.get(input.messageId);
      return !(queued && queued.body === input.body);
    });
  }

  /** Resolves once every execution environment's process has exited and the store is closed (its lock released). */
  /**
   * NODE-5: before the environments end, lets each throw what its handler left queued after the response, and adds
   * the errors they threw after a response (that no invocation carried) to the records of those attempts; resolves
   * with the records changed. A front that closes the account after an invocation (the CLI) calls it first.
   */
  async takeErrorsAfterResponse(): Promise<InvocationRecord[]> {
    const late = await this.pool.takeLateErrors();
    return this.engine.noteErrorsAfterResponse(
      late.map(({ lateError, log }) => ({ requestId: lateError.requestId, error: lateError.error, logs: log.lines })),
    );
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    try {
      const endpoint = await this.awsEndpointStart?.catch(() => undefined);
      await endpoint?.close();
      await this.pool.close();
    } finally {
      await this.engine.close();
    }
  }
}

interface SqsEventRecord {
  messageId?: unknown;
  body?: unknown;
  messageAttributes?: Record<string, { stringValue?: string; binaryValue?: string; dataType?: string }>;
  attributes?: { MessageGroupId?: string; MessageDeduplicationId?: string };
}

/** The event of a batch or a send, parsed; bad JSON and the runner's nesting limit are the caller's mistake. */
function parseRequestEvent(payloadJson: string, what: 'payload' | 'event'): unknown {
  const tooDeep = payloadTooDeepMessage(payloadJson);
  if (tooDeep) throw new AccountRequestError(`${tooDeep}.`);
  try {
    return JSON.parse(payloadJson) as unknown;
  } catch (err) {
    throw new AccountRequestError(`The ${what} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The messages of an SQS event (`{"Records": [...]}`), or the payload itself as one message body. A record keeps its
 * message id, message attributes, MessageGroupId and MessageDeduplicationId, so a handler's reported failures match
 * the ids its fixture gives; the queue refuses an id it already holds.
 */
export function sqsMessagesOf(payloadJson: string): SendMessageInput[] {
  const parsed = parseRequestEvent(payloadJson, 'payload');
  const records = (parsed as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records)) return [{ body: payloadJson }];
  return (records as SqsEventRecord[]).map((r, i) => {
    if (typeof r?.body !== 'string')
      throw new AccountRequestError(`Records[${i}].body must be a string (the SQS message body).`);
    if (r.messageId !== undefined && (typeof r.messageId !== 'string' || r.messageId === ''))
      throw new AccountRequestError(`Records[${i}].messageId must be a non-empty string.`);
    const attributes = Object.entries(r.messageAttributes ?? {}).map(([name, a]) => [
      name,
      {
        DataType: a.dataType ?? 'String',
        ...(a.stringValue !== undefined ? { StringValue: a.stringValue } : {}),
        ...(a.binaryValue !== undefined ? { BinaryValue: a.binaryValue } : {}),
      },
    ]);
    return {
      ...(typeof r.messageId === 'string' ? { messageId: r.messageId } : {}),
      body: r.body,
      ...(attributes.length
        ? { messageAttributes: Object.fromEntries(attributes) as Record<string, { DataType: string }> }
        : {}),
      ...(r.attributes?.MessageGroupId ? { messageGroupId: r.attributes.MessageGroupId } : {}),
      ...(r.attributes?.MessageDeduplicationId ? { messageDeduplicationId: r.attributes.MessageDeduplicationId } : {}),
    };
  });
}
