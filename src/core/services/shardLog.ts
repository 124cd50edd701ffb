/**
 * An append-only, durable log split into shards: the storage behind local Kinesis streams, DynamoDB streams,
 * Kafka topic partitions and MQ queues. Each record gets a per-shard counter `n` (0, 1, 2 ...) that orders it,
 * and a sequence number string formatted by the owner (Kinesis/DynamoDB digits, Kafka offsets, MQ message ids).
 */
import { createHash } from 'node:crypto';
import type { DurableStore } from '../store/durableStore';

export interface LogRecord<P = unknown> {
  shardId: string;
  /** Position in the shard: 0, 1, 2 ... (orders records; contiguous per shard). */
  n: number;
  sequenceNumber: string;
  /** Kinesis partition key, DynamoDB item key, Kafka key: what ParallelizationFactor groups by (STREAM-1). */
  partitionKey: string;
  /** Simulated ms: approximateArrivalTimestamp / ApproximateCreationDateTime / Kafka timestamp. */
  arrival: number;
  payload: P;
}

export class ShardLog<P = unknown> {
  private readonly shards = new Map<string, Array<LogRecord<P>>>();

  constructor(
    private readonly store: DurableStore,
    private readonly collection: string,
    readonly shardIds: readonly string[],
    private readonly formatSequence: (shardIndex: number, n: number) => string,
  ) {
    for (const id of shardIds) this.shards.set(id, []);
    for (const record of store.load<LogRecord<P>>(collection).values()) this.shards.get(record.shardId)?.push(record);
    for (const records of this.shards.values()) records.sort((a, b) => a.n - b.n);
  }

  /** A log of `count` shards named by `shardIdOf`; `what` names the resource when the count is wrong. */
  static sharded<P>(
    store: DurableStore,
    collection: string,
    what: string,
    count: number,
    shardIdOf: (index: number) => string,
    formatSequence: (shardIndex: number, n: number) => string,
  ): ShardLog<P> {
    if (!Number.isInteger(count) || count < 1)
      throw new RangeError(`${what}: the shard count must be a positive integer.`);
    return new ShardLog<P>(
      store,
      collection,
      Array.from({ length: count }, (_, i) => shardIdOf(i)),
      formatSequence,
    );
  }

  /** Appends in the current store transaction; sequence numbers grow monotonically per shard. */
  append(shardId: string, partitionKey: string, payload: P, arrival: number): LogRecord<P> {
    const records = this.records(shardId);
    const n = records.length === 0 ? 0 : records[records.length - 1].n + 1;
    const record: LogRecord<P> = {
      shardId,
      n,
      sequenceNumber: this.formatSequence(this.shardIds.indexOf(shardId), n),
      partitionKey,
      arrival,
      payload,
    };
    records.push(record);
    this.store.put(this.collection, `${shardId}/${n}`, record);
    return record;
  }

  records(shardId: string): ReadonlyArray<LogRecord<P>> & Array<LogRecord<P>> {
    const records = this.shards.get(shardId);
    if (!records) throw new Error(`Unknown shard ${shardId} (known: ${this.shardIds.join(', ')}).`);
    return records;
  }

  /** Index of the first record with a counter above `n` (binary search: records are sorted). */
  indexAfter(shardId: string, n: number): number {
    const records = this.records(shardId);
    let lo = 0;
    let hi = records.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (records[mid].n <= n) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  last(shardId: string): LogRecord<P> | undefined {
    const records = this.records(shardId);
    return records[records.length - 1];
  }

  get size(): number {
    let n = 0;
    for (const records of this.shards.values()) n += records.length;
    return n;
  }
}

/** 128-bit MD5 of a key as a bigint: Kinesis maps partition keys to shards' hash key ranges this way. */
export function md5Hash(key: string): bigint {
  return BigInt(`0x${createHash('md5').update(key).digest('hex')}`);
}

/** The shard whose (evenly split) hash key range holds the key's MD5 hash. */
export function shardIndexForKey(key: string, shardCount: number): number {
  return Number((md5Hash(key) * BigInt(shardCount)) >> 128n);
}
