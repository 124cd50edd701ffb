/**
 * A local Kinesis data stream: shards with hash key ranges, PutRecord(s) mapping partition keys to shards by MD5
 * (as Kinesis does), 56-digit sequence numbers growing per shard, and the Lambda record shape (STREAM-6).
 */
import type { DurableStore } from '../store/durableStore';
import { kinesisFilterView } from './filterCriteria';
import type { StreamSettings } from './functionSettings';
import { streamArn, type AwsLocation } from '../resourceArn';
import { ShardLog, shardIndexForKey, type LogRecord } from './shardLog';
import type { PolledSource, RecordDelivery } from './streamEventSourceMapping';
import type { VirtualClock } from './virtualClock';

export interface KinesisPayload {
  /** Base64. */
  data: string;
}

export interface PutKinesisRecordInput {
  /** Text is sent as its UTF-8 bytes; bytes as they are. */
  data: string | Uint8Array;
  partitionKey: string;
}

export interface PutKinesisRecordResult {
  shardId: string;
  sequenceNumber: string;
}

/** Kinesis' default retention: 24 hours. */
const DEFAULT_RETENTION_HOURS = 24;
/** Kinesis caps a record's data blob at 1 MB (10 MB since 2025 on request; the runner keeps the default). */
const MAX_RECORD_BYTES = 1024 * 1024;

export class KinesisStream implements PolledSource<KinesisPayload> {
  readonly type = 'kinesis' as const;
  readonly arn: string;
  readonly log: ShardLog<KinesisPayload>;
  readonly retentionMs: number;

  constructor(
    readonly settings: StreamSettings,
    store: DurableStore,
    private readonly clock: VirtualClock,
    private readonly location: AwsLocation,
  ) {
    const shardCount = settings.shardCount ?? 1;
    if (!Number.isInteger(shardCount) || shardCount < 1)
      throw new RangeError(`Kinesis stream ${settings.name}: ShardCount must be a positive integer.`);
    this.arn = streamArn('kinesis', settings.name, location);
    this.retentionMs = (settings.retentionHours ?? DEFAULT_RETENTION_HOURS) * 3_600_000;
    const shardIds = Array.from({ length: shardCount }, (_, i) => `shardId-${String(i).padStart(12, '0')}`);
    // 56 digits like AWS's; the shard index keeps numbers unique across shards.
    this.log = new ShardLog(
      store,
      `kinesis/${settings.name}`,
      shardIds,
      (shard, n) => `4959${String(shard).padStart(6, '0')}${String(n + 1).padStart(46, '0')}`,
    );
  }

  get name(): string {
    return this.settings.name;
  }

  /** PutRecords: each record goes to the shard whose hash key range holds MD5(partitionKey). */
  put(inputs: PutKinesisRecordInput[]): PutKinesisRecordResult[] {
    const now = this.clock.now();
    return inputs.map((input) => {
      if (typeof input.partitionKey !== 'string' || input.partitionKey.length < 1 || input.partitionKey.length > 256)
        throw new Error(`PutRecord to ${this.name}: PartitionKey must be 1..256 characters.`);
      const bytes = typeof input.data === 'string' ? Buffer.from(input.data, 'utf8') : Buffer.from(input.data);
      if (bytes.length > MAX_RECORD_BYTES)
        throw new Error(
          `PutRecord to ${this.name}: the data is ${bytes.length} bytes; Kinesis allows ${MAX_RECORD_BYTES}.`,
        );
      const shardId = this.log.shardIds[shardIndexForKey(input.partitionKey, this.log.shardIds.length)];
      const record = this.log.append(shardId, input.partitionKey, { data: bytes.toString('base64') }, now);
      return { shardId, sequenceNumber: record.sequenceNumber };
    });
  }

  /** STREAM-6: the Kinesis record as Lambda delivers it. */
  lambdaRecord(record: LogRecord<KinesisPayload>, delivery: RecordDelivery): Record<string, unknown> {
    return {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: record.partitionKey,
        sequenceNumber: record.sequenceNumber,
        data: record.payload.data,
        approximateArrivalTimestamp: record.arrival / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${record.shardId}:${record.sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      // The runner has no IAM: the execution role is named after the function.
      invokeIdentityArn: `arn:aws:iam::${this.location.accountId}:role/${delivery.functionName}-role`,
      awsRegion: this.location.region,
      eventSourceARN: this.arn,
    };
  }

  /** FILTER-3: filters see `data` base64-decoded, then parsed. */
  filterView(lambdaRecord: Record<string, unknown>): unknown {
    return kinesisFilterView(lambdaRecord as { kinesis: { data: string } } & Record<string, unknown>);
  }

  event(_shardId: string, records: Array<Record<string, unknown>>): Record<string, unknown> {
    return { Records: records };
  }
}
