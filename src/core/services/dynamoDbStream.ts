/**
 * A local DynamoDB stream: change records (INSERT, MODIFY, REMOVE) with DynamoDB JSON images, trimmed to the
 * table's StreamViewType, in shards keyed by the item's key, with digit-string sequence numbers (STREAM-6).
 */
import { randomUUID } from 'node:crypto';
import type { AwsLocation } from '../awsLocation';
import type { StreamViewType } from '../discovery/functionConfig';
import { streamArn } from '../resourceArn';
import type { DurableStore } from '../store/durableStore';
import { PutResource, type SimulatedClock } from './localResource';
import type { StreamSettings } from './resources';
import { ShardLog, shardIndexForKey } from './shardLog';

export interface DynamoDbChangeResult {
  shardId: string;
  sequenceNumber: string;
  eventID: string;
}

/** DynamoDB JSON: `{"S": "x"}`, `{"N": "1"}`, `{"M": {...}}` ... */
export type AttributeValue = Record<string, unknown>;
export type AttributeMap = Record<string, AttributeValue>;

export type { StreamViewType } from '../discovery/functionConfig';

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

export class DynamoDbStream extends PutResource<DynamoDbChange, DynamoDbChangeResult> {
  readonly kind = 'dynamodb' as const;
  readonly type = 'dynamodb' as const;
  readonly arn: string;
  readonly log: ShardLog<DynamoDbPayload>;
  readonly retentionMs = RETENTION_MS;
  private _viewType: StreamViewType;

  constructor(
    readonly settings: StreamSettings,
    store: DurableStore,
    private readonly clock: SimulatedClock,
    readonly location: AwsLocation,
  ) {
    super();
    this._viewType = settings.streamViewType ?? 'NEW_AND_OLD_IMAGES';
    this.arn = streamArn('dynamodb', settings.name, location);
    this.log = ShardLog.sharded(
      store,
      `dynamodb/${settings.name}`,
      `DynamoDB stream ${settings.name}`,
      settings.shardCount ?? 1,
      (i) => `shardId-${String(i + 1).padStart(20, '0')}-${String(i).padStart(8, '0')}`,
      (shard, n) => `1${String(shard).padStart(4, '0')}${String(n + 1).padStart(20, '0')}`,
    );
  }

  get name(): string {
    return this.settings.name;
  }

  /** STREAM-6: which images the records carry; records keep both, a mapping trims them as it delivers them. */
  get viewType(): StreamViewType {
    return this._viewType;
  }

  /** The table's declaration names its view type after something else created the stream with the default. */
  declareViewType(viewType: StreamViewType): void {
    this._viewType = viewType;
  }

  /** Appends the change record a table write produces; an item's changes always land in one shard, in order. */
  protected putOne(change: DynamoDbChange): DynamoDbChangeResult {
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
    const record = this.log.append(shardId, partitionKey, payload, this.clock.now());
    return { shardId, sequenceNumber: record.sequenceNumber, eventID: payload.eventID };
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
