/**
 * One way into every local target: async destinations (ASYNC-7, ASYNC-8), mappings' on-failure destinations
 * (STREAM-4), dead-letter queues (ASYNC-9), SNS and EventBridge fan-out, SQS redrive policies (SQS-3) and redrives
 * back to a source queue all call `deliver`, and each delivery is recorded the same way (target, exact body,
 * attributes, where it ended up, or why it failed).
 */
import type { MessageAttributeValue, SqsMessage } from './sqsQueue';

export type DeliveryKind = 'destination' | 'deadLetterQueue' | 'queueRedrive' | 'fanOut';

export type DeliveryTargetType = 'sqs' | 'sns' | 'lambda' | 'eventbridge' | 's3' | 'kafka';

export interface DeliveryRecord {
  kind: DeliveryKind;
  /** Success, RetriesExhausted, EventAgeExceeded, ZeroReservedConcurrency, RetryAttemptsExhausted, RecordAgeExceeded ... */
  condition: string;
  target: { type: DeliveryTargetType; arn: string };
  /** The exact body (SQS), message (SNS), payload (Lambda), event (EventBridge), object content (S3) or value (Kafka). */
  body: string;
  /** ASYNC-9: message attributes (DLQ). */
  attributes?: Record<string, { DataType: string; StringValue: string }>;
  /** Where the delivery ended up: message id, object path, record id of the invoked function. */
  deliveredAs?: string;
  time: { simulated: string; wall: string };
  error?: string;
}

/** How a function target's invocation says where it came from (an InvocationRecord's source). */
export interface InvocationSource {
  type: string;
  arn?: string;
  /** The record this one was started from (destination chains, replays). */
  parentRecordId?: string;
}

/** The engine's side of a Lambda function target: queues an asynchronous invocation (ASYNC-1). */
export interface FunctionTargets {
  /** Returns the new invocation record's id; throws when the function does not exist. */
  invokeAsync(functionName: string, payloadJson: string, source: InvocationSource): string;
}

export interface DeliveryInput {
  kind: DeliveryKind;
  condition: string;
  body: string;
  attributes?: Record<string, MessageAttributeValue>;
  /** The function whose invocation is reported: EventBridge `resources`, S3 keys, a function target's source. */
  functionName?: string;
  /** ASYNC-8: the EventBridge detail-type of a destination record (Success or Failure). */
  success?: boolean;
  /** The record the delivery belongs to (a function target's record points back to it). */
  recordId?: string;
  /** S3 object key prefix (default `aws/lambda/async/<function>`); mappings use `aws/lambda/<mapping>/<shard>`. */
  s3KeyPrefix?: string;
  /** A function target's record source (default: a destination of `functionName`). */
  invokeSource?: InvocationSource;
  /** SQS-3: the message itself moves to the target queue under its own id, instead of a new message. */
  message?: SqsMessage;
  /** A FIFO target queue: the group of the new message (redrives keep the original group). */
  messageGroupId?: string;
  /** A Kafka topic target: the record's key, base64 (STREAM-4: a failed record keeps its key). */
  kafkaKey?: string;
}

/** Attribute values as a delivery record shows them (text for binary values too). */
export function recordedAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): DeliveryRecord['attributes'] {
  if (!attributes || Object.keys(attributes).length === 0) return undefined;
  return Object.fromEntries(
    Object.entries(attributes).map(([k, v]) => [
      k,
      { DataType: v.DataType, StringValue: v.StringValue ?? v.BinaryValue ?? '' },
    ]),
  );
}
