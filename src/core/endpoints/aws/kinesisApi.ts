/**
 * Kinesis Data Streams in AWS JSON 1.1 (`X-Amz-Target: Kinesis_20131202.PutRecord(s)`): records go to the local
 * stream's shard their partition key hashes to, and the stream's event source mappings read them, as on AWS.
 */
import { localResourceName } from '../../account/eventResource';
import type { KinesisStream } from '../../services/kinesisStream';
import { ResourceNotFoundError } from '../../services/localServices';
import { ApiInput } from './apiInput';
import type { AwsCall, LocalAwsAccount } from './awsApiContext';
import { AwsApiError, jsonBodyOf, jsonResponse, type AwsProtocol, type AwsResponse } from './awsProtocol';

export const KINESIS_PROTOCOL: Extract<AwsProtocol, { kind: 'json' }> = { kind: 'json', version: '1.1' };
export const KINESIS_TARGET_PREFIX = 'Kinesis_20131202.';

const MAX_RECORDS = 500;
const invalidArgument = (message: string): AwsApiError => new AwsApiError('InvalidArgumentException', 400, message);
const validation = (message: string): AwsApiError => new AwsApiError('ValidationException', 400, message);

interface RecordInput {
  data: Buffer;
  partitionKey: string;
}

export class KinesisApi {
  constructor(private readonly account: LocalAwsAccount) {}

  async handle(call: AwsCall, body: Buffer): Promise<AwsResponse> {
    const input = new ApiInput(jsonBodyOf(body), validation);
    let result: unknown;
    switch (call.operation) {
      case 'PutRecord':
        result = await this.putRecord(input);
        break;
      case 'PutRecords':
        result = await this.putRecords(input);
        break;
      default:
        throw new AwsApiError(
          'UnknownOperationException',
          400,
          `The local Kinesis does not support ${call.operation || 'this operation'}; it offers PutRecord and PutRecords.`,
        );
    }
    return jsonResponse(KINESIS_PROTOCOL, result, call.requestId);
  }

  private streamOf(input: ApiInput): KinesisStream {
    const arn = input.optionalString('StreamARN');
    const asked = arn !== undefined ? (/:stream\/([^/]+)$/.exec(arn)?.[1] ?? '') : input.optionalString('StreamName');
    if (asked === undefined) throw validation('Either StreamName or StreamARN should be provided.');
    const name = localResourceName(asked, this.account.services.resourceNames('kinesis'));
    const notFound = (): AwsApiError =>
      new AwsApiError(
        'ResourceNotFoundException',
        400,
        `Stream ${asked} under account ${this.account.location.accountId} not found.`,
      );
    if (!name) throw notFound();
    try {
      return this.account.services.stream('kinesis', name);
    } catch (err) {
      if (err instanceof ResourceNotFoundError) throw notFound();
      throw err;
    }
  }

  private recordOf(input: ApiInput): RecordInput {
    const data = input.requiredString('Data');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data)) throw validation('Data is not valid base64.');
    const partitionKey = input.requiredString('PartitionKey');
    if (partitionKey.length < 1 || partitionKey.length > 256)
      throw validation(
        `1 validation error detected: Value '${partitionKey}' at 'partitionKey' failed to satisfy constraint: Member must have length between 1 and 256`,
      );
    return { data: Buffer.from(data, 'base64'), partitionKey };
  }

  private async put(stream: KinesisStream, records: RecordInput[]) {
    let results;
    try {
      results = stream.put(records);
    } catch (err) {
      throw invalidArgument(err instanceof Error ? err.message : String(err));
    }
    await this.account.services.store.flush();
    this.account.onSdkWork?.();
    return results;
  }

  private async putRecord(input: ApiInput): Promise<unknown> {
    const stream = this.streamOf(input);
    const [result] = await this.put(stream, [this.recordOf(input)]);
    return { ShardId: result.shardId, SequenceNumber: result.sequenceNumber, EncryptionType: 'NONE' };
  }

  private async putRecords(input: ApiInput): Promise<unknown> {
    const stream = this.streamOf(input);
    const entries = input.objectList('Records', true);
    if (entries.length === 0 || entries.length > MAX_RECORDS)
      throw validation(
        `1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length between 1 and ${MAX_RECORDS}`,
      );
    const results = await this.put(
      stream,
      entries.map((e) => this.recordOf(e)),
    );
    return {
      FailedRecordCount: 0,
      Records: results.map((r) => ({ ShardId: r.shardId, SequenceNumber: r.sequenceNumber })),
      EncryptionType: 'NONE',
    };
  }
}
