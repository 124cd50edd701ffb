import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeUnsettled, parseFollowDeliveries } from '../../../src/core/invoke/followHorizon';
import { storyIdOf } from '../../../src/core/invoke/invocationStory';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { VirtualClock } from '../../../src/core/invoke/virtualClock';
import { DurableStore } from '../../../src/core/store/durableStore';
import { FakeInvoker } from './fakeInvoker';
import { harness, openEngine, T0, type Harness, type TestAccount } from './harness';
import { kafka, lambda, sqs, stream } from './model';

const boom = (): never => {
  throw new Error('order store is down');
};
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number): string => new Date(ms).toISOString();
const byStart = (records: InvocationRecord[]): InvocationRecord[] =>
  [...records].sort(
    (a, b) => a.start.simulated.localeCompare(b.start.simulated) || a.start.wall.localeCompare(b.start.wall),
  );

/** Closes the harness's engine and opens another one on its store (a later process), with a fresh fake. */
async function reopen(h: Harness, account: TestAccount, invoker: FakeInvoker, start: number): Promise<Harness> {
  await h.engine.close();
  const { engine, services } = openEngine(
    await DurableStore.open(path.join(h.dir, 'store')),
    account,
    invoker,
    new VirtualClock({ start }),
  );
  return {
    ...h,
    engine,
    services,
    invoker,
    close: async () => {
      await engine.close();
      fs.rmSync(h.dir, { recursive: true, force: true });
    },
  };
}

describe('invoke: the follow horizon (events that never settle)', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  describe('SQS', () => {
    const account: TestAccount = { functions: [lambda('f', { triggers: [sqs('OrdersQueue')] })] };

    it('SQS-2: without a redrive policy a failing message is followed for 5 receives, then stays in the queue and the record says what AWS does next', async () => {
      h = await harness(account, { f: boom });
      const [sent] = await h.services.sendMessages('OrdersQueue', [{ body: 'order-1' }]);
      await h.engine.runUntilIdle();

      assert.equal(h.invoker.calls.length, 5);
      const [left] = h.services.queueMessages('OrdersQueue');
      assert.equal(left.messageId, sent.messageId);
      assert.equal(left.receiveCount, 5);
      const records = byStart(h.engine.records());
      assert.equal(records.length, 5);
      assert.deepEqual(
        records.map((r) => r.unsettled === undefined),
        [true, true, true, true, false],
      );
      const last = records[4];
      assert.equal(last.status, 'failed');
      assert.equal(last.condition, 'BatchFailed');
      assert.deepEqual(last.unsettled, {
        after: 'receives',
        count: 5,
        followed: 5,
        awsContinues:
          "it is received again every 30 s (the queue's visibility timeout) until the queue's retention period (4 days) ends on 2025-01-05 00:00 UTC",
        until: iso(T0 + 4 * DAY),
        leftIn: 'OrdersQueue',
        ids: [sent.messageId],
      });
      assert.equal(
        describeUnsettled(last.unsettled),
        "still failing after 5 receives; on AWS it is received again every 30 s (the queue's visibility timeout) until the queue's retention period (4 days) ends on 2025-01-05 00:00 UTC; the message stays in OrdersQueue",
      );
      // One story: every receive continues the first one.
      assert.deepEqual(new Set(records.map(storyIdOf)), new Set([records[0].id]));
    });

    it("SQS-2: the queue's MessageRetentionPeriod dates the end, and a configured horizon is kept", async () => {
      h = await harness(
        { ...account, queues: [{ name: 'OrdersQueue', messageRetentionPeriodSeconds: 3 * 3600 }] },
        {
          f: boom,
        },
      );
      h.engine.setFollowDeliveries(2);
      await h.services.sendMessages('OrdersQueue', [{ body: 'a' }, { body: 'b' }]);
      await h.engine.runUntilIdle();
      assert.equal(h.invoker.calls.length, 2);
      const last = byStart(h.engine.records())[1];
      assert.equal(last.unsettled?.count, 2);
      assert.equal(last.unsettled?.until, iso(T0 + 3 * HOUR));
      assert.match(
        describeUnsettled(last.unsettled),
        /^still failing after 2 receives; on AWS they are received again every 30 s .*retention period \(3 hours\) ends on 2025-01-01 03:00 UTC; the 2 messages stay in OrdersQueue$/,
      );
      assert.throws(() => h.engine.setFollowDeliveries(0), /from 1 to 10000/);
    });

    it('SQS-2: a run follows the message again (its story continues), and a reopened engine leaves it alone until then', async () => {
      h = await harness(account, { f: boom });
      await h.services.sendMessages('OrdersQueue', [{ body: 'order-1' }]);
      await h.engine.runUntilIdle();
      const first = byStart(h.engine.records())[0];

      // Another process opens the store, later: nothing is received by itself, nor with a new message.
      const invoker = new FakeInvoker({
        f: (e) => ((e as { Records: Array<{ body: string }> }).Records[0].body === 'new' ? null : boom()),
      });
      h = await reopen(h, account, invoker, T0 + HOUR);
      await h.engine.runUntilIdle();
      assert.equal(invoker.calls.length, 0);
      await h.services.sendMessages('OrdersQueue', [{ body: 'new' }]);
      await h.engine.runUntilIdle();
      assert.equal(invoker.calls.length, 1);

      // A run that follows the function again: five more receives, in the same story.
      h.engine.followAgain({ functionName: 'f' });
      await h.engine.runUntilIdle();
      assert.equal(invoker.calls.length, 6);
      const records = byStart(h.engine.records()).filter((r) => storyIdOf(r) === first.id);
      assert.equal(records.length, 10);
      assert.equal(records[9].unsettled?.count, 10);
      assert.equal(records[9].unsettled?.followed, 5);
      assert.equal(h.services.queueMessages('OrdersQueue')[0].receiveCount, 10);
    });

    it('SQS-3: a redrive policy that moves the message within the hour is followed to the end; a far one is not', async () => {
      const near: TestAccount = {
        functions: [
          lambda('f', { triggers: [sqs('near', { redrive: { deadLetterQueue: 'dlq', maxReceiveCount: 8 } })] }),
          lambda('g', { triggers: [sqs('far', { redrive: { deadLetterQueue: 'dlq', maxReceiveCount: 1000 } })] }),
        ],
      };
      h = await harness(near, { f: boom, g: boom });
      await h.services.sendMessages('far', [{ body: 'f' }]);
      await h.services.sendMessages('near', [{ body: 'n' }]);
      await h.engine.runUntilIdle();
      assert.equal(h.invoker.calls.filter((c) => c.functionName === 'f').length, 8);
      assert.equal(h.services.queueMessages('near').length, 0);
      assert.equal(h.services.queueMessages('dlq').length, 1);
      assert.equal(h.invoker.calls.filter((c) => c.functionName === 'g').length, 5);
      const last = byStart(h.engine.records().filter((r) => r.functionName === 'g'))[4];
      assert.equal(
        last.unsettled?.awsContinues,
        "it is received again every 30 s (the queue's visibility timeout) until SQS moves it to dlq after 1000 receives, around 2025-01-01 08:20 UTC",
      );
    });

    it('SQS-2: a message that succeeds when followed again leaves the queue', async () => {
      let fixed = false;
      h = await harness(account, { f: () => (fixed ? null : boom()) });
      await h.services.sendMessages('OrdersQueue', [{ body: 'order-1' }]);
      await h.engine.runUntilIdle();
      fixed = true;
      h.engine.followAgain({ sourceArn: 'arn:aws:sqs:us-east-1:123456789012:OrdersQueue' });
      await h.engine.runUntilIdle();
      assert.equal(h.invoker.calls.length, 6);
      assert.equal(h.services.queueMessages('OrdersQueue').length, 0);
      const records = byStart(h.engine.records());
      assert.equal(records[5].condition, 'Success');
      assert.equal(storyIdOf(records[5]), records[0].id);
    });
  });

  describe('streams', () => {
    for (const [label, kind] of [
      ['Kinesis', 'kinesis'],
      ['DynamoDB Streams', 'dynamodb'],
    ] as const) {
      it(`STREAM-1: ${label} with MaximumRetryAttempts -1: a failing batch is followed for 5 attempts, then stays behind an unchanged checkpoint`, async () => {
        h = await harness(
          {
            functions: [lambda('f', { triggers: [stream(kind, 'Clicks')] })],
            streams: [{ type: kind, name: 'Clicks' }],
          },
          { f: boom },
        );
        if (kind === 'kinesis') await h.services.putKinesisRecords('Clicks', [{ data: 'x', partitionKey: 'pk' }]);
        else
          await h.services.putDynamoDbChanges('Clicks', [
            { eventName: 'INSERT', keys: { id: { S: '1' } }, newImage: { id: { S: '1' } } },
          ]);
        await h.engine.runUntilIdle();

        assert.equal(h.invoker.calls.length, 5);
        const [position] = h.engine.streamPositions();
        assert.equal(position.checkpoint, null);
        assert.equal(position.behind, 1);
        const [record] = h.engine.records();
        assert.equal(record.attempts.length, 5);
        assert.equal(record.status, 'failed');
        assert.equal(record.condition, 'BatchFailed');
        assert.equal(record.unsettled?.after, 'attempts');
        assert.equal(record.unsettled?.count, 5);
        assert.equal(record.unsettled?.until, iso(T0 + DAY));
        assert.equal(record.unsettled?.leftIn, 'Clicks');
        assert.deepEqual(record.unsettled?.ids, [position.latestSequenceNumber]);
        assert.equal(
          describeUnsettled(record.unsettled),
          'still failing after 5 attempts; on AWS Lambda tries the batch again, at most a minute apart and holding up its shard, until its records leave the stream at the end of its retention period (24 hours) on 2025-01-02 00:00 UTC, then skips them; the record stays in Clicks',
        );
      });
    }

    const kinesisAccount: TestAccount = {
      functions: [
        lambda('f', {
          triggers: [stream('kinesis', 's', { onFailure: 'arn:aws:sqs:us-east-1:123456789012:failures' })],
        }),
      ],
      streams: [{ type: 'kinesis', name: 's' }],
      queues: [{ name: 'failures' }],
    };

    it('STREAM-1: the blocked batch waits (new records, a reopened engine) until a run follows it again, with its counts and story', async () => {
      h = await harness(kinesisAccount, { f: boom });
      await h.services.putKinesisRecords('s', [{ data: 'a', partitionKey: 'pk' }]);
      await h.engine.runUntilIdle();
      const [first] = h.engine.records();
      assert.match(first.unsettled!.awsContinues, /then skips them and reports the batch to failures$/);

      // New records on the stream do not wake it: they wait behind the blocked batch.
      await h.services.putKinesisRecords('s', [{ data: 'b', partitionKey: 'pk' }]);
      await h.engine.runUntilIdle();
      assert.equal(h.invoker.calls.length, 5);
      assert.equal(h.engine.streamPositions()[0].behind, 2);

      // Nor does a later process.
      let fixed = false;
      const invoker = new FakeInvoker({ f: () => (fixed ? null : boom()) });
      h = await reopen(h, kinesisAccount, invoker, T0);
      await h.engine.runUntilIdle();
      assert.equal(invoker.calls.length, 0);

      // A run that follows it again: five more attempts, counted on from the first run's.
      h.engine.followAgain({ functionName: 'f' });
      await h.engine.runUntilIdle();
      assert.equal(invoker.calls.length, 5);
      const second = byStart(h.engine.records())[1];
      assert.equal(second.source?.parentRecordId, first.id);
      assert.equal(second.unsettled?.count, 10);
      assert.equal(second.unsettled?.followed, 5);
      assert.equal(second.unsettled?.ids.length, 2);
      assert.equal(h.engine.streamPositions()[0].checkpoint, null);

      // Fixed, the next run takes both records; the story goes on and nothing reaches the on-failure queue.
      fixed = true;
      h.engine.followAgain({ functionName: 'f' });
      await h.engine.runUntilIdle();
      assert.equal(invoker.calls.length, 6);
      assert.equal(h.engine.streamPositions()[0].behind, 0);
      const third = byStart(h.engine.records())[2];
      assert.equal(third.condition, 'Success');
      assert.equal(storyIdOf(third), first.id);
      assert.equal(h.services.queueMessages('failures').length, 0);
    });

    it('STREAM-1: a maximum record age or MaximumRetryAttempts that ends within the hour is followed to the end', async () => {
      h = await harness(
        {
          functions: [
            lambda('f', { triggers: [stream('kinesis', 's', { maximumRetryAttempts: 10 })] }),
            lambda('g', { triggers: [stream('kinesis', 't', { maximumRecordAgeInSeconds: 600 })] }),
          ],
          streams: [
            { type: 'kinesis', name: 's' },
            { type: 'kinesis', name: 't' },
          ],
        },
        { f: boom, g: boom },
      );
      await h.services.putKinesisRecords('s', [{ data: 'a', partitionKey: 'pk' }]);
      await h.services.putKinesisRecords('t', [{ data: 'a', partitionKey: 'pk' }]);
      await h.engine.runUntilIdle();
      const f = h.engine.records().find((r) => r.functionName === 'f')!;
      const g = h.engine.records().find((r) => r.functionName === 'g')!;
      assert.equal(f.attempts.length, 11);
      assert.equal(f.condition, 'RetryAttemptsExhausted');
      assert.equal(g.condition, 'RecordAgeExceeded');
      assert.equal(f.unsettled, undefined);
      assert.equal(g.unsettled, undefined);
    });

    it('STREAM-1: MaximumRetryAttempts that outlast the records stop at the horizon; the maximum record age dates the end', async () => {
      h = await harness(
        {
          functions: [
            lambda('f', {
              triggers: [stream('kinesis', 's', { maximumRetryAttempts: 10_000, maximumRecordAgeInSeconds: 7200 })],
            }),
          ],
          streams: [{ type: 'kinesis', name: 's' }],
        },
        { f: boom },
      );
      await h.services.putKinesisRecords('s', [{ data: 'a', partitionKey: 'pk' }]);
      await h.engine.runUntilIdle();
      const [record] = h.engine.records();
      assert.equal(record.attempts.length, 5);
      assert.equal(record.unsettled?.until, iso(T0 + 2 * HOUR));
      assert.match(
        record.unsettled.awsContinues,
        /until its records are 2 hours old \(the maximum record age\) on 2025-01-01 02:00 UTC, then skips them$/,
      );
    });

    it('KAFKA-1: a Kafka batch retried until the records leave the topic stops at the horizon', async () => {
      h = await harness({ functions: [lambda('f', { triggers: [kafka('orders')] })] }, { f: boom });
      await h.services.sendKafkaRecords('orders', [{ value: 'x' }]);
      await h.engine.runUntilIdle();
      const [record] = h.engine.records();
      assert.equal(record.attempts.length, 5);
      assert.equal(record.unsettled?.leftIn, 'orders');
      assert.match(
        record.unsettled.awsContinues,
        /holding up its partition, until its records leave the topic at the end of its retention period \(7 days\) on 2025-01-08 00:00 UTC/,
      );
    });
  });

  it('the follow horizon a setting or flag gives: a whole number from 1 to 10000', () => {
    assert.equal(parseFollowDeliveries(5), 5);
    assert.equal(parseFollowDeliveries('12'), 12);
    for (const wrong of [0, -1, 1.5, '5x', '', 10_001, null, 'instant'])
      assert.equal(parseFollowDeliveries(wrong), undefined);
  });
});
