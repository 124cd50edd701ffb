/**
 * KAFKA-1: Amazon MSK (`aws:kafka`) and self-managed Kafka (`SelfManagedKafka`) mappings. Each partition is read
 * in order from its committed offset; filtered-out records are committed too (FILTER-4).
 * Where AWS is vague: a failing batch blocks its partition and is retried (back-off as streams) until it succeeds,
 * MaximumRetryAttempts runs out, or the record leaves the topic's retention (7 days); there is no on-failure
 * destination for Kafka here, the record shows the batch as given up.
 */
import type { CompiledFilters } from './filterCriteria';
import { usedConfiguration } from './invocationRecord';
import type { KafkaMappingSettings } from './functionSettings';
import type { KafkaPayload, KafkaTopic } from './kafkaTopic';
import type { AwsLocation } from '../resourceArn';
import type { LogRecord, ShardLog } from './shardLog';
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
    settings: KafkaMappingSettings,
    location: AwsLocation,
  ) {
    this.log = topic.log;
    this.eventSource = settings.eventSource ?? 'aws:kafka';
    const cluster = settings.clusterName ?? 'local-cluster';
    this.arn =
      this.eventSource === 'aws:kafka'
        ? `arn:aws:kafka:${location.region}:${location.accountId}:cluster/${cluster}/00000000-0000-0000-0000-000000000000-1`
        : `kafka://${(settings.bootstrapServers ?? ['localhost:9092'])[0]}/${topic.name}`;
    this.bootstrapServers = (settings.bootstrapServers ?? ['localhost:9092']).join(',');
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

export function kafkaMappingOptions(settings: KafkaMappingSettings, filters: CompiledFilters): OrderedMappingOptions {
  const id = settings.id ?? `${settings.functionName}:${settings.topic}`;
  const batchSize = settings.batchSize ?? 100;
  const window = settings.maximumBatchingWindowInSeconds ?? 0.5;
  const retries = settings.maximumRetryAttempts ?? -1;
  checkMappingRange(id, 'BatchSize', batchSize, 1, 10_000);
  checkMappingRange(id, 'MaximumBatchingWindowInSeconds', window, 0, 300);
  checkMappingRange(id, 'MaximumRetryAttempts', retries, -1, 10_000);
  const startingPosition = settings.startingPosition ?? 'TRIM_HORIZON';
  return {
    id,
    functionName: settings.functionName,
    startingPosition,
    batchSize,
    windowMs: window * 1000,
    maxRetries: retries === -1 ? Infinity : retries,
    maxRecordAgeMs: Infinity,
    bisect: false,
    parallelization: 1,
    reportBatchItemFailures: false,
    tumblingWindowMs: 0,
    filters,
    enabled: settings.enabled ?? true,
    configuration: usedConfiguration(
      {
        eventSource: settings.eventSource ?? 'aws:kafka',
        topic: settings.topic,
        startingPosition,
        batchSize,
        maximumBatchingWindowInSeconds: window,
        maximumRetryAttempts: retries,
        filterCriteria: settings.filterCriteria ?? null,
      },
      settings.origins,
    ),
  };
}
