/**
 * A local DynamoDB stream: change records (INSERT, MODIFY, REMOVE) with DynamoDB JSON images, trimmed to the
 * table's StreamViewType, in shards keyed by the item's key, with digit-string sequence numbers (STREAM-6).
 */
import { randomUUID } from 'node:crypto';
import type { DurableStore } from '../store/durableStore';
import type { StreamSettings } from './functionSettings';
import { streamArn, type AwsLocation } from '../resourceArn';
import { ShardLog, shardIndexForKey, type LogRecord } from './shardLog';
import type { PolledSource, RecordDelivery } from './streamEventSourceMapping';
import type { VirtualClock } from './virtualClock';

/** DynamoDB JSON: `{"S": "x"}`, `{"N": "1"}`, `{"M": {...}}` ... */
export type AttributeValue = Record<string, unknown>;
export type AttributeMap = Record<string, AttributeValue>;

export type StreamViewType = 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';

export interface DynamoDbChange {
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  /** The item's primary key, DynamoDB JSON. */
  keys: AttributeMap;
  newImage?: AttributeMap;
  oldImage?: AttributeMap;
}

export interface DynamoDbPayload {
  eventID: string;
  eventName: DynamoDbChange['eventName'];
  keys: AttributeMap;
  newImage?: AttributeMap;
  oldImage?: AttributeMap;
}

/** DynamoDB streams keep records 24 hours. */
const RETENTION_MS = 24 * 3_600_000;

export class DynamoDbStream implements PolledSource<DynamoDbPayload> {
  readonly type = 'dynamodb' as const;
  readonly arn: string;
  readonly log: ShardLog<DynamoDbPayload>;
  readonly retentionMs = RETENTION_MS;
  readonly viewType: StreamViewType;

  constructor(
    readonly settings: StreamSettings,
    store: DurableStore,
    private readonly clock: VirtualClock,
    private readonly location: AwsLocation,
  ) {
    const shardCount = settings.shardCount ?? 1;
    if (!Number.isInteger(shardCount) || shardCount < 1)
      throw new RangeError(`DynamoDB stream ${settings.name}: the shard count must be a positive integer.`);
    this.viewType = settings.streamViewType ?? 'NEW_AND_OLD_IMAGES';
    this.arn = streamArn('dynamodb', settings.name, location);
    const shardIds = Array.from(
      { length: shardCount },
      (_, i) => `shardId-${String(i + 1).padStart(20, '0')}-${String(i).padStart(8, '0')}`,
    );
    this.log = new ShardLog(
      store,
      `dynamodb/${settings.name}`,
      shardIds,
      (shard, n) => `1${String(shard).padStart(4, '0')}${String(n + 1).padStart(20, '0')}`,
    );
  }

  get name(): string {
    return this.settings.name;
  }

  /** Appends change records in order; an item's changes always land in the same shard. */
  append(changes: DynamoDbChange[]): Array<{ shardId: string; sequenceNumber: string; eventID: string }> {
    const now = this.clock.now();
    return changes.map((change) => {
      if (!['INSERT', 'MODIFY', 'REMOVE'].includes(change.eventName))
        throw new Error(`DynamoDB change on ${this.name}: eventName must be INSERT, MODIFY or REMOVE.`);
      if (!change.keys || typeof change.keys !== 'object' || Object.keys(change.keys).length === 0)
        throw new Error(`DynamoDB change on ${this.name}: keys (DynamoDB JSON) are required.`);
      for (const image of [change.keys, change.newImage, change.oldImage]) if (image) checkDynamoDbJson(image);
      const partitionKey = JSON.stringify(sortedKeys(change.keys));
      const shardId = this.log.shardIds[shardIndexForKey(partitionKey, this.log.shardIds.length)];
      const payload: DynamoDbPayload = {
        eventID: randomUUID().replace(/-/g, ''),
        eventName: change.eventName,
        keys: change.keys,
      };
      if (change.newImage && change.eventName !== 'REMOVE') payload.newImage = change.newImage;
      if (change.oldImage && change.eventName !== 'INSERT') payload.oldImage = change.oldImage;
      const record = this.log.append(shardId, partitionKey, payload, now);
      return { shardId, sequenceNumber: record.sequenceNumber, eventID: payload.eventID };
    });
  }

  /** STREAM-6: the DynamoDB stream record as Lambda delivers it. */
  lambdaRecord(record: LogRecord<DynamoDbPayload>, _delivery: RecordDelivery): Record<string, unknown> {
    const p = record.payload;
    const dynamodb: Record<string, unknown> = {
      ApproximateCreationDateTime: Math.floor(record.arrival / 1000),
      Keys: p.keys,
    };
    const withNew = this.viewType === 'NEW_IMAGE' || this.viewType === 'NEW_AND_OLD_IMAGES';
    const withOld = this.viewType === 'OLD_IMAGE' || this.viewType === 'NEW_AND_OLD_IMAGES';
    if (withNew && p.newImage) dynamodb.NewImage = p.newImage;
    if (withOld && p.oldImage) dynamodb.OldImage = p.oldImage;
    dynamodb.SequenceNumber = record.sequenceNumber;
    // Approximation: AWS counts DynamoDB item bytes; the runner counts the JSON of what the record carries.
    dynamodb.SizeBytes = Buffer.byteLength(
      JSON.stringify([p.keys, dynamodb.NewImage ?? null, dynamodb.OldImage ?? null]),
    );
    dynamodb.StreamViewType = this.viewType;
    return {
      eventID: p.eventID,
      eventName: p.eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: this.location.region,
      dynamodb,
      eventSourceARN: this.arn,
    };
  }

  /** FILTER-3: DynamoDB filters see the record as delivered (`dynamodb`, `eventName` ...). */
  filterView(lambdaRecord: Record<string, unknown>): unknown {
    return lambdaRecord;
  }

  event(_shardId: string, records: Array<Record<string, unknown>>): Record<string, unknown> {
    return { Records: records };
  }
}

const TYPES = new Set(['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS']);

function checkDynamoDbJson(map: AttributeMap): void {
  for (const [name, value] of Object.entries(map)) {
    const types = value && typeof value === 'object' ? Object.keys(value) : [];
    if (types.length !== 1 || !TYPES.has(types[0]))
      throw new Error(
        `Attribute "${name}" is not DynamoDB JSON (expected {"S": ...}, {"N": "1"} ...): ${JSON.stringify(value)}. Use toDynamoDbJson() for plain JSON.`,
      );
  }
}

function sortedKeys(map: AttributeMap): AttributeMap {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => a.localeCompare(b)));
}

/** Plain JSON to DynamoDB JSON (numbers become `{"N": "..."}` as written). */
export function toDynamoDbJson(item: Record<string, unknown>): AttributeMap {
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, attributeValue(v)]));
}

function attributeValue(v: unknown): AttributeValue {
  if (v === null || v === undefined) return { NULL: true };
  if (typeof v === 'string') return { S: v };
  if (typeof v === 'number') return { N: String(v) };
  if (typeof v === 'boolean') return { BOOL: v };
  if (Array.isArray(v)) return { L: v.map(attributeValue) };
  if (v instanceof Uint8Array) return { B: Buffer.from(v).toString('base64') };
  return { M: toDynamoDbJson(v as Record<string, unknown>) };
}
