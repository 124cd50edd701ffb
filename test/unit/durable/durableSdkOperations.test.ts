/**
 * More of the JavaScript SDK, unmodified, in real handler processes: parallel branches, map, child contexts,
 * waitForCondition, chained invokes of durable and plain local functions, a result over 6 MB, and a synchronous
 * start that answers the execution's result.
 */
import * as assert from 'node:assert/strict';
import {
  GetDurableExecutionCommand,
  GetDurableExecutionHistoryCommand,
  InvokeCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { waitFor } from '../../support/waitFor';
import { lambda } from '../invoke/model';
import { openAwsTestAccount, type AwsTestAccount } from '../endpoints/aws/awsTestAccount';

const SDK = `const { withDurableExecution } = require('@aws/durable-execution-sdk-js');\n`;

const HANDLERS: Record<string, string> = {
  'fanout.js': `${SDK}
exports.handler = withDurableExecution(async (event, context) => {
  const parallel = await context.parallel('both', [
    async (ctx) => { await ctx.wait({ hours: 1 }); return 'waited'; },
    async (ctx) => ctx.step('quick', async () => 'stepped'),
  ]);
  const mapped = await context.map('squares', [1, 2, 3], async (ctx, item) => ctx.step(async () => item * item));
  const child = await context.runInChildContext('child', async (ctx) => {
    const a = await ctx.step('a', async () => 20);
    await ctx.wait({ minutes: 5 });
    return a + 1;
  });
  const polled = await context.waitForCondition('poll', async (state) => ({ n: state.n + 1 }), {
    initialState: { n: 0 },
    waitStrategy: (state) => (state.n >= 3 ? { shouldContinue: false } : { shouldContinue: true, delay: { minutes: 10 } }),
  });
  return { parallel: parallel.getResults(), mapped: mapped.getResults(), child, polled };
});
`,
  'chain.js': `${SDK}
exports.handler = withDurableExecution(async (event, context) => {
  const durable = await context.invoke('worker', 'Worker:$LATEST', { n: event.n });
  const plain = await context.invoke('plain', 'Plain', { n: event.n });
  let failed;
  try {
    await context.invoke('broken', 'Broken', {});
  } catch (error) {
    failed = error.message;
  }
  return { durable, plain, failed };
});
`,
  'worker.js': `${SDK}
exports.handler = withDurableExecution(async (event, context) => {
  await context.wait({ days: 1 });
  return context.step('work', async () => event.n * 10);
});
`,
  'plain.js': `exports.handler = async (event) => ({ plain: event.n + 1 });\n`,
  'broken.js': `exports.handler = async () => { throw new TypeError('broken on purpose'); };\n`,
  'big.js': `${SDK}
exports.handler = withDurableExecution(async (event, context) => {
  const size = await context.step('size', async () => event.bytes);
  return { blob: 'x'.repeat(size) };
});
`,
};

const CONFIG = { executionTimeout: 86_400 * 30, retentionPeriodInDays: 14 };

describe('durable functions: operations of the JavaScript SDK', function () {
  this.timeout(120_000);
  let t: AwsTestAccount;
  let client: LambdaClient;

  before(async () => {
    t = await openAwsTestAccount(
      'ltr-durable-ops-',
      (dir) => [
        lambda('Fanout', { handler: 'fanout.handler', codeRoot: dir, timeout: 30, durableConfig: CONFIG }),
        lambda('Chain', { handler: 'chain.handler', codeRoot: dir, timeout: 30, durableConfig: CONFIG }),
        lambda('Worker', { handler: 'worker.handler', codeRoot: dir, timeout: 30, durableConfig: CONFIG }),
        lambda('Plain', { handler: 'plain.handler', codeRoot: dir }),
        lambda('Broken', { handler: 'broken.handler', codeRoot: dir }),
        lambda('Big', { handler: 'big.handler', codeRoot: dir, timeout: 60, memorySize: 512, durableConfig: CONFIG }),
      ],
      HANDLERS,
    );
    client = new LambdaClient(t.client);
  });
  after(async () => {
    client?.destroy();
    await t?.dispose();
  });

  const finished = (arn: string) =>
    waitFor(`execution ${arn} to end`, async () => {
      const e = await client.send(new GetDurableExecutionCommand({ DurableExecutionArn: arn }));
      return e.Status !== 'RUNNING' ? e : undefined;
    });

  it('DURABLE-3 DURABLE-4: parallel branches, map, a child context and waitForCondition, through their waits and polls', async () => {
    const started = await client.send(
      new InvokeCommand({ FunctionName: 'Fanout:$LATEST', InvocationType: 'Event', Payload: '{}' }),
    );
    const done = await finished(started.DurableExecutionArn!);
    assert.equal(done.Status, 'SUCCEEDED', JSON.stringify(done.Error));
    assert.deepEqual(JSON.parse(done.Result!), {
      parallel: ['waited', 'stepped'],
      mapped: [1, 4, 9],
      child: 21,
      polled: { n: 3 },
    });
    const events =
      (await client.send(new GetDurableExecutionHistoryCommand({ DurableExecutionArn: started.DurableExecutionArn! })))
        .Events ?? [];
    const subTypes = new Set(events.map((e) => e.SubType));
    for (const s of ['Parallel', 'ParallelBranch', 'Map', 'MapIteration', 'RunInChildContext', 'WaitForCondition'])
      assert.ok(subTypes.has(s), `${s} in the history`);
    // waitForCondition's "not yet" is a RETRY with its state: logged as a StepSucceeded with the next delay.
    const polls = events.filter((e) => e.Name === 'poll' && e.EventType === 'StepSucceeded');
    assert.equal(polls.length, 3);
  });

  it('DURABLE-12: chained invokes run a durable function as its own execution, a plain one synchronously, and carry errors', async () => {
    const started = await client.send(
      new InvokeCommand({ FunctionName: 'Chain:$LATEST', InvocationType: 'Event', Payload: '{"n":4}' }),
    );
    const done = await finished(started.DurableExecutionArn!);
    assert.equal(done.Status, 'SUCCEEDED', JSON.stringify(done.Error));
    const result = JSON.parse(done.Result!) as { durable: number; plain: { plain: number }; failed: string };
    assert.equal(result.durable, 40);
    assert.deepEqual(result.plain, { plain: 5 });
    assert.match(result.failed, /broken on purpose/);
    const events =
      (await client.send(new GetDurableExecutionHistoryCommand({ DurableExecutionArn: started.DurableExecutionArn! })))
        .Events ?? [];
    const workerStart = events.find((e) => e.EventType === 'ChainedInvokeStarted' && e.Name === 'worker');
    const childArn = workerStart?.ChainedInvokeStartedDetails?.DurableExecutionArn;
    assert.match(childArn ?? '', /function:Worker:\$LATEST\/durable-execution\//);
    assert.equal((await finished(childArn!)).Status, 'SUCCEEDED');
    assert.deepEqual(
      events
        .filter((e) => e.EventType?.startsWith('ChainedInvoke') && e.EventType !== 'ChainedInvokeStarted')
        .map((e) => [e.Name, e.EventType]),
      [
        ['worker', 'ChainedInvokeSucceeded'],
        ['plain', 'ChainedInvokeSucceeded'],
        ['broken', 'ChainedInvokeFailed'],
      ],
    );
    // The records of the invoked functions continue the caller's story.
    const head = t.account.engine
      .records()
      .find((r) => r.execution?.arn === started.DurableExecutionArn && r.execution?.invocation === 1);
    const plain = t.account.engine.records().find((r) => r.functionName === 'Plain');
    assert.equal(plain?.storyId, head?.id);
  });

  it('DURABLE-2: a result over 6 MB is checkpointed by the SDK and answered by GetDurableExecution', async () => {
    const bytes = 6 * 1024 * 1024 + 1000;
    const started = await client.send(
      new InvokeCommand({ FunctionName: 'Big:$LATEST', InvocationType: 'Event', Payload: JSON.stringify({ bytes }) }),
    );
    const done = await finished(started.DurableExecutionArn!);
    assert.equal(done.Status, 'SUCCEEDED', JSON.stringify(done.Error));
    assert.equal((JSON.parse(done.Result!) as { blob: string }).blob.length, bytes);
  });

  it('DURABLE-5: a synchronous start answers the execution result; past 15 minutes it answers that the execution carries on', async () => {
    const quick = await client.send(new InvokeCommand({ FunctionName: 'Big:$LATEST', Payload: '{"bytes":3}' }));
    assert.equal(quick.FunctionError, undefined);
    assert.deepEqual(JSON.parse(Buffer.from(quick.Payload!).toString()), { blob: 'xxx' });
    assert.match(quick.DurableExecutionArn ?? '', /function:Big:\$LATEST\/durable-execution\//);

    const long = await client.send(new InvokeCommand({ FunctionName: 'Worker:$LATEST', Payload: '{"n":7}' }));
    assert.equal(long.FunctionError, 'Unhandled');
    assert.match(Buffer.from(long.Payload!).toString(), /DurableExecutionStillRunning/);
    const done = await finished(long.DurableExecutionArn!);
    assert.equal(done.Result, '70');
  });
});
