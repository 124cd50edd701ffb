/** `lambda-trigger queues` on a fresh copy of examples/sam-app: the queues exist before anything ran, bad usage exits 2. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { STORE_LOCK_FILE } from '../../../src/core/store/durableStore';
import { buildBootstraps } from '../runtime/bootstrapBuild';
import { cli, copyWorkspace, examplesDir } from './cliHarness';

describe('cli: lambda-trigger queues', function () {
  this.timeout(30_000);
  let root: string;
  let env: Record<string, string>;
  const run = (args: string[]) => cli(['queues', ...args], root, env);

  before(async () => {
    root = copyWorkspace(path.join(examplesDir, 'sam-app'));
    env = { LAMBDA_TRIGGER_BOOTSTRAP_DIR: await buildBootstraps() };
  });

  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('ASYNC-9 STREAM-4 lists the trigger, DLQ and destination queues before anything ran', async () => {
    const { code, out } = await run(['--json']);
    assert.equal(code, 0);
    const queues = JSON.parse(out) as Array<{ name: string; visible: number; inFlight: number }>;
    assert.deepEqual(
      queues.map((q) => [q.name, q.visible, q.inFlight]),
      [
        ['FraudFailuresQueue', 0, 0],
        ['OrdersDLQ', 0, 0],
        ['OrdersQueue', 0, 0],
        ['PaymentResultsQueue', 0, 0],
        ['PaymentWebhookDLQ', 0, 0],
      ],
    );
  });

  it('a message sent with --file is kept in the store across runs', async () => {
    fs.writeFileSync(path.join(root, 'message.json'), '{"orderId":"ord_file"}');
    const sent = await run(['send', 'PaymentResultsQueue', '--file', 'message.json']);
    assert.equal(sent.code, 0);
    const peek = await run(['peek', 'PaymentResultsQueue', '--json']);
    assert.deepEqual(
      (JSON.parse(peek.out) as Array<{ body: string }>).map((m) => m.body),
      ['{"orderId":"ord_file"}'],
    );
  });

  it('runs that change nothing write nothing: the store keeps the same files, byte for byte', async () => {
    const storeDir = path.join(root, '.lambda-trigger', 'store');
    const files = (): Array<[string, string]> =>
      fs
        .readdirSync(storeDir)
        .sort()
        .map((f) => [f, fs.readFileSync(path.join(storeDir, f), 'utf8')]);
    assert.equal((await run(['--json'])).code, 0);
    const before = files();
    for (let i = 0; i < 10; i++) {
      assert.equal((await run(['--json'])).code, 0);
      assert.equal((await run(['peek', 'OrdersDLQ'])).code, 0);
    }
    assert.deepEqual(files(), before);
  });

  it('a store held by another live process: exit 75 naming the holder, and the store is left as it was', async () => {
    const storeDir = path.join(root, '.lambda-trigger', 'store');
    const lock = path.join(storeDir, STORE_LOCK_FILE);
    // The test runner itself stands in for the other process (a VS Code window on the same workspace).
    fs.writeFileSync(
      lock,
      JSON.stringify({ pid: process.pid, owner: 'VS Code (the Lambda Trigger Runner extension)', since: 'now' }),
    );
    try {
      const before = fs.readdirSync(storeDir).sort();
      const { code, out, err } = await run(['peek', 'PaymentResultsQueue']);
      assert.equal(code, 75);
      assert.equal(out, '');
      assert.match(
        err,
        /^lambda-trigger queues: The store at .+ is in use by VS Code \(the Lambda Trigger Runner extension\) \(this process, since now\); only one process can use it at a time\./,
      );
      assert.deepEqual(fs.readdirSync(storeDir).sort(), before);
    } finally {
      fs.rmSync(lock, { force: true });
    }
  });

  for (const [title, args, message] of [
    [
      'an unknown queue, with the close names',
      ['peek', 'OrderDLQ'],
      /^lambda-trigger queues: no queue named "OrderDLQ" in .+; did you mean OrdersDLQ\?\n$/,
    ],
    [
      'an unknown subcommand',
      ['drain', 'OrdersQueue'],
      /^lambda-trigger queues: unknown subcommand "drain"; expected one of list, peek, send, purge, redrive, replay\n$/,
    ],
    [
      'send without a body',
      ['send', 'OrdersQueue'],
      /^lambda-trigger queues: queues send needs exactly one of --body <text> or --file <f>\n$/,
    ],
    [
      'send of a missing file',
      ['send', 'OrdersQueue', '--file', 'nope.json'],
      /^lambda-trigger queues: cannot read message file .+nope\.json: no such file\n$/,
    ],
    ['peek without a queue', ['peek'], /^lambda-trigger queues: queues peek expects <queue>, got none\n$/],
    [
      'replay without --function',
      ['replay', 'OrdersDLQ', 'id-1'],
      /^lambda-trigger queues: queues replay needs --function <name>\n$/,
    ],
    [
      'replay to an unknown function',
      ['replay', 'OrdersDLQ', 'id-1', '--function', 'OrderProcessor'],
      /^lambda-trigger queues: no function named "OrderProcessor" in .+; did you mean OrderProcessorFunction\?\n$/,
    ],
    [
      'replay of a message not in the queue',
      ['replay', 'OrdersDLQ', 'id-1', '--function', 'OrderProcessorFunction'],
      /^lambda-trigger queues: no message named "id-1" in OrdersDLQ; known: \(none\)\n$/,
    ],
    [
      '--to on peek',
      ['peek', 'OrdersDLQ', '--to', 'OrdersQueue'],
      /^lambda-trigger queues: --to does not apply to queues peek\n$/,
    ],
  ] as Array<[string, string[], RegExp]>) {
    it(`bad usage exits 2 and names the problem: ${title}`, async () => {
      const { code, out, err } = await run(args);
      assert.equal(code, 2);
      assert.equal(out, '');
      assert.match(err, message);
    });
  }
});
