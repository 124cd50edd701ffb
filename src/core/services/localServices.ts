/**
 * The simulated AWS services of one local account: its SQS queues, SNS topics, EventBridge buses, Kinesis and
 * DynamoDB streams, Kafka topics, Amazon MQ broker queues and S3 buckets, kept in the durable store. Resources are
 * found by name or ARN; every delivery between them (and to functions, through the engine) goes through `deliver`.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { AwsLocation } from '../awsLocation';
import { functionArn, parseTargetArn } from '../resourceArn';
import type { DurableStore } from '../store/durableStore';
import { recordedAttributes, type DeliveryInput, type DeliveryRecord, type FunctionTargets } from './delivery';
import { DynamoDbStream, type DynamoDbChange, type DynamoDbChangeResult } from './dynamoDbStream';
import { EventBus, type PutEventsEntry, type PutEventsResult } from './eventBus';
import { KafkaTopic, type KafkaRecordMetadata, type SendKafkaRecordInput } from './kafkaTopic';
import { KinesisStream, type PutKinesisRecordInput, type PutKinesisRecordResult } from './kinesisStream';
import type { SimulatedClock } from './localResource';
import { MqBrokerQueue, type SendMqMessageInput } from './mqBroker';
import type {
  BusSettings,
  DeclaredResources,
  KafkaTopicSettings,
  QueueSettings,
  StreamSettings,
  TopicSettings,
} from './resources';
import { S3Bucket } from './s3Bucket';
import { SnsTopic, type PublishResult } from './snsTopic';
import { SqsQueue, type MessageAttributeValue, type SendMessageInput, type SqsMessage } from './sqsQueue';

/** A resource that does not exist in the local account (a name typed wrong, a queue nothing declared). */
export class ResourceNotFoundError extends Error {
  override readonly name = 'ResourceNotFoundError';
}

export interface LocalServicesOptions {
  store: DurableStore;
  clock: SimulatedClock;
  location: AwsLocation;
  /** The folder that stands in for S3 (on-failure destinations). Default: `<store>/../s3`. */
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

const DEFAULT_BROKER = 'local-broker';

function known(names: Iterable<string>): string {
  const list = [...names];
  return list.length > 0 ? list.join(', ') : 'none';
}

export class LocalServices {
  readonly store: DurableStore;
  readonly clock: SimulatedClock;
  readonly location: AwsLocation;
  private readonly s3Directory: string;
  private readonly queues = new Map<string, SqsQueue>();
  private readonly topics = new Map<string, SnsTopic>();
  private readonly buses = new Map<string, EventBus>();
  private readonly streams = new Map<string, KinesisStream | DynamoDbStream>();
  private readonly kafkaTopics = new Map<string, KafkaTopic>();
  private readonly mqQueues = new Map<string, MqBrokerQueue>();
  private readonly buckets = new Map<string, S3Bucket>();
  private functions: FunctionTargets | undefined;

  constructor(options: LocalServicesOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.location = options.location;
    this.s3Directory = options.s3Directory ?? path.join(path.dirname(this.store.directory), 's3');
    this.ensureBus({ name: 'default' });
    // Queues an earlier run left in the store exist from the start, so what they hold can be listed and redriven.
    for (const collection of this.store.collectionNames())
      if (collection.startsWith('sqs/') && collection.length > 4) this.ensureQueue({ name: collection.slice(4) });
  }

  /** The engine, which runs a function a destination, subscription or rule targets (ASYNC-1). */
  connectFunctions(functions: FunctionTargets): void {
    this.functions = functions;
  }

  /** Declares resources with their properties (a template's, a test's). */
  declare(resources: DeclaredResources): void {
    for (const q of resources.queues ?? []) this.ensureQueue(q);
    for (const t of resources.topics ?? []) this.ensureTopic(t);
    for (const b of resources.buses ?? []) this.ensureBus(b);
    for (const s of resources.streams ?? []) this.ensureStream(s);
    for (const k of resources.kafkaTopics ?? []) this.ensureKafkaTopic(k);
  }

  // ---- resources by name or ARN ----

  /** The queue, created with the given properties when it does not exist; a bare earlier one takes them. */
  ensureQueue(settings: QueueSettings): SqsQueue {
    const existing = this.queues.get(settings.name);
    if (existing) {
      const { name: _name, ...properties } = settings;
      existing.reconfigure(properties);
      return existing;
    }
    const queue = new SqsQueue(settings, this.store, this.clock, this.location, (message, target) =>
      this.moveToDeadLetterQueue(message, target),
    );
    this.queues.set(settings.name, queue);
    return queue;
  }

  queue(nameOrArn: string): SqsQueue {
    const name = nameOrArn.startsWith('arn:') ? parseTargetArn(nameOrArn).name : nameOrArn;
    const queue = this.queues.get(name);
    if (!queue)
      throw new ResourceNotFoundError(`Queue "${name}" does not exist (known: ${known(this.queues.keys())}).`);
    return queue;
  }

  ensureTopic(settings: TopicSettings): SnsTopic {
    let topic = this.topics.get(settings.name);
    if (!topic) {
      topic = new SnsTopic({ name: settings.name }, this.location, this.clock, (target, input) =>
        this.deliver(target, input),
      );
      this.topics.set(settings.name, topic);
    }
    for (const sub of settings.subscriptions ?? []) topic.addSubscription(sub);
    return topic;
  }

  topic(nameOrArn: string): SnsTopic {
    const name = nameOrArn.startsWith('arn:') ? parseTargetArn(nameOrArn).name : nameOrArn;
    const topic = this.topics.get(name);
    if (!topic)
      throw new ResourceNotFoundError(`Topic "${name}" does not exist (known: ${known(this.topics.keys())}).`);
    return topic;
  }

  ensureBus(settings: BusSettings): EventBus {
    let bus = this.buses.get(settings.name);
    if (!bus) {
      bus = new EventBus({ name: settings.name }, this.location, this.clock, (target, input) =>
        this.deliver(target, input),
      );
      this.buses.set(settings.name, bus);
    }
    for (const rule of settings.rules ?? []) bus.addRule(rule);
    return bus;
  }

  bus(nameOrArn: string): EventBus {
    const name = nameOrArn.startsWith('arn:') ? parseTargetArn(nameOrArn).name : nameOrArn;
    const bus = this.buses.get(name);
    if (!bus)
      throw new ResourceNotFoundError(`Event bus "${name}" does not exist (known: ${known(this.buses.keys())}).`);
    return bus;
  }

  /** The stream, created with the given properties when it does not exist; a DynamoDB view type given applies. */
  ensureStream(settings: StreamSettings): KinesisStream | DynamoDbStream {
    const key = `${settings.type}:${settings.name}`;
    let stream = this.streams.get(key);
    if (!stream) {
      stream =
        settings.type === 'kinesis'
          ? new KinesisStream(settings, this.store, this.clock, this.location)
          : new DynamoDbStream(settings, this.store, this.clock, this.location);
      this.streams.set(key, stream);
    } else if (stream.type === 'dynamodb' && settings.streamViewType) stream.declareViewType(settings.streamViewType);
    return stream;
  }

  /** A stream by name or ARN (`...:stream/<name>`, `...:table/<name>/stream/<label>`). */
  stream(type: 'kinesis', nameOrArn: string): KinesisStream;
  stream(type: 'dynamodb', nameOrArn: string): DynamoDbStream;
  stream(type: 'kinesis' | 'dynamodb', nameOrArn: string): KinesisStream | DynamoDbStream;
  stream(type: 'kinesis' | 'dynamodb', nameOrArn: string): KinesisStream | DynamoDbStream {
    let name = nameOrArn;
    const label = type === 'kinesis' ? 'Kinesis stream' : 'DynamoDB stream';
    if (nameOrArn.startsWith('arn:')) {
      const m =
        type === 'kinesis' ? /:stream\/([^/]+)$/.exec(nameOrArn) : /:table\/([^/]+)(\/stream\/|$)/.exec(nameOrArn);
      if (!m) throw new ResourceNotFoundError(`"${nameOrArn}" is not a ${label} ARN.`);
      name = m[1];
    }
    const stream = this.streams.get(`${type}:${name}`);
    if (!stream) {
      const names = [...this.streams.values()].filter((s) => s.type === type).map((s) => s.name);
      throw new ResourceNotFoundError(`${label} "${name}" does not exist (known: ${known(names)}).`);
    }
    return stream;
  }

  ensureKafkaTopic(settings: KafkaTopicSettings): KafkaTopic {
    let topic = this.kafkaTopics.get(settings.name);
    if (!topic) {
      topic = new KafkaTopic(settings, this.store, this.clock);
      this.kafkaTopics.set(settings.name, topic);
    }
    return topic;
  }

  ensureMqQueue(brokerName: string, queueName: string): MqBrokerQueue {
    const key = `${brokerName}/${queueName}`;
    let queue = this.mqQueues.get(key);
    if (!queue) {
      queue = new MqBrokerQueue(brokerName, queueName, this.store, this.clock, this.location);
      this.mqQueues.set(key, queue);
    }
    return queue;
  }

  ensureBucket(name: string): S3Bucket {
    let bucket = this.buckets.get(name);
    if (!bucket) {
      bucket = new S3Bucket(name, this.s3Directory, this.clock);
      this.buckets.set(name, bucket);
    }
    return bucket;
  }

  // ---- the service APIs (each resolves once what it changed is durable) ----

  /** SendMessageBatch without the 10-entry limit (one transaction). */
  async sendMessages(queueNameOrArn: string, inputs: SendMessageInput[]): Promise<SqsMessage[]> {
    const messages = this.queue(queueNameOrArn).put(inputs);
    await this.store.flush();
    return messages;
  }

  async sendMessage(queueNameOrArn: string, input: SendMessageInput): Promise<SqsMessage> {
    return (await this.sendMessages(queueNameOrArn, [input]))[0];
  }

  /** SNS Publish: fan-out to every subscribed queue and function whose filter policy accepts the message. */
  async publish(
    topicNameOrArn: string,
    message: string,
    options: { messageAttributes?: Record<string, MessageAttributeValue>; subject?: string } = {},
  ): Promise<PublishResult> {
    const [result] = this.topic(topicNameOrArn).put([{ message, ...options }]);
    await this.store.flush();
    return result;
  }

  /** EventBridge PutEvents: each entry goes to the targets of every rule whose pattern matches. */
  async putEvents(busNameOrArn: string, entries: PutEventsEntry[]): Promise<PutEventsResult[]> {
    const results = this.bus(busNameOrArn).put(entries);
    await this.store.flush();
    return results;
  }

  /** Kinesis PutRecords. */
  async putKinesisRecords(
    streamNameOrArn: string,
    records: PutKinesisRecordInput[],
  ): Promise<PutKinesisRecordResult[]> {
    const results = this.stream('kinesis', streamNameOrArn).put(records);
    await this.store.flush();
    return results;
  }

  /** The stream records a write to a DynamoDB table produces, in order. */
  async putDynamoDbChanges(tableOrStreamArn: string, changes: DynamoDbChange[]): Promise<DynamoDbChangeResult[]> {
    const results = this.stream('dynamodb', tableOrStreamArn).put(changes);
    await this.store.flush();
    return results;
  }

  /** Produces records to a Kafka topic (created with one partition when nothing declared it). */
  async sendKafkaRecords(topicName: string, records: SendKafkaRecordInput[]): Promise<KafkaRecordMetadata[]> {
    const results = this.ensureKafkaTopic({ name: topicName }).put(records);
    await this.store.flush();
    return results;
  }

  /** Sends messages to an Amazon MQ queue (ActiveMQ or RabbitMQ); returns their message ids. */
  async sendMqMessages(
    queueName: string,
    messages: SendMqMessageInput[],
    brokerName = DEFAULT_BROKER,
  ): Promise<string[]> {
    const ids = this.ensureMqQueue(brokerName, queueName).put(messages);
    await this.store.flush();
    return ids;
  }

  /** The names of the account's queues, topics, buses, Kinesis streams or DynamoDB tables with a stream. */
  resourceNames(kind: 'sqs' | 'sns' | 'eventbridge' | 'kinesis' | 'dynamodb'): string[] {
    switch (kind) {
      case 'sqs':
        return [...this.queues.keys()];
      case 'sns':
        return [...this.topics.keys()];
      case 'eventbridge':
        return [...this.buses.keys()];
      case 'kinesis':
      case 'dynamodb':
        return [...this.streams.values()].filter((s) => s.type === kind).map((s) => s.name);
    }
  }

  /** Every queue (dead-letter queues included) with its counts. */
  listQueues(): QueueSummary[] {
    const dlqOf = new Map<string, string[]>();
    for (const q of this.queues.values()) {
      const target = q.settings.redrivePolicy?.deadLetterTargetArn;
      if (!target) continue;
      const name = target.startsWith('arn:') ? parseTargetArn(target).name : target;
      dlqOf.set(name, [...(dlqOf.get(name) ?? []), q.name]);
    }
    return [...this.queues.values()].map((q) => ({
      name: q.name,
      arn: q.arn,
      fifo: q.fifo,
      ...q.counts(),
      deadLetterQueueOf: dlqOf.get(q.name) ?? [],
    }));
  }

  queueMessages(queueNameOrArn: string): SqsMessage[] {
    return this.queue(queueNameOrArn).messages();
  }

  async purgeQueue(queueNameOrArn: string): Promise<number> {
    const n = this.queue(queueNameOrArn).purge();
    await this.store.flush();
    return n;
  }

  /**
   * Moves every message of a dead-letter queue back to its source queue (the queue the redrive policy moved it
   * from, or `toQueue`), as new messages, as SQS's redrive (StartMessageMoveTask) does.
   */
  async redriveDeadLetterQueue(dlqNameOrArn: string, toQueue?: string): Promise<number> {
    const dlq = this.queue(dlqNameOrArn);
    const messages = dlq.messages();
    for (const message of messages) {
      const target = toQueue ?? message.deadLetterQueueSourceArn;
      if (!target)
        throw new ResourceNotFoundError(
          `Message ${message.messageId} in ${dlq.name} has no source queue; name the queue to redrive to.`,
        );
      this.queue(target); // a target that does not exist stops the redrive before anything moves
    }
    let moved = 0;
    for (const message of messages) {
      const target = this.queue(toQueue ?? message.deadLetterQueueSourceArn!);
      const delivery = this.deliver(target.arn, {
        kind: 'queueRedrive',
        condition: 'Redrive',
        body: message.body,
        attributes: message.messageAttributes,
        ...(message.groupId ? { messageGroupId: message.groupId } : {}),
      });
      if (delivery.error) throw new Error(`Redriving ${message.messageId} to ${target.name} failed: ${delivery.error}`);
      dlq.delete(message.messageId);
      moved++;
    }
    await this.store.flush();
    return moved;
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

  // ---- the one delivery function ----

  /**
   * Delivers to a local target (an SQS queue, SNS topic, Lambda function, EventBridge bus or S3 bucket by ARN, a
   * Kafka topic as `kafka://<topic>`) and returns the delivery as recorded. A failure is recorded in the delivery,
   * never thrown.
   */
  deliver(targetArn: string, input: DeliveryInput): DeliveryRecord {
    const now = this.clock.now();
    const delivery: DeliveryRecord = {
      kind: input.kind,
      condition: input.condition,
      target: { type: 'sqs', arn: targetArn },
      body: input.body,
      time: { simulated: new Date(now).toISOString(), wall: new Date().toISOString() },
    };
    const attributes = recordedAttributes(input.attributes);
    if (attributes) delivery.attributes = attributes;
    try {
      const parsed = parseTargetArn(targetArn);
      delivery.target.type = parsed.service === 'events' ? 'eventbridge' : parsed.service;
      delivery.deliveredAs = this.deliverTo(parsed.service, parsed.name, input, delivery);
    } catch (error) {
      delivery.error = error instanceof Error ? error.message : String(error);
    }
    return delivery;
  }

  private deliverTo(
    service: ReturnType<typeof parseTargetArn>['service'],
    name: string,
    input: DeliveryInput,
    delivery: DeliveryRecord,
  ): string {
    switch (service) {
      case 'sqs': {
        // A queue only a target names (a DLQ, a destination, a subscription) is created with SQS's defaults.
        const queue = this.queues.get(name) ?? this.ensureQueue({ name });
        // ASYNC-7, ASYNC-9: FIFO queues are neither destinations nor dead-letter queues of a function.
        if (queue.fifo && input.kind !== 'queueRedrive')
          throw new Error(
            `FIFO queue ${name} cannot be ${input.kind === 'fanOut' ? 'subscribed to' : `a ${input.kind === 'destination' ? 'destination' : 'dead-letter queue'}`}.`,
          );
        if (input.message) {
          // SQS-3: the redrive policy moves the message itself, under its id. An id the dead-letter queue already
          // holds (an event's message ids sent through the queue again, SQS-7) gets a new one: both messages stay.
          const message = queue.get(input.message.messageId)
            ? { ...input.message, messageId: randomUUID() }
            : input.message;
          queue.adopt(message);
          return message.messageId;
        }
        return queue.send({
          body: input.body,
          ...(input.recordId ? { causeRecordId: input.recordId } : {}),
          ...(input.attributes ? { messageAttributes: input.attributes } : {}),
          ...(queue.fifo
            ? { messageGroupId: input.messageGroupId ?? 'redrive', messageDeduplicationId: randomUUID() }
            : {}),
        }).messageId;
      }
      case 'sns': {
        if (name.endsWith('.fifo') && input.kind === 'destination')
          throw new Error(`FIFO topic ${name} cannot be a destination.`);
        const [result] = this.topic(name).put([
          {
            message: input.body,
            ...(input.attributes ? { messageAttributes: input.attributes } : {}),
            ...(input.recordId ? { causeRecordId: input.recordId } : {}),
          },
        ]);
        return result.messageId;
      }
      case 'lambda': {
        if (input.kind === 'deadLetterQueue')
          throw new Error('A dead-letter queue must be an SQS queue or an SNS topic.');
        if (!this.functions) throw new Error('No functions are connected to deliver to.');
        const source = input.invokeSource ?? {
          type: 'destination',
          ...(input.functionName ? { arn: functionArn(input.functionName, this.location) } : {}),
        };
        return this.functions.invokeAsync(name, input.body, {
          ...source,
          ...(input.recordId ? { parentRecordId: input.recordId } : {}),
        });
      }
      case 'events': {
        const bus = this.bus(name);
        if (input.kind !== 'destination') throw new Error(`An event bus takes destination records, not ${input.kind}.`);
        // ASYNC-8: to EventBridge the invocation record is the `detail` of an event from `lambda`.
        const [result] = bus.put([
          {
            Source: 'lambda',
            DetailType: `Lambda Function Invocation Result - ${input.success ? 'Success' : 'Failure'}`,
            Detail: input.body,
            Resources: [bus.arn, `${functionArn(input.functionName ?? 'unknown', this.location)}:$LATEST`],
            ...(input.recordId ? { causeRecordId: input.recordId } : {}),
          },
        ]);
        delivery.body = JSON.stringify(result.event);
        return result.event.id;
      }
      case 's3': {
        if (input.success) throw new Error('S3 buckets can only be on-failure destinations.');
        const bucket = this.ensureBucket(name);
        const key = bucket.failureRecordKey(
          input.s3KeyPrefix ?? `aws/lambda/async/${input.functionName ?? 'function'}`,
        );
        return bucket.put([{ key, body: input.body }])[0];
      }
      case 'kafka': {
        // STREAM-4: Lambda produces the failed record to the topic, under the record's own key.
        if (input.kind !== 'destination') throw new Error(`A Kafka topic takes on-failure records, not ${input.kind}.`);
        const topic = this.kafkaTopics.get(name) ?? this.ensureKafkaTopic({ name });
        const [written] = topic.put([
          {
            ...(input.kafkaKey !== undefined ? { key: Buffer.from(input.kafkaKey, 'base64') } : {}),
            value: input.body,
          },
        ]);
        return `${written.topic}-${written.partition}@${written.offset}`;
      }
    }
  }

  /** SQS-3: the queue's redrive policy hands a message over; the move is a delivery like any other. */
  private moveToDeadLetterQueue(message: SqsMessage, deadLetterTargetArn: string): { arn: string; messageId: string } {
    const target = deadLetterTargetArn.startsWith('arn:')
      ? deadLetterTargetArn
      : this.ensureQueue({ name: deadLetterTargetArn }).arn;
    const name = parseTargetArn(target).name;
    this.ensureQueue({ name });
    const delivery = this.deliver(target, {
      kind: 'queueRedrive',
      condition: 'maxReceiveCount',
      body: message.body,
      message,
    });
    if (delivery.error) throw new Error(delivery.error);
    return { arn: this.queue(name).arn, messageId: delivery.deliveredAs ?? message.messageId };
  }
}
