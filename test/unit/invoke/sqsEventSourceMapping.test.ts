import * as assert from 'node:assert/strict';
import { harness, offset, type Harness } from './harness';
import { lambda, sqs } from './model';

type SqsEvent = { Records: Array<{ messageId: string; body: string; attributes: Record<string, string> }> };
const bodies = (e: unknown): string[] => (e as SqsEvent).Records.map((r) => r.body);
const Q = (name: string): string => `arn:aws:sqs:us-east-1:123456789012:${name}`;

describe('invoke: SQS event source mapping', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('SQS-2: a batch record shows the configuration it ran with, the visibility timeout of a queue reconfigured meanwhile included', async () => {
    h = await harness({ functions: [lambda('f', { triggers: [sqs('q', { batchSize: 1 })] })] }, { f: () => null });
    await h.services.sendMessages('q', [{ body: 'a' }]);
    await h.engine.runUntilIdle();
    h.services.queue('q').reconfigure({ visibilityTimeoutSeconds: 90 });
    await h.services.sendMessages('q', [{ body: 'b' }, { body: 'c' }]);
    await h.engine.runUntilIdle();
    const records = h.engine.records().filter((r) => r.mode === 'batch');
    assert.deepEqual(
      records.map((r) => [bodies(r.event)[0], r.configuration.values.visibilityTimeoutSeconds]),
      [
        ['a', 30],
        ['b', 90],
        ['c', 90],
      ],
    );
    assert.equal(records[0].configuration.values.batchSize, 1);
    assert.ok(Object.isFrozen(records[1].configuration.values), 'shared between records, so never changed in place');
  });

  it('SQS-1 SQS-7: batches of BatchSize in queue order, with the SQS record shape', async () => {
    h = await harness(
      {
        functions: [lambda('f', { triggers: [sqs('q', { batchSize: 2 })] })],
      },
      { f: () => null },
    );
    await h.services.sendMessages(
      'q',
      ['a', 'b', 'c'].map((body) => ({ body })),
    );
    await h.engine.runUntilIdle();
    assert.deepEqual(
      h.invoker.calls.map((c) => bodies(c.event)),
      [['a', 'b'], ['c']],
    );
    const record = (h.invoker.calls[0].event as { Records: Array<Record<string, unknown>> }).Records[0];
    assert.deepEqual(Object.keys(record), [
      'messageId',
      'receiptHandle',
      'body',
      'attributes',
      'messageAttributes',
      'md5OfMessageAttributes',
      'md5OfBody',
      'eventSource',
      'eventSourceARN',
      'awsRegion',
    ]);
    // A message without attributes: the key is there, with null, as Lambda writes it.
    assert.equal(record.md5OfMessageAttributes, null);
    assert.equal(record.eventSource, 'aws:sqs');
    assert.equal(record.eventSourceARN, Q('q'));
    assert.equal(record.md5OfBody, '0cc175b9c0f1b6a831c399e269772661');
    assert.equal((record.attributes as Record<string, string>).ApproximateReceiveCount, '1');
    assert.equal(h.services.queueMessages('q').length, 0);
  });

  it('SQS-7: a record with message attributes carries md5OfMessageAttributes, computed as SQS computes it', async () => {
    h = await harness({ functions: [lambda('f', { triggers: [sqs('q')] })] }, { f: () => null });
    await h.services.sendMessages('q', [
      {
        body: 'book',
        messageAttributes: {
          Title: { DataType: 'String', StringValue: 'The Whistler' },
          Author: { DataType: 'String', StringValue: 'John Grisham' },
          WeeksOn: { DataType: 'Number', StringValue: '6' },
        },
      },
    ]);
    await h.engine.runUntilIdle();
    const record = (h.invoker.calls[0].event as { Records: Array<Record<string, unknown>> }).Records[0];
    // The digest SQS returned for these attributes (AWS's own example message).
    assert.equal(record.md5OfMessageAttributes, 'd25a6aea97eb8f585bfa92d314504a92');
    assert.deepEqual(record.messageAttributes, {
      Title: { stringValue: 'The Whistler', stringListValues: [], binaryListValues: [], dataType: 'String' },
      Author: { stringValue: 'John Grisham', stringListValues: [], binaryListValues: [], dataType: 'String' },
      WeeksOn: { stringValue: '6', stringListValues: [], binaryListValues: [], dataType: 'Number' },
    });
  });

  it('SQS-3 SQS-7: an event sent again under the same message id: the move to a DLQ already holding that id gives it a new id, both are kept', async () => {
    h = await harness(
      {
        functions: [
          lambda('f', {
            triggers: [sqs('q', { visibilityTimeout: 30, redrive: { deadLetterQueue: 'q-dlq', maxReceiveCount: 1 } })],
          }),
        ],
      },
      {
        f: () => {
          throw new Error('poison');
        },
      },
    );
    for (const body of ['first', 'second']) {
      await h.services.sendMessages('q', [{ messageId: 'fixture-1', body }]);
      await h.engine.runUntilIdle();
    }
    const dead = h.services.queueMessages('q-dlq');
    assert.deepEqual(
      dead.map((m) => m.body),
      ['first', 'second'],
    );
    assert.equal(dead[0].messageId, 'fixture-1');
    assert.notEqual(dead[1].messageId, 'fixture-1');
    const moves = h.engine.records().flatMap((r) => r.deliveries.filter((d) => d.kind === 'queueRedrive'));
    assert.deepEqual(
      moves.map((d) => d.deliveredAs),
      dead.map((m) => m.messageId),
    );
  });

  it('SQS-1: the batching window waits for a full batch or the window', async () => {
    h = await harness(
      {
        functions: [lambda('f', { triggers: [sqs('q', { batchSize: 20, maximumBatchingWindowInSeconds: 5 })] })],
      },
      { f: () => null },
    );
    await h.services.sendMessages('q', [{ body: 'a' }, { body: 'b' }]);
    await h.engine.runUntilIdle();
    assert.deepEqual(
      h.invoker.calls.map((c) => bodies(c.event)),
      [['a', 'b']],
    );
    const [record] = h.engine.records();
    assert.equal(offset(record.start.simulated), 5000);
  });

  it('SQS-1: BatchSize above 10 without a batching window is refused', async () => {
    await assert.rejects(
      harness(
        {
          functions: [lambda('f', { triggers: [sqs('q', { batchSize: 11 })] })],
        },
        {},
      ),
      /BatchSize above 10 needs MaximumBatchingWindowInSeconds/,
    );
  });

  it('SQS-2 SQS-3: a failing batch comes back after the visibility timeout and moves to the DLQ after maxReceiveCount', async () => {
    h = await harness(
      {
        functions: [
          lambda('f', {
            triggers: [sqs('q', { visibilityTimeout: 30, redrive: { deadLetterQueue: 'q-dlq', maxReceiveCount: 2 } })],
          }),
        ],
      },
      {
        f: () => {
          throw new Error('nope');
        },
      },
    );
    const [sent] = await h.services.sendMessages('q', [
      { body: 'x', messageAttributes: { a: { DataType: 'String', StringValue: '1' } } },
    ]);
    await h.engine.runUntilIdle();
    const records = h.engine.records();
    assert.deepEqual(
      records.map((r) => offset(r.start.simulated)),
      [0, 30_000],
    );
    assert.deepEqual(
      h.invoker.calls.map((c) => (c.event as SqsEvent).Records[0].attributes.ApproximateReceiveCount),
      ['1', '2'],
    );
    assert.deepEqual(records[0].batches[0].returnedToQueue, [
      { id: sent.messageId, visibleAt: '2025-01-01T00:00:30.000Z' },
    ]);
    assert.deepEqual(records[1].batches[0].redrives, [{ id: sent.messageId, target: Q('q-dlq'), receiveCount: 2 }]);
    const redrive = records[1].deliveries[0];
    assert.equal(redrive.kind, 'queueRedrive');
    assert.equal(offset(redrive.time.simulated), 60_000);
    const [dead] = h.services.queueMessages('q-dlq');
    assert.equal(dead.messageId, sent.messageId);
    assert.equal(dead.body, 'x');
    assert.deepEqual(dead.messageAttributes, { a: { DataType: 'String', StringValue: '1' } });
    assert.equal(dead.deadLetterQueueSourceArn, Q('q'));
    assert.equal(h.services.queueMessages('q').length, 0);
    // The user redrives the DLQ back to its source: a new message that the mapping picks up again.
    assert.equal(await h.services.redriveDeadLetterQueue('q-dlq'), 1);
    await h.engine.runUntilIdle();
    assert.equal(h.invoker.calls.length, 4);
    const [again] = h.services.queueMessages('q-dlq');
    assert.equal(again.body, 'x');
    assert.notEqual(again.messageId, sent.messageId);
  });

  const rbif = (result: unknown) =>
    harness(
      {
        functions: [
          lambda('f', {
            triggers: [sqs('q', { visibilityTimeout: 10, functionResponseTypes: ['ReportBatchItemFailures'] })],
          }),
        ],
      },
      {
        f: (e) => {
          const ids = (e as SqsEvent).Records.map((r) => r.messageId);
          return typeof result === 'function' ? (result as (ids: string[]) => unknown)(ids) : result;
        },
      },
    );

  it('SQS-4: only the reported messages return to the queue', async () => {
    let first = true;
    h = await rbif((ids: string[]) => {
      const report = first ? { batchItemFailures: [{ itemIdentifier: ids[1] }] } : null;
      first = false;
      return report;
    });
    await h.services.sendMessages('q', [{ body: 'a' }, { body: 'b' }, { body: 'c' }]);
    await h.engine.runUntilIdle();
    assert.deepEqual(
      h.invoker.calls.map((c) => bodies(c.event)),
      [['a', 'b', 'c'], ['b']],
    );
    const [r1, r2] = h.engine.records();
    assert.equal(r1.batches[0].outcome, 'partialFailure');
    assert.deepEqual(r1.batches[0].reportedFailures, [r1.batches[0].recordIds[1]]);
    assert.equal(offset(r2.start.simulated), 10_000);
  });

  for (const [label, response] of [
    ['null', null],
    ['an empty object', {}],
    ['batchItemFailures empty', { batchItemFailures: [] }],
    ['batchItemFailures null', { batchItemFailures: null }],
  ] as const) {
    it(`SQS-4: ${label} counts as full success`, async () => {
      h = await rbif(response);
      await h.services.sendMessages('q', [{ body: 'a' }, { body: 'b' }]);
      await h.engine.runUntilIdle();
      assert.equal(h.invoker.calls.length, 1);
      assert.equal(h.services.queueMessages('q').length, 0);
    });
  }

  for (const [label, response, reason] of [
    ['an unparseable response', 'not an object', /not a batch response object/],
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }, /itemIdentifier is empty/],
    ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }, /itemIdentifier is null/],
    ['a missing itemIdentifier', { batchItemFailures: [{ id: 'x' }] }, /has no itemIdentifier/],
    ['an itemIdentifier not in the batch', { batchItemFailures: [{ itemIdentifier: 'other' }] }, /is not in the batch/],
  ] as const) {
    it(`SQS-4: ${label} fails the whole batch`, async () => {
      let calls = 0;
      h = await rbif(() => (calls++ === 0 ? response : null));
      await h.services.sendMessages('q', [{ body: 'a' }, { body: 'b' }]);
      await h.engine.runUntilIdle();
      assert.deepEqual(
        h.invoker.calls.map((c) => bodies(c.event)),
        [
          ['a', 'b'],
          ['a', 'b'],
        ],
      );
      const [r1] = h.engine.records();
      assert.equal(r1.batches[0].outcome, 'failure');
      assert.match(r1.batches[0].reportInvalidReason!, reason);
    });
  }

  it('SQS-4: a thrown error fails the whole batch', async () => {
    let calls = 0;
    h = await rbif(() => {
      if (calls++ === 0) throw new Error('x');
      return null;
    });
    await h.services.sendMessages('q', [{ body: 'a' }, { body: 'b' }]);
    await h.engine.runUntilIdle();
    assert.deepEqual(
      h.invoker.calls.map((c) => bodies(c.event)),
      [
        ['a', 'b'],
        ['a', 'b'],
      ],
    );
  });

  it('SQS-5: FIFO: one batch per message group at a time, in order; a failure blocks its group', async () => {
    let failedOnce = false;
    h = await harness(
      {
        functions: [lambda('f', { triggers: [sqs('q.fifo', { visibilityTimeout: 10, batchSize: 1 })] })],
        queues: [{ name: 'q.fifo', contentBasedDeduplication: true }],
      },
      {
        f: (e) => {
          const body = bodies(e)[0];
          if (body === 'g1-a' && !failedOnce) {
            failedOnce = true;
            throw new Error('first try fails');
          }
        },
      },
    );
    await h.services.sendMessages('q.fifo', [
      { body: 'g1-a', messageGroupId: 'g1' },
      { body: 'g1-b', messageGroupId: 'g1' },
      { body: 'g2-a', messageGroupId: 'g2' },
    ]);
    await h.engine.runUntilIdle();
    const order = h.invoker.calls.map((c) => bodies(c.event)[0]);
    assert.deepEqual(order, ['g1-a', 'g2-a', 'g1-a', 'g1-b']);
    const attrs = (h.invoker.calls[0].event as SqsEvent).Records[0].attributes;
    assert.equal(attrs.MessageGroupId, 'g1');
    assert.equal(attrs.SequenceNumber, '00000000000000000001');
  });

  it('SQS-6: no more than MaximumConcurrency batches run at once', async () => {
    let running = 0;
    let peak = 0;
    h = await harness(
      {
        functions: [lambda('f', { triggers: [sqs('q', { batchSize: 1, maximumConcurrency: 2 })] })],
      },
      {
        f: async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setImmediate(r));
          running--;
        },
      },
    );
    await h.services.sendMessages(
      'q',
      Array.from({ length: 6 }, (_, i) => ({ body: String(i) })),
    );
    await h.engine.runUntilIdle();
    assert.equal(h.invoker.calls.length, 6);
    assert.equal(peak, 2);
  });

  it('FILTER-4: messages the filter criteria reject are deleted without invoking', async () => {
    h = await harness(
      {
        functions: [lambda('f', { triggers: [sqs('q', { filters: [{ body: { kind: ['order'] } }] })] })],
      },
      { f: () => null },
    );
    await h.services.sendMessages('q', [
      { body: '{"kind":"order"}' },
      { body: '{"kind":"ping"}' },
      { body: 'plain text' },
    ]);
    await h.engine.runUntilIdle();
    assert.deepEqual(
      h.invoker.calls.map((c) => bodies(c.event)),
      [['{"kind":"order"}']],
    );
    assert.equal(h.engine.records()[0].batches[0].filteredIds?.length, 2);
    assert.equal(h.services.queueMessages('q').length, 0);
  });

  it('replays a DLQ message to any function and purges a queue', async () => {
    h = await harness(
      {
        functions: [lambda('f', { retries: 0, dlq: Q('dlq') }), lambda('fixed')],
      },
      {
        f: () => {
          throw new Error('x');
        },
        fixed: () => 'ok',
      },
    );
    await h.engine.invokeAsync('f', '{"id":1}');
    await h.engine.runUntilIdle();
    const [dead] = h.services.queueMessages('dlq');
    const replay = await h.engine.replayMessage('dlq', dead.messageId, 'fixed', 'sync');
    assert.equal(replay.response?.Payload, '"ok"');
    assert.deepEqual(replay.event, { id: 1 });
    assert.equal(replay.source?.type, 'replay');
    assert.equal(await h.services.purgeQueue('dlq'), 1);
    assert.equal(h.services.queueMessages('dlq').length, 0);
  });
});
