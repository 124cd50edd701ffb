/**
 * The examples' flows end to end, with nothing stood in for: discovery reads examples/sam-app/template.yaml, the
 * engine applies the Lambda semantics, the runtime runs the real handlers in child processes.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalAccount, sqsMessagesOf } from '../../../src/core/account/localAccount';
import { event, examples, openExamplesAccount } from './examplesAccount';

describe('examples flows through discovery, the invocation engine and the runtime', function () {
  this.timeout(60_000);
  let account: LocalAccount;
  let dispose: (() => Promise<void>) | undefined;

  before(async () => {
    ({ account, dispose } = await openExamplesAccount('ltr-account-'));
  });

  after(async () => {
    await dispose?.();
  });

  it('SYNC-1 the API order endpoint answers 201 with the created order', async () => {
    const [record] = await account.invoke('CreateOrderFunction', event('api-create-order.json'), 'sync');
    assert.equal(record.status, 'succeeded');
    assert.equal(record.response?.StatusCode, 200);
    const payload = JSON.parse(record.response.Payload!) as { statusCode: number; body: string };
    assert.equal(payload.statusCode, 201);
    assert.ok((JSON.parse(payload.body) as { orderId?: string }).orderId, 'the response body names the order');
  });

  it('ASYNC-3 ASYNC-8 ASYNC-9 the payment webhook fails, is retried twice, then reaches its DLQ and on-failure destination', async () => {
    const [record] = await account.invoke('PaymentWebhookFunction', event('sns-payment-negative-amount.json'), 'async');
    assert.equal(record.mode, 'async');
    assert.equal(record.attempts.length, 3);
    assert.ok(record.attempts.every((a) => a.outcome === 'functionError'));
    assert.equal(record.condition, 'RetriesExhausted');
    const dlq = record.deliveries.find((d) => d.kind === 'deadLetterQueue');
    assert.ok(dlq, 'a DLQ delivery');
    assert.match(dlq.target.arn, /:sqs:.*:PaymentWebhookDLQ$/);
    assert.equal(dlq.body, event('sns-payment-negative-amount.json'), 'ASYNC-9: the original event, unchanged');
    assert.equal(dlq.attributes?.ErrorCode?.StringValue, '200');
    assert.equal(dlq.attributes?.RequestID?.StringValue, record.attempts[2].requestId);
    const onFailure = record.deliveries.find((d) => d.kind === 'destination');
    assert.ok(onFailure, 'an on-failure destination delivery');
    assert.match(onFailure.target.arn, /:sns:.*:PaymentFailuresTopic$/);
    const body = JSON.parse(onFailure.body) as {
      requestContext: { condition: string; approximateInvokeCount: number };
    };
    assert.equal(body.requestContext.condition, 'RetriesExhausted');
    assert.equal(body.requestContext.approximateInvokeCount, 3);
    assert.equal(onFailure.error, undefined, 'the topic only a destination names exists and takes the record');
    assert.equal(dlq.error, undefined);
  });

  it('the record says where each setting came from: the template and line, or Lambda default', async () => {
    const [record] = await account.invoke('PaymentWebhookFunction', event('sns-payment-negative-amount.json'), 'async');
    const template = path.join(examples, 'sam-app', 'template.yaml');
    const lines = fs.readFileSync(template, 'utf8').split('\n');
    const lineOf = (text: string, after = 0): number => lines.findIndex((l, i) => i >= after && l.includes(text)) + 1;
    const fnLine = lineOf('  PaymentWebhookFunction:');
    const { values, origins } = record.configuration;
    assert.equal(values.maximumEventAgeInSeconds, 3600);
    assert.deepEqual(origins.maximumEventAgeInSeconds, {
      file: template,
      line: lineOf('MaximumEventAgeInSeconds: 3600', fnLine),
      source: 'sam',
    });
    assert.deepEqual(origins.deadLetterQueue, {
      file: template,
      line: lineOf('DeadLetterQueue:', fnLine),
      source: 'sam',
    });
    assert.deepEqual(origins.reservedConcurrency, { source: 'default' });
    const [sync] = await account.invoke('CreateOrderFunction', event('api-create-order.json'), 'sync');
    // Globals: MemorySize 256 is the template's, at the Globals line.
    assert.deepEqual(sync.configuration.origins.memorySize, {
      file: template,
      line: lineOf('    MemorySize: 256'),
      source: 'sam',
    });
  });

  it('SQS-3 SQS-4 the order processor reports the two poison messages, which move to OrdersDLQ after 3 receives', async () => {
    const payload = event('sqs-orders-batch.json');
    const bodies = sqsMessagesOf(payload).map((m) => m.body);
    const poisonBodies = bodies.slice(1); // truncated JSON, and an order without orderId
    const records = await account.invoke('OrderProcessorFunction', payload, 'batch');
    const batches = records.flatMap((r) => r.batches);
    assert.equal(batches[0].recordIds.length, 3, 'the first batch holds the three messages');
    assert.equal(batches[0].outcome, 'partialFailure');
    const poisonIds = batches[0].reportedFailures!;
    assert.deepEqual(poisonIds, batches[0].recordIds.slice(1), 'the second and third messages are reported');
    for (const id of poisonIds) {
      const receives = batches.filter((b) => b.recordIds.includes(id)).length;
      assert.equal(receives, 3, `${id} is received three times (maxReceiveCount 3)`);
    }
    const dlqMessages = account.services.queueMessages('OrdersDLQ');
    assert.deepEqual(dlqMessages.map((m) => m.body).sort(), [...poisonBodies].sort());
    assert.equal(account.services.queueMessages('OrdersQueue').length, 0, 'the good messages were deleted');
  });

  it("SQS-4 SQS-7 a batch keeps the event's message ids, so the reported failures are the fixture's ids; an id given twice is refused", async () => {
    const payload = event('sqs-orders-batch.json');
    const fixtureIds = (JSON.parse(payload) as { Records: Array<{ messageId: string }> }).Records.map(
      (r) => r.messageId,
    );
    const records = await account.invoke('OrderProcessorFunction', payload, 'batch');
    const [first] = records.flatMap((r) => r.batches);
    assert.deepEqual(first.recordIds, fixtureIds);
    assert.deepEqual(first.reportedFailures, fixtureIds.slice(1));
    const moved = account.services.queueMessages('OrdersDLQ').map((m) => m.messageId);
    for (const id of fixtureIds.slice(1)) assert.ok(moved.includes(id), `${id} reached OrdersDLQ under its own id`);
    const twice = JSON.stringify({
      Records: [
        { messageId: 'same', body: '{}' },
        { messageId: 'same', body: '{}' },
      ],
    });
    await assert.rejects(account.invoke('OrderProcessorFunction', twice, 'batch'), /two messages have the id "same"/);
  });
});
