import type { StreamViewType } from '../discovery/functionConfig';

/**
 * Declarations of the simulated resources: what a template or a test says about a queue, topic, bus, stream or
 * Kafka topic beyond its name. Resources a function's triggers, destinations and DLQs name are declared from the
 * function model (functionResources.ts); anything else is declared here.
 */

export interface RedrivePolicy {
  /** ARN (or name) of the queue's dead-letter queue. */
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export interface QueueSettings {
  name: string;
  /** FIFO queues' names end in `.fifo`. */
  fifo?: boolean;
  /** SQS-2: default 30. */
  visibilityTimeoutSeconds?: number;
  delaySeconds?: number;
  contentBasedDeduplication?: boolean;
  /** SQS-3. */
  redrivePolicy?: RedrivePolicy;
  /** How long SQS keeps a message: 60..1,209,600 seconds, default 345,600 (4 days). */
  messageRetentionPeriodSeconds?: number;
}

export interface TopicSubscription {
  protocol: 'sqs' | 'lambda';
  /** ARN (or name) of the subscribed queue or function. */
  endpoint: string;
  filterPolicy?: Record<string, unknown>;
  rawMessageDelivery?: boolean;
}

export interface TopicSettings {
  name: string;
  subscriptions?: TopicSubscription[];
}

export interface BusRule {
  name: string;
  eventPattern: Record<string, unknown>;
  /** ARNs of local targets. */
  targets: string[];
}

export interface BusSettings {
  name: string;
  rules?: BusRule[];
}

export interface StreamSettings {
  type: 'kinesis' | 'dynamodb';
  /** Kinesis stream name, or the DynamoDB table name. */
  name: string;
  /** Default 1. */
  shardCount?: number;
  /** DynamoDB: which images records carry (default NEW_AND_OLD_IMAGES). */
  streamViewType?: StreamViewType;
  /** Kinesis: default 24 (DynamoDB streams always keep 24 hours). */
  retentionHours?: number;
}

export interface KafkaTopicSettings {
  name: string;
  /** Default 1. */
  partitions?: number;
}

export interface DeclaredResources {
  queues?: QueueSettings[];
  topics?: TopicSettings[];
  buses?: BusSettings[];
  streams?: StreamSettings[];
  kafkaTopics?: KafkaTopicSettings[];
}
