/**
 * "Invoke" on a bundled example sends the event its own trigger sends (no payload chosen). Each one either runs
 * successfully or fails for the reason examples/README.md gives ("Default event"), through the real engine and
 * runtime.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { LocalAccount } from '../../../src/core/account/localAccount';
import { loadCatalogue } from '../../../src/core/events/eventCatalogue';
import { eventForTrigger, triggerPayload } from '../../../src/core/events/triggerEvents';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { openExamplesAccount } from './examplesAccount';

const catalogue = loadCatalogue(path.resolve(__dirname, '../../../event-templates'));

/** What each example's default event does, as examples/README.md says. */
const expected: Record<string, (records: InvocationRecord[]) => void> = {
  ThumbnailFunction: (r) => assert.equal(r[0].status, 'succeeded'),
  CreateOrderFunction: (r) => {
    // The generic body is not an order: the API answers 400, as it would on AWS.
    assert.equal(r[0].status, 'succeeded');
    assert.equal((JSON.parse(r[0].response!.Payload!) as { statusCode: number }).statusCode, 400);
  },
  OrderProcessorFunction: (r) => {
    // Its body is not an order: reported as a batch item failure, returned, then moved to OrdersDLQ.
    assert.equal(r[0].condition, 'PartialBatchFailure');
    assert.ok(r.some((x) => x.deliveries.some((d) => d.kind === 'queueRedrive')));
  },
  FraudDetectorFunction: (r) => assert.equal(r[r.length - 1].condition, 'RetryAttemptsExhausted'),
  InstanceStoppedFunction: (r) => assert.equal(r[0].status, 'succeeded'),
  NightlyReportFunction: (r) => assert.equal(r[0].status, 'succeeded'),
  PaymentWebhookFunction: (r) => {
    // The message is not a payment: retried twice, then the DLQ and the on-failure topic.
    assert.equal(r[0].condition, 'RetriesExhausted');
    assert.ok(r[0].deliveries.some((d) => d.kind === 'deadLetterQueue' && !d.error));
  },
  getStock: (r) => {
    assert.equal(r[0].status, 'succeeded');
    assert.equal((JSON.parse(r[0].response!.Payload!) as { statusCode: number }).statusCode, 404);
  },
  reserveStock: (r) => assert.equal(r[0].condition, 'PartialBatchFailure'),
  lowStockReport: (r) => assert.equal(r[0].status, 'succeeded'),
  importCatalog: (r) => assert.equal(r[0].condition, 'RetriesExhausted'),
};

describe('examples: every function with a trigger runs the event that trigger sends', function () {
  this.timeout(120_000);
  let account: LocalAccount;
  let dispose: (() => Promise<void>) | undefined;
  before(async () => {
    ({ account, dispose } = await openExamplesAccount('ltr-defaults-'));
  });
  after(async () => dispose?.());

  it('each outcome is the one examples/README.md documents, and the list covers every triggered example', async () => {
    const triggered = account.functions().filter((f) => f.triggers.some((t) => t.kind !== 'unsupported'));
    assert.deepEqual(triggered.map((f) => f.name).sort(), Object.keys(expected).sort());
    for (const fn of triggered) {
      const event = fn.triggers
        .map((t) => eventForTrigger(t, catalogue, { function: fn, location: account.location }))
        .find((e) => e !== undefined);
      assert.ok(event, fn.name);
      const invocation = catalogue.require(event.templateId).invocation;
      const records = await account.invoke(
        fn.name,
        JSON.stringify(triggerPayload(event, catalogue)),
        invocation === 'poll' ? 'batch' : invocation,
      );
      try {
        expected[fn.name](records);
      } catch (err) {
        throw new Error(
          `${fn.name}: ${(err as Error).message}\n${JSON.stringify(records[0].attempts[0]?.error ?? records[0].response)}`,
        );
      }
    }
  });
});
