/**
 * A burst of async events through a LocalAccount: the engine starts no more attempts at once than the pool has
 * execution environments for the function (FunctionInvoker.concurrencyLimit), and every event still ends as it would.
 */
import * as assert from 'node:assert/strict';
import type { LocalAccount } from '../../../src/core/account/localAccount';
import { event, openExamplesAccount } from './examplesAccount';

describe('account: a burst of async events', function () {
  this.timeout(60_000);
  let account: LocalAccount;
  let dispose: (() => Promise<void>) | undefined;

  before(async () => {
    ({ account, dispose } = await openExamplesAccount('ltr-account-burst-'));
  });

  after(async () => {
    await dispose?.();
  });

  it('ASYNC-1 ASYNC-3 ASYNC-9: 24 failing webhook events run in at most the pool limit of environments, each retried twice into the DLQ', async () => {
    const fn = 'PaymentWebhookFunction';
    assert.equal(account.engine.invoker.concurrencyLimit?.(fn), account.pool.concurrencyLimit());
    const payload = event('sns-payment-negative-amount.json');
    const records = await Promise.all(Array.from({ length: 24 }, () => account.engine.invokeAsync(fn, payload)));
    let mostRunning = 0;
    const watch = account.engine.onRecord(() => {
      const running = records.filter((r) => account.engine.record(r.id)?.status === 'running').length;
      mostRunning = Math.max(mostRunning, running);
    });
    await account.engine.runUntilIdle();
    watch.dispose();
    assert.ok(mostRunning > 0 && mostRunning <= account.pool.concurrencyLimit(), `${mostRunning} running at once`);
    assert.ok(account.pool.environmentCount(fn) <= account.pool.concurrencyLimit());
    for (const r of records) {
      const record = account.engine.record(r.id)!;
      assert.deepEqual([record.condition, record.attempts.length], ['RetriesExhausted', 3]);
      assert.ok(record.deliveries.some((d) => d.kind === 'deadLetterQueue'));
    }
  });
});
