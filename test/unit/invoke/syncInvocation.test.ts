import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreWriteError } from '../../../src/core/store/durableStore';
import { failWritesUnder } from '../../support/failingWrites';
import { segmentsText } from '../../support/storeSegments';
import { lambda } from './model';
import { harness, type Harness } from './harness';

describe('invoke: synchronous invocation', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('SYNC-1: returns the handler result as JSON, null when it returns nothing', async () => {
    h = await harness({ functions: [lambda('f'), lambda('g')] }, { f: () => ({ ok: 1 }), g: () => undefined });
    const r = await h.engine.invokeSync('f', '{"a":1}');
    assert.deepEqual(r.response, { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: '{"ok":1}' });
    assert.equal(r.status, 'succeeded');
    assert.deepEqual(r.event, { a: 1 });
    const g = await h.engine.invokeSync('g', '{}');
    assert.equal(g.response?.Payload, 'null');
  });

  it('SYNC-2 SYNC-7: a function error is StatusCode 200 with FunctionError Unhandled, one attempt, no retries', async () => {
    h = await harness(
      { functions: [lambda('f')] },
      {
        f: () => {
          throw new TypeError('bad');
        },
      },
    );
    const r = await h.engine.invokeSync('f', '{}');
    assert.deepEqual(r.response, {
      StatusCode: 200,
      FunctionError: 'Unhandled',
      ExecutedVersion: '$LATEST',
      Payload: JSON.stringify({ errorType: 'TypeError', errorMessage: 'bad', trace: ['TypeError: bad'] }),
    });
    assert.equal(r.attempts.length, 1);
    assert.equal(h.invoker.calls.length, 1);
    await h.engine.runUntilIdle();
    assert.equal(h.invoker.calls.length, 1);
  });

  it('SYNC-6: a request over 6,291,456 bytes is refused with 413 before the handler runs', async () => {
    h = await harness({ functions: [lambda('f')] }, { f: () => 1 });
    const big = JSON.stringify({ x: 'a'.repeat(6 * 1024 * 1024) });
    const r = await h.engine.invokeSync('f', big);
    assert.equal(r.status, 'rejected');
    assert.equal(r.response?.StatusCode, 413);
    assert.equal(r.response?.errorType, 'RequestEntityTooLargeException');
    assert.equal(
      r.response?.errorMessage,
      'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
    );
    assert.equal(h.invoker.calls.length, 0);
    const exact = JSON.stringify({ x: 'a'.repeat(6 * 1024 * 1024 - 8) });
    assert.equal(Buffer.byteLength(exact), 6 * 1024 * 1024);
    assert.equal((await h.engine.invokeSync('f', exact)).response?.StatusCode, 200);
  });

  it('SYNC-6: an oversize response becomes Function.ResponseSizeTooLarge', async () => {
    h = await harness({ functions: [lambda('f')] }, { f: () => 'a'.repeat(6_291_555) });
    const r = await h.engine.invokeSync('f', '{}');
    assert.equal(r.response?.FunctionError, 'Unhandled');
    assert.equal(
      r.response.Payload,
      '{"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}',
    );
  });

  it('SYNC-8: DryRun validates and runs nothing (204)', async () => {
    h = await harness({ functions: [lambda('f')] }, { f: () => 1 });
    const r = await h.engine.invokeSync('f', '{}', { dryRun: true });
    assert.deepEqual(r.response, { StatusCode: 204 });
    assert.equal(r.status, 'dryRun');
    assert.equal(h.invoker.calls.length, 0);
  });

  it('rejects an unknown function and a non-JSON payload with clear errors', async () => {
    h = await harness({ functions: [lambda('f')] }, { f: () => 1 });
    await assert.rejects(
      h.engine.invokeSync('nope', '{}'),
      /Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope/,
    );
    const r = await h.engine.invokeSync('f', '{not json');
    assert.equal(r.response?.StatusCode, 400);
    assert.equal(r.response?.errorType, 'InvalidRequestContentException');
  });

  it('ASYNC-6 (sync): reserved concurrency 0 and the throttle fault answer 429', async () => {
    h = await harness(
      { functions: [lambda('z', { reservedConcurrency: 0 }), lambda('f')] },
      { z: () => 1, f: () => 1 },
    );
    assert.equal((await h.engine.invokeSync('z', '{}')).response?.StatusCode, 429);
    assert.equal(
      (await h.engine.invokeSync('f', '{}', { faults: { throttle: 1 } })).response?.errorType,
      'TooManyRequestsException',
    );
    assert.equal(h.invoker.calls.length, 0);
  });

  describe('the record is history: the caller does not wait for the disk', () => {
    it('a synchronous invocation answers before its record is written; a write that fails is told by the next flush', async () => {
      const own = await harness({ functions: [lambda('f')] }, { f: () => ({ ok: 1 }) });
      const failing = failWritesUnder(path.join(own.dir, 'store'), 'ENOSPC', /^segment-/);
      try {
        const r = await own.engine.invokeSync('f', '{}');
        assert.equal(r.status, 'succeeded');
        await assert.rejects(own.engine.store.flush(), StoreWriteError);
        await assert.rejects(own.engine.close(), StoreWriteError);
      } finally {
        failing.restore();
        fs.rmSync(own.dir, { recursive: true, force: true });
      }
    });

    it('a synchronous record is written once, finished, even when its handler takes several turns of the event loop', async () => {
      const turns = async (): Promise<string> => {
        for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
        return 'done';
      };
      h = await harness({ functions: [lambda('f')] }, { f: turns });
      const r = await h.engine.invokeSync('f', '{}');
      await h.engine.store.flush();
      const storeDir = path.join(h.dir, 'store');
      const writes = segmentsText(storeDir).split(`"records","${r.id}",`).length - 1;
      assert.equal(writes, 1, 'the running record was not written on its own');
      assert.equal(h.engine.store.get<{ status: string }>('records', r.id)?.status, 'succeeded');
    });
  });
});
