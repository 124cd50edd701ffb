import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { WorkspaceIndex } from '../../../src/core/discovery/workspaceIndex';
import { loadCatalogue } from '../../../src/core/events/eventCatalogue';
import type { EventTrigger } from '../../../src/core/discovery/functionConfig';
import { eventForTrigger, triggerPayload } from '../../../src/core/events/triggerEvents';
import { matchesPattern } from '../../../src/core/services/eventPattern';

const root = path.resolve(__dirname, '../../..');

describe('the event a configured trigger sends (examples/sam-app)', () => {
  const catalogue = loadCatalogue(path.join(root, 'event-templates'));
  let index: WorkspaceIndex;
  before(async () => {
    index = new WorkspaceIndex({ root: path.join(root, 'examples') });
    await index.build();
  });
  const triggerOf = (name: string) => {
    const fn = index.functions().find((f) => f.name === name);
    assert.ok(fn, `${name} is discovered`);
    return fn.triggers[0];
  };

  it('S3: s3:put on the bucket, with a key inside the filter prefix', () => {
    const event = eventForTrigger(triggerOf('ThumbnailFunction'), catalogue);
    assert.equal(event?.templateId, 's3:put');
    assert.equal(event?.params.bucket, 'UploadsBucket');
    assert.match(String(event?.params.key), /^uploads\/example/);
  });

  it('SQS: sqs:receive-message on the queue', () => {
    assert.deepEqual(
      eventForTrigger(triggerOf('OrderProcessorFunction'), catalogue)?.templateId,
      'sqs:receive-message',
    );
  });

  it('API Gateway: the REST proxy event with the route method and path', () => {
    const event = eventForTrigger(triggerOf('CreateOrderFunction'), catalogue);
    assert.equal(event?.templateId, 'apigateway:aws-proxy');
    assert.deepEqual(
      [event?.params.method, event?.params.path, event?.params.resource],
      ['POST', '/orders', '/orders'],
    );
  });

  it('EventBridge: an EC2 state-change pattern gives that event with the state it matches', () => {
    const event = eventForTrigger(triggerOf('InstanceStoppedFunction'), catalogue);
    assert.equal(event?.templateId, 'eventbridge:ec2-instance-state-change');
    assert.equal(event?.params.state, 'stopped');
  });

  it('every rendered default event validates against its own schema', () => {
    for (const fn of index.functions()) {
      for (const trigger of fn.triggers) {
        const event = eventForTrigger(trigger, catalogue);
        if (!event) continue;
        const payload = catalogue.render(event.templateId, event.params);
        const result = catalogue.validate(payload, event.templateId);
        assert.ok(result.valid, `${fn.name} ${event.templateId}: ${JSON.stringify(result)}`);
      }
    }
  });
});

describe('trigger-shaped default events: every trigger kind discovery knows', () => {
  const catalogue = loadCatalogue(path.join(root, 'event-templates'));
  const location = { region: 'eu-west-2', accountId: '210987654321' };
  const fn = { name: 'Fn' };
  const base = { id: 'T', enabled: true } as const;
  const payloadOf = (trigger: EventTrigger): Record<string, unknown> => {
    const event = eventForTrigger(trigger, catalogue, { function: fn, location });
    assert.ok(event, `${trigger.kind} has an event`);
    const payload = triggerPayload(event, catalogue) as Record<string, unknown>;
    if (!event.delivered) {
      const result = catalogue.validate(payload, event.templateId);
      assert.ok(result.valid, `${event.templateId}: ${JSON.stringify(result)}`);
    }
    return payload;
  };
  const record = (payload: Record<string, unknown>): Record<string, unknown> =>
    (payload.Records as Array<Record<string, unknown>>)[0];

  it('REST API GET /items/{id}: path, resource, pathParameters and method consistent with the route, no body', () => {
    const p = payloadOf({ ...base, kind: 'api', invocation: 'sync', api: 'rest', path: '/items/{id}', method: 'GET' });
    assert.deepEqual(
      [p.httpMethod, p.path, p.resource, p.pathParameters, p.body],
      ['GET', '/items/1', '/items/{id}', { id: '1' }, null],
    );
    assert.equal((p.requestContext as Record<string, unknown>).resourcePath, '/items/{id}');
    assert.equal((p.requestContext as Record<string, unknown>).accountId, '210987654321');
  });

  it('REST API: a greedy {proxy+} route and ANY; a route without parameters has pathParameters null', () => {
    const greedy = payloadOf({
      ...base,
      kind: 'api',
      invocation: 'sync',
      api: 'rest',
      path: '/files/{proxy+}',
      method: 'ANY',
    });
    assert.deepEqual(
      [greedy.httpMethod, greedy.path, greedy.pathParameters],
      ['GET', '/files/example/path', { proxy: 'example/path' }],
    );
    const plain = payloadOf({ ...base, kind: 'api', invocation: 'sync', api: 'rest', path: '/orders', method: 'POST' });
    assert.deepEqual([plain.httpMethod, plain.resource, plain.pathParameters], ['POST', '/orders', null]);
    assert.equal(typeof plain.body, 'string');
  });

  it('HTTP API GET /stock/{sku}: routeKey, rawPath and pathParameters; the $default route; no body on GET', () => {
    const p = payloadOf({ ...base, kind: 'api', invocation: 'sync', api: 'http', path: '/stock/{sku}', method: 'GET' });
    assert.deepEqual(
      [p.routeKey, p.rawPath, p.pathParameters, 'body' in p],
      ['GET /stock/{sku}', '/stock/example-sku', { sku: 'example-sku' }, false],
    );
    const d = payloadOf({ ...base, kind: 'api', invocation: 'sync', api: 'http', path: '$default', method: 'ANY' });
    assert.deepEqual([d.routeKey, 'pathParameters' in d], ['$default', false]);
  });

  it('WebSocket API routes: CONNECT for $connect, DISCONNECT for $disconnect, a MESSAGE with the route key', () => {
    const ws = { ...base, kind: 'api' as const, invocation: 'sync' as const, api: 'websocket' as const, method: 'WS' };
    const connect = payloadOf({ ...ws, path: '$connect', stage: 'dev' }) as { requestContext: Record<string, unknown> };
    assert.deepEqual([connect.requestContext.eventType, connect.requestContext.stage], ['CONNECT', 'dev']);
    const gone = payloadOf({ ...ws, path: '$disconnect' }) as { requestContext: Record<string, unknown> };
    assert.equal(gone.requestContext.eventType, 'DISCONNECT');
    const say = payloadOf({ ...ws, path: 'say' }) as { requestContext: Record<string, unknown>; body: string };
    assert.deepEqual([say.requestContext.eventType, say.requestContext.routeKey], ['MESSAGE', 'say']);
    assert.deepEqual(JSON.parse(say.body), { action: 'say' });
  });

  it('ALB: the method and path of the listener rule', () => {
    const p = payloadOf({ ...base, kind: 'api', invocation: 'sync', api: 'alb', path: '/health', method: 'GET' });
    assert.deepEqual([p.httpMethod, p.path], ['GET', '/health']);
  });

  it('S3: the bucket and a key inside the prefix and suffix filter, in the account region', () => {
    const r = record(
      payloadOf({
        ...base,
        kind: 's3',
        invocation: 'async',
        bucket: { name: 'uploads' },
        events: ['s3:ObjectCreated:*'],
        prefix: 'in/',
        suffix: '.csv',
      }),
    );
    const s3 = r.s3 as { bucket: { name: string }; object: { key: string } };
    assert.deepEqual([s3.bucket.name, s3.object.key, r.awsRegion], ['uploads', 'in/example.csv', 'eu-west-2']);
    const removed = payloadOf({
      ...base,
      kind: 's3',
      invocation: 'async',
      bucket: { name: 'b' },
      events: ['s3:ObjectRemoved:*'],
    });
    assert.match(String(record(removed).eventName), /^ObjectRemoved/);
  });

  it('SQS, FIFO SQS, Kinesis, DynamoDB Streams: the source ARN is the local account one', () => {
    const queue = { visibilityTimeout: 30 };
    const std = record(
      payloadOf({
        ...base,
        kind: 'sqs',
        invocation: 'poll',
        queue: { ...queue, name: 'orders', fifo: false },
        batchSize: 10,
        maximumBatchingWindowInSeconds: 0,
        functionResponseTypes: [],
      }),
    );
    assert.equal(std.eventSourceARN, 'arn:aws:sqs:eu-west-2:210987654321:orders');
    const fifo = record(
      payloadOf({
        ...base,
        kind: 'sqs',
        invocation: 'poll',
        queue: { ...queue, name: 'orders.fifo', fifo: true },
        batchSize: 10,
        maximumBatchingWindowInSeconds: 0,
        functionResponseTypes: [],
      }),
    );
    assert.ok((fifo.attributes as Record<string, string>).MessageGroupId);
    const streamBase = {
      invocation: 'poll' as const,
      batchSize: 100,
      maximumBatchingWindowInSeconds: 0,
      maximumRetryAttempts: -1,
      maximumRecordAgeInSeconds: -1,
      bisectBatchOnFunctionError: false,
      parallelizationFactor: 1,
      tumblingWindowInSeconds: 0,
      functionResponseTypes: [],
    };
    const kinesis = record(payloadOf({ ...base, ...streamBase, kind: 'kinesis', stream: { name: 'clicks' } }));
    assert.equal(kinesis.eventSourceARN, 'arn:aws:kinesis:eu-west-2:210987654321:stream/clicks');
    const ddb = record(payloadOf({ ...base, ...streamBase, kind: 'dynamodb', stream: { name: 'Orders' } }));
    assert.match(String(ddb.eventSourceARN), /^arn:aws:dynamodb:eu-west-2:210987654321:table\/Orders\/stream\//);
  });

  it('Kafka (MSK and self-managed) and Amazon MQ (ActiveMQ and RabbitMQ): topic and queue of the trigger', () => {
    const k = {
      ...base,
      kind: 'kafka' as const,
      invocation: 'poll' as const,
      bootstrapServers: [],
      topics: ['clicks'],
      batchSize: 100,
      maximumBatchingWindowInSeconds: 0.5,
    };
    assert.deepEqual(Object.keys(payloadOf({ ...k, flavor: 'msk' }).records as object), ['clicks-0']);
    assert.equal(payloadOf({ ...k, flavor: 'self-managed' }).eventSource, 'SelfManagedKafka');
    const m = {
      ...base,
      kind: 'mq' as const,
      invocation: 'poll' as const,
      broker: { name: 'b' },
      queues: ['jobs'],
      batchSize: 100,
      maximumBatchingWindowInSeconds: 0.5,
    };
    assert.equal(payloadOf({ ...m, engine: 'activemq' }).eventSource, 'aws:mq');
    assert.deepEqual(Object.keys(payloadOf({ ...m, engine: 'rabbitmq' }).rmqMessagesByQueue as object), ['jobs::/']);
  });

  it('SNS: the topic ARN in the local account', () => {
    const sns = record(payloadOf({ ...base, kind: 'sns', invocation: 'async', topic: { name: 'alerts' } }))
      .Sns as Record<string, unknown>;
    assert.equal(sns.TopicArn, 'arn:aws:sns:eu-west-2:210987654321:alerts');
  });

  it('Schedule: the rule ARN names the function; a target Input replaces the event', () => {
    const p = payloadOf({ ...base, kind: 'schedule', invocation: 'async', expression: 'rate(1 hour)' });
    assert.deepEqual(p.resources, ['arn:aws:events:eu-west-2:210987654321:rule/Fn-T']);
    assert.equal(p['detail-type'], 'Scheduled Event');
    const input = payloadOf({
      ...base,
      kind: 'schedule',
      invocation: 'async',
      expression: 'rate(1 hour)',
      input: { job: 'cleanup' },
    });
    assert.deepEqual(input, { job: 'cleanup' });
  });

  it("EventBridge: an event that matches the rule's pattern (prefix, numeric, exists, anything-but, nested detail)", () => {
    const pattern = {
      source: ['shop.orders'],
      'detail-type': [{ prefix: 'Order ' }],
      detail: {
        total: [{ numeric: ['>', 100, '<=', 500] }],
        coupon: [{ exists: true }],
        status: [{ 'anything-but': ['CANCELLED'] }],
      },
    };
    const p = payloadOf({ ...base, kind: 'eventbridge', invocation: 'async', pattern });
    assert.equal(matchesPattern(pattern, p), true, JSON.stringify(p));
    assert.equal(p.source, 'shop.orders');
    assert.equal(p.region, 'eu-west-2');
  });

  it('EventBridge: the EC2 state-change event with the state the pattern names; Input and InputPath targets', () => {
    const ec2 = payloadOf({
      ...base,
      kind: 'eventbridge',
      invocation: 'async',
      pattern: {
        source: ['aws.ec2'],
        'detail-type': ['EC2 Instance State-change Notification'],
        detail: { state: ['stopped'] },
      },
    });
    assert.equal((ec2.detail as Record<string, unknown>).state, 'stopped');
    const constant = payloadOf({
      ...base,
      kind: 'eventbridge',
      invocation: 'async',
      pattern: { source: ['x'] },
      input: { fixed: 1 },
    });
    assert.deepEqual(constant, { fixed: 1 });
    const part = payloadOf({
      ...base,
      kind: 'eventbridge',
      invocation: 'async',
      pattern: { source: ['x'], detail: { id: ['42'] } },
      inputPath: '$.detail',
    });
    assert.deepEqual(part, { id: '42' });
  });

  it('CloudWatch Logs, Cognito, IoT and Alexa triggers have their events; an unsupported one has none', () => {
    assert.ok(
      payloadOf({ ...base, kind: 'cloudwatchLogs', invocation: 'async', logGroupName: '/app', filterPattern: '' })
        .awslogs,
    );
    const cognito = payloadOf({
      ...base,
      kind: 'cognito',
      invocation: 'sync',
      userPool: { name: 'p' },
      triggers: ['PostConfirmation'],
    });
    assert.match(String(cognito.triggerSource), /PostConfirmation/);
    payloadOf({ ...base, kind: 'iot', invocation: 'async', sql: "SELECT * FROM 'x'" });
    payloadOf({ ...base, kind: 'alexa', invocation: 'sync' });
    assert.equal(
      eventForTrigger({ ...base, kind: 'unsupported', invocation: 'async', sourceType: 'MSK', reason: 'x' }, catalogue),
      undefined,
    );
  });
});
