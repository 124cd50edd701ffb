/**
 * `lambda-trigger invoke --fault`: the engine's injected faults (ASYNC-1 deliver twice, ASYNC-5 throttles and
 * system errors, ASYNC-6 zero concurrency) from the command line, on a copy of examples/sam-app.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseFaults } from '../../../src/cli/commands/invoke';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { buildBootstraps } from '../runtime/bootstrapBuild';
import { cli, copyWorkspace, examplesDir } from './cliHarness';

describe('cli: lambda-trigger invoke --fault', function () {
  this.timeout(60_000);
  let root: string;
  let env: Record<string, string>;
  const run = (args: string[]) => cli(args, root, env);
  const s3Put = (key: string) => ['invoke', 'ThumbnailFunction', '--event', 's3:put', '--param', `key=${key}`];

  before(async () => {
    root = copyWorkspace(path.join(examplesDir, 'sam-app'));
    env = { LAMBDA_TRIGGER_BOOTSTRAP_DIR: await buildBootstraps() };
  });

  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('ASYNC-1 deliver-twice runs the handler twice with the same event and request id; the record names the fault', async () => {
    const { code, out, err } = await run([
      ...s3Put('uploads/alice/cat_640x480.jpg'),
      '--fault',
      'deliver-twice',
      '--json',
    ]);
    assert.equal(err, '');
    assert.equal(code, 0);
    const record = JSON.parse(out) as InvocationRecord;
    assert.deepEqual([record.mode, record.status, record.condition], ['async', 'succeeded', 'Success']);
    assert.deepEqual(record.faults, ['deliverTwice']);
    assert.deepEqual(
      record.attempts.map((a) => [a.number, a.outcome, a.coldStart, a.faults]),
      [
        [1, 'success', true, undefined],
        [2, 'success', false, ['deliverTwice']],
      ],
    );
    assert.equal(record.attempts[1].requestId, record.attempts[0].requestId);
    assert.deepEqual(record.attempts[1].result, record.attempts[0].result);
  });

  it('ASYNC-1 the text report shows the requested faults and the duplicate attempt', async () => {
    const { code, out } = await run([...s3Put('uploads/alice/dog_640x480.jpg'), '--fault', 'deliver-twice']);
    assert.equal(code, 0);
    assert.match(
      out,
      /^ThumbnailFunction {2}async {2}succeeded {2}Success {2}\(record [0-9a-f-]{36}\)\n {2}faults: deliverTwice\n {2}cost: 2 requests, [^\n]+\nattempts:\n/,
    );
    assert.match(out, /\n {2}attempt 2 {2}request [0-9a-f-]{36} {2}warm {2}success {2}.* {2}fault deliverTwice\n/);
  });

  it('ASYNC-5 throttle=2: two 429 attempts back off 1 s then 2 s and do not count as retries', async () => {
    const { code, out } = await run([...s3Put('uploads/notes.txt'), '--fault', 'throttle=2', '--json']);
    assert.equal(code, 1);
    const record = JSON.parse(out) as InvocationRecord;
    assert.deepEqual(record.faults, ['throttle x2']);
    assert.equal(record.condition, 'RetriesExhausted');
    // Two refusals, then the first attempt and MaximumRetryAttempts (2) retries of the function error.
    assert.deepEqual(
      record.attempts.map((a) => [a.number, a.outcome, a.statusCode, a.faults]),
      [
        [1, 'throttled', 429, ['throttle']],
        [2, 'throttled', 429, ['throttle']],
        [3, 'functionError', undefined, undefined],
        [4, 'functionError', undefined, undefined],
        [5, 'functionError', undefined, undefined],
      ],
    );
    const start = (i: number) => Date.parse(record.attempts[i].start.simulated);
    assert.deepEqual([start(1) - start(0), start(2) - start(1)], [1000, 2000]);
  });

  it('ASYNC-5 system-error on a sync invoke answers 500 without running the handler; exit 1', async () => {
    const { code, out } = await run([
      'invoke',
      'CreateOrderFunction',
      '--payload',
      'events/api-create-order.json',
      '--fault',
      'system-error',
      '--json',
    ]);
    assert.equal(code, 1);
    const record = JSON.parse(out) as InvocationRecord;
    assert.deepEqual([record.mode, record.status, record.response?.StatusCode], ['sync', 'rejected', 500]);
    assert.equal(record.response?.errorType, 'ServiceException');
    assert.deepEqual(record.faults, ['systemError x1']);
    assert.deepEqual(record.attempts, []);
  });

  it('ASYNC-6 zero-concurrency: nothing runs, the event fails with ZeroReservedConcurrency; exit 1', async () => {
    const { code, out } = await run([
      ...s3Put('uploads/alice/cat_640x480.jpg'),
      '--fault',
      'zero-concurrency',
      '--json',
    ]);
    assert.equal(code, 1);
    const record = JSON.parse(out) as InvocationRecord;
    assert.deepEqual(
      [record.status, record.condition, record.faults],
      ['failed', 'ZeroReservedConcurrency', ['zeroConcurrency']],
    );
    assert.deepEqual(record.attempts, []);
  });

  it('a bad --fault value exits 2 and names it', async () => {
    const { code, out, err } = await run([...s3Put('uploads/a.jpg'), '--fault', 'explode']);
    assert.equal(code, 2);
    assert.equal(out, '');
    assert.equal(
      err,
      'lambda-trigger invoke: --fault "explode" is not a fault; expected one of deliver-twice, throttle[=N], system-error[=N], zero-concurrency\n',
    );
    const zero = await run([...s3Put('uploads/a.jpg'), '--fault', 'throttle=0']);
    assert.equal(zero.code, 2);
    assert.match(zero.err, /--fault "throttle=0" needs a count from 1 to 9999/);
  });

  it('deliver-twice on a sync invoke and any fault on a batch exit 2', async () => {
    const sync = await run([...s3Put('uploads/a.jpg'), '--mode', 'sync', '--fault', 'deliver-twice']);
    assert.equal(sync.code, 2);
    assert.equal(
      sync.err,
      'lambda-trigger invoke: --fault deliver-twice is an asynchronous fault (Lambda delivers async events at least once); add --mode async\n',
    );
    const batch = await run([
      'invoke',
      'OrderProcessorFunction',
      '--payload',
      'events/sqs-orders-batch.json',
      '--fault',
      'throttle',
    ]);
    assert.equal(batch.code, 2);
    assert.match(batch.err, /--fault applies to sync and async invocations, not to batches/);
  });

  it('parseFaults adds up repeated counts and keeps flags', () => {
    assert.equal(parseFaults([]), undefined);
    assert.deepEqual(parseFaults(['throttle', 'throttle=3', 'system-error=2', 'deliver-twice', 'zero-concurrency']), {
      throttle: 4,
      systemError: 2,
      deliverTwice: true,
      zeroConcurrency: true,
    });
  });
});
