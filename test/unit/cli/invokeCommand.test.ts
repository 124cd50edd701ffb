/**
 * `lambda-trigger invoke` end to end on a copy of examples/sam-app: discovery finds the function by name, the event
 * comes from a template or a file, and the record tree is printed as text or JSON.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { STORE_LOCK_FILE } from '../../../src/core/store/durableStore';
import { buildBootstraps } from '../runtime/bootstrapBuild';
import { cli, cliFixtures, copyWorkspace, examplesDir } from './cliHarness';

describe('cli: lambda-trigger invoke', function () {
  this.timeout(60_000);
  let root: string;
  let env: Record<string, string>;
  const run = (args: string[], stdin = '') => cli(args, root, env, stdin);

  before(async () => {
    root = copyWorkspace(path.join(examplesDir, 'sam-app'));
    env = { LAMBDA_TRIGGER_BOOTSTRAP_DIR: await buildBootstraps() };
  });

  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("--event of the function's own trigger takes that trigger's bucket and key prefix as defaults", async () => {
    const { code, out } = await run(['invoke', 'ThumbnailFunction', '--event', 's3:put', '--json']);
    assert.equal(code, 0, out);
    const record = JSON.parse(out) as InvocationRecord;
    const s3 = (record.event as { Records: Array<{ s3: { bucket: { name: string }; object: { key: string } } }> })
      .Records[0].s3;
    assert.equal(s3.bucket.name, 'UploadsBucket');
    assert.match(s3.object.key, /^uploads\/example/);
  });

  it('ASYNC-3 an s3:put of a .txt file is async by the template, fails three times and exits 1', async () => {
    const { code, out, err } = await run([
      'invoke',
      'ThumbnailFunction',
      '--event',
      's3:put',
      '--param',
      'key=uploads/a.txt',
      '--json',
    ]);
    assert.equal(err, '');
    assert.equal(code, 1);
    const record = JSON.parse(out) as InvocationRecord;
    assert.equal(record.functionName, 'ThumbnailFunction');
    assert.equal(record.mode, 'async');
    assert.equal(record.status, 'failed');
    assert.equal(record.condition, 'RetriesExhausted');
    assert.deepEqual(
      record.attempts.map((a) => [a.number, a.outcome, a.error?.errorType]),
      [
        [1, 'functionError', 'UnsupportedImageError'],
        [2, 'functionError', 'UnsupportedImageError'],
        [3, 'functionError', 'UnsupportedImageError'],
      ],
    );
    assert.deepEqual(
      record.attempts.map((a) => a.coldStart),
      [true, false, false],
    );
    assert.equal(
      (record.event as { Records: Array<{ s3: { object: { key: string } } }> }).Records[0].s3.object.key,
      'uploads/a.txt',
    );
  });

  it('prints the record as text: headline, attempts with their metrics, error and logs', async () => {
    const { code, out } = await run([
      'invoke',
      'ThumbnailFunction',
      '--event',
      's3:put',
      '--param',
      'key=uploads/b.txt',
    ]);
    assert.equal(code, 1);
    assert.match(
      out,
      /^ThumbnailFunction {2}async {2}failed {2}RetriesExhausted {2}\(record [0-9a-f-]{36}\)\n {2}cost: 3 requests, [\d.]+ GB-s billed, about \$[\d.]+ \(arm64\)\nattempts:\n/,
    );
    assert.match(
      out,
      / {2}attempt 1 {2}request [0-9a-f-]{36} {2}cold {2}functionError {2}duration \d+\.\d\d ms {2}billed \d+ ms {2}memory \d+\/512 MB {2}init \d+\.\d\d ms\n {4}error \(Unhandled\): UnsupportedImageError: Cannot make a thumbnail of s3:\/\/UploadsBucket\/uploads\/b\.txt/,
    );
    assert.match(out, / {2}attempt 3 {2}request [0-9a-f-]{36} {2}warm {2}functionError /);
    assert.match(out, / {4}logs:\n {6}START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
  });

  it("without --event or --payload it sends the event the function's own trigger sends: the route's method, path and resource", async () => {
    const { code, out } = await run(['invoke', 'CreateOrderFunction', '--json']);
    assert.equal(code, 0, out);
    const record = JSON.parse(out) as InvocationRecord;
    const event = record.event as {
      httpMethod: string;
      path: string;
      resource: string;
      requestContext: { accountId: string };
    };
    assert.equal(record.mode, 'sync');
    assert.deepEqual([event.httpMethod, event.path, event.resource], ['POST', '/orders', '/orders']);
  });

  it('SYNC-1 a function with one API trigger is invoked sync by default; exit 0', async () => {
    const { code, out } = await run([
      'invoke',
      'CreateOrderFunction',
      '--payload',
      'events/api-create-order.json',
      '--json',
    ]);
    assert.equal(code, 0);
    const record = JSON.parse(out) as InvocationRecord;
    assert.deepEqual([record.mode, record.status, record.response?.StatusCode], ['sync', 'succeeded', 200]);
    assert.equal((JSON.parse(record.response!.Payload!) as { statusCode: number }).statusCode, 201);
  });

  it('while another live process holds the workspace store, it says so and runs on a throwaway store', async () => {
    const storeDir = path.join(root, '.lambda-trigger', 'store');
    fs.mkdirSync(storeDir, { recursive: true });
    const lock = path.join(storeDir, STORE_LOCK_FILE);
    // The test runner itself stands in for the VS Code window holding the store.
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, owner: 'Code (the extension)', since: 'now' }));
    try {
      const before = fs.readdirSync(storeDir).sort();
      const { code, out, err } = await run([
        'invoke',
        'CreateOrderFunction',
        '--payload',
        'events/api-create-order.json',
        '--json',
      ]);
      assert.equal(code, 0, err);
      assert.equal((JSON.parse(out) as InvocationRecord).status, 'succeeded');
      assert.match(
        err,
        /^lambda-trigger invoke: The store at .+ is in use by Code \(the extension\) \(this process, since now\); this run uses a throwaway store/,
      );
      assert.deepEqual(fs.readdirSync(storeDir).sort(), before, 'the held store is not touched');
    } finally {
      fs.rmSync(lock, { force: true });
    }
  });

  describe('SQS batches and the queues of the store', () => {
    let poisonIds: string[];
    const poisonBodies = (
      JSON.parse(fs.readFileSync(path.join(examplesDir, 'sam-app/events/sqs-orders-batch.json'), 'utf8')) as {
        Records: Array<{ body: string }>;
      }
    ).Records.slice(1).map((r) => r.body);

    it('SQS-3 SQS-4 the order batch: two reported failures, received three times, then moved to OrdersDLQ; exit 1', async () => {
      const { code, out } = await run([
        'invoke',
        'OrderProcessorFunction',
        '--payload',
        'events/sqs-orders-batch.json',
        '--json',
      ]);
      assert.equal(code, 1);
      const records = JSON.parse(out) as InvocationRecord[];
      assert.ok(records.every((r) => r.mode === 'batch' && r.functionName === 'OrderProcessorFunction'));
      const first = records[0].batches[0];
      assert.equal(first.recordIds.length, 3);
      assert.equal(first.outcome, 'partialFailure');
      poisonIds = first.reportedFailures!;
      assert.deepEqual(poisonIds, first.recordIds.slice(1));
      const redrives = records.flatMap((r) => r.batches.flatMap((b) => b.redrives ?? []));
      assert.deepEqual(
        redrives.map((r) => [r.id, r.target.split(':').pop(), r.receiveCount]).sort(),
        poisonIds.map((id) => [id, 'OrdersDLQ', 3]).sort(),
      );
    });

    it('the text report ends with the whole event: its records, failures and cost together', async () => {
      const { code, out } = await run([
        'invoke',
        'OrderProcessorFunction',
        '--payload',
        'events/sqs-orders-batch.json',
        '--ephemeral',
      ]);
      assert.equal(code, 1);
      assert.match(
        out,
        /\nevent of record [0-9a-f-]{36} \(OrderProcessorFunction\): 3 records, 3 failed, 3 requests, [\d.]+ GB-s billed, about \$[\d.]+\n$/,
      );
    });

    it('`queues` lists OrdersDLQ with the two messages, as the dead-letter queue of OrdersQueue', async () => {
      const { code, out } = await run(['queues']);
      assert.equal(code, 0);
      assert.match(out, /^QUEUE +VISIBLE {2}IN FLIGHT {2}DEAD-LETTER QUEUE OF\n/);
      assert.match(out, /\nOrdersDLQ +2 +0 {2}OrdersQueue\n/);
      assert.match(out, /\nOrdersQueue +0 +0 {2}-\n/);
      const json = await run(['queues', '--json']);
      const dlq = (JSON.parse(json.out) as Array<{ name: string; visible: number; deadLetterQueueOf: string[] }>).find(
        (q) => q.name === 'OrdersDLQ',
      );
      assert.deepEqual([dlq?.visible, dlq?.deadLetterQueueOf], [2, ['OrdersQueue']]);
    });

    it('`queues peek OrdersDLQ` shows the poison messages without receiving them', async () => {
      const { code, out } = await run(['queues', 'peek', 'OrdersDLQ', '--json']);
      assert.equal(code, 0);
      const messages = JSON.parse(out) as Array<{ body: string; deadLetterQueueSourceArn?: string }>;
      assert.deepEqual(messages.map((m) => m.body).sort(), [...poisonBodies].sort());
      assert.ok(messages.every((m) => m.deadLetterQueueSourceArn?.endsWith(':OrdersQueue')));
      const text = await run(['queues', 'peek', 'OrdersDLQ']);
      assert.match(text.out, /^OrdersDLQ: 2 message\(s\)\n/);
      assert.ok(text.out.includes(`  body: ${poisonBodies[1]}\n`));
    });

    it('`queues replay` runs one DLQ message through a function, sync', async () => {
      const peek = JSON.parse((await run(['queues', 'peek', 'OrdersDLQ', '--json'])).out) as Array<{
        messageId: string;
        body: string;
      }>;
      const truncated = peek.find((m) => m.body === poisonBodies[0])!;
      const { code, out } = await run([
        'queues',
        'replay',
        'OrdersDLQ',
        truncated.messageId,
        '--function',
        'OrderProcessorFunction',
        '--mode',
        'sync',
        '--json',
      ]);
      assert.equal(code, 0);
      const record = JSON.parse(out) as InvocationRecord;
      assert.deepEqual([record.mode, record.status, record.source?.type], ['sync', 'succeeded', 'replay']);
      // Not JSON, so it is wrapped in an SQS event; the handler reports it as a failed item.
      const result = record.attempts[0].result as { batchItemFailures: Array<{ itemIdentifier: string }> };
      assert.deepEqual(result.batchItemFailures, [{ itemIdentifier: truncated.messageId }]);
    });

    it('SQS-3 `queues redrive OrdersDLQ` moves them back to OrdersQueue, where nothing receives them yet', async () => {
      const { code, out } = await run(['queues', 'redrive', 'OrdersDLQ']);
      assert.equal(code, 0);
      assert.equal(out, 'moved 2 message(s) from OrdersDLQ to OrdersQueue\n');
      const dlq = JSON.parse((await run(['queues', 'peek', 'OrdersDLQ', '--json'])).out) as unknown[];
      assert.equal(dlq.length, 0);
      const queue = JSON.parse((await run(['queues', 'peek', 'OrdersQueue', '--json'])).out) as Array<{
        body: string;
        receiveCount: number;
      }>;
      assert.deepEqual(queue.map((m) => [m.body, m.receiveCount]).sort(), poisonBodies.map((b) => [b, 0]).sort());
    });

    it('`queues send`, then `queues purge` empties the queue', async () => {
      const sent = await run(['queues', 'send', 'OrdersQueue', '--body', '{"orderId":"ord_x"}']);
      assert.equal(sent.code, 0);
      assert.match(sent.out, /^sent [0-9a-f-]{36} to OrdersQueue\n$/);
      const purged = await run(['queues', 'purge', 'OrdersQueue']);
      assert.deepEqual([purged.code, purged.out], [0, 'purged 3 message(s) from OrdersQueue\n']);
    });
  });

  it('STREAM-2 STREAM-4 the Kinesis transactions (Python): bisected down to the bad record, then given up to FraudFailuresQueue', async () => {
    const { code, out } = await run([
      'invoke',
      'FraudDetectorFunction',
      '--payload',
      'events/kinesis-transactions.json',
      '--json',
    ]);
    assert.equal(code, 1);
    const record = JSON.parse(out) as InvocationRecord;
    assert.deepEqual([record.mode, record.status, record.condition], ['batch', 'failed', 'RetryAttemptsExhausted']);
    assert.equal(record.batches[0].recordIds.length, 4);
    assert.equal(record.batches[0].outcome, 'failure');
    assert.deepEqual(
      record.batches.filter((b) => b.bisectedFrom === 0).map((b) => b.recordIds.length),
      [2, 2],
    );
    const given = record.deliveries.find((d) => d.kind === 'destination');
    assert.ok(given, 'an on-failure delivery');
    assert.match(given.target.arn, /:FraudFailuresQueue$/);
    assert.equal(given.condition, 'RetryAttemptsExhausted');
    const info = (JSON.parse(given.body) as { KinesisBatchInfo: { batchSize: number } }).KinesisBatchInfo;
    assert.equal(info.batchSize, 1);
    const peek = JSON.parse((await run(['queues', 'peek', 'FraudFailuresQueue', '--json'])).out) as unknown[];
    assert.equal(peek.length, 1);
  });

  it('STREAM-6 a kinesis:get-records template batch goes through the stream; --ephemeral keeps the store untouched', async () => {
    const data = ['{"transactionId":"tx_1","amountCents":500}', '{"transactionId":"tx_2","amountCents":900000}'];
    const { code, out } = await run([
      'invoke',
      'FraudDetectorFunction',
      '--event',
      'kinesis:get-records',
      '--body',
      data[0],
      '--body',
      data[1],
      '--ephemeral',
      '--json',
    ]);
    assert.equal(code, 0);
    const record = JSON.parse(out) as InvocationRecord;
    assert.deepEqual([record.mode, record.status, record.condition], ['batch', 'succeeded', 'Success']);
    const result = record.attempts[0].result as { screened: number; flagged: Array<{ transactionId: string }> };
    assert.equal(result.screened, 2);
    assert.deepEqual(
      result.flagged.map((f) => f.transactionId),
      ['tx_2'],
    );
  });

  it('runs path/to/file.export on its own: --repeat is cold then warm, --env reaches the handler', async () => {
    const { code, out } = await cli(
      ['invoke', 'lone/counter.handler', '--repeat', '3', '--env', 'STAGE=ci', '--payload', '-', '--json'],
      cliFixtures,
      env,
      '{"a":1}',
    );
    assert.equal(code, 0);
    const records = JSON.parse(out) as InvocationRecord[];
    assert.deepEqual(
      records.map((r) => [r.mode, r.attempts[0].coldStart, r.attempts[0].result]),
      [
        ['sync', true, { count: 1, stage: 'ci', event: { a: 1 } }],
        ['sync', false, { count: 2, stage: 'ci', event: { a: 1 } }],
        ['sync', false, { count: 3, stage: 'ci', event: { a: 1 } }],
      ],
    );
    assert.equal(
      fs.existsSync(path.join(cliFixtures, '.lambda-trigger')),
      false,
      'a lone handler uses a throwaway store',
    );
  });

  for (const [title, args, message] of [
    [
      'an unknown function, with the close names',
      ['ThumbnailFunc'],
      /^lambda-trigger invoke: no function named "ThumbnailFunc" in .+; did you mean ThumbnailFunction\?\n$/,
    ],
    [
      'an unknown template id',
      ['ThumbnailFunction', '--event', 's3:putt'],
      /^lambda-trigger invoke: --event s3:putt: unknown event type 's3:putt'; did you mean one of: s3:/,
    ],
    [
      '--records on a non-batch event',
      ['ThumbnailFunction', '--event', 's3:put', '--records', '3'],
      /^lambda-trigger invoke: --event s3:put: s3:put is not a poll-based batch event/,
    ],
    [
      'a missing payload file',
      ['ThumbnailFunction', '--payload', 'events/missing.json'],
      /^lambda-trigger invoke: cannot read payload file .+missing\.json: no such file\n$/,
    ],
    [
      'a payload that is not JSON',
      ['ThumbnailFunction', '--payload', '-'],
      /^lambda-trigger invoke: stdin:1:1: not valid JSON: InvalidSymbol\n$/,
    ],
    [
      '--mode batch on a function without a poll trigger',
      ['CreateOrderFunction', '--mode', 'batch'],
      /^lambda-trigger invoke: CreateOrderFunction has no poll-based trigger \(SQS, Kinesis, DynamoDB Streams, Kafka or MQ\)/,
    ],
    [
      'an event of another source than the trigger',
      ['FraudDetectorFunction', '--event', 'sqs:receive-message'],
      /^lambda-trigger invoke: The event comes from SQS, but FraudDetectorFunction is triggered by Kinesis \(Transactions\)\.\n$/,
    ],
    [
      '--event with --payload',
      ['ThumbnailFunction', '--event', 's3:put', '--payload', 'x.json'],
      /^lambda-trigger invoke: give either --event <template id> or --payload <file\|->, not both\n$/,
    ],
    [
      '--param without --event',
      ['ThumbnailFunction', '--param', 'key=a'],
      /^lambda-trigger invoke: --param only applies with --event <template id>\n$/,
    ],
    [
      'a bad --mode',
      ['ThumbnailFunction', '--mode', 'event'],
      /^lambda-trigger invoke: --mode must be one of sync, async, batch, got "event"\n$/,
    ],
    [
      'a bad --time-scale',
      ['ThumbnailFunction', '--time-scale', '0'],
      /^lambda-trigger invoke: --time-scale must be a positive number or "infinity", got "0"\n$/,
    ],
    [
      'a timeout out of range',
      ['ThumbnailFunction', '--timeout', '901'],
      /^lambda-trigger invoke: ThumbnailFunction: .*timeout must be a whole number of seconds from 1 to 900, got 901/,
    ],
  ] as Array<[string, string[], RegExp]>) {
    it(`bad usage exits 2 and names the problem: ${title}`, async () => {
      const { code, out, err } = await run(['invoke', ...args], 'not json');
      assert.equal(code, 2);
      assert.equal(out, '');
      assert.match(err, message);
    });
  }
});
