/**
 * The CLI on a workspace whose engine another process holds and serves (as a VS Code window does): it works on that
 * engine through the endpoint, with the same output and exit codes as on a store of its own.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import type { QueueSummary } from '../../../src/core/services/localServices';
import { STORE_LOCK_FILE } from '../../../src/core/store/durableStore';
import { descriptorPathOf, endpointDirOf } from '../../../src/core/endpoints/endpointLocation';
import { attachToWorkspace } from '../../../src/cli/commands/workspaceAccount';
import { cli, copyWorkspace } from '../cli/cliHarness';
import { buildBootstraps } from '../runtime/bootstrapBuild';
import { attachApp, EngineHolderProcess } from './engineHolderProcess';

describe('endpoints: the CLI attaches to the engine another process holds', function () {
  this.timeout(60_000);
  let root: string;
  let env: Record<string, string>;
  let holder: EngineHolderProcess;
  const run = (args: string[], stdin = '') => cli([...args, '--root', root], root, env, stdin);

  before(async () => {
    root = copyWorkspace(attachApp);
    env = { LAMBDA_TRIGGER_BOOTSTRAP_DIR: await buildBootstraps() };
    holder = await EngineHolderProcess.start(root, env.LAMBDA_TRIGGER_BOOTSTRAP_DIR);
  });

  after(async () => {
    try {
      await holder?.stop();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  const lockHolderPid = (): number =>
    (JSON.parse(fs.readFileSync(path.join(root, '.lambda-trigger/store', STORE_LOCK_FILE), 'utf8')) as { pid: number })
      .pid;

  it('invoke: exit 0 and the record it prints is in the other process engine history', async () => {
    const { code, out, err } = await run(['invoke', 'GreetFunction', '--payload', '-', '--json'], '{"name":"ada"}');
    assert.equal(err, '');
    assert.equal(code, 0);
    const record = JSON.parse(out) as InvocationRecord;
    assert.deepEqual([record.mode, record.status], ['sync', 'succeeded']);
    assert.deepEqual(record.attempts[0].result, { greeting: 'hello ada' });
    const history = await holder.history();
    assert.deepEqual(
      history.find((r) => r.id === record.id),
      { id: record.id, functionName: 'GreetFunction', status: 'succeeded' },
    );
    assert.equal(lockHolderPid(), holder.pid, 'the CLI did not take the store');
  });

  it('ASYNC-2 invoke: a 2 MB async payload is a rejected 413 record of the other process engine, exit 1', async () => {
    const payload = JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) });
    const { code, out, err } = await run(
      ['invoke', 'GreetFunction', '--mode', 'async', '--payload', '-', '--json'],
      payload,
    );
    assert.equal(err, '');
    assert.equal(code, 1);
    const record = JSON.parse(out) as InvocationRecord;
    assert.deepEqual([record.status, record.response?.StatusCode], ['rejected', 413]);
    assert.equal((await holder.history()).find((r) => r.id === record.id)?.status, 'rejected');
  });

  it('the endpoint answers a payload nested 100,000 levels deep with a rejected record naming its depth, and serves on', async () => {
    const live = await attachToWorkspace(root);
    assert.ok(live, 'no live engine');
    try {
      const deep = '['.repeat(100_000) + ']'.repeat(100_000);
      for (const mode of ['sync', 'async'] as const) {
        const [record] = await live.engine.invoke('GreetFunction', deep, mode);
        assert.deepEqual(
          [record.status, record.response?.StatusCode, record.response?.errorMessage],
          [
            'rejected',
            400,
            'The payload nests 100000 levels deep; at most 512 levels of arrays and objects can be run.',
          ],
        );
      }
      const [after] = await live.engine.invoke('GreetFunction', '{"name":"ada"}', 'sync');
      assert.equal(after.status, 'succeeded');
    } finally {
      await live.close();
    }
  });

  it('invoke: a function error exits 1, its async on-failure delivery lands in the other process queue', async () => {
    const { code, out, err } = await run(
      ['invoke', 'GreetFunction', '--mode', 'async', '--payload', '-', '--json'],
      '{"fail":true}',
    );
    assert.equal(err, '');
    assert.equal(code, 1);
    const record = JSON.parse(out) as InvocationRecord;
    assert.deepEqual([record.status, record.condition], ['failed', 'RetriesExhausted']);
    assert.equal((await holder.history()).find((r) => r.id === record.id)?.status, 'failed');
    const delivered = record.deliveries.find((d) => d.kind === 'destination');
    assert.ok(delivered?.deliveredAs, 'the on-failure destination got a message');
    assert.ok((await holder.peek('GreetFailuresQueue')).some((m) => m.messageId === delivered.deliveredAs));
  });

  it('invoke: text output is the same record tree as without an engine to attach to', async () => {
    const { code, out, err } = await run(['invoke', 'GreetFunction']);
    assert.equal(err, '');
    assert.equal(code, 0);
    assert.match(
      out,
      /^GreetFunction {2}sync {2}succeeded {2}\(record [0-9a-f-]{36}\)\n {2}cost: 1 request, [^\n]+ \(x86_64\)\nattempts:\n {2}attempt 1 /,
    );
  });

  it('invoke: an unknown function is bad usage (exit 2), with the engine function names', async () => {
    const { code, out, err } = await run(['invoke', 'GreetFunc']);
    assert.equal(code, 2);
    assert.equal(out, '');
    assert.match(err, /^lambda-trigger invoke: no function named "GreetFunc" in .+; did you mean GreetFunction\?\n$/);
  });

  it('queues: lists the other process queues (exit 0, not 75)', async () => {
    const { code, out, err } = await run(['queues', '--json']);
    assert.equal(err, '');
    assert.equal(code, 0);
    assert.deepEqual(
      (JSON.parse(out) as QueueSummary[]).map((q) => [q.name, q.deadLetterQueueOf]),
      [
        ['GreetFailuresQueue', []],
        ['WorkDLQ', ['WorkQueue']],
        ['WorkQueue', []],
      ],
    );
  });

  it('queues send, peek and purge act on the other process queue', async () => {
    const sent = await run(['queues', 'send', 'GreetFailuresQueue', '--body', 'from the CLI', '--json']);
    assert.equal(sent.code, 0, sent.err);
    const { messageId } = JSON.parse(sent.out) as { messageId: string };
    assert.ok(
      (await holder.peek('GreetFailuresQueue')).some((m) => m.messageId === messageId && m.body === 'from the CLI'),
    );
    const peek = await run(['queues', 'peek', 'GreetFailuresQueue']);
    assert.equal(peek.code, 0);
    assert.match(
      peek.out,
      new RegExp(
        `^GreetFailuresQueue: \\d+ message\\(s\\)\\n(.|\\n)*${messageId} {2}received 0 time\\(s\\)\\n {2}body: from the CLI\\n`,
      ),
    );
    const purged = await run(['queues', 'purge', 'GreetFailuresQueue']);
    assert.equal(purged.code, 0);
    assert.match(purged.out, /^purged \d+ message\(s\) from GreetFailuresQueue\n$/);
    assert.deepEqual(await holder.peek('GreetFailuresQueue'), []);
  });

  it('input the engine refuses is bad usage (exit 2), as without an engine to attach to', async () => {
    fs.writeFileSync(path.join(root, 'big.txt'), 'x'.repeat(1024 * 1024 + 1));
    const { code, out, err } = await run(['queues', 'send', 'GreetFailuresQueue', '--file', 'big.txt']);
    assert.equal(code, 2);
    assert.equal(out, '');
    assert.equal(
      err,
      'lambda-trigger queues: cannot send to GreetFailuresQueue: SendMessage to GreetFailuresQueue: the body is 1048577 bytes; SQS allows 1048576.\n',
    );
    assert.deepEqual(await holder.peek('GreetFailuresQueue'), []);
  });

  it('SQS-3 queues send --run: the running mapping delivers at once, fails, and the DLQ has it; redrive brings it back', async () => {
    const sent = await run(['queues', 'send', 'WorkQueue', '--body', 'poison', '--run', '--json']);
    assert.equal(sent.code, 1, 'the delivered batch failed');
    const { messageId, records } = JSON.parse(sent.out) as { messageId: string; records: InvocationRecord[] };
    assert.ok(records.length > 0);
    assert.ok(records.every((r) => r.functionName === 'WorkerFunction' && r.mode === 'batch'));
    assert.deepEqual(
      records.flatMap((r) => r.batches.flatMap((b) => b.redrives ?? [])).map((r) => [r.id, r.target.split(':').pop()]),
      [[messageId, 'WorkDLQ']],
    );
    const history = new Set((await holder.history()).map((r) => r.id));
    assert.ok(
      records.every((r) => history.has(r.id)),
      'the records are the other process engine records',
    );

    const dlq = await holder.peek('WorkDLQ');
    assert.deepEqual(
      dlq.map((m) => m.body),
      ['poison'],
    );
    const peek = await run(['queues', 'peek', 'WorkDLQ', '--json']);
    assert.deepEqual(
      (JSON.parse(peek.out) as Array<{ messageId: string }>).map((m) => m.messageId),
      [dlq[0].messageId],
    );

    const redriven = await run(['queues', 'redrive', 'WorkDLQ', '--run', '--json']);
    assert.equal(redriven.code, 1, 'the redriven message fails again');
    const result = JSON.parse(redriven.out) as { moved: number; to: string[]; records: InvocationRecord[] };
    assert.deepEqual([result.moved, result.to], [1, ['WorkQueue']]);
    assert.ok(result.records.length > 0 && result.records.every((r) => r.functionName === 'WorkerFunction'));
    const back = await holder.peek('WorkDLQ');
    assert.equal(back.length, 1);
    assert.notEqual(back[0].messageId, dlq[0].messageId, 'a redriven message is a new message');
  });

  it('queues replay runs a message of the other process queue through a function', async () => {
    const [message] = await holder.peek('WorkDLQ');
    const { code, out } = await run([
      'queues',
      'replay',
      'WorkDLQ',
      message.messageId,
      '--function',
      'GreetFunction',
      '--mode',
      'sync',
      '--json',
    ]);
    assert.equal(code, 0);
    const record = JSON.parse(out) as InvocationRecord;
    assert.deepEqual([record.mode, record.status, record.source?.type], ['sync', 'succeeded', 'replay']);
    assert.ok((await holder.history()).some((r) => r.id === record.id));
  });

  it('--time-scale does not apply to a live engine: said on stderr, the invocation runs there', async () => {
    const { code, out, err } = await run(['invoke', 'GreetFunction', '--time-scale', '60', '--json']);
    assert.equal(code, 0);
    assert.equal(
      err,
      `lambda-trigger invoke: --time-scale does not apply: the engine of the engine-holder test fixture, process ${holder.pid} runs at its own time scale (instant; the lambdaTrigger.timeScale setting of that window).\n`,
    );
    assert.ok((await holder.history()).some((r) => r.id === (JSON.parse(out) as InvocationRecord).id));
  });

  for (const [title, args, reason] of [
    ['--ephemeral', ['GreetFunction', '--ephemeral'], '--ephemeral asks for a store of its own'],
    ['--env', ['GreetFunction', '--env', 'STAGE=ci'], '--env changes the function for this run only'],
    [
      '--timeout and --memory',
      ['GreetFunction', '--timeout', '5', '--memory', '256'],
      '--timeout, --memory change the function for this run only',
    ],
    ['a handler path', ['src/greet.handler'], 'src/greet.handler is a handler run on its own'],
  ] as Array<[string, string[], string]>) {
    it(`${title}: keeps to a store of its own, and says so`, async () => {
      const { code, out, err } = await run(['invoke', ...args, '--json']);
      assert.equal(code, 0, err);
      assert.equal(
        err,
        `lambda-trigger invoke: the engine of the engine-holder test fixture, process ${holder.pid} serves ${root}, but ${reason}: this run uses a throwaway store of its own (its queues start empty and its records do not reach that engine).\n`,
      );
      const record = JSON.parse(out) as InvocationRecord;
      assert.deepEqual(record.attempts[0].result, { greeting: 'hello world' });
      assert.ok(!(await holder.history()).some((r) => r.id === record.id), 'not in the other engine');
      assert.equal(lockHolderPid(), holder.pid);
    });
  }

  it('the endpoint directory is owner-only (0700), its socket 0600, the descriptor 0600', function () {
    if (process.platform === 'win32') this.skip();
    const dir = endpointDirOf(root);
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    const descriptor = JSON.parse(fs.readFileSync(descriptorPathOf(root), 'utf8')) as { socket: string; pid: number };
    assert.equal(descriptor.pid, holder.pid);
    assert.equal(path.dirname(descriptor.socket), dir);
    assert.ok(fs.statSync(descriptor.socket).isSocket());
    assert.equal(fs.statSync(descriptor.socket).mode & 0o777, 0o600);
    assert.equal(fs.statSync(descriptorPathOf(root)).mode & 0o777, 0o600);
  });
});
