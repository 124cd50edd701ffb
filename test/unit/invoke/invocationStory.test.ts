import * as assert from 'node:assert/strict';
import { harness, type Harness } from './harness';
import { lambda, sqs } from './model';

const FN = (name: string): string => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const Q = (name: string): string => `arn:aws:sqs:us-east-1:123456789012:${name}`;

/** Each record's story: its own id for a first record, else the first record's. */
const storyOf = (r: { id: string; storyId?: string }): string => r.storyId ?? r.id;

describe('invoke: one story per event', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it("an SQS message's later receives, its redrive and a replay from the DLQ continue the first receive's story", async () => {
    h = await harness(
      {
        functions: [
          lambda('f', {
            triggers: [sqs('q', { visibilityTimeout: 30, redrive: { deadLetterQueue: 'q-dlq', maxReceiveCount: 3 } })],
          }),
          lambda('fixed'),
        ],
      },
      {
        f: () => {
          throw new Error('poison');
        },
        fixed: () => 'ok',
      },
    );
    const [sent] = await h.services.sendMessages('q', [{ body: 'poison' }]);
    await h.engine.runUntilIdle();
    const receives = h.engine.records().filter((r) => r.functionName === 'f');
    assert.equal(receives.length, 3);
    const [first, ...later] = receives.sort((a, b) => a.start.simulated.localeCompare(b.start.simulated));
    assert.equal(first.storyId, undefined, 'the first receive starts the story');
    for (const r of later) assert.equal(r.storyId, first.id);
    assert.equal(later[1].deliveries[0]?.kind, 'queueRedrive');

    const replay = await h.engine.replayMessage('q-dlq', sent.messageId, 'fixed', 'sync');
    assert.equal(replay.storyId, first.id);
    assert.equal(replay.source?.parentRecordId, later[1].id);
  });

  it('a message in a queue that a different event never touched starts a story of its own', async () => {
    h = await harness({ functions: [lambda('f', { triggers: [sqs('q', { batchSize: 1 })] })] }, { f: () => null });
    await h.services.sendMessages('q', [{ body: 'a' }, { body: 'b' }]);
    await h.engine.runUntilIdle();
    const records = h.engine.records();
    assert.equal(records.length, 2);
    assert.deepEqual(
      records.map((r) => r.storyId),
      [undefined, undefined],
    );
  });

  it('an async event, the function its destination invoked and the function that reads its on-failure queue share a story', async () => {
    h = await harness(
      {
        functions: [
          lambda('placeOrder', { retries: 0, onSuccess: FN('chargeCard') }),
          lambda('chargeCard', { retries: 0, onFailure: Q('charge-failures') }),
          lambda('alerts', { triggers: [sqs('charge-failures')] }),
        ],
      },
      {
        placeOrder: () => ({ placed: true }),
        chargeCard: () => {
          throw new Error('card declined');
        },
        alerts: () => null,
      },
    );
    const first = await h.engine.invokeAsync('placeOrder', '{"id":1}');
    await h.engine.runUntilIdle();
    const byFunction = Object.fromEntries(h.engine.records().map((r) => [r.functionName, r]));
    assert.deepEqual(Object.keys(byFunction).sort(), ['alerts', 'chargeCard', 'placeOrder']);
    assert.equal(byFunction.placeOrder.storyId, undefined);
    assert.equal(byFunction.chargeCard.storyId, first.id);
    assert.equal(byFunction.alerts.storyId, first.id);
    assert.equal(byFunction.alerts.source?.parentRecordId, byFunction.chargeCard.id);
    assert.ok(h.engine.records().every((r) => storyOf(r) === first.id));
  });

  it('an on-failure SNS topic or EventBridge bus carries the story to the functions subscribed to it', async () => {
    const TOPIC = 'arn:aws:sns:us-east-1:123456789012:failures';
    const BUS = 'arn:aws:events:us-east-1:123456789012:event-bus/results';
    h = await harness(
      {
        functions: [lambda('pay', { retries: 0, onFailure: TOPIC, onSuccess: BUS }), lambda('alert'), lambda('audit')],
        topics: [{ name: 'failures', subscriptions: [{ protocol: 'lambda', endpoint: FN('alert') }] }],
        buses: [
          { name: 'results', rules: [{ name: 'all', eventPattern: { source: ['lambda'] }, targets: [FN('audit')] }] },
        ],
      },
      {
        pay: (e) => {
          if ((e as { fail?: boolean }).fail) throw new Error('declined');
          return 'paid';
        },
        alert: () => null,
        audit: () => null,
      },
    );
    const failed = await h.engine.invokeAsync('pay', '{"fail":true}');
    const paid = await h.engine.invokeAsync('pay', '{"fail":false}');
    await h.engine.runUntilIdle();
    const alert = h.engine.records().find((r) => r.functionName === 'alert');
    const audit = h.engine.records().find((r) => r.functionName === 'audit');
    assert.equal(alert?.storyId, failed.id, 'the failure topic carried the failed event on');
    assert.equal(audit?.storyId, paid.id, 'the success bus carried the paid event on');
  });
});
