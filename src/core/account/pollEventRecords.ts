/**
 * Turns a poll-based source's Lambda event (rendered from a template or loaded from a file) back into what was
 * put on the source: Kinesis records, DynamoDB changes, Kafka records, MQ messages. The mapping then delivers them
 * the way Lambda would (STREAM-6, KAFKA-1, MQ-1), with fresh sequence numbers and offsets.
 */
import type { AttributeMap, DynamoDbChange } from '../services/dynamoDbStream';
import type { SendKafkaRecordInput } from '../services/kafkaTopic';
import type { PutKinesisRecordInput } from '../services/kinesisStream';
import type { SendMqMessageInput } from '../services/mqBroker';
import { AccountRequestError } from './accountRequestError';

export type PollSourceKind = 'sqs' | 'kinesis' | 'dynamodb' | 'kafka' | 'mq';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Which poll-based source an event comes from, by its `eventSource` fields; undefined when it is none of them. */
export function pollSourceOf(event: unknown): PollSourceKind | undefined {
  if (!isObject(event)) return undefined;
  const records = event.Records;
  if (Array.isArray(records) && isObject(records[0])) {
    const source = records[0].eventSource;
    if (source === 'aws:sqs') return 'sqs';
    if (source === 'aws:kinesis') return 'kinesis';
    if (source === 'aws:dynamodb') return 'dynamodb';
  }
  if (event.eventSource === 'aws:kafka' || event.eventSource === 'SelfManagedKafka') return 'kafka';
  if (event.eventSource === 'aws:mq' || event.eventSource === 'aws:rmq') return 'mq';
  return undefined;
}

function recordsArray(event: unknown, what: string): unknown[] {
  const records = isObject(event) ? event.Records : undefined;
  if (!Array.isArray(records) || records.length === 0)
    throw new AccountRequestError(`A ${what} event needs a non-empty "Records" array.`);
  return records;
}

/** Base64 text to bytes; a clear error naming the field otherwise. */
function base64Bytes(value: unknown, where: string): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0)
    throw new AccountRequestError(`${where} must be base64 text, got ${JSON.stringify(value)?.slice(0, 80)}.`);
  return Buffer.from(value, 'base64');
}

/** STREAM-6: `Records[].kinesis {data (base64), partitionKey}` to PutRecords entries. */
export function kinesisRecordsOf(event: unknown): PutKinesisRecordInput[] {
  return recordsArray(event, 'Kinesis').map((r, i) => {
    const kinesis = isObject(r) ? r.kinesis : undefined;
    if (!isObject(kinesis)) throw new AccountRequestError(`Records[${i}].kinesis is missing.`);
    if (typeof kinesis.partitionKey !== 'string' || kinesis.partitionKey === '')
      throw new AccountRequestError(`Records[${i}].kinesis.partitionKey must be a non-empty string.`);
    return { data: base64Bytes(kinesis.data, `Records[${i}].kinesis.data`), partitionKey: kinesis.partitionKey };
  });
}

/** STREAM-6: `Records[] {eventName, dynamodb {Keys, NewImage, OldImage}}` to table changes. */
export function dynamoDbChangesOf(event: unknown): DynamoDbChange[] {
  return recordsArray(event, 'DynamoDB Streams').map((r, i) => {
    const rec = isObject(r) ? r : {};
    const eventName = rec.eventName;
    if (eventName !== 'INSERT' && eventName !== 'MODIFY' && eventName !== 'REMOVE')
      throw new AccountRequestError(
        `Records[${i}].eventName must be INSERT, MODIFY or REMOVE, got ${JSON.stringify(eventName)}.`,
      );
    const ddb = rec.dynamodb;
    if (!isObject(ddb) || !isObject(ddb.Keys))
      throw new AccountRequestError(`Records[${i}].dynamodb.Keys (DynamoDB JSON) is missing.`);
    const change: DynamoDbChange = { eventName, keys: ddb.Keys as AttributeMap };
    if (isObject(ddb.NewImage)) change.newImage = ddb.NewImage as AttributeMap;
    if (isObject(ddb.OldImage)) change.oldImage = ddb.OldImage as AttributeMap;
    return change;
  });
}

/** KAFKA-1: header values are byte arrays (`[{"name": [104, 105]}]`). */
function kafkaHeaders(value: unknown, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === undefined || value === null) return out;
  if (!Array.isArray(value)) throw new AccountRequestError(`${where} must be a list of {name: bytes} objects.`);
  value.forEach((h, j) => {
    if (!isObject(h)) throw new AccountRequestError(`${where}[${j}] must be an object.`);
    for (const [name, bytes] of Object.entries(h)) {
      if (!Array.isArray(bytes) || !bytes.every((b) => Number.isInteger(b) && b >= 0 && b < 256))
        throw new AccountRequestError(`${where}[${j}].${name} must be a list of bytes (0..255).`);
      out[name] = Buffer.from(bytes as number[]).toString('utf8');
    }
  });
  return out;
}

/** KAFKA-1: every record of `records {"<topic>-<partition>": [...]}`, with the topic each one names. */
export function kafkaRecordsOf(event: unknown): Array<{ topic: string; record: SendKafkaRecordInput }> {
  const groups = isObject(event) ? event.records : undefined;
  if (!isObject(groups) || Object.keys(groups).length === 0)
    throw new AccountRequestError('A Kafka event needs a non-empty "records" object ({"<topic>-<partition>": [...]}).');
  const out: Array<{ topic: string; record: SendKafkaRecordInput }> = [];
  for (const [group, list] of Object.entries(groups)) {
    if (!Array.isArray(list)) throw new AccountRequestError(`records["${group}"] must be a list of records.`);
    list.forEach((r, i) => {
      const where = `records["${group}"][${i}]`;
      if (!isObject(r)) throw new AccountRequestError(`${where} must be an object.`);
      const topic = typeof r.topic === 'string' && r.topic ? r.topic : group.replace(/-\d+$/, '');
      const record: SendKafkaRecordInput = {
        value: base64Bytes(r.value, `${where}.value`),
        headers: kafkaHeaders(r.headers, `${where}.headers`),
      };
      if (r.key !== undefined && r.key !== null) record.key = base64Bytes(r.key, `${where}.key`).toString('utf8');
      out.push({ topic, record });
    });
  }
  return out;
}

/** MQ-1: ActiveMQ `messages[]` or RabbitMQ `rmqMessagesByQueue {"<queue>::<vhost>": [...]}`, data in base64. */
export function mqMessagesOf(event: unknown): SendMqMessageInput[] {
  const e = isObject(event) ? event : {};
  const lists: Array<[string, unknown]> =
    e.eventSource === 'aws:rmq'
      ? Object.entries(isObject(e.rmqMessagesByQueue) ? e.rmqMessagesByQueue : {}).map(([q, list]) => [
          `rmqMessagesByQueue["${q}"]`,
          list,
        ])
      : [['messages', e.messages]];
  const out: SendMqMessageInput[] = [];
  for (const [where, list] of lists) {
    if (!Array.isArray(list)) throw new AccountRequestError(`${where} must be a list of messages.`);
    list.forEach((m, i) => {
      if (!isObject(m)) throw new AccountRequestError(`${where}[${i}] must be an object.`);
      const message: SendMqMessageInput = { data: base64Bytes(m.data, `${where}[${i}].data`) };
      const props = isObject(m.properties) ? m.properties : undefined;
      if (props) message.properties = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, String(v)]));
      out.push(message);
    });
  }
  if (out.length === 0) throw new AccountRequestError('The MQ event holds no messages.');
  return out;
}
