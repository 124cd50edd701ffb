/**
 * serverless-lift `constructs` of a serverless.yml (https://github.com/getlift/lift/tree/master/docs): a `queue` is an
 * SQS queue with a dead-letter queue and a worker function it triggers; a `webhook` is an HTTP API route whose Lambda
 * authorizer is a function; `storage` and the website constructs are resources with no function of their own.
 */
import type { AwsLocation } from '../awsLocation';
import { bucketArn, queueArn, queueUrl } from '../resourceArn';
import type { HttpTrigger, SqsTrigger } from './functionConfig';
import { optional, toBool, toNumber, toText } from './eventSourceProperties';

type Json = Record<string, unknown>;

/** Lift's defaults (docs/queue.md, src/constructs/aws/Queue.ts). */
export const LIFT_QUEUE_DEFAULTS = {
  batchSize: 1,
  maxRetries: 3,
  maxBatchingWindow: 0,
  /** The worker's timeout when it sets none (the Serverless Framework's), times 6 for the visibility timeout. */
  workerTimeout: 6,
} as const;

/** Construct types Lift deploys no function for: nothing to run, nothing to report. */
const RESOURCE_ONLY = new Set([
  'storage',
  'static-website',
  'single-page-app',
  'server-side-website',
  'database/dynamodb-single-table',
  'vpc',
]);

export type LiftConstructKind = 'queue' | 'webhook' | 'resource' | 'unknown';

export function liftConstructKind(type: unknown): LiftConstructKind {
  if (type === 'queue' || type === 'webhook') return type;
  return typeof type === 'string' && RESOURCE_ONLY.has(type) ? 'resource' : 'unknown';
}

/** The names Lift gives a queue construct's queues: `<stack>-<id>` and `<stack>-<id>-dlq` (`.fifo` for FIFO). */
export function liftQueueNames(stackName: string, id: string, fifo: boolean): { queue: string; dlq: string } {
  const base = `${stackName}-${id}`;
  return fifo ? { queue: `${base}.fifo`, dlq: `${base}-dlq.fifo` } : { queue: base, dlq: `${base}-dlq` };
}

/**
 * The SQS trigger Lift subscribes a queue's worker with: batch size 1, `ReportBatchItemFailures`, and the queue's
 * redrive policy to its dead-letter queue after `maxRetries` receives; the visibility timeout is 6 times the worker's
 * own timeout plus the batching window.
 */
export function liftQueueTrigger(
  id: string,
  config: Json,
  workerTimeout: number | undefined,
  stackName: string,
  location: AwsLocation,
): SqsTrigger {
  const fifo = toBool(config.fifo, false);
  const names = liftQueueNames(stackName, id, fifo);
  const window = toNumber(config.maxBatchingWindow, LIFT_QUEUE_DEFAULTS.maxBatchingWindow);
  return {
    kind: 'sqs',
    id,
    invocation: 'poll',
    enabled: true,
    queue: {
      name: names.queue,
      arn: queueArn(names.queue, location),
      visibilityTimeout: (workerTimeout ?? LIFT_QUEUE_DEFAULTS.workerTimeout) * 6 + window,
      fifo,
      redrivePolicy: {
        deadLetterTarget: { type: 'sqs', name: names.dlq, arn: queueArn(names.dlq, location) },
        maxReceiveCount: toNumber(config.maxRetries, LIFT_QUEUE_DEFAULTS.maxRetries),
      },
    },
    batchSize: toNumber(config.batchSize, LIFT_QUEUE_DEFAULTS.batchSize),
    maximumBatchingWindowInSeconds: window,
    functionResponseTypes: ['ReportBatchItemFailures'],
    ...optional('maximumConcurrency', toNumber(config.maxConcurrency)),
  };
}

/** A webhook's route (`method`, default POST, and `path`), which its authorizer function guards (payload 2.0). */
export function liftWebhookTrigger(id: string, config: Json): HttpTrigger {
  return {
    kind: 'api',
    id,
    invocation: 'sync',
    enabled: true,
    api: 'http',
    method: toText(config.method, 'POST').toUpperCase(),
    path: toText(config.path, '/'),
    payloadFormatVersion: '2.0',
    authorizer: true,
  };
}

/**
 * `${construct:<id>.<property>}`: the variables Lift documents for queues (`queueUrl`, `queueArn`, `dlqUrl`,
 * `dlqArn`), webhooks (`busName`) and storage (`bucketName`, `bucketArn`), as the resources are called locally.
 */
export function liftConstructVariable(
  constructs: Json,
  stackName: string,
  location: AwsLocation,
  id: string,
  property: string,
): string | undefined {
  const config = constructs[id];
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return undefined;
  const { type, fifo } = config as Json;
  if (type === 'queue') {
    const names = liftQueueNames(stackName, id, toBool(fifo, false));
    const values: Record<string, string> = {
      queueUrl: queueUrl(names.queue, location),
      queueArn: queueArn(names.queue, location),
      dlqUrl: queueUrl(names.dlq, location),
      dlqArn: queueArn(names.dlq, location),
    };
    return values[property];
  }
  // Lift lets CloudFormation name the bus and the bucket; locally they are named after the stack and construct.
  const local = `${stackName}-${id}`.toLowerCase();
  if (type === 'webhook' && property === 'busName') return local;
  if (type === 'storage' && property === 'bucketName') return local;
  if (type === 'storage' && property === 'bucketArn') return bucketArn(local);
  return undefined;
}
