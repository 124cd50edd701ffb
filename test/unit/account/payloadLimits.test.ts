/**
 * LocalAccount.invoke, which the CLI, the engine endpoint and the extension all go through: ASYNC-2 and SYNC-6
 * refusals are records, and a payload nested deeper than the runner takes is refused with its depth, never a crash.
 */
import * as assert from 'node:assert/strict';
import { AccountRequestError, LocalAccount } from '../../../src/core/account/localAccount';
import { MAX_PAYLOAD_DEPTH } from '../../../src/core/runtime/payloadLimits';
import { event, openExamplesAccount } from './examplesAccount';

const deep = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);

describe('account: payload limits', function () {
  this.timeout(60_000);
  let account: LocalAccount;
  let dispose: (() => Promise<void>) | undefined;

  before(async () => {
    ({ account, dispose } = await openExamplesAccount('ltr-account-limits-'));
  });

  after(async () => {
    await dispose?.();
  });

  it('ASYNC-2 a 2 MB async event is a rejected record with 413; nothing is queued or run', async () => {
    const payload = JSON.stringify({ blob: 'x'.repeat(2 * 1024 * 1024) });
    const [record] = await account.invoke('PaymentWebhookFunction', payload, 'async');
    assert.equal(record.status, 'rejected');
    assert.deepEqual(record.response, {
      StatusCode: 413,
      errorType: 'RequestEntityTooLargeException',
      errorMessage: 'Request must be smaller than 1048576 bytes for the InvokeFunction operation',
    });
    assert.deepEqual(record.attempts, []);
  });

  for (const mode of ['sync', 'async'] as const) {
    it(`${mode}: a payload nested 100,000 levels deep is refused with 400, naming its depth and the limit`, async () => {
      const [record] = await account.invoke('CreateOrderFunction', deep(100_000), mode);
      assert.equal(record.status, 'rejected');
      assert.deepEqual(record.response, {
        StatusCode: 400,
        errorType: 'InvalidRequestContentException',
        errorMessage: `The payload nests 100000 levels deep; at most ${MAX_PAYLOAD_DEPTH} levels of arrays and objects can be run.`,
      });
      assert.deepEqual(record.attempts, []);
    });
  }

  it('a batch event nested 100,000 levels deep is a bad request naming its depth', async () => {
    await assert.rejects(account.invoke('OrderProcessorFunction', deep(100_000), 'batch'), (err: Error) => {
      assert.ok(err instanceof AccountRequestError, String(err));
      assert.match(err.message, /nests 100000 levels deep; at most 512 levels/);
      return true;
    });
  });

  it(`a payload nested exactly ${MAX_PAYLOAD_DEPTH} levels deep runs`, async () => {
    const order = JSON.parse(event('api-create-order.json')) as Record<string, unknown>;
    const payload = JSON.stringify({ ...order, deep: JSON.parse(deep(MAX_PAYLOAD_DEPTH - 1)) as unknown });
    const [record] = await account.invoke('CreateOrderFunction', payload, 'sync');
    assert.notEqual(record.status, 'rejected', JSON.stringify(record.response));
    assert.equal(record.attempts.length, 1);
  });
});
