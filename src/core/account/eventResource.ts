/**
 * The resource an event is a message of: the queue, stream or table an SQS, Kinesis or DynamoDB Streams event
 * names in its `eventSourceARN`, the topic of an SNS notification, the bus an EventBridge event is put on. An
 * event document offers to send its messages there ("Send to OrdersQueue"), so whatever reads that resource runs
 * as it would on AWS, instead of invoking one function directly.
 */
import type { MessageAttributeValue } from '../services/sqsQueue';
import type { PutEventsEntry } from '../services/eventBus';
import { AccountRequestError } from './accountRequestError';

export type EventResourceKind = 'sqs' | 'kinesis' | 'dynamodb' | 'sns' | 'eventbridge';

export interface EventResource {
  kind: EventResourceKind;
  /** Queue, stream, table, topic or bus name. */
  name: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a resource is called in a sentence: `queue OrdersQueue`, `table Orders (its stream)`. */
export function describeResource(resource: EventResource): string {
  switch (resource.kind) {
    case 'sqs':
      return `queue ${resource.name}`;
    case 'kinesis':
      return `stream ${resource.name}`;
    case 'dynamodb':
      return `table ${resource.name} (its stream)`;
    case 'sns':
      return `topic ${resource.name}`;
    case 'eventbridge':
      return `event bus ${resource.name}`;
  }
}

/** The resource the event's messages belong to, when it names one; undefined for anything else. */
export function eventResourceOf(event: unknown): EventResource | undefined {
  if (!isObject(event)) return undefined;
  const records = event.Records;
  const first = Array.isArray(records) && isObject(records[0]) ? records[0] : undefined;
  if (first) {
    const arn = typeof first.eventSourceARN === 'string' ? first.eventSourceARN : '';
    if (first.eventSource === 'aws:sqs') {
      const name = arn.split(':')[5];
      return name ? { kind: 'sqs', name } : undefined;
    }
    if (first.eventSource === 'aws:kinesis') {
      const name = /:stream\/([^/]+)$/.exec(arn)?.[1];
      return name ? { kind: 'kinesis', name } : undefined;
    }
    if (first.eventSource === 'aws:dynamodb') {
      const name = /:table\/([^/]+)/.exec(arn)?.[1];
      return name ? { kind: 'dynamodb', name } : undefined;
    }
    if (first.EventSource === 'aws:sns' && isObject(first.Sns) && typeof first.Sns.TopicArn === 'string') {
      const name = first.Sns.TopicArn.split(':')[5];
      return name ? { kind: 'sns', name } : undefined;
    }
    return undefined;
  }
  if (typeof event['detail-type'] === 'string' && typeof event.source === 'string' && 'detail' in event)
    return { kind: 'eventbridge', name: 'default' };
  return undefined;
}

export interface SnsPublishInput {
  message: string;
  subject?: string;
  messageAttributes?: Record<string, MessageAttributeValue>;
}

/** The notifications of an SNS event: each record's message, subject and attributes (`{Type, Value}`). */
export function snsPublishesOf(event: unknown): SnsPublishInput[] {
  const records = isObject(event) && Array.isArray(event.Records) ? event.Records : [];
  return records.map((r, i) => {
    const sns = isObject(r) ? r.Sns : undefined;
    if (!isObject(sns) || typeof sns.Message !== 'string')
      throw new AccountRequestError(`Records[${i}].Sns.Message must be a string.`);
    const input: SnsPublishInput = { message: sns.Message };
    if (typeof sns.Subject === 'string' && sns.Subject !== '') input.subject = sns.Subject;
    if (isObject(sns.MessageAttributes)) {
      const attributes: Record<string, MessageAttributeValue> = {};
      for (const [name, value] of Object.entries(sns.MessageAttributes)) {
        if (!isObject(value) || typeof value.Type !== 'string' || typeof value.Value !== 'string')
          throw new AccountRequestError(`Records[${i}].Sns.MessageAttributes.${name} needs a Type and a Value.`);
        attributes[name] =
          value.Type === 'Binary'
            ? { DataType: 'Binary', BinaryValue: value.Value }
            : { DataType: value.Type, StringValue: value.Value };
      }
      if (Object.keys(attributes).length > 0) input.messageAttributes = attributes;
    }
    return input;
  });
}

/** An EventBridge event as the PutEvents entry that produces it. */
export function putEventsEntryOf(event: unknown): PutEventsEntry {
  if (!isObject(event) || typeof event.source !== 'string' || typeof event['detail-type'] !== 'string')
    throw new AccountRequestError('An EventBridge event needs "source" and "detail-type" strings.');
  const entry: PutEventsEntry = {
    Source: event.source,
    DetailType: event['detail-type'],
    Detail: JSON.stringify(event.detail ?? {}),
  };
  if (Array.isArray(event.resources) && event.resources.every((r) => typeof r === 'string'))
    entry.Resources = event.resources;
  if (typeof event.time === 'string') entry.Time = event.time;
  return entry;
}

/**
 * The local resource a deployed name stands for: CloudFormation names a queue `shop-dev-OrdersQueue-AbC123`
 * (stack, logical id, suffix), and the workspace knows it as `OrdersQueue`. The exact name wins; else the one
 * local name that is a dash-separated part of it; else none.
 */
export function localResourceName(name: string, known: readonly string[]): string | undefined {
  if (known.includes(name)) return name;
  const parts = new Set(name.split('-'));
  const matches = known.filter((k) => parts.has(k));
  return matches.length === 1 ? matches[0] : undefined;
}
