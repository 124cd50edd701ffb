import * as assert from 'node:assert/strict';
import {
  describeResource,
  eventResourceOf,
  localResourceName,
  putEventsEntryOf,
  snsPublishesOf,
} from '../../../src/core/account/eventResource';
import { LocalAccount } from '../../../src/core/account/localAccount';
import { event, openExamplesAccount } from './examplesAccount';

describe('account: the resource an event is a message of', () => {
  it('reads the queue, stream, table, topic or bus from the event', () => {
    const sqs = { Records: [{ eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:eu-west-1:111122223333:Orders' }] };
    assert.deepEqual(eventResourceOf(sqs), { kind: 'sqs', name: 'Orders' });
    assert.deepEqual(
      eventResourceOf({
        Records: [{ eventSource: 'aws:kinesis', eventSourceARN: 'arn:aws:kinesis:us-east-1:1:stream/Tx' }],
      }),
      { kind: 'kinesis', name: 'Tx' },
    );
    assert.deepEqual(
      eventResourceOf({
        Records: [
          {
            eventSource: 'aws:dynamodb',
            eventSourceARN: 'arn:aws:dynamodb:us-east-1:1:table/Orders/stream/2025-01-01T00:00:00.000',
          },
        ],
      }),
      { kind: 'dynamodb', name: 'Orders' },
    );
    assert.deepEqual(
      eventResourceOf({ Records: [{ EventSource: 'aws:sns', Sns: { TopicArn: 'arn:aws:sns:us-east-1:1:Alerts' } }] }),
      { kind: 'sns', name: 'Alerts' },
    );
    assert.deepEqual(eventResourceOf({ source: 'shop', 'detail-type': 'OrderPlaced', detail: {} }), {
      kind: 'eventbridge',
      name: 'default',
    });
    assert.equal(eventResourceOf({ httpMethod: 'GET', path: '/' }), undefined);
    assert.equal(eventResourceOf({ Records: [{ eventSource: 'aws:sqs' }] }), undefined, 'no ARN, no queue');
    assert.equal(describeResource({ kind: 'dynamodb', name: 'Orders' }), 'table Orders (its stream)');
  });

  it('a deployed name (stack-LogicalId-suffix) stands for the local resource of that logical id', () => {
    const known = ['OrdersQueue', 'OrdersDLQ', 'Orders'];
    assert.equal(localResourceName('OrdersQueue', known), 'OrdersQueue');
    assert.equal(localResourceName('shop-dev-OrdersQueue-AbC123', known), 'OrdersQueue');
    assert.equal(localResourceName('shop-Orders-OrdersDLQ-1', known), undefined, 'two candidates: none is guessed');
    assert.equal(localResourceName('other-queue', known), undefined);
  });

  it('turns SNS records and EventBridge events back into what was published or put', () => {
    assert.deepEqual(
      snsPublishesOf({
        Records: [
          {
            Sns: {
              Message: '{"a":1}',
              Subject: 'hi',
              MessageAttributes: { kind: { Type: 'String', Value: 'x' }, n: { Type: 'Number', Value: '2' } },
            },
          },
        ],
      }),
      [
        {
          message: '{"a":1}',
          subject: 'hi',
          messageAttributes: {
            kind: { DataType: 'String', StringValue: 'x' },
            n: { DataType: 'Number', StringValue: '2' },
          },
        },
      ],
    );
    assert.throws(() => snsPublishesOf({ Records: [{ Sns: {} }] }), /Records\[0\]\.Sns\.Message must be a string/);
    assert.deepEqual(putEventsEntryOf({ source: 's', 'detail-type': 'd', detail: { x: 1 }, resources: ['r'] }), {
      Source: 's',
      DetailType: 'd',
      Detail: '{"x":1}',
      Resources: ['r'],
    });
  });
});

describe('account: sending an event to its resource', function () {
  this.timeout(60_000);
  let account: LocalAccount;
  let dispose: (() => Promise<void>) | undefined;

  before(async () => {
    ({ account, dispose } = await openExamplesAccount('ltr-send-'));
  });

  after(async () => {
    await dispose?.();
  });

  it('an SQS event goes into its queue, and the function reading the queue gets it as a batch', async () => {
    const { resource, records } = await account.sendToResource(event('sqs-orders-batch.json'));
    assert.deepEqual(resource, { kind: 'sqs', name: 'OrdersQueue' });
    assert.ok(records.length > 0);
    assert.ok(records.every((r) => r.functionName === 'OrderProcessorFunction' && r.mode === 'batch'));
  });

  it('an SNS notification is published to its topic and reaches the subscribed function', async () => {
    const { resource, records } = await account.sendToResource(event('sns-payment-succeeded.json'));
    assert.deepEqual(resource, { kind: 'sns', name: 'PaymentNotificationsTopic' });
    assert.ok(records.some((r) => r.functionName === 'PaymentWebhookFunction'));
  });

  it('an event for a resource the workspace does not have is refused, naming the ones it has', async () => {
    const payload = JSON.stringify({
      Records: [
        { eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:NoSuchQueue', body: 'x' },
      ],
    });
    assert.equal(account.hasResource({ kind: 'sqs', name: 'NoSuchQueue' }), false);
    assert.equal(account.hasResource({ kind: 'sqs', name: 'OrdersQueue' }), true);
    await assert.rejects(
      account.sendToResource(payload),
      /queue NoSuchQueue, which this workspace does not have \(it has: .*OrdersQueue/,
    );
    await assert.rejects(account.sendToResource('{"httpMethod":"GET"}'), /names no queue, stream, table, topic or bus/);
  });
});
