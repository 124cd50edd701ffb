import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { harness, offset, type Harness } from './harness';
import { lambda } from './model';

const fail = (): never => {
  throw new Error('boom');
};
const Q = (name: string): string => `arn:aws:sqs:us-east-1:123456789012:${name}`;
const FN = (name: string): string => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

describe('invoke: asynchronous invocation', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('ASYNC-3: a failing event is retried twice, 1 and 2 minutes apart, then RetriesExhausted', async () => {
    h = await harness({ functions: [lambda('f')] }, { f: fail });
    const rec = await h.engine.invokeAsync('f', '{"n":1}');
    assert.equal(rec.status, 'queued');
    await h.engine.runUntilIdle();
    const r = h.engine.record(rec.id)!;
    assert.deepEqual(
      r.attempts.map((a) => offset(a.start.simulated)),
      [0, 60_000, 180_000],
    );
    assert.deepEqual(
      r.attempts.map((a) => a.outcome),
      ['functionError', 'functionError', 'functionError'],
    );
    assert.equal(new Set(r.attempts.map((a) => a.requestId)).size, 1, 'retries keep the request id');
    assert.equal(r.status, 'failed');
    assert.equal(r.condition, 'RetriesExhausted');
    assert.equal(h.engine.pendingAsyncEvents(), 0);
  });

  it('ASYNC-3: MaximumRetryAttempts 0 means a single attempt', async () => {
    h = await harness({ functions: [lambda('f', { retries: 0 })] }, { f: fail });
    const rec = await h.engine.invokeAsync('f', '{}');
    await h.engine.runUntilIdle();
    assert.equal(h.engine.record(rec.id)!.attempts.length, 1);
  });

  it('ASYNC-4: with maximum age 60 s the first failure already ends in EventAgeExceeded, approximateInvokeCount 1', async () => {
    h = await harness(
      {
        functions: [lambda('f', { maxEventAge: 60, onFailure: Q('fail') })],
      },
      { f: fail },
    );
    const rec = await h.engine.invokeAsync('f', '{"n":1}');
    await h.engine.runUntilIdle();
    const r = h.engine.record(rec.id)!;
    assert.equal(r.attempts.length, 1);
    assert.equal(r.condition, 'EventAgeExceeded');
    const body = JSON.parse(h.services.queueMessages('fail')[0].body) as {
      requestContext: { condition: string; approximateInvokeCount: number };
    };
    assert.equal(body.requestContext.condition, 'EventAgeExceeded');
    assert.equal(body.requestContext.approximateInvokeCount, 1);
  });

  it('ASYNC-4: with maximum age 120 s one retry runs at 60 s, the second (at 180 s) is not made', async () => {
    h = await harness({ functions: [lambda('f', { maxEventAge: 120 })] }, { f: fail });
    const rec = await h.engine.invokeAsync('f', '{}');
    await h.engine.runUntilIdle();
    const r = h.engine.record(rec.id)!;
    assert.deepEqual(
      r.attempts.map((a) => offset(a.start.simulated)),
      [0, 60_000],
    );
    assert.equal(r.condition, 'EventAgeExceeded');
  });

  it('ASYNC-5: throttles back off 1 s, 2 s, 4 s and do not count as retries', async () => {
    h = await harness({ functions: [lambda('f', { retries: 0 })] }, { f: () => 'ok' });
    const rec = await h.engine.invokeAsync('f', '{}', { faults: { throttle: 3 } });
    await h.engine.runUntilIdle();
    const r = h.engine.record(rec.id)!;
    assert.deepEqual(
      r.attempts.map((a) => [a.outcome, offset(a.start.simulated), a.statusCode ?? null]),
      [
        ['throttled', 0, 429],
        ['throttled', 1000, 429],
        ['throttled', 3000, 429],
        ['success', 7000, null],
      ],
    );
    assert.equal(r.condition, 'Success');
    assert.deepEqual(r.faults, ['throttle x3']);
  });

  it('ASYNC-5: system errors back off the same way and end in EventAgeExceeded with ErrorCode 500 in the DLQ', async () => {
    h = await harness(
      {
        functions: [lambda('f', { maxEventAge: 60, dlq: Q('dlq') })],
      },
      { f: () => 'ok' },
    );
    const rec = await h.engine.invokeAsync('f', '{}', { faults: { systemError: 100 } });
    await h.engine.runUntilIdle();
    const r = h.engine.record(rec.id)!;
    // 0, 1, 3, 7, 15, 31 s; the next would be at 63 s >= 60 s.
    assert.deepEqual(
      r.attempts.map((a) => offset(a.start.simulated)),
      [0, 1000, 3000, 7000, 15000, 31000],
    );
    assert.equal(r.condition, 'EventAgeExceeded');
    assert.equal(h.invoker.calls.length, 0);
    assert.equal(h.services.queueMessages('dlq')[0].messageAttributes.ErrorCode.StringValue, '500');
  });

  it('ASYNC-6: reserved concurrency 0 sends the event straight to the on-failure destination with count 0 and no responseContext', async () => {
    h = await harness(
      {
        functions: [lambda('f', { reservedConcurrency: 0, onFailure: Q('fail') })],
      },
      { f: () => 1 },
    );
    const rec = await h.engine.invokeAsync('f', '{"k":"v"}');
    await h.engine.runUntilIdle();
    assert.equal(h.invoker.calls.length, 0);
    const body = JSON.parse(h.services.queueMessages('fail')[0].body) as { requestContext: { requestId: string } };
    assert.match(body.requestContext.requestId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(body, {
      version: '1.0',
      timestamp: '2025-01-01T00:00:00.000Z',
      requestContext: {
        requestId: body.requestContext.requestId,
        functionArn: `${FN('f')}:$LATEST`,
        condition: 'ZeroReservedConcurrency',
        approximateInvokeCount: 0,
      },
      requestPayload: { k: 'v' },
    });
    assert.equal(h.engine.record(rec.id)!.condition, 'ZeroReservedConcurrency');
  });

  it('ASYNC-7 ASYNC-8: the on-success destination gets the exact invocation record', async () => {
    h = await harness({ functions: [lambda('f', { onSuccess: Q('ok') })] }, { f: () => ({ done: true }) });
    const rec = await h.engine.invokeAsync('f', '{"order":7}');
    await h.engine.runUntilIdle();
    const requestId = h.invoker.calls[0].requestId;
    const [message] = h.services.queueMessages('ok');
    assert.equal(
      message.body,
      JSON.stringify({
        version: '1.0',
        timestamp: '2025-01-01T00:00:00.000Z',
        requestContext: {
          requestId,
          functionArn: `${FN('f')}:$LATEST`,
          condition: 'Success',
          approximateInvokeCount: 1,
        },
        requestPayload: { order: 7 },
        responseContext: { statusCode: 200, executedVersion: '$LATEST' },
        responsePayload: { done: true },
      }),
    );
    const r = h.engine.record(rec.id)!;
    assert.equal(r.deliveries.length, 1);
    assert.equal(r.deliveries[0].kind, 'destination');
    assert.equal(r.deliveries[0].body, message.body);
    assert.equal(r.deliveries[0].deliveredAs, message.messageId);
  });

  it('ASYNC-8 ASYNC-9: on failure both the destination (record) and the DLQ (original event, exact attributes) receive', async () => {
    h = await harness(
      {
        functions: [lambda('f', { retries: 1, onFailure: Q('fail'), dlq: Q('dlq') })],
      },
      { f: fail },
    );
    await h.engine.invokeAsync('f', '{"order":7}');
    await h.engine.runUntilIdle();
    const requestId = h.invoker.calls[0].requestId;
    const error = { errorType: 'Error', errorMessage: 'boom', trace: ['Error: boom'] };
    assert.equal(
      h.services.queueMessages('fail')[0].body,
      JSON.stringify({
        version: '1.0',
        timestamp: '2025-01-01T00:01:00.000Z',
        requestContext: {
          requestId,
          functionArn: `${FN('f')}:$LATEST`,
          condition: 'RetriesExhausted',
          approximateInvokeCount: 2,
        },
        requestPayload: { order: 7 },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        responsePayload: error,
      }),
    );
    const [dlq] = h.services.queueMessages('dlq');
    assert.equal(dlq.body, '{"order":7}');
    assert.deepEqual(dlq.messageAttributes, {
      RequestID: { DataType: 'String', StringValue: requestId },
      ErrorCode: { DataType: 'Number', StringValue: '200' },
      ErrorMessage: { DataType: 'String', StringValue: 'boom' },
    });
  });

  it('ASYNC-9: ErrorMessage is cut to the first 1 KB', async () => {
    h = await harness(
      {
        functions: [lambda('f', { retries: 0, dlq: Q('dlq') })],
      },
      {
        f: () => {
          throw new Error('é'.repeat(1000));
        },
      },
    );
    await h.engine.invokeAsync('f', '{}');
    await h.engine.runUntilIdle();
    assert.equal(h.services.queueMessages('dlq')[0].messageAttributes.ErrorMessage.StringValue, 'é'.repeat(512));
  });

  it('ASYNC-7: a Lambda destination invokes the next function, so a chain runs end to end', async () => {
    h = await harness(
      {
        functions: [
          lambda('placeOrder', { onSuccess: FN('chargeCard') }),
          lambda('chargeCard', { onSuccess: FN('ship') }),
          lambda('ship'),
        ],
      },
      { placeOrder: (e) => ({ placed: e }), chargeCard: () => ({ charged: true }), ship: () => 'shipped' },
    );
    const first = await h.engine.invokeAsync('placeOrder', '{"id":1}');
    await h.engine.runUntilIdle();
    assert.deepEqual(
      h.invoker.calls.map((c) => c.functionName),
      ['placeOrder', 'chargeCard', 'ship'],
    );
    const charge = h.invoker.calls[1].event as {
      requestPayload: unknown;
      responsePayload: unknown;
      requestContext: { condition: string };
    };
    assert.deepEqual(charge.requestPayload, { id: 1 });
    assert.deepEqual(charge.responsePayload, { placed: { id: 1 } });
    const chargeRecord = h.engine.record(h.engine.record(first.id)!.deliveries[0].deliveredAs!)!;
    assert.equal(chargeRecord.source?.type, 'destination');
    assert.equal(chargeRecord.source?.parentRecordId, first.id);
  });

  it('ASYNC-8: to EventBridge the record is the detail of a lambda event, routed by the bus rules', async () => {
    const bus = 'arn:aws:events:us-east-1:123456789012:event-bus/results';
    h = await harness(
      {
        functions: [lambda('f', { retries: 0, onFailure: bus })],
        buses: [
          {
            name: 'results',
            rules: [
              { name: 'failures', eventPattern: { 'detail-type': [{ suffix: 'Failure' }] }, targets: [Q('audit')] },
            ],
          },
        ],
      },
      { f: fail },
    );
    await h.engine.invokeAsync('f', '{"x":1}');
    await h.engine.runUntilIdle();
    const event = JSON.parse(h.services.queueMessages('audit')[0].body) as Record<string, unknown>;
    assert.equal(event.source, 'lambda');
    assert.equal(event['detail-type'], 'Lambda Function Invocation Result - Failure');
    assert.deepEqual(event.resources, [bus, `${FN('f')}:$LATEST`]);
    assert.equal(
      (event.detail as { requestContext: { condition: string } }).requestContext.condition,
      'RetriesExhausted',
    );
  });

  it('ASYNC-7: an S3 on-failure destination writes the record as an object in the local folder', async () => {
    h = await harness(
      {
        functions: [lambda('f', { retries: 0, onFailure: 'arn:aws:s3:::failures' })],
      },
      { f: fail },
    );
    const rec = await h.engine.invokeAsync('f', '{}');
    await h.engine.runUntilIdle();
    const delivery = h.engine.record(rec.id)!.deliveries[0];
    assert.match(
      delivery.deliveredAs!,
      /^s3:\/\/failures\/aws\/lambda\/async\/f\/2025\/01\/01\/2025-01-01T00\.00\.00-[0-9a-f-]{36}$/,
    );
    const file = path.join(h.dir, 's3', 'failures', ...delivery.deliveredAs!.slice('s3://failures/'.length).split('/'));
    assert.equal(fs.readFileSync(file, 'utf8'), delivery.body);
  });

  it('ASYNC-1: the deliverTwice fault runs the handler twice with the same event and request id', async () => {
    const seen = new Set<string>();
    let effects = 0;
    h = await harness(
      { functions: [lambda('f')] },
      {
        f: (e) => {
          const key = (e as { id: string }).id;
          if (!seen.has(key)) effects++; // an idempotent handler
          seen.add(key);
        },
      },
    );
    const rec = await h.engine.invokeAsync('f', '{"id":"a"}', { faults: { deliverTwice: true } });
    await h.engine.runUntilIdle();
    assert.equal(h.invoker.calls.length, 2);
    assert.equal(h.invoker.calls[0].requestId, h.invoker.calls[1].requestId);
    assert.equal(effects, 1);
    assert.deepEqual(
      h.engine.record(rec.id)!.attempts.map((a) => a.faults ?? []),
      [[], ['deliverTwice']],
    );
  });

  it('ASYNC-2: an async payload over 1 MB is refused with 413', async () => {
    h = await harness({ functions: [lambda('f')] }, { f: () => 1 });
    await assert.rejects(
      h.engine.invokeAsync('f', JSON.stringify('a'.repeat(1024 * 1024))),
      /RequestEntityTooLarge|must be smaller/,
    );
  });

  it('SNS fan-out reaches every subscribed queue and function, honouring filter policies', async () => {
    h = await harness(
      {
        functions: [lambda('mailer')],
        topics: [
          {
            name: 'orders',
            subscriptions: [
              { protocol: 'sqs', endpoint: Q('all') },
              { protocol: 'sqs', endpoint: Q('raw'), rawMessageDelivery: true },
              { protocol: 'lambda', endpoint: FN('mailer'), filterPolicy: { kind: ['big'] } },
            ],
          },
        ],
      },
      { mailer: () => 1 },
    );
    await h.services.publish('orders', 'small one', {
      messageAttributes: { kind: { DataType: 'String', StringValue: 'small' } },
    });
    await h.services.publish('orders', 'big one', {
      messageAttributes: { kind: { DataType: 'String', StringValue: 'big' } },
    });
    await h.engine.runUntilIdle();
    assert.deepEqual(
      h.services.queueMessages('raw').map((m) => m.body),
      ['small one', 'big one'],
    );
    const envelope = JSON.parse(h.services.queueMessages('all')[0].body) as Record<string, unknown>;
    assert.equal(envelope.Type, 'Notification');
    assert.equal(envelope.Message, 'small one');
    assert.equal(h.invoker.calls.length, 1);
    assert.equal(
      (h.invoker.calls[0].event as { Records: Array<{ Sns: { Message: string } }> }).Records[0].Sns.Message,
      'big one',
    );
  });
});
