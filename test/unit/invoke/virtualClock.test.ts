import * as assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { VirtualClock } from '../../../src/core/invoke/virtualClock';

describe('invoke: virtual clock', () => {
  it('instant scale fires timers in simulated-time order and jumps to each', async () => {
    const clock = new VirtualClock({ start: 0 });
    const fired: Array<[string, number]> = [];
    clock.at(120_000, () => fired.push(['b', clock.now()]));
    clock.at(60_000, () => fired.push(['a', clock.now()]));
    clock.at(60_000, () => fired.push(['a2', clock.now()]));
    const cancelled = clock.at(1, () => fired.push(['never', 0]));
    clock.cancel(cancelled);
    await clock.runUntilIdle();
    assert.deepEqual(fired, [
      ['a', 60_000],
      ['a2', 60_000],
      ['b', 120_000],
    ]);
  });

  it('does not move instant time while tracked work is in flight', async () => {
    const clock = new VirtualClock({ start: 0 });
    let release!: () => void;
    const seen: number[] = [];
    clock.at(0, () => new Promise<void>((r) => (release = r)).then(() => seen.push(clock.now())));
    clock.at(1000, () => seen.push(clock.now()));
    setImmediate(() => setImmediate(() => release()));
    await clock.runUntilIdle();
    assert.deepEqual(seen, [0, 1000]);
  });

  it('instant scale still fires timers due now while work is in flight (a freed poller does not wait for the others)', async () => {
    const clock = new VirtualClock({ start: 0 });
    let release!: () => void;
    const order: string[] = [];
    clock.at(0, () => new Promise<void>((r) => (release = r)).then(() => order.push(`slow done at ${clock.now()}`)));
    clock.at(0, async () => {
      await new Promise<void>((r) => setImmediate(r));
      order.push('fast done');
      // The slow work is still in flight; a timer due at the current instant fires anyway.
      clock.at(clock.now(), () => {
        order.push(`due-now fired at ${clock.now()}`);
        release();
      });
    });
    clock.at(5000, () => order.push(`later at ${clock.now()}`));
    await clock.runUntilIdle();
    assert.deepEqual(order, ['fast done', 'due-now fired at 0', 'slow done at 0', 'later at 5000']);
  });

  it('a finite scale maps simulated delays to wall time (60 s at scale 6000 = 10 ms)', async () => {
    const clock = new VirtualClock({ start: 0, scale: 6000 });
    let firedAt = -1;
    clock.after(60_000, () => (firedAt = clock.now()));
    await clock.runUntilIdle();
    assert.ok(firedAt >= 60_000, `fired at ${firedAt}`);
    clock.dispose();
  });

  it('SQS-2 a finite clock moves at wall speed while work is in flight: the scale compresses waiting, not running', async () => {
    const clock = new VirtualClock({ start: 0, scale: 1000 });
    const started = performance.now();
    let simulatedAtEnd = -1;
    await clock.track(
      new Promise<void>((resolve) =>
        setTimeout(() => {
          simulatedAtEnd = clock.now();
          resolve();
        }, 200),
      ),
    );
    const wallMs = performance.now() - started;
    // At scale 1000 the 200 ms of work would be 200 simulated seconds; running, they are 200 simulated ms.
    assert.ok(simulatedAtEnd >= 150 && simulatedAtEnd < Math.max(wallMs * 2, 30_000), `${simulatedAtEnd}`);
    // Idle again, the clock compresses: one wall second is a thousand simulated ones.
    let firedAt = -1;
    clock.after(60_000, () => (firedAt = clock.now()));
    await clock.runUntilIdle();
    assert.ok(firedAt >= simulatedAtEnd + 60_000, `${firedAt}`);
    clock.dispose();
  });

  it('DURABLE-14: tracked work waiting untracked lets instant time jump to what it waits for, then counts again', async () => {
    const clock = new VirtualClock({ start: 0 });
    const seen: string[] = [];
    let fired!: () => void;
    const timerFired = new Promise<void>((r) => (fired = r));
    clock.at(60_000, () => {
      seen.push(`timer at ${clock.now()}`);
      fired();
    });
    const work = clock.track(
      (async () => {
        await clock.untracked(timerFired);
        assert.equal(clock.busy, true);
        seen.push(`work resumed at ${clock.now()}`);
      })(),
    );
    await clock.runUntilIdle();
    await work;
    assert.deepEqual(seen, ['timer at 60000', 'work resumed at 60000']);
    assert.equal(clock.busy, false);
  });

  it('rejects a scale that is not positive', () => {
    assert.throws(() => new VirtualClock({ scale: 0 }), /Time scale must be a positive number or Infinity, got 0/);
  });

  it('runUntilIdle reports the first error a timer threw', async () => {
    const clock = new VirtualClock({ start: 0 });
    clock.at(5, () => Promise.reject(new Error('handler bug')));
    await assert.rejects(clock.runUntilIdle(), /handler bug/);
  });

  it('DURABLE-4: a deadline never makes instant time jump; time moving on stops at it, and idle does not wait for it', async () => {
    const clock = new VirtualClock({ start: 0 });
    const fired: Array<[string, number]> = [];
    clock.deadline(50_000, () => fired.push(['deadline', clock.now()]));
    clock.deadline(500_000, () => fired.push(['late deadline', clock.now()]));
    await clock.runUntilIdle();
    assert.equal(fired.length, 0, 'nothing moved time');
    assert.equal(clock.now(), 0);
    clock.at(100_000, () => fired.push(['timer', clock.now()]));
    await clock.runUntilIdle();
    assert.deepEqual(fired, [
      ['deadline', 50_000],
      ['timer', 100_000],
    ]);
    const cancelled = clock.deadline(150_000, () => fired.push(['cancelled', clock.now()]));
    clock.cancel(cancelled);
    clock.at(600_000, () => fired.push(['last', clock.now()]));
    await clock.runUntilIdle();
    assert.deepEqual(fired.slice(2), [
      ['late deadline', 500_000],
      ['last', 600_000],
    ]);
  });
});
