/**
 * Short builders of the function model (discovery's FunctionConfig and its triggers) for engine tests: what a
 * template would say, with Lambda's defaults for the rest.
 */
import { targetTypeOfArn } from '../../../src/core/discovery/intrinsics';
import {
  functionWithDefaults,
  type DestinationTarget,
  type EventBridgeTrigger,
  type FunctionConfig,
  type KafkaTrigger,
  type MqTrigger,
  type SnsTrigger,
  type SqsTrigger,
  type StreamTrigger,
  type StreamViewType,
} from '../../../src/core/discovery/functionConfig';

/** A destination, DLQ or redrive target named by its ARN, as a template's `!GetAtt X.Arn` gives it. */
export function target(arn: string): DestinationTarget {
  return { type: targetTypeOfArn(arn), arn };
}

export interface LambdaShorthand extends Partial<Omit<FunctionConfig, 'name' | 'eventInvokeConfig'>> {
  /** ASYNC-3 */
  retries?: number;
  /** ASYNC-4, seconds. */
  maxEventAge?: number;
  /** ASYNC-7: ARNs. */
  onSuccess?: string;
  onFailure?: string;
  /** ASYNC-9: ARN. */
  dlq?: string;
}

/** A function as a template defines it; handler and code root are never used by the engine (a fake runs it). */
export function lambda(name: string, o: LambdaShorthand = {}): FunctionConfig {
  const { retries, maxEventAge, onSuccess, onFailure, dlq, ...rest } = o;
  return functionWithDefaults({
    name,
    handler: 'index.handler',
    runtime: 'nodejs20.x',
    codeRoot: '/code',
    ...rest,
    eventInvokeConfig: {
      maximumRetryAttempts: retries ?? 2,
      maximumEventAgeInSeconds: maxEventAge ?? 21600,
      destinations: {
        ...(onSuccess ? { onSuccess: target(onSuccess) } : {}),
        ...(onFailure ? { onFailure: target(onFailure) } : {}),
      },
    },
    ...(dlq ? { deadLetterQueue: target(dlq) } : {}),
  });
}

export interface SqsShorthand extends Partial<Omit<SqsTrigger, 'kind' | 'queue' | 'filterCriteria'>> {
  visibilityTimeout?: number;
  fifo?: boolean;
  /** SQS-3: the queue's own redrive policy. */
  redrive?: { deadLetterQueue: string; maxReceiveCount: number };
  /** FILTER-1: parsed patterns. */
  filters?: unknown[];
}

/** An SQS trigger on `queue` (SQS-1 defaults: batch size 10, no window). */
export function sqs(queue: string, o: SqsShorthand = {}): SqsTrigger {
  const { visibilityTimeout, fifo, redrive, filters, ...rest } = o;
  return {
    kind: 'sqs',
    id: queue,
    invocation: 'poll',
    enabled: true,
    batchSize: 10,
    maximumBatchingWindowInSeconds: 0,
    functionResponseTypes: [],
    ...rest,
    queue: {
      name: queue,
      visibilityTimeout: visibilityTimeout ?? 30,
      fifo: fifo ?? queue.endsWith('.fifo'),
      ...(redrive
        ? {
            redrivePolicy: {
              deadLetterTarget: { type: 'sqs', name: redrive.deadLetterQueue },
              maxReceiveCount: redrive.maxReceiveCount,
            },
          }
        : {}),
    },
    ...(filters ? { filterCriteria: { patterns: filters } } : {}),
  };
}

export interface StreamShorthand extends Partial<
  Omit<StreamTrigger, 'kind' | 'stream' | 'filterCriteria' | 'onFailure'>
> {
  filters?: unknown[];
  /** STREAM-4: ARN of an SQS queue, SNS topic or S3 bucket. */
  onFailure?: string;
  /** STREAM-6: the DynamoDB table's StreamViewType. */
  viewType?: StreamViewType;
}

/** A Kinesis or DynamoDB Streams trigger (section 5 defaults), from TRIM_HORIZON unless said otherwise. */
export function stream(kind: 'kinesis' | 'dynamodb', name: string, o: StreamShorthand = {}): StreamTrigger {
  const { filters, onFailure, viewType, ...rest } = o;
  return {
    kind,
    id: name,
    invocation: 'poll',
    enabled: true,
    stream: { name, ...(viewType ? { viewType } : {}) },
    startingPosition: 'TRIM_HORIZON',
    batchSize: 100,
    maximumBatchingWindowInSeconds: 0,
    maximumRetryAttempts: -1,
    maximumRecordAgeInSeconds: -1,
    bisectBatchOnFunctionError: false,
    parallelizationFactor: 1,
    tumblingWindowInSeconds: 0,
    functionResponseTypes: [],
    ...rest,
    ...(filters ? { filterCriteria: { patterns: filters } } : {}),
    ...(onFailure ? { onFailure: target(onFailure) } : {}),
  };
}

/** A Kafka trigger on `topic` (KAFKA-1 defaults: batch 100, window 0.5 s), MSK unless said otherwise. */
export function kafka(
  topic: string,
  o: Partial<Omit<KafkaTrigger, 'kind' | 'onFailure'>> & {
    filters?: unknown[];
    /** STREAM-4: ARN of an SQS queue, SNS topic or S3 bucket, or `kafka://<topic>`. */
    onFailure?: string;
  } = {},
): KafkaTrigger {
  const { filters, onFailure, ...rest } = o;
  return {
    kind: 'kafka',
    id: topic,
    invocation: 'poll',
    enabled: true,
    flavor: 'msk',
    bootstrapServers: [],
    topics: [topic],
    batchSize: 100,
    maximumBatchingWindowInSeconds: 0.5,
    ...rest,
    ...(filters ? { filterCriteria: { patterns: filters } } : {}),
    ...(onFailure ? { onFailure: target(onFailure) } : {}),
  };
}

/** An Amazon MQ trigger on one broker queue (MQ-1 defaults: batch 100, window 0.5 s). */
export function mq(
  engine: 'activemq' | 'rabbitmq',
  queue: string,
  o: Partial<Omit<MqTrigger, 'kind' | 'engine'>> & { broker?: string; filters?: unknown[] } = {},
): MqTrigger {
  const { filters, broker, ...rest } = o;
  return {
    kind: 'mq',
    id: queue,
    invocation: 'poll',
    enabled: true,
    engine,
    queues: [queue],
    batchSize: 100,
    maximumBatchingWindowInSeconds: 0.5,
    ...rest,
    broker: { name: broker ?? 'local-broker' },
    ...(filters ? { filterCriteria: { patterns: filters } } : {}),
  };
}

/** An SNS subscription of the function to `topic`. */
export function sns(topic: string, filterPolicy?: Record<string, unknown>): SnsTrigger {
  return {
    kind: 'sns',
    id: topic,
    invocation: 'async',
    enabled: true,
    topic: { name: topic },
    ...(filterPolicy ? { filterPolicy } : {}),
  };
}

/** An EventBridge rule on `bus` that targets the function. */
export function rule(bus: string, pattern: Record<string, unknown>, id = `${bus}-rule`): EventBridgeTrigger {
  return { kind: 'eventbridge', id, invocation: 'async', enabled: true, eventBusName: bus, pattern };
}
