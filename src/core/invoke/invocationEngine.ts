/**
 * The invocation engine: one facade over sync, async and event-source-mapping semantics, the local targets
 * (SQS queues, SNS topics, EventBridge buses, Lambda functions, S3 folders), the virtual clock and the durable
 * store. Everything it does ends up in InvocationRecords, announced through onRecord.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DurableStore } from '../store/durableStore';
import { AsyncInvocationQueue } from './asyncInvocation';
import { eventBridgeDetailType } from './destinationRecord';
import type { AsyncInvokeOptions, DeliveryInput, EngineContext } from './engineContext';
import { EventBus, type EventBridgeEvent, type PutEventsEntry } from './eventBus';
import { FunctionConcurrency } from './functionAttempt';
import { DynamoDbStream, type DynamoDbChange } from './dynamoDbStream';
import { compileFilterCriteria } from './filterCriteria';
import type {
  EngineConfiguration,
  FunctionInvoker,
  KafkaTopicSettings,
  LambdaFunctionSettings,
  QueueSettings,
  StreamSettings,
} from './functionSettings';
import { KafkaSource, kafkaMappingOptions } from './kafkaEventSourceMapping';
import { KafkaTopic, type KafkaRecordMetadata, type SendKafkaRecordInput } from './kafkaTopic';
import { KinesisStream, type PutKinesisRecordInput, type PutKinesisRecordResult } from './kinesisStream';
import { MqBrokerQueue, type SendMqMessageInput } from './mqBrokerQueue';
import { MqSource, mqMappingOptions } from './mqEventSourceMapping';
import type { ShardLog } from './shardLog';
import { StreamEventSourceMapping, streamMappingOptions, type ShardPosition } from './streamEventSourceMapping';
import { InvocationHistory } from './invocationHistory';
import { timePoint, type DeliveryRecord, type InvocationRecord, type RecordSource } from './invocationRecord';
import { LambdaServiceError } from './lambdaServiceError';
import type { AwsLocation } from '../awsLocation';
import { functionArn, parseTargetArn } from '../resourceArn';
import { SnsTopic } from './snsTopic';
import { SqsEventSourceMapping } from './sqsEventSourceMapping';
import { SqsQueue, type MessageAttributeValue, type SendMessageInput, type SqsMessage } from './sqsQueue';
import { invokeSync, type SyncInvokeOptions } from './syncInvocation';
import { VirtualClock } from './virtualClock';

export interface InvocationEngineOptions {
  invoker: FunctionInvoker;
  store: DurableStore;
  configuration: EngineConfiguration;
  /** Default: an instant clock. */
  clock?: VirtualClock;
  location: AwsLocation;
  /** Finished records kept in the history (default 1000). */
  historyLimit?: number;
  /** Local folder that stands in for S3 buckets (on-failure destinations). Default: `<store>/../s3`. */
  s3Directory?: string;
}

export interface QueueSummary {
  name: string;
  arn: string;
  fifo: boolean;
  visible: number;
  inFlight: number;
  total: number;
  /** Queues whose redrive policy points here. */
  deadLetterQueueOf: string[];
}

export interface StreamSummary {
  type: 'kinesis' | 'dynamodb';
  name: string;
  arn: string;
  shards: Array<{ shardId: string; records: number; latestSequenceNumber: string | null }>;
}

export class InvocationEngine implements EngineContext {
  readonly clock: VirtualClock;
  readonly store: DurableStore;
  readonly invoker: FunctionInvoker;
  readonly location: AwsLocation;
  readonly history: InvocationHistory;
  readonly concurrency = new FunctionConcurrency();
  private readonly functions = new Map<string, LambdaFunctionSettings>();
  private readonly queues = new Map<string, SqsQueue>();
  private readonly topics = new Map<string, SnsTopic>();
  private readonly buses = new Map<string, EventBus>();
  private readonly sqsMappings: SqsEventSourceMapping[] = [];
  private readonly streams = new Map<string, KinesisStream | DynamoDbStream>();
  private readonly kafkaTopics = new Map<string, KafkaTopic>();
  private readonly mqQueues = new Map<string, MqBrokerQueue>();
  /** Kinesis, DynamoDB, Kafka and MQ mappings: ordered, checkpointed (STREAM-1, KAFKA-1, MQ-1). */
  private readonly orderedMappings: StreamEventSourceMapping[] = [];
  private readonly asyncQueue: AsyncInvocationQueue;
  private readonly s3Directory: string;

  constructor(options: InvocationEngineOptions) {
    this.invoker = options.invoker;
    this.store = options.store;
    this.clock = options.clock ?? new VirtualClock();
    this.location = options.location;
    this.history = new InvocationHistory(this.store, options.historyLimit ?? 1000);
    this.s3Directory = options.s3Directory ?? path.join(path.dirname(this.store.directory), 's3');
    // Simulated time never goes back across restarts.
    const savedTime = this.store.get<number>('meta', 'clock');
    if (savedTime !== undefined) this.clock.advanceTo(savedTime);
    this.history.onRecord(() => this.store.put('meta', 'clock', this.clock.now()));
    this.configure(options.configuration);
    this.asyncQueue = new AsyncInvocationQueue(this);
    this.closeInterruptedRecords();
    // Whatever was pending when the process stopped carries on.
    this.asyncQueue.resume();
    for (const mapping of this.sqsMappings) mapping.resume();
    for (const mapping of this.orderedMappings) mapping.resume();
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

  private configure(config: EngineConfiguration): void {
    for (const fn of config.functions) {
      if (!fn.name) throw new Error('Every function needs a name.');
      if (this.functions.has(fn.name)) throw new Error(`Function "${fn.name}" is configured twice.`);
      this.functions.set(fn.name, fn);
    }
    for (const q of config.queues ?? []) this.addQueue(q);
    for (const t of config.topics ?? []) this.topics.set(t.name, new SnsTopic(t, this.location));
    for (const b of config.buses ?? []) this.buses.set(b.name, new EventBus(b, this.location));
    if (!this.buses.has('default'))
      this.buses.set('default', new EventBus({ name: 'default', rules: [] }, this.location));
    for (const m of config.sqsMappings ?? []) {
      this.functionSettings(m.functionName);
      this.sqsMappings.push(new SqsEventSourceMapping(this, m, this.queue(m.queueName)));
    }
    for (const st of config.streams ?? []) this.addStream(st);
    for (const t of config.kafkaTopics ?? []) this.addKafkaTopic(t);
    const ids = new Set<string>();
    const addOrdered = (mapping: StreamEventSourceMapping): void => {
      if (ids.has(mapping.id)) throw new Error(`Event source mapping "${mapping.id}" is configured twice.`);
      ids.add(mapping.id);
      this.orderedMappings.push(mapping);
    };
    for (const m of config.streamMappings ?? []) {
      this.functionSettings(m.functionName);
      const stream =
        this.streams.get(`${m.source.type}:${m.source.name}`) ??
        this.addStream({ type: m.source.type, name: m.source.name });
      addOrdered(
        new StreamEventSourceMapping(this, streamMappingOptions(m, compileFilterCriteria(m.filterCriteria)), stream),
      );
    }
    for (const m of config.kafkaMappings ?? []) {
      this.functionSettings(m.functionName);
      const topic = this.kafkaTopics.get(m.topic) ?? this.addKafkaTopic({ name: m.topic });
      addOrdered(
        new StreamEventSourceMapping(
          this,
          kafkaMappingOptions(m, compileFilterCriteria(m.filterCriteria)),
          new KafkaSource(topic, m, this.location),
        ),
      );
    }
    for (const m of config.mqMappings ?? []) {
      this.functionSettings(m.functionName);
      const broker = m.brokerName ?? 'local-broker';
      const key = `${broker}/${m.queueName}`;
      let queue = this.mqQueues.get(key);
      if (!queue) {
        queue = new MqBrokerQueue(broker, m.queueName, this.store, this.clock);
        this.mqQueues.set(key, queue);
      }
      addOrdered(
        new StreamEventSourceMapping(
          this,
          mqMappingOptions(m, compileFilterCriteria(m.filterCriteria)),
          new MqSource(queue, m, this.location),
        ),
      );
    }
  }

  private addStream(settings: StreamSettings): KinesisStream | DynamoDbStream {
    const key = `${settings.type}:${settings.name}`;
    if (this.streams.has(key)) throw new Error(`Stream "${key}" is configured twice.`);
    const stream =
      settings.type === 'kinesis'
        ? new KinesisStream(settings, this.store, this.clock, this.location)
        : new DynamoDbStream(settings, this.store, this.clock, this.location);
    this.streams.set(key, stream);
    return stream;
  }

  private addKafkaTopic(settings: KafkaTopicSettings): KafkaTopic {
    if (this.kafkaTopics.has(settings.name)) throw new Error(`Kafka topic "${settings.name}" is configured twice.`);
    const topic = new KafkaTopic(settings, this.store, this.clock);
    this.kafkaTopics.set(settings.name, topic);
    return topic;
  }

  /** A stream by name or ARN (`...:stream/<name>`, `...:table/<name>/stream/<label>`). */
  private knownStream(type: 'kinesis' | 'dynamodb', nameOrArn: string): KinesisStream | DynamoDbStream {
    let name = nameOrArn;
    if (nameOrArn.startsWith('arn:')) {
      const m = type === 'kinesis' ? /:stream\/([^/]+)$/.exec(nameOrArn) : /:table\/([^/]+)\/stream\//.exec(nameOrArn);
      if (!m) throw new Error(`"${nameOrArn}" is not a ${type === 'kinesis' ? 'Kinesis' : 'DynamoDB'} stream ARN.`);
      name = m[1];
    }
    const stream = this.streams.get(`${type}:${name}`);
    if (!stream) {
      const known = [...this.streams.values()].filter((s) => s.type === type).map((s) => s.name);
      throw new Error(
        `${type === 'kinesis' ? 'Kinesis' : 'DynamoDB'} stream "${name}" is not configured (known: ${known.join(', ') || 'none'}).`,
      );
    }
    return stream;
  }

  /** Tells the mappings reading a log that records were appended. */
  private logChanged(log: ShardLog): void {
    for (const m of this.orderedMappings) if (m.source.log === log) m.notify();
  }

  private addQueue(settings: QueueSettings): SqsQueue {
    if (this.queues.has(settings.name)) throw new Error(`Queue "${settings.name}" is configured twice.`);
    const queue = new SqsQueue(settings, this.store, this.clock, this.location, (target) => this.queue(target));
    this.queues.set(settings.name, queue);
    return queue;
  }

  // ---- EngineContext ----

  functionSettings(name: string): LambdaFunctionSettings {
    const fn = this.functions.get(name);
    if (!fn)
      throw new LambdaServiceError(
        'ResourceNotFoundException',
        404,
        `Function not found: ${functionArn(name, this.location)}`,
      );
    return fn;
  }

  /** A queue by name or ARN; a queue only referenced as a target (DLQ, destination) is created with defaults. */
  queue(arnOrName: string): SqsQueue {
    const name = arnOrName.startsWith('arn:') ? parseTargetArn(arnOrName).name : arnOrName;
    return this.queues.get(name) ?? this.addQueue({ name });
  }

  enqueueAsync(functionName: string, payloadJson: string, options?: AsyncInvokeOptions): InvocationRecord {
    return this.asyncQueue.enqueue(functionName, payloadJson, options);
  }

  queueChanged(queue: SqsQueue): void {
    for (const m of this.sqsMappings) if (m.queue === queue) m.notify();
  }

  deliver(targetArn: string, input: DeliveryInput): DeliveryRecord {
    const time = timePoint(this.clock.now());
    let parsed;
    try {
      parsed = parseTargetArn(targetArn);
    } catch (error) {
      return {
        kind: input.kind,
        condition: input.condition,
        target: { type: 'sqs', arn: targetArn },
        body: input.body,
        time,
        error: (error as Error).message,
      };
    }
    const type = parsed.service === 'events' ? 'eventbridge' : parsed.service;
    const delivery: DeliveryRecord = {
      kind: input.kind,
      condition: input.condition,
      target: { type, arn: targetArn },
      body: input.body,
      time,
    };
    if (input.attributes) delivery.attributes = input.attributes;
    try {
      switch (parsed.service) {
        case 'sqs': {
          const queue = this.queue(parsed.name);
          // ASYNC-7: FIFO queues are not allowed as destinations.
          if (queue.fifo && input.kind === 'destination')
            throw new Error(`FIFO queue ${parsed.name} cannot be a destination.`);
          delivery.deliveredAs = this.sendNow(queue, {
            body: input.body,
            messageAttributes: input.attributes,
          }).messageId;
          break;
        }
        case 'sns': {
          if (parsed.name.endsWith('.fifo') && input.kind === 'destination')
            throw new Error(`FIFO topic ${parsed.name} cannot be a destination.`);
          delivery.deliveredAs = this.publishNow(parsed.name, input.body, input.attributes ?? {}).messageId;
          break;
        }
        case 'lambda': {
          if (input.kind === 'deadLetterQueue')
            throw new Error('A dead-letter queue must be an SQS queue or an SNS topic.');
          const source: RecordSource = { type: 'destination', arn: functionArn(input.functionName, this.location) };
          if (input.recordId) source.parentRecordId = input.recordId;
          delivery.deliveredAs = this.enqueueAsync(parsed.name, input.body, { source }).id;
          break;
        }
        case 'events': {
          const bus = this.bus(parsed.name);
          const event = bus.toEvent(
            {
              Source: 'lambda',
              DetailType: eventBridgeDetailType(input.success),
              Detail: input.body,
              Resources: [bus.arn, `${functionArn(input.functionName, this.location)}:$LATEST`],
            },
            this.clock.now(),
          );
          delivery.body = JSON.stringify(event);
          delivery.deliveredAs = event.id;
          this.routeEvent(bus, event);
          break;
        }
        case 's3': {
          if (input.success) throw new Error('S3 buckets can only be on-failure destinations (ASYNC-7).');
          delivery.deliveredAs = this.writeS3Object(
            parsed.name,
            input.s3KeyPrefix ?? `aws/lambda/async/${input.functionName}`,
            input.body,
          );
          break;
        }
      }
    } catch (error) {
      delivery.error = (error as Error).message;
    }
    return delivery;
  }

  private writeS3Object(bucket: string, keyPrefix: string, body: string): string {
    const iso = new Date(this.clock.now()).toISOString();
    const [date, timeOfDay] = iso.split('T');
    const key = `${keyPrefix}/${date.replace(/-/g, '/')}/${date}T${timeOfDay.slice(0, 8).replace(/:/g, '.')}-${randomUUID()}`;
    const file = path.join(this.s3Directory, bucket, ...key.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, body);
    return `s3://${bucket}/${key}`;
  }

  // ---- public API ----

  /** SYNC-1..8. Rejects (LambdaServiceError) for an unknown function; every other outcome is in the record. */
  invokeSync(functionName: string, payloadJson: string, options?: SyncInvokeOptions): Promise<InvocationRecord> {
    return this.clock.track(invokeSync(this, functionName, payloadJson, options)).then(async (record) => {
      await this.store.flush();
      return record;
    });
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

  /** SendMessage: resolves once the message is durable. */
  async sendToQueue(queueName: string, input: SendMessageInput): Promise<SqsMessage> {
    const message = this.sendNow(this.knownQueue(queueName), input);
    await this.store.flush();
    return message;
  }

  /** SendMessageBatch without the 10-entry limit (one transaction). */
  async sendMessages(queueName: string, inputs: SendMessageInput[]): Promise<SqsMessage[]> {
    const queue = this.knownQueue(queueName);
    const messages = inputs.map((input) => queue.send(input));
    this.queueChanged(queue);
    await this.store.flush();
    return messages;
  }

  private sendNow(queue: SqsQueue, input: SendMessageInput): SqsMessage {
    const message = queue.send(input);
    this.queueChanged(queue);
    return message;
  }

  /** SNS Publish: fan-out to every subscribed queue and function whose filter policy accepts the message. */
  async publish(
    topicName: string,
    message: string,
    options: { messageAttributes?: Record<string, MessageAttributeValue>; subject?: string } = {},
  ): Promise<{ messageId: string; deliveries: DeliveryRecord[] }> {
    const result = this.publishNow(topicName, message, options.messageAttributes ?? {}, options.subject);
    await this.store.flush();
    return result;
  }

  private publishNow(
    topicName: string,
    message: string,
    attributes: Record<string, MessageAttributeValue>,
    subject?: string,
  ): { messageId: string; deliveries: DeliveryRecord[] } {
    const topic = this.topics.get(topicName);
    if (!topic)
      throw new Error(
        `Topic "${topicName}" is not configured (known: ${[...this.topics.keys()].join(', ') || 'none'}).`,
      );
    const n = topic.notification(message, attributes, this.clock.now(), subject);
    const deliveries: DeliveryRecord[] = [];
    const time = timePoint(this.clock.now());
    for (const sub of topic.settings.subscriptions) {
      if (!topic.accepts(sub.filterPolicy, n)) continue;
      const name = sub.endpoint.startsWith('arn:') ? parseTargetArn(sub.endpoint).name : sub.endpoint;
      if (sub.protocol === 'sqs') {
        const queue = this.queue(name);
        const body = sub.rawMessageDelivery ? message : topic.sqsEnvelope(n);
        const sent = this.sendNow(queue, { body, messageAttributes: sub.rawMessageDelivery ? attributes : undefined });
        deliveries.push({
          kind: 'fanOut',
          condition: 'Subscription',
          target: { type: 'sqs', arn: queue.arn },
          body,
          deliveredAs: sent.messageId,
          time,
        });
      } else {
        const body = JSON.stringify(topic.lambdaEvent(n));
        const record = this.enqueueAsync(name, body, { source: { type: 'sns', arn: topic.arn } });
        deliveries.push({
          kind: 'fanOut',
          condition: 'Subscription',
          target: { type: 'lambda', arn: functionArn(name, this.location) },
          body,
          deliveredAs: record.id,
          time,
        });
      }
    }
    return { messageId: n.messageId, deliveries };
  }

  /** EventBridge PutEvents: each entry goes to the targets of every rule whose pattern matches. */
  async putEvents(
    busName: string,
    entries: PutEventsEntry[],
  ): Promise<Array<{ event: EventBridgeEvent; deliveries: DeliveryRecord[] }>> {
    const bus = this.bus(busName);
    const results = entries.map((entry) => {
      const event = bus.toEvent(entry, this.clock.now());
      return { event, deliveries: this.routeEvent(bus, event) };
    });
    await this.store.flush();
    return results;
  }

  private bus(name: string): EventBus {
    const bus = this.buses.get(name);
    if (!bus) throw new Error(`Event bus "${name}" is not configured (known: ${[...this.buses.keys()].join(', ')}).`);
    return bus;
  }

  private routeEvent(bus: EventBus, event: EventBridgeEvent): DeliveryRecord[] {
    const deliveries: DeliveryRecord[] = [];
    const time = timePoint(this.clock.now());
    const body = JSON.stringify(event);
    for (const rule of bus.matchingRules(event)) {
      for (const target of rule.targets) {
        const parsed = parseTargetArn(target);
        const condition = `Rule ${rule.name}`;
        if (parsed.service === 'lambda') {
          const record = this.enqueueAsync(parsed.name, body, { source: { type: 'eventbridge', arn: bus.arn } });
          deliveries.push({
            kind: 'fanOut',
            condition,
            target: { type: 'lambda', arn: target },
            body,
            deliveredAs: record.id,
            time,
          });
        } else if (parsed.service === 'sqs') {
          const sent = this.sendNow(this.queue(parsed.name), { body });
          deliveries.push({
            kind: 'fanOut',
            condition,
            target: { type: 'sqs', arn: target },
            body,
            deliveredAs: sent.messageId,
            time,
          });
        } else if (parsed.service === 'sns') {
          const sent = this.publishNow(parsed.name, body, {});
          deliveries.push({
            kind: 'fanOut',
            condition,
            target: { type: 'sns', arn: target },
            body,
            deliveredAs: sent.messageId,
            time,
          });
        }
      }
    }
    return deliveries;
  }

  private knownQueue(name: string): SqsQueue {
    const key = name.startsWith('arn:') ? parseTargetArn(name).name : name;
    const queue = this.queues.get(key);
    if (!queue)
      throw new Error(`Queue "${key}" is not configured (known: ${[...this.queues.keys()].join(', ') || 'none'}).`);
    return queue;
  }

  /** Every queue (including DLQs) with its counts. */
  listQueues(): QueueSummary[] {
    return [...this.queues.values()].map((q) => ({
      name: q.name,
      arn: q.arn,
      fifo: q.fifo,
      ...q.counts(),
      deadLetterQueueOf: [...this.queues.values()]
        .filter((s) => s.settings.redrivePolicy && this.queue(s.settings.redrivePolicy.deadLetterTargetArn) === q)
        .map((s) => s.name),
    }));
  }

  queueMessages(queueName: string): SqsMessage[] {
    return this.knownQueue(queueName).messages();
  }

  async purgeQueue(queueName: string): Promise<number> {
    const n = this.knownQueue(queueName).purge();
    await this.store.flush();
    return n;
  }

  /**
   * Moves every message of a dead-letter queue back to its source queue (the queue the redrive policy moved it
   * from, or `toQueue`), as new messages, as SQS's redrive (StartMessageMoveTask) does.
   */
  async redriveDeadLetterQueue(dlqName: string, toQueue?: string): Promise<number> {
    const dlq = this.knownQueue(dlqName);
    let moved = 0;
    for (const message of dlq.messages()) {
      const target = toQueue ?? message.deadLetterQueueSourceArn;
      if (!target)
        throw new Error(
          `Message ${message.messageId} in ${dlqName} has no source queue; name the queue to redrive to.`,
        );
      const queue = this.knownQueue(target);
      this.sendNow(queue, {
        body: message.body,
        messageAttributes: message.messageAttributes,
        messageGroupId: queue.fifo ? (message.groupId ?? 'redrive') : undefined,
        messageDeduplicationId: queue.fifo ? randomUUID() : undefined,
      });
      dlq.delete(message.messageId);
      moved++;
    }
    await this.store.flush();
    return moved;
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
    const queue = this.knownQueue(queueName);
    const message = queue.get(messageId);
    if (!message) throw new Error(`Message ${messageId} is not in queue ${queueName}.`);
    let payload = message.body;
    try {
      JSON.parse(payload);
    } catch {
      payload = JSON.stringify({ Records: [queue.lambdaRecord(message, this.location.region)] });
    }
    const source: RecordSource = { type: 'replay', arn: queue.arn };
    if (message.lastRecordId) source.parentRecordId = message.lastRecordId;
    return mode === 'sync'
      ? this.invokeSync(functionName, payload, { source })
      : this.invokeAsync(functionName, payload, { source });
  }

  /** Kinesis PutRecords: resolves once the records are durable; mappings read them on the virtual clock. */
  async putKinesisRecords(
    streamNameOrArn: string,
    records: PutKinesisRecordInput[],
  ): Promise<PutKinesisRecordResult[]> {
    const stream = this.knownStream('kinesis', streamNameOrArn) as KinesisStream;
    const results = stream.put(records);
    this.logChanged(stream.log);
    await this.store.flush();
    return results;
  }

  async putKinesisRecord(streamNameOrArn: string, record: PutKinesisRecordInput): Promise<PutKinesisRecordResult> {
    const [result] = await this.putKinesisRecords(streamNameOrArn, [record]);
    return result;
  }

  /** Writes change records (what a table write would produce) to a DynamoDB stream, in order. */
  async appendDynamoDbChanges(
    tableOrStreamArn: string,
    changes: DynamoDbChange[],
  ): Promise<Array<{ shardId: string; sequenceNumber: string; eventID: string }>> {
    const stream = this.knownStream('dynamodb', tableOrStreamArn) as DynamoDbStream;
    const results = stream.append(changes);
    this.logChanged(stream.log);
    await this.store.flush();
    return results;
  }

  /** Produces records to a Kafka topic (created with one partition when no mapping or setting names it). */
  async sendKafkaRecords(topicName: string, records: SendKafkaRecordInput[]): Promise<KafkaRecordMetadata[]> {
    const topic = this.kafkaTopics.get(topicName) ?? this.addKafkaTopic({ name: topicName });
    const results = topic.send(records);
    this.logChanged(topic.log);
    await this.store.flush();
    return results;
  }

  /** Sends messages to an Amazon MQ queue (ActiveMQ or RabbitMQ); returns their message ids. */
  async sendMqMessages(
    queueName: string,
    messages: SendMqMessageInput[],
    brokerName = 'local-broker',
  ): Promise<string[]> {
    const key = `${brokerName}/${queueName}`;
    let queue = this.mqQueues.get(key);
    if (!queue) {
      queue = new MqBrokerQueue(brokerName, queueName, this.store, this.clock);
      this.mqQueues.set(key, queue);
    }
    const ids = queue.send(messages);
    this.logChanged(queue.log);
    await this.store.flush();
    return ids;
  }

  /** Checkpoints of every ordered mapping (or one), per shard and ParallelizationFactor lane. */
  streamPositions(mappingId?: string): ShardPosition[] {
    return this.orderedMappings
      .filter((m) => mappingId === undefined || m.id === mappingId)
      .flatMap((m) => m.positions());
  }

  /** The Kinesis and DynamoDB streams with their shards. */
  listStreams(): StreamSummary[] {
    return [...this.streams.values()].map((s) => ({
      type: s.type,
      name: s.name,
      arn: s.arn,
      shards: s.log.shardIds.map((shardId) => ({
        shardId,
        records: s.log.records(shardId).length,
        latestSequenceNumber: s.log.last(shardId)?.sequenceNumber ?? null,
      })),
    }));
  }

  /** Runs the virtual clock until nothing is pending or in flight, then makes sure everything is on disk. */
  async runUntilIdle(): Promise<void> {
    await this.clock.runUntilIdle();
    await this.store.flush();
  }

  setTimeScale(scale: number): void {
    this.clock.setScale(scale);
  }

  records(): InvocationRecord[] {
    return this.history.list();
  }

  record(id: string): InvocationRecord | undefined {
    return this.history.get(id);
  }

  onRecord(listener: (record: InvocationRecord) => void): { dispose(): void } {
    return this.history.onRecord(listener);
  }

  pendingAsyncEvents(): number {
    return this.asyncQueue.pending().length;
  }

  async close(): Promise<void> {
    this.clock.dispose();
    await this.store.close();
  }
}
