/**
 * A local Kinesis data stream: shards with hash key ranges, PutRecord(s) mapping partition keys to shards by MD5
 * (as Kinesis does), 56-digit sequence numbers growing per shard, and the Lambda record shape (STREAM-6).
 */
import type { AwsLocation } from '../awsLocation';
import { streamArn } from '../resourceArn';
import type { DurableStore } from '../store/durableStore';
import { PutResource, type SimulatedClock } from './localResource';
import type { StreamSettings } from './resources';
import { ShardLog, shardIndexForKey } from './shardLog';

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

export class KinesisStream extends PutResource<PutKinesisRecordInput, PutKinesisRecordResult> {
  readonly kind = 'kinesis' as const;
  readonly type = 'kinesis' as const;
  readonly arn: string;
  readonly log: ShardLog<KinesisPayload>;
  readonly retentionMs: number;

  constructor(
    readonly settings: StreamSettings,
    store: DurableStore,
    private readonly clock: SimulatedClock,
    readonly location: AwsLocation,
  ) {
    super();
    this.arn = streamArn('kinesis', settings.name, location);
    this.retentionMs = (settings.retentionHours ?? DEFAULT_RETENTION_HOURS) * 3_600_000;
    // 56-digit sequence numbers like AWS's; the shard index keeps numbers unique across shards.
    this.log = ShardLog.sharded(
      store,
      `kinesis/${settings.name}`,
      `Kinesis stream ${settings.name}`,
      settings.shardCount ?? 1,
      (i) => `shardId-${String(i).padStart(12, '0')}`,
      (shard, n) => `4959${String(shard).padStart(6, '0')}${String(n + 1).padStart(46, '0')}`,
    );
  }

  get name(): string {
    return this.settings.name;
  }

  /** PutRecords: each record goes to the shard whose hash key range holds MD5(partitionKey). */
  protected putOne(input: PutKinesisRecordInput): PutKinesisRecordResult {
    if (typeof input.partitionKey !== 'string' || input.partitionKey.length < 1 || input.partitionKey.length > 256)
      throw new Error(`PutRecord to ${this.name}: PartitionKey must be 1..256 characters.`);
    const bytes = typeof input.data === 'string' ? Buffer.from(input.data, 'utf8') : Buffer.from(input.data);
    if (bytes.length > MAX_RECORD_BYTES)
      throw new Error(
        `PutRecord to ${this.name}: the data is ${bytes.length} bytes; Kinesis allows ${MAX_RECORD_BYTES}.`,
      );
    const shardId = this.log.shardIds[shardIndexForKey(input.partitionKey, this.log.shardIds.length)];
    const record = this.log.append(shardId, input.partitionKey, { data: bytes.toString('base64') }, this.clock.now());
    return { shardId, sequenceNumber: record.sequenceNumber };
  }
}
