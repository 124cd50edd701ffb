/**
 * KAFKA-1: Amazon MSK (`aws:kafka`) and self-managed Kafka (`SelfManagedKafka`) mappings. Each partition is read
 * in order from its committed offset; filtered-out records are committed too (FILTER-4).
 * Where AWS is vague: a failing batch blocks its partition and is retried (back-off as streams) until it succeeds,
 * MaximumRetryAttempts runs out, or the record leaves the topic's retention (7 days); then it is given up to the
 * on-failure destination (STREAM-4), if the mapping has one, and its offsets are committed.
 */
import type { AwsLocation } from '../awsLocation';
import type { KafkaTrigger } from '../discovery/functionConfig';
import { resourceName, targetArnOf } from '../services/functionResources';
import type { KafkaPayload, KafkaTopic } from '../services/kafkaTopic';
import type { Subscription } from '../services/localResource';
import type { LogRecord, ShardLog } from '../services/shardLog';
import { mappingFailureRecord, type MappingFailure } from './destinationRecord';
import type { EngineFunction } from './engineFunction';
import { compileFilterCriteria } from './filterCriteria';
import { usedConfiguration } from './invocationRecord';
import {
  checkMappingRange,
  type FailedBatch,
  type FailureMessage,
  type FailureTargetKind,
  type OrderedMappingOptions,
  type PolledSource,
} from './streamEventSourceMapping';

/** Kafka's default log retention: 7 days. */
const KAFKA_RETENTION_MS = 7 * 24 * 3_600_000;

export class KafkaSource implements PolledSource<KafkaPayload> {
  readonly type = 'kafka' as const;
  readonly arn: string;
  readonly log: ShardLog<KafkaPayload>;
  readonly retentionMs = KAFKA_RETENTION_MS;
  readonly name: string;
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
    this.name = topic.name;
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

  /**
   * STREAM-4: a queue or topic gets one record with `KafkaBatchInfo` (first and last offset and timestamp per
   * topic-partition), an S3 bucket the same with the batch's event as a JSON string in `payload`; a Kafka topic gets
   * one message per record, under the record's key, with `recordInfo` and that record's event in `payload`.
   */
  failureMessages(failure: MappingFailure, batch: FailedBatch<KafkaPayload>, to: FailureTargetKind): FailureMessage[] {
    if (to === 'kafka')
      return batch.records.map((r) => {
        const event = this.event(batch.shardId, [this.lambdaRecord(r)]);
        const record = mappingFailureRecord(failure, 'KafkaBatchInfo', {
          ...this.batchInfoHead(1, event),
          recordInfo: { offset: String(r.n), timestamp: new Date(r.arrival).toISOString() },
        });
        record.payload = event;
        return { body: JSON.stringify(record), ...(r.payload.key !== undefined ? { key: r.payload.key } : {}) };
      });
    const first = batch.records[0];
    const last = batch.records[batch.records.length - 1];
    const record = mappingFailureRecord(failure, 'KafkaBatchInfo', {
      ...this.batchInfoHead(batch.records.length, batch.event),
      recordsInfo: {
        [`${this.topic.name}-${batch.shardId}`]: {
          firstRecordOffset: String(first.n),
          lastRecordOffset: String(last.n),
          firstRecordTimestamp: new Date(first.arrival).toISOString(),
          lastRecordTimestamp: new Date(last.arrival).toISOString(),
        },
      },
    });
    if (to === 's3') record.payload = JSON.stringify(batch.event);
    return [{ body: JSON.stringify(record) }];
  }

  /** The first fields of `KafkaBatchInfo`; a self-managed cluster has no ARN, so its info has none either. */
  private batchInfoHead(batchSize: number, event: Record<string, unknown>): Record<string, unknown> {
    return {
      batchSize,
      ...(this.eventSource === 'aws:kafka' ? { eventSourceArn: this.arn } : {}),
      bootstrapServers: this.bootstrapServers,
      payloadSize: Buffer.byteLength(JSON.stringify(event)),
    };
  }
}

/** Lambda caps infinite retries at 10 when a Kafka mapping has an on-failure destination. */
const KAFKA_RETRIES_WITH_DESTINATION = 10;

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
export function kafkaMappingOptions(
  fn: EngineFunction,
  trigger: KafkaTrigger,
  topic: string,
  location: AwsLocation,
): OrderedMappingOptions {
  const id = trigger.topics.length > 1 ? `${fn.name}:${trigger.id}:${topic}` : `${fn.name}:${trigger.id}`;
  const batchSize = trigger.batchSize;
  const window = trigger.maximumBatchingWindowInSeconds;
  const onFailure = trigger.onFailure;
  const configuredRetries = trigger.maximumRetryAttempts ?? -1;
  checkMappingRange(id, 'BatchSize', batchSize, 1, 10_000);
  checkMappingRange(id, 'MaximumBatchingWindowInSeconds', window, 0, 300);
  checkMappingRange(id, 'MaximumRetryAttempts', configuredRetries, -1, 10_000);
  // STREAM-4: an SQS queue, an SNS topic, an S3 bucket or a Kafka topic of the same cluster, not one it reads.
  if (onFailure && !['sqs', 'sns', 's3', 'kafka'].includes(onFailure.type))
    throw new RangeError(
      `Mapping ${id}: the on-failure destination must be an SQS queue, SNS topic, S3 bucket or Kafka topic (kafka://<topic>).`,
    );
  if (onFailure?.type === 'kafka' && trigger.topics.includes(resourceName(onFailure) ?? ''))
    throw new RangeError(
      `Mapping ${id}: the on-failure topic ${resourceName(onFailure)} is a topic the mapping reads; records would come back to it.`,
    );
  const retries = configuredRetries === -1 && onFailure ? KAFKA_RETRIES_WITH_DESTINATION : configuredRetries;
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
    ...(onFailure ? { onFailure } : {}),
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
        onFailure: [onFailure ? (targetArnOf(onFailure, location) ?? null) : null, at('onFailure')],
        filterCriteria: [trigger.filterCriteria ?? null, at('filterCriteria')],
      },
      fn.origins,
    ),
  };
}
