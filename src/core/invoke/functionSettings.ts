/**
 * The configuration the invocation engine needs, in its own minimal shape (the lead adapts discovery's
 * FunctionConfig to it). Targets are ARNs; `origins` says where each value came from, and is copied into records.
 */
import type { InvokeOutcome } from '../runtime/outcome';

/**
 * The engine's port to the runtime: runs one invocation of a function in an execution environment. `payloadJson` is
 * always JSON the engine produced or has parsed itself.
 */
export interface FunctionInvoker {
  invoke(
    functionName: string,
    payloadJson: string,
    opts: { requestId: string; signal?: AbortSignal },
  ): Promise<InvokeOutcome>;
}

export interface DestinationConfig {
  /** ARN of an SQS queue, SNS topic, Lambda function or EventBridge bus (ASYNC-7). */
  onSuccess?: string;
  /** Same targets as onSuccess, plus an S3 bucket (ASYNC-7). */
  onFailure?: string;
}

export interface AsyncInvokeConfig {
  /** ASYNC-3: 0..2, default 2. */
  maximumRetryAttempts?: number;
  /** ASYNC-4: 60..21600, default 21600. */
  maximumEventAgeInSeconds?: number;
  destinations?: DestinationConfig;
}

export interface LambdaFunctionSettings {
  name: string;
  /** Undefined: unreserved. 0: ASYNC-6. */
  reservedConcurrency?: number;
  memorySizeMB?: number;
  timeoutSeconds?: number;
  async?: AsyncInvokeConfig;
  /** ASYNC-9: ARN of an SQS queue or SNS topic. */
  deadLetterTargetArn?: string;
  /** Where each setting came from (template, serverless.yml, settings, default), keyed by setting name. */
  origins?: Record<string, string>;
}

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
  subscriptions: TopicSubscription[];
}

export interface BusRule {
  name: string;
  eventPattern: Record<string, unknown>;
  /** ARNs of local targets. */
  targets: string[];
}

export interface BusSettings {
  name: string;
  rules: BusRule[];
}

export interface FilterCriteria {
  filters: Array<{ pattern: string }>;
}

export interface SqsMappingSettings {
  /** Stable id (UUID in AWS); defaults to `<function>:<queue>`. */
  id?: string;
  functionName: string;
  queueName: string;
  /** SQS-1: default 10. */
  batchSize?: number;
  maximumBatchingWindowInSeconds?: number;
  functionResponseTypes?: Array<'ReportBatchItemFailures'>;
  /** SQS-6: 2..1000; default 5 (the initial concurrency). */
  maximumConcurrency?: number;
  filterCriteria?: FilterCriteria;
  enabled?: boolean;
  origins?: Record<string, string>;
}

export interface StreamMappingSettings {
  id?: string;
  functionName: string;
  source: { type: 'kinesis' | 'dynamodb'; name: string };
  startingPosition: 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
  startingPositionTimestamp?: number;
  batchSize?: number;
  maximumBatchingWindowInSeconds?: number;
  /** -1 = infinite (default). */
  maximumRetryAttempts?: number;
  /** -1 = infinite (default). */
  maximumRecordAgeInSeconds?: number;
  bisectBatchOnFunctionError?: boolean;
  parallelizationFactor?: number;
  functionResponseTypes?: Array<'ReportBatchItemFailures'>;
  tumblingWindowInSeconds?: number;
  /** STREAM-4: ARN of an SQS queue, SNS topic or S3 bucket. */
  onFailureDestinationArn?: string;
  filterCriteria?: FilterCriteria;
  enabled?: boolean;
  origins?: Record<string, string>;
}

export interface StreamSettings {
  type: 'kinesis' | 'dynamodb';
  /** Kinesis stream name, or the DynamoDB table name. */
  name: string;
  /** Default 1. */
  shardCount?: number;
  /** DynamoDB: which images records carry (default NEW_AND_OLD_IMAGES). */
  streamViewType?: 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';
  /** Kinesis: default 24 (DynamoDB streams always keep 24 hours). */
  retentionHours?: number;
}

export interface KafkaTopicSettings {
  name: string;
  /** Default 1. */
  partitions?: number;
}

export interface KafkaMappingSettings {
  /** Defaults to `<function>:<topic>`. */
  id?: string;
  functionName: string;
  topic: string;
  /** KAFKA-1: Amazon MSK (default) or a self-managed cluster. */
  eventSource?: 'aws:kafka' | 'SelfManagedKafka';
  /** MSK: the cluster name in eventSourceArn (default `local-cluster`). */
  clusterName?: string;
  /** Default `localhost:9092`. */
  bootstrapServers?: string[];
  /** Default TRIM_HORIZON (AWS requires a value). */
  startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  /** KAFKA-1: default 100, 1..10,000. */
  batchSize?: number;
  /** KAFKA-1: default 0.5. */
  maximumBatchingWindowInSeconds?: number;
  /** -1 = retry until it succeeds or the record leaves the topic's retention (default). */
  maximumRetryAttempts?: number;
  filterCriteria?: FilterCriteria;
  enabled?: boolean;
  origins?: Record<string, string>;
}

export interface MqMappingSettings {
  /** Defaults to `<function>:<queue>`. */
  id?: string;
  functionName: string;
  /** MQ-1: ActiveMQ (`aws:mq`) or RabbitMQ (`aws:rmq`). */
  engine: 'activemq' | 'rabbitmq';
  /** Default `local-broker`. */
  brokerName?: string;
  queueName: string;
  /** RabbitMQ virtual host (default `/`). */
  virtualHost?: string;
  /** Default 100, 1..10,000. */
  batchSize?: number;
  /** Default 0.5. */
  maximumBatchingWindowInSeconds?: number;
  /** Redeliveries of a failing batch before it is dropped (default 6, ActiveMQ's default redelivery policy). */
  maximumRedeliveries?: number;
  filterCriteria?: FilterCriteria;
  enabled?: boolean;
  origins?: Record<string, string>;
}

export interface EngineConfiguration {
  functions: LambdaFunctionSettings[];
  queues?: QueueSettings[];
  topics?: TopicSettings[];
  buses?: BusSettings[];
  streams?: StreamSettings[];
  sqsMappings?: SqsMappingSettings[];
  streamMappings?: StreamMappingSettings[];
  kafkaTopics?: KafkaTopicSettings[];
  kafkaMappings?: KafkaMappingSettings[];
  mqMappings?: MqMappingSettings[];
}
