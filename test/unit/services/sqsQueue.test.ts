import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { md5OfMessageAttributes, SqsQueue } from '../../../src/core/services/sqsQueue';
import { VirtualClock } from '../../../src/core/invoke/virtualClock';
import { DurableStore } from '../../../src/core/store/durableStore';
import { segmentsText } from '../../support/storeSegments';

const LOCATION = { region: 'us-east-1', accountId: '123456789012' };

describe('services: SQS queue receive order', () => {
  let dir: string;
  let store: DurableStore;
  const clock = new VirtualClock({ start: Date.UTC(2025, 0, 1) });
  const queues = new Map<string, SqsQueue>();
  const queue = (name: string, visibilityTimeoutSeconds = 30): SqsQueue => {
    const q = new SqsQueue({ name, visibilityTimeoutSeconds }, store, clock, LOCATION, (message, target) => {
      const dlq = queues.get(target.split(':').pop()!)!;
      dlq.adopt(message);
      return { arn: dlq.arn, messageId: message.messageId };
    });
    queues.set(name, q);
    return q;
  };
  const bodies = (q: SqsQueue, max: number): string[] => q.receive(max).messages.map((m) => m.body);

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-sqs-'));
    store = await DurableStore.open(dir);
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('SQS-2: after thousands of deletes, receive still starts at the oldest visible message, in order', () => {
    const q = queue('q');
    const sent = Array.from({ length: 5000 }, (_, i) => q.send({ body: `m${i}` }));
    for (let i = 0; i < 4000; i++) q.delete(sent[i].messageId);
    assert.deepEqual(bodies(q, 3), ['m4000', 'm4001', 'm4002']);
    // The three are in flight: the next receive skips them.
    assert.deepEqual(bodies(q, 2), ['m4003', 'm4004']);
    q.send({ body: 'late' });
    for (let i = 4005; i < 5000; i++) q.delete(sent[i].messageId);
    assert.deepEqual(bodies(q, 10), ['late']);
  });

  it('a message deleted and put back goes to the end of the queue; one replaced under its id keeps its place', () => {
    const q = queue('q', 0);
    const [a, b] = [q.send({ body: 'a' }), q.send({ body: 'b' })];
    q.send({ body: 'c' });
    assert.deepEqual(bodies(q, 10), ['a', 'b', 'c']);
    q.delete(a.messageId);
    q.adopt({ ...a, body: 'a again' });
    q.adopt({ ...b, body: 'b replaced' });
    assert.deepEqual(bodies(q, 10), ['b replaced', 'c', 'a again']);
    assert.deepEqual(
      q.messages().map((m) => m.body),
      ['b replaced', 'c', 'a again'],
    );
  });

  it('a queue opened on a replayed store receives what the store holds, in its order', async () => {
    const q = queue('q');
    for (const body of ['x', 'y', 'z']) q.send({ body });
    q.delete(q.messages()[0].messageId);
    await store.close();
    store = await DurableStore.open(dir);
    assert.deepEqual(bodies(queue('q'), 10), ['y', 'z']);
  });

  it('SQS-7: a message id given with the message is kept; an id the queue holds, or one given twice, refuses the whole batch', () => {
    const q = queue('q');
    assert.equal(q.send({ messageId: 'fixture-1', body: 'a' }).messageId, 'fixture-1');
    assert.throws(
      () =>
        q.put([
          { messageId: 'fixture-2', body: 'b' },
          { messageId: 'fixture-1', body: 'c' },
        ]),
      /a message with id "fixture-1" is already in the queue/,
    );
    assert.throws(
      () =>
        q.put([
          { messageId: 'x', body: 'd' },
          { messageId: 'x', body: 'e' },
        ]),
      /two messages have the id "x"/,
    );
    // Nothing of a refused batch was sent.
    assert.deepEqual(
      q.messages().map((m) => m.messageId),
      ['fixture-1'],
    );
  });

  it('SQS-1: the visible count kept as messages come and go matches a count of the whole queue at every step', () => {
    const q = queue('counted', 30);
    const delayed = queue('delayed', 30);
    const counted = (x: SqsQueue): number => x.messages().filter((m) => m.visibleAt <= clock.now()).length;
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    assert.equal(q.visibleCount(), 0);
    for (let step = 0; step < 2000; step++) {
      const which = random(6);
      if (which === 0) q.put(Array.from({ length: 1 + random(5) }, (_, i) => ({ body: `s${step}-${i}` })));
      else if (which === 1) q.receive(1 + random(4));
      else if (which === 2) {
        const all = q.messages();
        if (all.length > 0) q.delete(all[random(all.length)].messageId);
      } else if (which === 3) {
        const all = q.messages();
        if (all.length > 0) q.changeVisibility(all[random(all.length)].messageId, clock.now() + random(3) * 10_000);
      } else if (which === 4) delayed.send({ body: `d${step}`, delaySeconds: random(3) * 10 });
      else clock.advanceTo(clock.now() + random(4) * 10_000);
      assert.equal(q.visibleCount(), counted(q), `step ${step}`);
      assert.equal(delayed.visibleCount(), counted(delayed), `step ${step} (delayed)`);
    }
  });
});

describe('services: SQS message attribute digest', () => {
  it('SQS-7: md5OfMessageAttributes follows the SQS algorithm (names sorted, length-prefixed, transport byte 1 or 2)', () => {
    // Digests SQS returns for these attributes (string, custom number type, binary, and all three together).
    const binary = { DataType: 'Binary', BinaryValue: Buffer.from('Hello binary world!').toString('base64') };
    const text = { DataType: 'String', StringValue: 'attribValue 1' };
    const number = { DataType: 'Number.float', StringValue: '4563442423554324324264524243.32543234' };
    assert.equal(md5OfMessageAttributes({ attribName1: text }), '19e27d4e946b072f3f58da80d94fd778');
    assert.equal(md5OfMessageAttributes({ customNumberTypeAttrib: number }), '9fe1b90bbd9965bdf77bac517c7d2495');
    assert.equal(md5OfMessageAttributes({ binaryAttribute: binary }), '31a92b15d92f8db860eda32aceb656c3');
    assert.equal(
      md5OfMessageAttributes({ binaryAttribute: binary, customNumberTypeAttrib: number, attribName1: text }),
      'c932db14a896c663f83c260297d594ff',
    );
    assert.equal(md5OfMessageAttributes({}), undefined);
  });
});

describe('services: SQS queue, what reaches the disk', () => {
  let dir: string;
  const clock = new VirtualClock({ start: Date.UTC(2025, 0, 1) });
  const noDlq = (): never => {
    throw new Error('no dead-letter queue in these tests');
  };
  /** Every line the store appended so far. */
  const written = (): string[] =>
    segmentsText(dir)
      .split('\n')
      .filter((line) => line.length > 0);
  const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-sqs-disk-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('SQS-2: a receive waits for the next commit; a message received and deleted before it costs one delete', async () => {
    const store = await DurableStore.open(dir, { laterCommitMs: 60_000 });
    const q = new SqsQueue({ name: 'q', visibilityTimeoutSeconds: 30 }, store, clock, LOCATION, noDlq);
    const sent = q.send({ body: 'one' });
    await store.flush(); // the send, as SendMessage acknowledges it
    const before = written().length;
    assert.equal(q.receive(1).messages[0].messageId, sent.messageId);
    await nextTurn();
    await nextTurn();
    assert.equal(written().length, before, 'the receive alone asks for no write');
    q.delete(sent.messageId);
    await store.flush();
    assert.deepEqual(written().slice(before), [`[["d","sqs/q",${JSON.stringify(sent.messageId)}]]`]);
    await store.close();
  });

  it('SQS-2 SQS-3: a receive on disk keeps its count and visibility after a reopen', async () => {
    const store = await DurableStore.open(dir, { laterCommitMs: 60_000 });
    const q = new SqsQueue({ name: 'q', visibilityTimeoutSeconds: 30 }, store, clock, LOCATION, noDlq);
    const sent = q.send({ body: 'one' });
    q.receive(1);
    await store.flush();
    await store.close();
    const reopened = await DurableStore.open(dir);
    const again = new SqsQueue({ name: 'q', visibilityTimeoutSeconds: 30 }, reopened, clock, LOCATION, noDlq);
    const [kept] = again.messages();
    assert.equal(kept.messageId, sent.messageId);
    assert.equal(kept.receiveCount, 1);
    assert.equal(kept.visibleAt, clock.now() + 30_000);
    assert.deepEqual(again.receive(1).messages, [], 'still in flight');
    await reopened.close();
  });
});
