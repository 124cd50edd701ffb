import * as assert from 'node:assert/strict';
import { resourceName, targetArnOf } from '../../../src/core/services/functionResources';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';
import { harness, type Harness } from '../invoke/harness';
import { kafka, lambda, mq, rule, sns, sqs, stream } from '../invoke/model';

const FN = (name: string): string => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

describe('services: the resources a function model names', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('names resources by the ARN they have (event-bus/default is the bus "default"), else their name or logical id', () => {
    assert.equal(resourceName({ arn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' }), 'default');
    assert.equal(resourceName({ arn: 'arn:aws:lambda:us-east-1:123456789012:function:Next:live' }), 'Next');
    assert.equal(resourceName({ arn: 'arn:aws:kinesis:us-east-1:123456789012:stream/clicks' }), 'clicks');
    assert.equal(resourceName({ arn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2024' }), 'Orders');
    assert.equal(resourceName({ arn: 'arn:aws:mq:us-east-1:123456789012:broker:billing:b-1234' }), 'billing');
    assert.equal(resourceName({ name: 'orders', logicalId: 'OrdersQueue' }), 'orders');
    assert.equal(resourceName({ logicalId: 'OrdersQueue' }), 'OrdersQueue');
    assert.equal(
      targetArnOf(
        { type: 'eventbridge', arn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' },
        DEFAULT_LOCATION,
      ),
      'arn:aws:events:us-east-1:123456789012:event-bus/default',
    );
    assert.equal(targetArnOf({ type: 'unknown', name: 'x' }, DEFAULT_LOCATION), undefined);
  });

  it('declares the source of every enabled trigger, with its properties, and a mapping per topic or broker queue', async () => {
    h = await harness(
      {
        functions: [
          lambda('Orders', {
            triggers: [
              sqs('orders', { visibilityTimeout: 45, redrive: { deadLetterQueue: 'orders-dlq', maxReceiveCount: 3 } }),
              stream('kinesis', 'clicks'),
              { ...stream('dynamodb', 'Off'), enabled: false },
            ],
          }),
          lambda('Clicks', { triggers: [kafka('clicks', { id: 'Clicks', topics: ['clicks', 'views'] })] }),
          lambda('Invoices', { triggers: [mq('rabbitmq', 'invoices', { id: 'Invoices', broker: 'billing' })] }),
        ],
      },
      {},
    );
    const orders = h.services.queue('orders');
    assert.equal(orders.visibilityTimeoutMs, 45_000);
    assert.deepEqual(orders.settings.redrivePolicy, {
      deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:orders-dlq',
      maxReceiveCount: 3,
    });
    assert.deepEqual(
      h.services.listQueues().map((q) => [q.name, q.deadLetterQueueOf]),
      [
        ['orders', []],
        ['orders-dlq', ['orders']],
      ],
    );
    assert.deepEqual(
      h.services.listStreams().map((s) => `${s.type}:${s.name}`),
      ['kinesis:clicks'],
    );
    assert.deepEqual(
      h.engine.streamPositions().map((p) => p.mappingId),
      ['Orders:clicks', 'Clicks:Clicks:clicks', 'Clicks:Clicks:views', 'Invoices:Invoices'],
    );
  });

  it('SNS and EventBridge triggers subscribe the function: a publish or a matching event invokes it', async () => {
    h = await harness(
      {
        functions: [
          lambda('mailer', { triggers: [sns('orders', { kind: ['big'] })] }),
          lambda('audit', { triggers: [rule('default', { source: ['shop'] })] }),
        ],
      },
      { mailer: () => 1, audit: () => 2 },
    );
    await h.services.publish('orders', 'small', {
      messageAttributes: { kind: { DataType: 'String', StringValue: 'small' } },
    });
    await h.services.publish('orders', 'big', {
      messageAttributes: { kind: { DataType: 'String', StringValue: 'big' } },
    });
    await h.services.putEvents('default', [{ Source: 'shop', DetailType: 'Order', Detail: '{}' }]);
    await h.services.putEvents('default', [{ Source: 'other', DetailType: 'Order', Detail: '{}' }]);
    await h.engine.runUntilIdle();
    assert.deepEqual(
      h.invoker.calls.map((c) => c.functionName),
      ['mailer', 'audit'],
    );
    assert.deepEqual(
      h.engine
        .records()
        .map((r) => r.source?.type)
        .sort(),
      ['eventbridge', 'sns'],
    );
  });

  it('ASYNC-7: a topic only a destination names exists and receives the record (no trigger names it)', async () => {
    h = await harness(
      {
        functions: [
          lambda('pay', { retries: 0, onFailure: 'arn:aws:sns:us-east-1:123456789012:PaymentFailuresTopic' }),
        ],
      },
      {
        pay: () => {
          throw new Error('declined');
        },
      },
    );
    const queued = await h.engine.invokeAsync('pay', '{"amount":-1}');
    await h.engine.runUntilIdle();
    const [delivery] = h.engine.record(queued.id)!.deliveries;
    assert.equal(delivery.error, undefined);
    assert.equal(delivery.target.type, 'sns');
    assert.match(delivery.deliveredAs ?? '', /^[0-9a-f-]{36}$/);
  });

  it('ASYNC-8: the default bus by its ARN gets the record as the detail of a "lambda" event; its rules route it', async () => {
    const bus = 'arn:aws:events:us-east-1:123456789012:event-bus/default';
    h = await harness(
      {
        functions: [
          lambda('pay', { onSuccess: bus }),
          lambda('audit', {
            triggers: [rule('default', { source: ['lambda'], 'detail-type': [{ suffix: 'Success' }] })],
          }),
        ],
      },
      { pay: () => ({ ok: true }), audit: () => null },
    );
    const queued = await h.engine.invokeAsync('pay', '{"amount":1}');
    await h.engine.runUntilIdle();
    const [delivery] = h.engine.record(queued.id)!.deliveries;
    assert.equal(delivery.error, undefined);
    const event = JSON.parse(delivery.body) as Record<string, unknown>;
    assert.equal(event.source, 'lambda');
    assert.equal(event['detail-type'], 'Lambda Function Invocation Result - Success');
    assert.deepEqual(event.resources, [bus, `${FN('pay')}:$LATEST`]);
    assert.equal((event.detail as { requestContext: { condition: string } }).requestContext.condition, 'Success');
    assert.deepEqual(
      h.invoker.calls.map((c) => c.functionName),
      ['pay', 'audit'],
    );
  });

  it('ASYNC-7: a custom bus named by its ARN exists for a destination without any rule', async () => {
    h = await harness(
      { functions: [lambda('pay', { onSuccess: 'arn:aws:events:us-east-1:123456789012:event-bus/payments' })] },
      { pay: () => 1 },
    );
    const queued = await h.engine.invokeAsync('pay', '{}');
    await h.engine.runUntilIdle();
    const [delivery] = h.engine.record(queued.id)!.deliveries;
    assert.equal(delivery.error, undefined);
    assert.equal(h.services.bus('payments').arn, 'arn:aws:events:us-east-1:123456789012:event-bus/payments');
  });

  it('a destination the runner cannot reach is recorded with a clear error, never dropped', async () => {
    h = await harness(
      {
        functions: [
          {
            ...lambda('pay', { retries: 0 }),
            eventInvokeConfig: {
              maximumRetryAttempts: 0,
              maximumEventAgeInSeconds: 21600,
              destinations: { onFailure: { type: 'unknown', name: 'somewhere' } },
            },
          },
        ],
      },
      {
        pay: () => {
          throw new Error('x');
        },
      },
    );
    const queued = await h.engine.invokeAsync('pay', '{}');
    await h.engine.runUntilIdle();
    const [delivery] = h.engine.record(queued.id)!.deliveries;
    assert.match(delivery.error ?? '', /cannot deliver to somewhere/);
  });

  it('ASYNC-7 ASYNC-8: a physical FunctionName works wherever the name does: destinations, SNS and EventBridge targets, records and their ARNs', async () => {
    h = await harness(
      {
        functions: [
          lambda('First', {
            physicalName: 'orders-first',
            retries: 0,
            onSuccess: FN('orders-next'), // a template's !GetAtt Next.Arn names the physical function
          }),
          lambda('Next', {
            physicalName: 'orders-next',
            triggers: [sns('alerts'), rule('default', { source: ['shop'] })],
          }),
        ],
      },
      { First: () => 'done', Next: () => null },
    );
    // The topic and the rule target the physical function's ARN, as the template's subscriptions do.
    assert.deepEqual(
      h.services
        .topic('alerts')
        .subscriptionList()
        .map((s) => s.endpoint),
      [FN('orders-next')],
    );
    const first = await h.engine.invokeAsync('orders-first', '{}');
    await h.services.publish('alerts', 'hello');
    await h.services.putEvents('default', [{ Source: 'shop', DetailType: 'order', Detail: '{}' }]);
    await h.engine.runUntilIdle();
    const done = h.engine.record(first.id)!;
    assert.equal(done.functionName, 'First');
    const [delivery] = done.deliveries;
    assert.equal(delivery.target.arn, FN('orders-next'));
    assert.equal(delivery.error, undefined);
    const body = JSON.parse(delivery.body) as { requestContext: { functionArn: string } };
    assert.equal(body.requestContext.functionArn, `${FN('orders-first')}:$LATEST`);
    assert.deepEqual(
      h.engine
        .records()
        .filter((r) => r.functionName === 'Next')
        .map((r) => r.source?.type)
        .sort(),
      ['destination', 'eventbridge', 'sns'],
    );
    assert.deepEqual(h.invoker.calls.map((c) => c.functionName).sort(), ['First', 'Next', 'Next', 'Next']);
  });
});
