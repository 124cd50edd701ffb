/**
 * LocalAccount.invoke's `faults` option: ASYNC-6 zero concurrency on the payment webhook sends the event straight to
 * its DLQ; faults that cannot apply to a mode are refused as bad requests.
 */
import * as assert from 'node:assert/strict';
import { AccountRequestError, LocalAccount } from '../../../src/core/account/localAccount';
import { event, openExamplesAccount } from './examplesAccount';

describe('account: injected faults', function () {
  this.timeout(60_000);
  let account: LocalAccount;
  let dispose: (() => Promise<void>) | undefined;

  before(async () => {
    ({ account, dispose } = await openExamplesAccount('ltr-account-faults-'));
  });

  after(async () => {
    await dispose?.();
  });

  it('ASYNC-6 zeroConcurrency: no attempt, the DLQ gets the event with ZeroReservedConcurrency', async () => {
    const payload = event('sns-payment-negative-amount.json');
    const [record] = await account.invoke('PaymentWebhookFunction', payload, 'async', {
      faults: { zeroConcurrency: true },
    });
    assert.deepEqual(
      [record.status, record.condition, record.faults],
      ['failed', 'ZeroReservedConcurrency', ['zeroConcurrency']],
    );
    assert.deepEqual(record.attempts, []);
    const dlq = record.deliveries.find((d) => d.kind === 'deadLetterQueue');
    assert.equal(dlq?.condition, 'ZeroReservedConcurrency');
    assert.equal(dlq?.body, payload);
    assert.equal(dlq?.attributes?.ErrorCode?.StringValue, '429');
  });

  it('ASYNC-5 throttle on a sync invoke is a 429 without running the handler', async () => {
    const [record] = await account.invoke('CreateOrderFunction', event('api-create-order.json'), 'sync', {
      faults: { throttle: 1 },
    });
    assert.deepEqual(
      [record.status, record.response?.StatusCode, record.response?.errorType],
      ['rejected', 429, 'TooManyRequestsException'],
    );
    assert.deepEqual(record.faults, ['throttle x1']);
  });

  it('refuses deliverTwice on a sync invoke and any fault on a batch, and ignores an empty fault set', async () => {
    await assert.rejects(
      account.invoke('CreateOrderFunction', '{}', 'sync', { faults: { deliverTwice: true } }),
      (err: unknown) => err instanceof AccountRequestError && /deliverTwice is an asynchronous fault/.test(err.message),
    );
    await assert.rejects(
      account.invoke('OrderProcessorFunction', event('sqs-orders-batch.json'), 'batch', { faults: { throttle: 1 } }),
      (err: unknown) => err instanceof AccountRequestError && /Faults apply to sync and async/.test(err.message),
    );
    const [record] = await account.invoke('CreateOrderFunction', event('api-create-order.json'), 'sync', {
      faults: {},
    });
    assert.equal(record.faults, undefined);
    assert.equal(record.status, 'succeeded');
  });
});
