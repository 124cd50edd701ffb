/**
 * The invocation engine: synchronous and asynchronous invocation and the event source mappings of a set of
 * functions, on the virtual clock, over the simulated services (which hold the queues, streams and topics the
 * mappings read and the destinations write to). Everything it does ends up in InvocationRecords, announced
 * through onRecord.
 */
import type { AwsLocation } from '../awsLocation';
import type { EventTrigger } from '../discovery/functionConfig';
import { functionArn } from '../resourceArn';
import { declareFunctionResources, resourceName, triggerSourceName } from '../services/functionResources';
import type { LocalServices } from '../services/localServices';
import type { DurableStore } from '../store/durableStore';
import { AsyncInvocationQueue } from './asyncInvocation';
import type { AsyncInvokeOptions, EngineContext } from './engineContext';
import type { EngineFunction, FunctionInvoker } from './engineFunction';
import { DEFAULT_FOLLOW_DELIVERIES, MAX_FOLLOW_DELIVERIES, MIN_FOLLOW_DELIVERIES } from './followHorizon';
import { FunctionConcurrency } from './functionAttempt';
import { invocationCost, lambdaPricing, type LambdaPricing } from './invocationCost';
import { InvocationHistory } from './invocationHistory';
import { randomUUID } from 'node:crypto';
import {
  newInvocationRecord,
  timePoint,
  type HttpExchange,
  type InvocationRecord,
  type RecordSource,
} from './invocationRecord';
import { KafkaSource, kafkaMappingOptions } from './kafkaEventSourceMapping';
import { LambdaServiceError } from './lambdaServiceError';
import { MqSource, mqMappingOptions } from './mqEventSourceMapping';
import { SqsEventSourceMapping, sqsLambdaRecord } from './sqsEventSourceMapping';
import { StreamEventSourceMapping, streamMappingOptions, type ShardPosition } from './streamEventSourceMapping';
import { DynamoDbSource, KinesisSource } from './streamSources';
import { DurableExecutions, isDurable, type DurableFunction } from './durable/durableExecutions';
import { invokeSync, type SyncInvokeOptions } from './syncInvocation';
import type { VirtualClock } from './virtualClock';
import type { FunctionErrorPayload, LogLine } from '../runtime/outcome';

export interface InvocationEngineOptions {
  invoker: FunctionInvoker;
  /** The account's simulated resources; the engine declares what its functions' triggers and targets name. */
  services: LocalServices;
  /** The same clock the services stamp messages with. */
  clock: VirtualClock;
  /** The functions: narrow views of discovery's FunctionConfig. */
  functions: readonly EngineFunction[];
  /** Finished records kept in the history (default 1000). */
  historyLimit?: number;
  /** The prices estimates use (default: the data file's, for the account's Region). */
  pricing?: LambdaPricing;
  /**
   * false: the event source mappings never start, so queues and streams can be looked at and changed without
   * functions receiving their messages (the CLI's `queues` commands). Default true.
   */
  eventSourceMappings?: boolean;
  /**
   * Deliveries of one event a run follows when its source would retry it until it expires (followHorizon.ts):
   * default 5.
   */
  followDeliveries?: number;
}

export class InvocationEngine implements EngineContext {
  readonly clock: VirtualClock;
  readonly store: DurableStore;
  readonly invoker: FunctionInvoker;
  readonly location: AwsLocation;
  readonly services: LocalServices;
  readonly history: InvocationHistory;
  readonly concurrency = new FunctionConcurrency();
  private readonly functions = new Map<string, EngineFunction>();
  /** Functions by the physical name their template gives them (`FunctionName`), which works wherever the name does. */
  private readonly byPhysicalName = new Map<string, EngineFunction>();
  private readonly sqsMappings: SqsEventSourceMapping[] = [];
  /** Kinesis, DynamoDB, Kafka and MQ mappings: ordered, checkpointed (STREAM-1, KAFKA-1, MQ-1). */
  private readonly orderedMappings: StreamEventSourceMapping[] = [];
  private readonly asyncQueue: AsyncInvocationQueue;
  /** DURABLE-1..15: the executions of durable functions, and the service APIs their SDK calls. */
  readonly durable: DurableExecutions;
  private followHorizon = DEFAULT_FOLLOW_DELIVERIES;

  constructor(options: InvocationEngineOptions) {
    if (options.services.clock !== options.clock) throw new Error('The engine and the services must share one clock.');
    if (options.followDeliveries !== undefined) this.setFollowDeliveries(options.followDeliveries);
    this.invoker = options.invoker;
    this.services = options.services;
    this.store = options.services.store;
    this.location = options.services.location;
    this.clock = options.clock;
    const pricing = options.pricing ?? lambdaPricing(this.location.region);
    this.history = new InvocationHistory(this.store, options.historyLimit ?? 1000, (record) =>
      invocationCost(record, this.functions.get(record.functionName)?.architecture ?? 'x86_64', pricing),
    );
    // Simulated time never goes back across restarts.
    const savedTime = this.store.get<number>('meta', 'clock');
    if (savedTime !== undefined) this.clock.advanceTo(savedTime);
    // Kept with the records, at the commit that writes them (a record saved many times between two writes, once).
    let recordsSaved = false;
    this.history.onRecord(() => (recordsSaved = true));
    this.store.onCommit(() => {
      if (!recordsSaved) return;
      recordsSaved = false;
      this.store.put('meta', 'clock', this.clock.now());
    });
    for (const fn of options.functions) {
      if (!fn.name) throw new Error('Every function needs a name.');
      if (this.functions.has(fn.name)) throw new Error(`Function "${fn.name}" is configured twice.`);
      this.functions.set(fn.name, fn);
    }
    for (const fn of this.functions.values())
      if (fn.physicalName && !this.functions.has(fn.physicalName) && !this.byPhysicalName.has(fn.physicalName))
        this.byPhysicalName.set(fn.physicalName, fn);
    declareFunctionResources(this.services, options.functions);
    this.services.connectFunctions({
      invokeAsync: (name, payloadJson, source) => this.enqueueAsync(name, payloadJson, { source }).id,
    });
    for (const fn of this.functions.values()) this.mapTriggers(fn);
    if (options.eventSourceMappings === false) {
      for (const m of this.sqsMappings) m.disable();
      for (const m of this.orderedMappings) m.disable();
    }
    this.asyncQueue = new AsyncInvocationQueue(this);
    this.durable = new DurableExecutions(this);
    this.closeInterruptedRecords();
    // Whatever was pending when the process stopped carries on.
    this.asyncQueue.resume();
    this.durable.resume();
    for (const mapping of this.sqsMappings) mapping.resume();
    for (const mapping of this.orderedMappings) mapping.resume();
  }

  /** One event source mapping per enabled poll-based trigger (per topic or broker queue for Kafka and MQ). */
  private mapTriggers(fn: EngineFunction): void {
    const add = (mapping: StreamEventSourceMapping): void => {
      if (this.orderedMappings.some((m) => m.id === mapping.id))
        throw new Error(`Event source mapping "${mapping.id}" is configured twice.`);
      this.orderedMappings.push(mapping);
    };
    for (const trigger of fn.triggers) {
      if (!trigger.enabled) continue;
      const source = triggerSourceName(fn, trigger);
      switch (trigger.kind) {
        case 'sqs':
          this.sqsMappings.push(new SqsEventSourceMapping(this, fn, trigger, this.services.queue(source)));
          break;
        case 'kinesis':
          add(
            new StreamEventSourceMapping(
              this,
              fn,
              streamMappingOptions(fn, trigger, this.location),
              new KinesisSource(this.services.stream('kinesis', source)),
            ),
          );
          break;
        case 'dynamodb':
          add(
            new StreamEventSourceMapping(
              this,
              fn,
              streamMappingOptions(fn, trigger, this.location),
              new DynamoDbSource(this.services.stream('dynamodb', source)),
            ),
          );
          break;
        case 'kafka': {
          const cluster = resourceName(trigger.cluster) ?? 'local-cluster';
          for (const topic of trigger.topics)
            add(
              new StreamEventSourceMapping(
                this,
                fn,
                kafkaMappingOptions(fn, trigger, topic, this.location),
                new KafkaSource(this.services.ensureKafkaTopic({ name: topic }), trigger, cluster, this.location),
              ),
            );
          break;
        }
        case 'mq':
          for (const queue of trigger.queues)
            add(
              new StreamEventSourceMapping(
                this,
                fn,
                mqMappingOptions(fn, trigger, source, queue),
                new MqSource(this.services.ensureMqQueue(source, queue), trigger, this.location),
              ),
            );
          break;
        default:
          break; // sync and async sources invoke the function directly
      }
    }
  }

  /**
   * After a restart, a record still running belonged to the stopped process: a synchronous caller that is gone, or a
   * batch whose messages and stream records come back by themselves (at least once). It ends as Interrupted instead
   * of running forever. Pending async events keep their records: their attempt runs again.
   */
  private closeInterruptedRecords(): void {
    const resumed = new Set(this.asyncQueue.pending().map((e) => e.recordId));
    const end = timePoint(this.clock.now());
    for (const record of this.history.list()) {
      if (record.status !== 'running' || resumed.has(record.id)) continue;
      record.status = 'failed';
      record.condition = 'Interrupted';
      record.end = end;
      this.history.save(record);
    }
  }

  // ---- EngineContext ----

  /** A function by its name or its physical name (an ARN's, a destination's, a caller's). */
  functionOf(name: string): EngineFunction {
    const fn = this.functions.get(name) ?? this.byPhysicalName.get(name);
    if (!fn)
      throw new LambdaServiceError(
        'ResourceNotFoundException',
        404,
        `Function not found: ${functionArn(name, this.location)}`,
      );
    return fn;
  }

  enqueueAsync(functionName: string, payloadJson: string, options?: AsyncInvokeOptions): InvocationRecord {
    const fn = this.functionOf(functionName);
    if (isDurable(fn)) return this.startDurable(fn, payloadJson, 'async', options ?? {}).record;
    return this.asyncQueue.enqueue(functionName, payloadJson, options);
  }

  /**
   * DURABLE-5: a durable function's invocation starts an execution (or finds the one its name started): the record is
   * its first invocation's; a refused start (a bad payload or name, a name taken with another input) is a rejected
   * record, or a LambdaServiceError when the caller wants one.
   */
  private startDurable(
    fn: DurableFunction,
    payloadJson: string,
    startedBy: 'sync' | 'async',
    options: {
      source?: RecordSource | undefined;
      durableExecutionName?: string | undefined;
      refusalAsRecord?: boolean;
      /** DURABLE-14: the HTTP front's request, kept in the first record. */
      http?: HttpExchange | undefined;
    },
  ): { record: InvocationRecord; arn?: string } {
    const now = timePoint(this.clock.now());
    try {
      const { execution } = this.durable.start(fn, payloadJson, {
        startedBy,
        ...(options.source ? { source: options.source } : {}),
        ...(options.durableExecutionName !== undefined ? { name: options.durableExecutionName } : {}),
        ...(options.http ? { http: options.http } : {}),
      });
      const head = this.history.get(execution.recordIds[0] ?? '');
      if (head) return { record: head, arn: execution.arn };
      // Throttled before its first invocation: the execution is queued for one.
      const queued = newInvocationRecord({
        id: randomUUID(),
        functionName: fn.name,
        mode: startedBy,
        source: options.source,
        configuration: { values: {}, origins: {} },
        event: null,
        status: 'queued',
        start: now,
      });
      return { record: queued, arn: execution.arn };
    } catch (error) {
      if (!(error instanceof LambdaServiceError) || (startedBy === 'async' && !options.refusalAsRecord)) throw error;
      const record = newInvocationRecord({
        id: randomUUID(),
        functionName: fn.name,
        mode: startedBy,
        source: options.source,
        configuration: { values: {}, origins: {} },
        event: { truncatedPayload: payloadJson.slice(0, 1024), sizeBytes: Buffer.byteLength(payloadJson) },
        status: 'rejected',
        start: now,
      });
      record.response = { StatusCode: error.statusCode, errorType: error.errorType, errorMessage: error.message };
      record.end = now;
      if (options.http) record.http = options.http;
      this.history.save(record);
      return { record };
    }
  }

  /** DURABLE-5: a synchronous start waits for the execution's end (15 simulated minutes at most). */
  private async invokeDurableSync(
    fn: DurableFunction,
    payloadJson: string,
    options: SyncInvokeOptions,
  ): Promise<InvocationRecord> {
    const { record, arn } = this.startDurable(fn, payloadJson, 'sync', { ...options, refusalAsRecord: true });
    if (!arn) return record;
    const execution = await this.durable.waitForEnd(arn);
    await this.store.flush();
    const head = structuredClone(this.history.get(execution.recordIds[0] ?? '') ?? record);
    head.response = this.durable.syncResponse(execution);
    return head;
  }

  // ---- public API ----

  /** SYNC-1..8. Rejects (LambdaServiceError) for an unknown function; every other outcome is in the record. */
  invokeSync(functionName: string, payloadJson: string, options?: SyncInvokeOptions): Promise<InvocationRecord> {
    let fn: EngineFunction;
    try {
      fn = this.functionOf(functionName);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    // Not tracked: the clock must run on while the caller waits for the execution's waits.
    if (isDurable(fn) && !options?.dryRun) return this.invokeDurableSync(fn, payloadJson, options ?? {});
    // Its record is history, written with the next group commit: the caller does not wait for the disk.
    return this.clock.track(invokeSync(this, functionName, payloadJson, options));
  }

  /**
   * The HTTP front's answer to the request a sync record came from (set once the client has it): the record is saved
   * again, so the panel shows it. Unknown ids (a record trimmed from the history meanwhile) are ignored.
   */
  setHttpResponse(recordId: string, response: NonNullable<HttpExchange['response']>): Promise<void> {
    const record = this.history.get(recordId);
    if (!record?.http) return Promise.resolve();
    record.http = { ...record.http, response };
    // History, like the sync record it completes: written with the next group commit.
    this.history.save(record);
    return Promise.resolve();
  }

  /** ASYNC-1: resolves (202) once the event is durably queued; the function runs on the virtual clock. */
  async invokeAsync(
    functionName: string,
    payloadJson: string,
    options?: AsyncInvokeOptions,
  ): Promise<InvocationRecord> {
    // A snapshot: the live record keeps changing as the clock runs (use record(id) or onRecord for that).
    const record = structuredClone(this.enqueueAsync(functionName, payloadJson, options));
    await this.store.flush();
    return record;
  }

  /**
   * Replays a queued message to any function: a JSON body (an async DLQ holds the original event, ASYNC-9) is
   * the event; any other body is wrapped in an SQS event.
   */
  async replayMessage(
    queueName: string,
    messageId: string,
    functionName: string,
    mode: 'sync' | 'async' = 'async',
  ): Promise<InvocationRecord> {
    const queue = this.services.queue(queueName);
    const message = queue.get(messageId);
    if (!message) throw new Error(`Message ${messageId} is not in queue ${queue.name}.`);
    let payload = message.body;
    try {
      JSON.parse(payload);
    } catch {
      payload = JSON.stringify({ Records: [sqsLambdaRecord(queue, message, this.location.region)] });
    }
    const source: RecordSource = { type: 'replay', arn: queue.arn };
    const parentRecordId = message.lastRecordId ?? message.causeRecordId;
    if (parentRecordId) source.parentRecordId = parentRecordId;
    return mode === 'sync'
      ? this.invokeSync(functionName, payload, { source })
      : this.invokeAsync(functionName, payload, { source });
  }

  /** The function's enabled poll-based triggers read these: the SQS queue, stream, Kafka topic or broker queue. */
  triggerSource(functionName: string, trigger: EventTrigger): string {
    return triggerSourceName(this.functionOf(functionName), trigger);
  }

  /** Checkpoints of every ordered mapping (or one), per shard and ParallelizationFactor lane. */
  streamPositions(mappingId?: string): ShardPosition[] {
    return this.orderedMappings
      .filter((m) => mappingId === undefined || m.id === mappingId)
      .flatMap((m) => m.positions());
  }

  /** Runs the virtual clock until nothing is pending or in flight, then makes sure everything is on disk. */
  async runUntilIdle(): Promise<void> {
    await this.clock.runUntilIdle();
    await this.store.flush();
  }

  setTimeScale(scale: number): void {
    this.clock.setScale(scale);
  }

  get followDeliveries(): number {
    return this.followHorizon;
  }

  /** The follow horizon (followHorizon.ts); a change applies to the next delivery. */
  setFollowDeliveries(deliveries: number): void {
    if (!Number.isInteger(deliveries) || deliveries < MIN_FOLLOW_DELIVERIES || deliveries > MAX_FOLLOW_DELIVERIES)
      throw new RangeError(
        `The follow horizon must be a whole number of deliveries from ${MIN_FOLLOW_DELIVERIES} to ${MAX_FOLLOW_DELIVERIES}, got ${deliveries}.`,
      );
    this.followHorizon = deliveries;
  }

  /**
   * A run starts following again the events that earlier runs stopped following (followHorizon.ts), in the mappings
   * of one function or of one source (queue, stream, topic or broker ARN): each gets the whole horizon again.
   */
  followAgain(which: { functionName?: string; sourceArn?: string }): void {
    const wanted = (functionName: string, arn: string): boolean =>
      (which.functionName === undefined || which.functionName === functionName) &&
      (which.sourceArn === undefined || which.sourceArn === arn);
    for (const m of this.sqsMappings) if (wanted(m.functionName, m.queue.arn)) m.followAgain();
    for (const m of this.orderedMappings) if (wanted(m.options.functionName, m.source.arn)) m.followAgain();
  }

  records(): InvocationRecord[] {
    return this.history.list();
  }

  record(id: string): InvocationRecord | undefined {
    return this.history.get(id);
  }

  /**
   * NODE-5: adds each error an environment threw after an attempt's response to that attempt's record (saved and
   * announced); resolves with the records changed once they are on disk.
   */
  async noteErrorsAfterResponse(
    errors: ReadonlyArray<{ requestId: string; error: FunctionErrorPayload; logs: LogLine[] }>,
  ): Promise<InvocationRecord[]> {
    const changed = new Map<string, InvocationRecord>();
    for (const { requestId, error, logs } of errors) {
      for (const record of this.history.list()) {
        const attempt = record.attempts.find((a) => a.requestId === requestId);
        if (!attempt) continue;
        attempt.errorAfterResponse = { error, logs };
        changed.set(record.id, record);
        break;
      }
    }
    for (const record of changed.values()) this.history.save(record);
    await this.store.flush();
    return [...changed.values()];
  }

  onRecord(listener: (record: InvocationRecord) => void): { dispose(): void } {
    return this.history.onRecord(listener);
  }

  pendingAsyncEvents(): number {
    return this.asyncQueue.pending().length;
  }

  async close(): Promise<void> {
    for (const m of this.sqsMappings) m.dispose();
    for (const m of this.orderedMappings) m.dispose();
    this.asyncQueue.dispose();
    this.clock.dispose();
    await this.store.close();
  }
}
