/** A local Kafka topic: partitions with contiguous offsets (0, 1, 2 ...), kept in the durable store. */
import type { DurableStore } from '../store/durableStore';
import { PutResource, type SimulatedClock } from './localResource';
import type { KafkaTopicSettings } from './resources';
import { ShardLog, shardIndexForKey } from './shardLog';

export interface KafkaPayload {
  /** Base64; absent for a record without a key. */
  key?: string;
  /** Base64. */
  value: string;
  /** Kafka header values are bytes: `[{"name": [104, 105]}]` as Lambda delivers them. */
  headers: Array<Record<string, number[]>>;
}

export interface SendKafkaRecordInput {
  /** Text is sent as UTF-8 bytes. */
  key?: string | Uint8Array;
  /** Text is sent as UTF-8 bytes. */
  value: string | Uint8Array;
  /** Default: by key hash, or round robin for records without a key. */
  partition?: number;
  headers?: Record<string, string>;
}

export interface KafkaRecordMetadata {
  topic: string;
  partition: number;
  offset: number;
}

export class KafkaTopic extends PutResource<SendKafkaRecordInput, KafkaRecordMetadata> {
  readonly kind = 'kafka' as const;
  readonly log: ShardLog<KafkaPayload>;
  private roundRobin = 0;

  constructor(
    readonly settings: KafkaTopicSettings,
    store: DurableStore,
    private readonly clock: SimulatedClock,
  ) {
    super();
    const partitions = settings.partitions ?? 1;
    if (!Number.isInteger(partitions) || partitions < 1)
      throw new RangeError(`Kafka topic ${settings.name}: partitions must be a positive integer.`);
    this.log = new ShardLog(
      store,
      `kafka/${settings.name}`,
      Array.from({ length: partitions }, (_, i) => String(i)),
      (_partition, n) => String(n),
    );
  }

  get name(): string {
    return this.settings.name;
  }

  /** Topics have no ARN of their own; the mapping's event names the cluster. */
  get arn(): string {
    return `kafka:topic/${this.settings.name}`;
  }

  /** Produce: by key hash, or round robin for records without a key, unless a partition is given. */
  protected putOne(input: SendKafkaRecordInput): KafkaRecordMetadata {
    const count = this.log.shardIds.length;
    const key = input.key === undefined ? undefined : Buffer.from(input.key);
    const keyText = key?.toString('utf8');
    // Kafka's default partitioner hashes the key (murmur2; MD5 here) and spreads keyless records.
    const partition =
      input.partition ?? (keyText !== undefined ? shardIndexForKey(keyText, count) : this.roundRobin++ % count);
    if (!Number.isInteger(partition) || partition < 0 || partition >= count)
      throw new RangeError(`Kafka topic ${this.name} has no partition ${partition} (0..${count - 1}).`);
    const value = typeof input.value === 'string' ? Buffer.from(input.value, 'utf8') : Buffer.from(input.value);
    const payload: KafkaPayload = {
      value: value.toString('base64'),
      headers: Object.entries(input.headers ?? {}).map(([k, v]) => ({ [k]: [...Buffer.from(v, 'utf8')] })),
    };
    if (key !== undefined) payload.key = key.toString('base64');
    const record = this.log.append(String(partition), keyText ?? '', payload, this.clock.now());
    return { topic: this.name, partition, offset: record.n };
  }
}
