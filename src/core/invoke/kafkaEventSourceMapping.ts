/**
 * KAFKA-1: Amazon MSK (`aws:kafka`) and self-managed Kafka (`SelfManagedKafka`) mappings. Each partition is read
 * in order from its committed offset; filtered-out records are committed too (FILTER-4).
 * Where AWS is vague: a failing batch blocks its partition and is retried (back-off as streams) until it succeeds,
 * MaximumRetryAttempts runs out, or the record leaves the topic's retention (7 days); there is no on-failure
 * destination for Kafka here, the record shows the batch as given up.
 */
import type { AwsLocation } from '../awsLocation';
import type { KafkaTrigger } from '../discovery/functionConfig';
import type { KafkaPayload, KafkaTopic } from '../services/kafkaTopic';
import type { Subscription } from '../services/localResource';
import type { LogRecord, ShardLog } from '../services/shardLog';
import type { EngineFunction } from './engineFunction';
import { compileFilterCriteria } from './filterCriteria';
import { usedConfiguration } from './invocationRecord';
import { checkMappingRange, type OrderedMappingOptions, type PolledSource } from './streamEventSourceMapping';

/** Kafka's default log retention: 7 days. */
const KAFKA_RETENTION_MS = 7 * 24 * 3_600_000;

export class KafkaSource implements PolledSource<KafkaPayload> {
  readonly type = 'kafka' as const;
  readonly arn: string;
  readonly log: ShardLog<KafkaPayload>;
  readonly retentionMs = KAFKA_RETENTION_MS;
  private readonly eventSource: 'aws:kafka' | 'SelfManagedKafka';
  private readonly bootstrapServers: string;

  constructor(
    readonly topic: KafkaTopic,
    trigger: KafkaTrigger,
    /** The cluster's name in the event source ARN (MSK). */
    clusterName: string,
    location: AwsLocation,
  ) {
    this.log = topic.log;
    this.eventSource = trigger.flavor === 'msk' ? 'aws:kafka' : 'SelfManagedKafka';
    const servers = trigger.bootstrapServers.length > 0 ? trigger.bootstrapServers : ['localhost:9092'];
    this.arn =
      this.eventSource === 'aws:kafka'
        ? `arn:aws:kafka:${location.region}:${location.accountId}:cluster/${clusterName}/00000000-0000-0000-0000-000000000000-1`
        : `kafka://${servers[0]}/${topic.name}`;
    this.bootstrapServers = servers.join(',');
  }

  subscribe(listener: () => void): Subscription {
    return this.topic.subscribe(listener);
  }

  /** KAFKA-1: one Kafka record as Lambda delivers it. */
  lambdaRecord(record: LogRecord<KafkaPayload>): Record<string, unknown> {
    const out: Record<string, unknown> = {
      topic: this.topic.name,
      partition: Number(record.shardId),
      offset: record.n,
      timestamp: record.arrival,
      timestampType: 'CREATE_TIME',
    };
    if (record.payload.key !== undefined) out.key = record.payload.key;
    out.value = record.payload.value;
    out.headers = record.payload.headers;
    return out;
  }

  /** FILTER-3: Kafka filters see `key` and `value` decoded, then parsed when JSON. */
  filterView(lambdaRecord: Record<string, unknown>): unknown {
    return { ...lambdaRecord, key: decodeJson(lambdaRecord.key), value: decodeJson(lambdaRecord.value) };
  }

  event(shardId: string, records: Array<Record<string, unknown>>): Record<string, unknown> {
    const event: Record<string, unknown> = { eventSource: this.eventSource };
    if (this.eventSource === 'aws:kafka') event.eventSourceArn = this.arn;
    event.bootstrapServers = this.bootstrapServers;
    event.records = { [`${this.topic.name}-${shardId}`]: records };
    return event;
  }
}

/** Base64 to text, then JSON when it parses (FILTER-3). */
export function decodeJson(base64: unknown): unknown {
  if (typeof base64 !== 'string') return base64;
  const text = Buffer.from(base64, 'base64').toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** KAFKA-1: the options of one topic of a Kafka trigger (a trigger with several topics maps each one). */
export function kafkaMappingOptions(fn: EngineFunction, trigger: KafkaTrigger, topic: string): OrderedMappingOptions {
  const id = trigger.topics.length > 1 ? `${fn.name}:${trigger.id}:${topic}` : `${fn.name}:${trigger.id}`;
  const batchSize = trigger.batchSize;
  const window = trigger.maximumBatchingWindowInSeconds;
  const retries = trigger.maximumRetryAttempts ?? -1;
  checkMappingRange(id, 'BatchSize', batchSize, 1, 10_000);
  checkMappingRange(id, 'MaximumBatchingWindowInSeconds', window, 0, 300);
  checkMappingRange(id, 'MaximumRetryAttempts', retries, -1, 10_000);
  // The engine reads Kafka from TRIM_HORIZON or LATEST; AT_TIMESTAMP is not emulated for Kafka.
  const startingPosition = trigger.startingPosition === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON';
  const at = (key: string): string => `triggers.${fn.triggers.indexOf(trigger)}.${key}`;
  return {
    id,
    functionName: fn.name,
    startingPosition,
    batchSize,
    windowMs: window * 1000,
    maxRetries: retries === -1 ? Infinity : retries,
    maxRecordAgeMs: Infinity,
    bisect: false,
    parallelization: 1,
    reportBatchItemFailures: false,
    tumblingWindowMs: 0,
    filters: compileFilterCriteria(trigger.filterCriteria),
    enabled: trigger.enabled,
    configuration: usedConfiguration(
      {
        eventSource: [trigger.flavor === 'msk' ? 'aws:kafka' : 'SelfManagedKafka', at('flavor')],
        topic: [topic, at('topics')],
        startingPosition: [startingPosition, at('startingPosition')],
        batchSize: [batchSize, at('batchSize')],
        maximumBatchingWindowInSeconds: [window, at('maximumBatchingWindowInSeconds')],
        maximumRetryAttempts: [retries, at('maximumRetryAttempts')],
        filterCriteria: [trigger.filterCriteria ?? null, at('filterCriteria')],
      },
      fn.origins,
    ),
  };
}
