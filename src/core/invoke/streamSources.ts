/**
 * How Lambda reads Kinesis and DynamoDB streams (STREAM-6): each record as a mapping delivers it, what its filters
 * see (FILTER-3) and the event a batch of one shard becomes.
 */
import type { DynamoDbPayload, DynamoDbStream } from '../services/dynamoDbStream';
import type { KinesisPayload, KinesisStream } from '../services/kinesisStream';
import type { Subscription } from '../services/localResource';
import type { LogRecord, ShardLog } from '../services/shardLog';
import {
  mappingFailureRecord,
  s3StreamFailureRecord,
  type MappingFailure,
  type StreamBatchInfo,
} from './destinationRecord';
import { kinesisFilterView } from './filterCriteria';
import type {
  FailedBatch,
  FailureMessage,
  FailureTargetKind,
  PolledSource,
  RecordDelivery,
} from './streamEventSourceMapping';

/** What both streams share: the log a mapping reads, its ARN and retention, and the `{Records}` event. */
abstract class StreamSource<P, S extends KinesisStream | DynamoDbStream> implements PolledSource<P> {
  abstract readonly type: 'kinesis' | 'dynamodb';
  readonly arn: string;
  /** The Kinesis stream's name, or the DynamoDB table's. */
  readonly name: string;
  readonly log: ShardLog<P>;
  readonly retentionMs: number;

  constructor(protected readonly stream: S & { log: ShardLog<P> }) {
    this.arn = stream.arn;
    this.name = stream.name;
    this.log = stream.log;
    this.retentionMs = stream.retentionMs;
  }

  subscribe(listener: () => void): Subscription {
    return this.stream.subscribe(listener);
  }

  abstract lambdaRecord(record: LogRecord<P>, delivery: RecordDelivery): Record<string, unknown>;

  abstract filterView(lambdaRecord: Record<string, unknown>): unknown;

  event(_shardId: string, records: Array<Record<string, unknown>>): Record<string, unknown> {
    return { Records: records };
  }

  /** STREAM-4: `KinesisBatchInfo` or `DDBStreamBatchInfo`. */
  protected abstract readonly batchInfoKey: string;

  /** How the batch info writes a record's arrival time. */
  protected abstract arrivalText(arrivalMs: number): string;

  /** STREAM-4: one record describing the batch; an S3 bucket also gets the batch's event. */
  failureMessages(failure: MappingFailure, batch: FailedBatch<P>, to: FailureTargetKind): FailureMessage[] {
    const first = batch.records[0];
    const last = batch.records[batch.records.length - 1];
    const info: StreamBatchInfo = {
      shardId: batch.shardId,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: this.arrivalText(first.arrival),
      approximateArrivalOfLastRecord: this.arrivalText(last.arrival),
      batchSize: batch.records.length,
      streamArn: this.arn,
    };
    const record = mappingFailureRecord(failure, this.batchInfoKey, info);
    return [{ body: JSON.stringify(to === 's3' ? s3StreamFailureRecord(record, batch.event) : record) }];
  }
}

export class KinesisSource extends StreamSource<KinesisPayload, KinesisStream> {
  readonly type = 'kinesis' as const;
  protected readonly batchInfoKey = 'KinesisBatchInfo';

  /** Kinesis arrival times have milliseconds. */
  protected arrivalText(arrivalMs: number): string {
    return new Date(arrivalMs).toISOString();
  }

  /** STREAM-6: the Kinesis record as Lambda delivers it. */
  lambdaRecord(record: LogRecord<KinesisPayload>, delivery: RecordDelivery): Record<string, unknown> {
    const { location } = this.stream;
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
      invokeIdentityArn: `arn:aws:iam::${location.accountId}:role/${delivery.functionName}-role`,
      awsRegion: location.region,
      eventSourceARN: this.arn,
    };
  }

  /** FILTER-3: filters see `data` base64-decoded, then parsed. */
  filterView(lambdaRecord: Record<string, unknown>): unknown {
    return kinesisFilterView(lambdaRecord as { kinesis: { data: string } } & Record<string, unknown>);
  }
}

export class DynamoDbSource extends StreamSource<DynamoDbPayload, DynamoDbStream> {
  readonly type = 'dynamodb' as const;
  protected readonly batchInfoKey = 'DDBStreamBatchInfo';

  /** A DynamoDB record's arrival is its ApproximateCreationDateTime, whole seconds: `2025-01-01T00:00:00Z`. */
  protected arrivalText(arrivalMs: number): string {
    return new Date(Math.floor(arrivalMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  }

  /** STREAM-6: the DynamoDB stream record as Lambda delivers it, with the images the view type keeps. */
  lambdaRecord(record: LogRecord<DynamoDbPayload>): Record<string, unknown> {
    const p = record.payload;
    const viewType = this.stream.viewType;
    const dynamodb: Record<string, unknown> = {
      ApproximateCreationDateTime: Math.floor(record.arrival / 1000),
      Keys: p.keys,
    };
    const withNew = viewType === 'NEW_IMAGE' || viewType === 'NEW_AND_OLD_IMAGES';
    const withOld = viewType === 'OLD_IMAGE' || viewType === 'NEW_AND_OLD_IMAGES';
    if (withNew && p.newImage) dynamodb.NewImage = p.newImage;
    if (withOld && p.oldImage) dynamodb.OldImage = p.oldImage;
    dynamodb.SequenceNumber = record.sequenceNumber;
    // Approximation: AWS counts DynamoDB item bytes; the runner counts the JSON of what the record carries.
    dynamodb.SizeBytes = Buffer.byteLength(
      JSON.stringify([p.keys, dynamodb.NewImage ?? null, dynamodb.OldImage ?? null]),
    );
    dynamodb.StreamViewType = viewType;
    return {
      eventID: p.eventID,
      eventName: p.eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: this.stream.location.region,
      dynamodb,
      eventSourceARN: this.arn,
    };
  }

  /** FILTER-3: DynamoDB filters see the record as delivered (`dynamodb`, `eventName` ...). */
  filterView(lambdaRecord: Record<string, unknown>): unknown {
    return lambdaRecord;
  }
}
