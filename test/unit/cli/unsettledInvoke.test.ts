/**
 * `lambda-trigger invoke` on events that never settle (test/fixtures/cli/unsettled-app): an SQS queue without a
 * redrive policy and a Kinesis mapping with MaximumRetryAttempts -1 are followed only to the follow horizon, and the
 * report says what AWS would do next; the report stays readable, and a terminal sees what a long run is doing.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT_FUNCTION_ERROR, EXIT_USAGE, UsageError } from '../../../src/cli/command';
import { createInvokeCommand } from '../../../src/cli/commands/invoke';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { captureIO } from '../../support/cliIO';
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

  it('SQS-2 queues send --run to OrdersQueue follows the order a run stopped following again', async () => {
    const first = await run(
      ['invoke', 'OrderProcessorFunction', '--mode', 'batch', '--payload', '-', '--follow', '1', '--json'],
      poisonOrder,
    );
    assert.equal(first.code, 1);
    const sent = await run(['queues', 'send', 'OrdersQueue', '--body', 'a good order', '--run', '--json']);
    assert.equal(sent.code, 1, sent.err);
    const peek = await run(['queues', 'peek', 'OrdersQueue', '--json']);
    const left = JSON.parse(peek.out) as Array<{ messageId: string; receiveCount: number }>;
    assert.deepEqual(
      left.map((m) => [m.messageId, m.receiveCount]),
      [['order-1', 6]],
    );
  });
});

describe('cli: the text report of lambda-trigger invoke', function () {
  this.timeout(60_000);
  let root: string;
  let env: Record<string, string>;
  const run = (args: string[], stdin = '') => cli(args, root, env, stdin);

  before(async () => {
    env = { LAMBDA_TRIGGER_BOOTSTRAP_DIR: await buildBootstraps() };
    root = copyWorkspace(path.join(cliFixtures, 'unsettled-app'));
  });
  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('SQS-2 ends with what AWS does next with the order, and how to follow it again or drop it', async () => {
    const { code, out } = await run(
      ['invoke', 'OrderProcessorFunction', '--mode', 'batch', '--payload', '-'],
      JSON.stringify({ Records: [{ messageId: 'order-9', body: 'poison order' }] }),
    );
    assert.equal(code, 1);
    // The lines that close the last receive's report; the story's summary line follows them.
    const lines = out.trimEnd().split('\n');
    const tail = lines.slice(lines.lastIndexOf('not followed further:'));
    assert.equal(tail[0], 'not followed further:');
    assert.match(
      tail[1],
      /^ {2}still failing after 5 receives; on AWS it is received again every 30 s \(the queue's visibility timeout\) until the queue's retention period \(4 days\) ends on \d{4}-\d\d-\d\d \d\d:\d\d UTC; the message stays in OrdersQueue\.$/,
    );
    assert.equal(
      tail[2],
      '  the next batch invocation of OrderProcessorFunction follows it again; `lambda-trigger queues purge OrdersQueue` drops it.',
    );
    assert.match(tail[3], /^event of record \S+ \(OrderProcessorFunction\): 5 records, 5 failed, 5 requests, /);
    assert.equal(tail.length, 4);
    // The earlier receives say nothing of it: only the last one stopped.
    assert.equal(out.split('not followed further:').length, 2);
  });

  it('STREAM-1 a Kinesis batch retried without limit: 5 attempts, the shard checkpoint unchanged, what AWS does next', async () => {
    const { code, out } = await run(['invoke', 'ClickFunction', '--event', 'kinesis:get-records', '--body', 'poison']);
    assert.equal(code, 1);
    assert.equal(out.match(/^ {2}attempt \d+ /gm)?.length, 5);
    assert.match(
      out,
      /still failing after 5 attempts; on AWS Lambda tries the batch again, at most a minute apart and holding up its shard, until its records leave the stream at the end of its retention period \(24 hours\) on .* UTC, then skips them; the record stays in ClickStream\.\n {2}the next batch invocation of ClickFunction follows it again\.\n$/,
    );
    assert.doesNotMatch(out, /checkpoint/);
  });

  it('a 3 MB result is cut in the text report with how to see it whole; --full and --json print all of it', async () => {
    const text = await run(['invoke', 'ReportFunction', '--payload', '-'], '{}');
    assert.equal(text.code, 0);
    assert.ok(text.out.length < 16 * 1024, `the report has ${text.out.length} characters`);
    assert.match(
      text.out,
      /\[… 3,14\d,\d{3} more characters \(2 lines\) not shown; add --full to print them, or --json for the whole record\]/,
    );

    const full = await run(['invoke', 'ReportFunction', '--payload', '-', '--full'], '{}');
    assert.equal(full.code, 0);
    assert.ok(full.out.includes('x'.repeat(3 * 1024 * 1024)));
    assert.doesNotMatch(full.out, /not shown/);

    const json = await run(['invoke', 'ReportFunction', '--payload', '-', '--json'], '{}');
    assert.equal(json.code, 0);
    const record = JSON.parse(json.out) as InvocationRecord;
    assert.equal((record.attempts[0].result as { report: string }).report.length, 3 * 1024 * 1024);

    const both = await run(['invoke', 'ReportFunction', '--json', '--full']);
    assert.equal(both.code, 2);
  });

  it('a long log keeps its first and last lines, and says how many it left out', async () => {
    const { code, out } = await run(['invoke', 'ReportFunction', '--payload', '-'], '{"bytes": 10, "lines": 500}');
    assert.equal(code, 0);
    assert.match(out, /\tline 0\n/);
    assert.match(out, /\tline 499\n/);
    assert.doesNotMatch(out, /\tline 250\n/);
    assert.match(out, /\[… 443 log lines not shown; add --full to print them, or --json for the whole record\]/);
  });
});

describe('cli: lambda-trigger invoke shows progress on a terminal only', function () {
  this.timeout(60_000);
  let root: string;
  let bootstrapDir: string;
  const invoke = createInvokeCommand({ progress: { delayMs: 0, redrawMs: 0 } });
  const run = async (args: string[], io: ReturnType<typeof captureIO>): Promise<number> => {
    try {
      return await invoke.run(args, io);
    } catch (err) {
      if (err instanceof UsageError) return EXIT_USAGE;
      throw err;
    }
  };
  const orderArgs = () => ['OrderProcessorFunction', '--mode', 'batch', '--payload', '-', '--root', root];

  before(async () => {
    bootstrapDir = await buildBootstraps();
  });
  beforeEach(() => {
    root = copyWorkspace(path.join(cliFixtures, 'unsettled-app'));
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('SQS-2 on a terminal: each receive of the order on one redrawn line of stderr, erased before the report', async () => {
    const io = captureIO(root, poisonOrder, { LAMBDA_TRIGGER_BOOTSTRAP_DIR: bootstrapDir }, {});
    const code = await run(orderArgs(), io);
    assert.equal(code, EXIT_FUNCTION_ERROR);
    const frames = io.err.split('\r\x1b[2K').filter((f) => f !== '');
    assert.ok(frames.length >= 2, io.err);
    assert.equal(frames[0], 'lambda-trigger invoke: OrderProcessorFunction: invoking… 0 s');
    for (let receive = 1; receive <= 5; receive++)
      assert.ok(
        frames.some((f) =>
          f.startsWith(`lambda-trigger invoke: OrdersQueue: receive ${receive} of OrderProcessorFunction… `),
        ),
        `receive ${receive} in ${JSON.stringify(frames)}`,
      );
    // The line is gone when the report comes: stderr ends with the erase, and nothing of it reaches stdout.
    assert.ok(io.err.endsWith('\r\x1b[2K'));
    assert.ok(!io.err.includes('\n'));
    assert.doesNotMatch(io.out, /lambda-trigger invoke:/);
    assert.match(io.out, /not followed further:/);
  });

  it('SQS-2 nothing on stderr when it is a pipe or a file, in CI, or with --json on a pipe', async () => {
    const piped = captureIO(root, poisonOrder, { LAMBDA_TRIGGER_BOOTSTRAP_DIR: bootstrapDir });
    assert.equal(await run([...orderArgs(), '--follow', '1'], piped), EXIT_FUNCTION_ERROR);
    assert.equal(piped.err, '');

    const ci = captureIO(root, poisonOrder, { LAMBDA_TRIGGER_BOOTSTRAP_DIR: bootstrapDir, CI: 'true' }, {});
    assert.equal(await run([...orderArgs(), '--follow', '1', '--json'], ci), EXIT_FUNCTION_ERROR);
    assert.equal(ci.err, '');
    assert.equal((JSON.parse(ci.out) as InvocationRecord).unsettled?.count, 2);
  });
});
