/**
 * The simulated services the endpoint routes to, by the signing name in a request's credential scope: each says
 * which protocol it speaks (for its errors), which operation a request names, and how it answers. More services
 * (durable executions, say) join by adding a route.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AwsCall, LocalAwsAccount } from './awsApiContext';
import type { AwsProtocol, AwsResponse } from './awsProtocol';
import { EVENTBRIDGE_PROTOCOL, EVENTBRIDGE_TARGET_PREFIX, EventBridgeApi } from './eventBridgeApi';
import { KINESIS_PROTOCOL, KINESIS_TARGET_PREFIX, KinesisApi } from './kinesisApi';
import { DurableApi, durableOperationOf } from './durableApi';
import { LambdaApi, lambdaOperationOf } from './lambdaApi';
import { SNS_PROTOCOL, SnsApi } from './snsApi';
import { SQS_PROTOCOL, SQS_TARGET_PREFIX, SqsApi } from './sqsApi';
import { handleSqsQuery, isSqsQueryRequest, SQS_QUERY_PROTOCOL } from './sqsQueryProtocol';
import { queryFormOf } from './queryForm';

/** A request as a service route reads it. */
export interface ServiceRequest {
  method: string;
  /** The path, percent-decoding left to the route. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface AwsServiceRoute {
  /** What the service is called in messages: `SQS`, `Lambda`. */
  readonly title: string;
  /** The protocol its errors are answered in (a service that speaks two picks by the request). */
  protocolOf(request: ServiceRequest): AwsProtocol;
  /** The operation the request names (`SendMessage`), or '' when it names none this service knows of. */
  operationOf(request: ServiceRequest): string;
  handle(call: AwsCall, request: ServiceRequest): Promise<AwsResponse>;
}

/** An SQS request in the query protocol: a form without a JSON target. */
const isSqsQuery = (request: ServiceRequest): boolean =>
  request.headers['x-amz-target'] === undefined && isSqsQueryRequest(request.headers['content-type']);

const target = (request: ServiceRequest, prefix: string): string => {
  const value = request.headers['x-amz-target'];
  return typeof value === 'string' && value.startsWith(prefix) ? value.slice(prefix.length) : '';
};

/** The routes of the services the runner simulates, keyed by signing name. */
export function simulatedServiceRoutes(account: LocalAwsAccount): Map<string, AwsServiceRoute> {
  const sqs = new SqsApi(account);
  const sns = new SnsApi(account);
  const events = new EventBridgeApi(account);
  const kinesis = new KinesisApi(account);
  const lambda = new LambdaApi(account);
  const durable = new DurableApi(account);
  return new Map<string, AwsServiceRoute>([
    [
      'sqs',
      {
        title: 'SQS',
        protocolOf: (r) => (isSqsQuery(r) ? SQS_QUERY_PROTOCOL : SQS_PROTOCOL),
        operationOf: (r) => (isSqsQuery(r) ? (queryFormOf(r.body).get('Action') ?? '') : target(r, SQS_TARGET_PREFIX)),
        handle: (call, r) => (isSqsQuery(r) ? handleSqsQuery(sqs, call, r.body) : sqs.handle(call, r.body)),
      },
    ],
    [
      'sns',
      {
        title: 'SNS',
        protocolOf: () => SNS_PROTOCOL,
        operationOf: (r) => SnsApi.operationOf(r.body),
        handle: (call, r) => sns.handle(call, r.body),
      },
    ],
    [
      'events',
      {
        title: 'EventBridge',
        protocolOf: () => EVENTBRIDGE_PROTOCOL,
        operationOf: (r) => target(r, EVENTBRIDGE_TARGET_PREFIX),
        handle: (call, r) => events.handle(call, r.body),
      },
    ],
    [
      'kinesis',
      {
        title: 'Kinesis',
        protocolOf: () => KINESIS_PROTOCOL,
        operationOf: (r) => target(r, KINESIS_TARGET_PREFIX),
        handle: (call, r) => kinesis.handle(call, r.body),
      },
    ],
    [
      'lambda',
      {
        title: 'Lambda',
        protocolOf: () => ({ kind: 'restJson' }),
        operationOf: (r) => durableOperationOf(r.method, r.path) ?? lambdaOperationOf(r.method, r.path) ?? '',
        // DURABLE-6..11: the durable execution APIs are Lambda's.
        handle: (call, r) => (durableOperationOf(r.method, r.path) ? durable.handle(call, r) : lambda.handle(call, r)),
      },
    ],
  ]);
}

/** The signing name of an unsigned request, from what it looks like (for its error's shape). */
export function serviceOfUnsigned(request: ServiceRequest): string | undefined {
  if (target(request, SQS_TARGET_PREFIX)) return 'sqs';
  if (target(request, EVENTBRIDGE_TARGET_PREFIX)) return 'events';
  if (target(request, KINESIS_TARGET_PREFIX)) return 'kinesis';
  if (lambdaOperationOf(request.method, request.path) || durableOperationOf(request.method, request.path))
    return 'lambda';
  if (SnsApi.operationOf(request.body) !== '' && request.body.includes('TopicArn')) return 'sns';
  return undefined;
}
