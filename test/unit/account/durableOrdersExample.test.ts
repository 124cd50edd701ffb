/**
 * examples/durable-orders, end to end as the README walks it with the CLI, on a copy of the examples: the unmodified
 * durable execution SDK from the example's own node_modules (linked by the project's postinstall), a stock
 * reservation retried on the simulated clock, an approval callback completed from the command line, a chained invoke
 * of the payment function and a three-day wait, until the execution succeeds; then every record of it in one story.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Event as HistoryEvent } from '@aws-sdk/client-lambda';
import { LocalAccount } from '../../../src/core/account/localAccount';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';
import { WorkspaceIndex } from '../../../src/core/discovery/workspaceIndex';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { buildBootstraps } from '../runtime/bootstrapBuild';
import { cli, copyWorkspace, examplesDir, repoRoot } from '../cli/cliHarness';

const example = path.join(examplesDir, 'durable-orders');
const ORDER = 'lambda-events/OrderWorkflowFunction/order-mugs.json';

describe('examples/durable-orders: the durable order workflow', function () {
  this.timeout(90_000);
  let root: string;
  let env: Record<string, string>;
  const run = (args: string[]) => cli(args, root, env);

  before(async () => {
    root = copyWorkspace(examplesDir);
    env = { LAMBDA_TRIGGER_BOOTSTRAP_DIR: await buildBootstraps(), HOME: root };
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('declares the SDK as its own dependency, at the range the project installs and links for it', () => {
    const own = JSON.parse(fs.readFileSync(path.join(example, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const project = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
      scripts: Record<string, string>;
    };
    const sdk = '@aws/durable-execution-sdk-js';
    assert.equal(own.dependencies[sdk], project.devDependencies[sdk]);
    assert.match(project.scripts.postinstall, /link-example-packages/);
    // What a handler of the example (in the copy too) resolves is the SDK's real package.
    const resolved = fs.realpathSync(require.resolve(sdk, { paths: [path.join(root, 'durable-orders/src')] }));
    assert.ok(resolved.startsWith(fs.realpathSync(path.join(repoRoot, 'node_modules', sdk)) + path.sep), resolved);
  });

  it('DURABLE-3 DURABLE-12 DURABLE-13: invoke waits for the approval; the CLI completes it; payment, wait and shipping follow; one story', async () => {
    const invoked = await run(['invoke', 'OrderWorkflowFunction', '--payload', ORDER, '--json']);
    assert.equal(invoked.code, 0, invoked.err);
    const first = JSON.parse(invoked.out) as InvocationRecord[];
    // The reservation failed once and ran again 30 s later; then the execution waits for its approval.
    assert.deepEqual(
      first.map((r) => [r.execution?.invocation, r.execution?.outcome, r.execution?.status]),
      [
        [1, 'PENDING', 'RUNNING'],
        [2, 'PENDING', 'RUNNING'],
      ],
    );
    const waiting = first[1].execution!.operations;
    assert.equal(waiting.find((op) => op.name === 'reserve-stock')?.status, 'SUCCEEDED');
    assert.equal(waiting.find((op) => op.name === 'manager-approval')?.status, 'STARTED');
    assert.ok(first[1].attempts[0].logs.some((line) => /Approval requested/.test(line.text)));

    const listed = JSON.parse((await run(['executions', '--json'])).out) as Array<{
      DurableExecutionName: string;
      Status: string;
    }>;
    assert.deepEqual(
      listed.map((e) => e.Status),
      ['RUNNING'],
    );
    const name = listed[0].DurableExecutionName;

    const approved = await run([
      'executions',
      'callback',
      name,
      '--succeed',
      '{"approved":true,"approver":"maria"}',
      '--json',
    ]);
    assert.equal(approved.code, 0, approved.err);
    const done = JSON.parse(approved.out) as { execution: { Status: string; Result: string } };
    assert.equal(done.execution.Status, 'SUCCEEDED');
    assert.deepEqual(JSON.parse(done.execution.Result), {
      orderId: 'ord-1042',
      status: 'SHIPPED',
      approvedBy: 'maria',
      reservation: { reservationId: 'res-ord-1042', items: 2, attempt: 2 },
      payment: { paymentId: 'pay-ord-1042', amountCents: 4700, currency: 'EUR' },
      shipment: { trackingId: 'trk-ord-1042', carrier: 'local-post' },
    });

    const history = JSON.parse((await run(['executions', 'history', name, '--json'])).out) as HistoryEvent[];
    const types = history.map((e) => `${e.EventType}${e.Name ? ` ${e.Name}` : ''}`);
    for (const expected of [
      'StepFailed reserve-stock',
      'StepSucceeded reserve-stock',
      'CallbackSucceeded',
      'ChainedInvokeStarted charge-payment',
      'ChainedInvokeSucceeded charge-payment',
      'WaitStarted cool-off-before-shipping',
      'WaitSucceeded cool-off-before-shipping',
      'StepSucceeded ship',
    ])
      assert.ok(types.includes(expected), `${expected} in the history: ${types.join(', ')}`);
    assert.equal(history.at(-1)?.EventType, 'ExecutionSucceeded');
    const wait = history.find((e) => e.EventType === 'WaitStarted')!;
    assert.equal(wait.WaitStartedDetails?.Duration, 3 * 86_400);

    // The records, as the panel reads them from the store: the payment function's record continues the story.
    const index = new WorkspaceIndex({ root });
    await index.build();
    const account = await LocalAccount.open({
      workspaceRoot: root,
      functions: index.functions(),
      bootstrapDir: env.LAMBDA_TRIGGER_BOOTSTRAP_DIR,
      location: DEFAULT_LOCATION,
    });
    try {
      const records = account.engine.records();
      const head = records.find((r) => r.id === first[0].id)!;
      const story = records
        .filter((r) => (r.storyId ?? r.id) === head.id)
        .sort((a, b) => a.start.simulated.localeCompare(b.start.simulated) || a.start.wall.localeCompare(b.start.wall));
      assert.deepEqual(
        story.map((r) => [r.functionName, r.execution?.invocation ?? null, r.status]),
        [
          ['OrderWorkflowFunction', 1, 'succeeded'],
          ['OrderWorkflowFunction', 2, 'succeeded'],
          ['OrderWorkflowFunction', 3, 'succeeded'],
          ['ChargePaymentFunction', null, 'succeeded'],
          ['OrderWorkflowFunction', 4, 'succeeded'],
          ['OrderWorkflowFunction', 5, 'succeeded'],
        ],
      );
      const payment = story.find((r) => r.functionName === 'ChargePaymentFunction')!;
      assert.equal(payment.source?.type, 'durable');
      assert.equal(payment.source?.arn, head.execution!.arn);
      assert.deepEqual(payment.event, { orderId: 'ord-1042', amount: 47, currency: 'EUR' });
      assert.equal(story.at(-1)!.execution!.status, 'SUCCEEDED');
    } finally {
      await account.dispose();
    }
  });

  it('DURABLE-2: an event that is not an order fails the execution with what is wrong', async () => {
    const invoked = await run([
      'invoke',
      'OrderWorkflowFunction',
      '--payload',
      'lambda-events/OrderWorkflowFunction/not-an-order.json',
      '--json',
    ]);
    assert.equal(invoked.code, 1, invoked.err);
    // A single record prints as one object.
    const record = JSON.parse(invoked.out) as InvocationRecord;
    assert.equal(record.execution?.status, 'FAILED');
    const got = JSON.parse((await run(['executions', 'get', record.execution.name, '--json'])).out) as {
      Status: string;
      Error: { ErrorType: string; ErrorMessage: string };
    };
    assert.equal(got.Status, 'FAILED');
    assert.equal(got.Error.ErrorType, 'TypeError');
    assert.equal(got.Error.ErrorMessage, 'Not an order: items[0].quantity must be a whole number from 1.');
  });
});
