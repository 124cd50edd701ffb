import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AttemptDispatcher } from '../../../src/core/invoke/attemptDispatcher';
import type { InvokeOutcome } from '../../../src/core/runtime/outcome';
import { DurableStore } from '../../../src/core/store/durableStore';
import { FakeInvoker, type FakeHandler } from './fakeInvoker';
import { openEngine } from './harness';
import { lambda } from './model';

/** Work the test ends by hand, in any order. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** A fake runtime with `limit` environments per function that counts the invocations it runs at once. */
class LimitedInvoker extends FakeInvoker {
  running = 0;
  mostAtOnce = 0;
  constructor(
    handlers: Record<string, FakeHandler>,
    private readonly limit: number | undefined,
  ) {
    super(handlers);
  }
  concurrencyLimit(): number | undefined {
    return this.limit;
  }
  override async invoke(
    functionName: string,
    payloadJson: string,
    opts: { requestId: string },
  ): Promise<InvokeOutcome> {
    this.running++;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.running);
    try {
      // Each invocation takes a turn of the event loop, so that those started together overlap.
      await new Promise<void>((resolve) => setImmediate(resolve));
      return await super.invoke(functionName, payloadJson, opts);
    } finally {
      this.running--;
    }
  }
}

describe('invoke: attempt dispatcher', () => {
  it('starts at most the limit at once; the others start in arrival order, each as one ends, before its work settles', async () => {
    const gates = new Map<string, ReturnType<typeof gate>>();
    const started: string[] = [];
    const tracked: Promise<void>[] = [];
    const dispatcher = new AttemptDispatcher(
      () => 2,
      (id) => {
        started.push(id);
        const g = gate();
        gates.set(id, g);
        return g.promise;
      },
      (work) => tracked.push(work),
    );
    const first = ['a', 'b', 'c', 'd', 'e'].map((id) => dispatcher.offer('f', id));
    assert.deepEqual(started, ['a', 'b']);
    assert.ok(first[0] && first[1], 'the first two are started and returned to the caller');
    assert.deepEqual(first.slice(2), [undefined, undefined, undefined]);
    assert.equal(dispatcher.running('f'), 2);
    assert.equal(dispatcher.waiting('f'), 3);

    let nextStartedBeforeSettled = false;
    const b = first[1];
    assert.ok(b);
    const settled = b.then(() => (nextStartedBeforeSettled = started.includes('c')));
    gates.get('b')!.open();
    await settled;
    assert.ok(nextStartedBeforeSettled, 'c started before the work of b settled (the clock never sees a gap)');
    assert.equal(tracked.length, 1, 'work started by another one ending is tracked');

    gates.get('a')!.open();
    await first[0];
    assert.deepEqual(started, ['a', 'b', 'c', 'd']);
    gates.get('c')!.open();
    await tracked[0];
    gates.get('d')!.open();
    await tracked[1];
    assert.deepEqual(started, ['a', 'b', 'c', 'd', 'e']);
    gates.get('e')!.open();
    await tracked[2];
    assert.equal(dispatcher.running(), 0);
    assert.equal(dispatcher.waiting(), 0);
  });

  it('keeps each function to its own limit, and starts everything at once without one', () => {
    const started: string[] = [];
    const dispatcher = new AttemptDispatcher(
      (name) => (name === 'small' ? 1 : Infinity),
      (id) => {
        started.push(id);
        return new Promise<void>(() => undefined);
      },
      () => undefined,
    );
    for (const id of ['s1', 's2', 's3']) void dispatcher.offer('small', id);
    for (const id of ['u1', 'u2', 'u3']) void dispatcher.offer('unlimited', id);
    assert.deepEqual(started, ['s1', 'u1', 'u2', 'u3']);
    assert.equal(dispatcher.waiting('small'), 2);
    assert.equal(dispatcher.waiting('unlimited'), 0);
  });

  it('an attempt that throws still frees its place for the next', async () => {
    const started: string[] = [];
    const tracked: Promise<void>[] = [];
    const dispatcher = new AttemptDispatcher(
      () => 1,
      (id) => {
        started.push(id);
        if (id === 'bad') throw new Error('store refused');
        return Promise.resolve();
      },
      (work) => tracked.push(work),
    );
    const bad = dispatcher.offer('f', 'bad');
    assert.equal(dispatcher.offer('f', 'good'), undefined, 'good waits for bad');
    await assert.rejects(bad!, /store refused/);
    assert.deepEqual(started, ['bad', 'good']);
    await tracked[0];
    assert.equal(dispatcher.running(), 0);
  });

  describe('in the engine (ASYNC-1 ASYNC-3)', () => {
    let dir: string;
    let store: DurableStore;
    beforeEach(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-dispatch-'));
      store = await DurableStore.open(path.join(dir, 'store'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('ASYNC-1 ASYNC-3: a burst of failing events runs at most as many attempts at once as the runtime has environments; every event gets its retries and reaches the DLQ', async () => {
      const invoker = new LimitedInvoker(
        {
          f: () => {
            throw new Error('boom');
          },
        },
        3,
      );
      const { engine, services } = openEngine(
        store,
        { functions: [lambda('f', { dlq: 'arn:aws:sqs:us-east-1:123456789012:dlq' })] },
        invoker,
      );
      const records = await Promise.all(Array.from({ length: 20 }, (_, n) => engine.invokeAsync('f', `{"n":${n}}`)));
      await engine.runUntilIdle();
      assert.equal(invoker.mostAtOnce, 3);
      assert.equal(invoker.calls.length, 60);
      for (const r of records) {
        const record = engine.record(r.id)!;
        assert.equal(record.attempts.length, 3);
        assert.equal(record.condition, 'RetriesExhausted');
      }
      assert.equal(services.queueMessages('dlq').length, 20);
      // Events are attempted in the order they arrived.
      assert.deepEqual(
        invoker.calls.slice(0, 20).map((c) => (c.event as { n: number }).n),
        Array.from({ length: 20 }, (_, n) => n),
      );
      await engine.close();
    });

    it('ASYNC-1: an event waiting for an environment is still queued, not running', async () => {
      const release = gate();
      const invoker = new LimitedInvoker({ f: () => release.promise.then(() => 'ok') }, 1);
      const { engine } = openEngine(store, { functions: [lambda('f')] }, invoker);
      const first = await engine.invokeAsync('f', '{"n":1}');
      const second = await engine.invokeAsync('f', '{"n":2}');
      const idle = engine.runUntilIdle();
      while (engine.record(first.id)!.status !== 'running') await new Promise((r) => setImmediate(r));
      assert.equal(engine.record(second.id)!.status, 'queued');
      release.open();
      await idle;
      assert.equal(engine.record(first.id)!.status, 'succeeded');
      assert.equal(engine.record(second.id)!.status, 'succeeded');
      await engine.close();
    });

    it('ASYNC-1: closing the engine starts no waiting attempt; the next engine on the store runs them', async () => {
      const release = gate();
      const invoker = new LimitedInvoker({ f: () => release.promise.then(() => 'ok') }, 1);
      const { engine } = openEngine(store, { functions: [lambda('f')] }, invoker);
      for (const n of [1, 2, 3]) await engine.invokeAsync('f', `{"n":${n}}`);
      void engine.runUntilIdle().catch(() => undefined);
      while (invoker.calls.length === 0) await new Promise((r) => setImmediate(r));
      const closed = engine.close();
      release.open();
      await closed;
      while (invoker.running > 0) await new Promise((r) => setImmediate(r));
      assert.equal(invoker.calls.length, 1, 'nothing started after close');

      const reopened = await DurableStore.open(path.join(dir, 'store'));
      const next = new LimitedInvoker({ f: () => 'ok' }, 1);
      const again = openEngine(reopened, { functions: [lambda('f')] }, next);
      await again.engine.runUntilIdle();
      const events = (calls: FakeInvoker['calls']): number[] => calls.map((c) => (c.event as { n: number }).n);
      assert.deepEqual(
        events(next.calls).filter((n) => n !== 1),
        [2, 3],
        'the waiting events run, in order',
      );
      assert.deepEqual([...new Set([...events(invoker.calls), ...events(next.calls)])].sort(), [1, 2, 3]);
      await again.engine.close();
    });

    it('ASYNC-5: with reserved concurrency every due attempt starts, and those beyond it are throttled as before', async () => {
      const invoker = new LimitedInvoker({ f: () => 'ok' }, 1);
      const { engine } = openEngine(
        store,
        { functions: [lambda('f', { reservedConcurrency: 2, retries: 0 })] },
        invoker,
      );
      const records = await Promise.all(Array.from({ length: 4 }, (_, n) => engine.invokeAsync('f', `{"n":${n}}`)));
      await engine.runUntilIdle();
      const throttled = records.filter((r) => engine.record(r.id)!.attempts[0].outcome === 'throttled');
      assert.equal(throttled.length, 2, 'two attempts over the reserved concurrency of 2 are throttled');
      for (const r of records) assert.equal(engine.record(r.id)!.status, 'succeeded');
      await engine.close();
    });
  });
});
