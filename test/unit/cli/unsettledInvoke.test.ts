/**
 * `lambda-trigger invoke` on events that never settle (test/fixtures/cli/unsettled-app): an SQS queue without a
 * redrive policy and a Kinesis mapping with MaximumRetryAttempts -1 are followed only to the follow horizon, and the
 * report says what AWS would do next.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { buildBootstraps } from '../runtime/bootstrapBuild';
import { cli, cliFixtures, copyWorkspace } from './cliHarness';

const poisonOrder = JSON.stringify({ Records: [{ messageId: 'order-1', body: 'poison order' }] });

describe('cli: lambda-trigger invoke follows events that never settle only so far', function () {
  this.timeout(60_000);
  let root: string;
  let env: Record<string, string>;
  const run = (args: string[], stdin = '') => cli(args, root, env, stdin);

  before(async () => {
    env = { LAMBDA_TRIGGER_BOOTSTRAP_DIR: await buildBootstraps() };
  });
  beforeEach(() => {
    root = copyWorkspace(path.join(cliFixtures, 'unsettled-app'));
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('SQS-2 --follow 2: the order stays in OrdersQueue after 2 receives, with what AWS does next; exit 1', async () => {
    const { code, out, err } = await run(
      ['invoke', 'OrderProcessorFunction', '--mode', 'batch', '--payload', '-', '--follow', '2', '--json'],
      poisonOrder,
    );
    assert.equal(err, '');
    assert.equal(code, 1);
    const records = JSON.parse(out) as InvocationRecord[];
    assert.equal(records.length, 2);
    assert.equal(records[1].unsettled?.count, 2);
    assert.equal(records[1].unsettled?.leftIn, 'OrdersQueue');
    assert.deepEqual(records[1].unsettled?.ids, ['order-1']);

    const peek = await run(['queues', 'peek', 'OrdersQueue', '--json']);
    assert.equal(peek.code, 0, peek.err);
    const [message] = JSON.parse(peek.out) as Array<{ messageId: string; receiveCount: number }>;
    assert.equal(message.messageId, 'order-1');
    assert.equal(message.receiveCount, 2);
  });

  it("SQS-2 the folder's lambdaTrigger.followDeliveries setting applies; a wrong --follow is bad usage (exit 2)", async () => {
    fs.mkdirSync(path.join(root, '.vscode'));
    fs.writeFileSync(path.join(root, '.vscode', 'settings.json'), '{ "lambdaTrigger.followDeliveries": 3 }');
    const { code, out } = await run(
      ['invoke', 'OrderProcessorFunction', '--mode', 'batch', '--payload', '-', '--json'],
      poisonOrder,
    );
    assert.equal(code, 1);
    assert.equal((JSON.parse(out) as InvocationRecord[]).length, 3);

    const wrong = await run(['invoke', 'OrderProcessorFunction', '--follow', '0']);
    assert.equal(wrong.code, 2);
    assert.match(wrong.err, /--follow must be a whole number of receives or attempts from 1 to 10000, got "0"/);
  });

  it('SQS-2 the same event again follows the message still in the queue instead of sending a copy; fixed, it leaves', async () => {
    const first = await run(
      ['invoke', 'OrderProcessorFunction', '--mode', 'batch', '--payload', '-', '--json'],
      poisonOrder,
    );
    assert.equal(first.code, 1);
    const firstRecords = JSON.parse(first.out) as InvocationRecord[];
    assert.equal(firstRecords.length, 5);

    // The handler is fixed: the message that stayed is received a sixth time, succeeds and is deleted.
    fs.writeFileSync(path.join(root, 'src', 'orders.js'), 'exports.handler = async () => null;\n');
    const again = await run(
      ['invoke', 'OrderProcessorFunction', '--mode', 'batch', '--payload', '-', '--json'],
      poisonOrder,
    );
    assert.equal(again.err, '');
    assert.equal(again.code, 0);
    // One record: --json prints it on its own.
    const record = JSON.parse(again.out) as InvocationRecord;
    assert.equal(record.condition, 'Success');
    assert.equal(record.storyId, firstRecords[0].id);
    const event = record.event as {
      Records: Array<{ messageId: string; attributes: { ApproximateReceiveCount: string } }>;
    };
    assert.deepEqual(
      event.Records.map((r) => [r.messageId, r.attributes.ApproximateReceiveCount]),
      [['order-1', '6']],
    );
    const peek = await run(['queues', 'peek', 'OrdersQueue', '--json']);
    assert.deepEqual(JSON.parse(peek.out), []);
  });
});
