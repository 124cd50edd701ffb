/**
 * The official durable execution SDK for JavaScript, unmodified, in real handler processes against the local
 * durable execution service: its checkpoints and state reads reach the engine through AWS_ENDPOINT_URL_LAMBDA,
 * waits and retries run on the simulated clock, callbacks are completed through the AWS SDK's Lambda client as
 * an external system would, and every handler invocation is a record of the execution's story.
 */
import * as assert from 'node:assert/strict';
import {
  GetDurableExecutionCommand,
  GetDurableExecutionHistoryCommand,
  InvokeCommand,
  LambdaClient,
  ListDurableExecutionsByFunctionCommand,
  SendDurableExecutionCallbackFailureCommand,
  SendDurableExecutionCallbackHeartbeatCommand,
  SendDurableExecutionCallbackSuccessCommand,
  StopDurableExecutionCommand,
  CheckpointDurableExecutionCommand,
  GetDurableExecutionStateCommand,
  type Event as HistoryEvent,
} from '@aws-sdk/client-lambda';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { waitFor } from '../../support/waitFor';
import { lambda } from '../invoke/model';
import { openAwsTestAccount, type AwsTestAccount } from '../endpoints/aws/awsTestAccount';

const SDK = `const { withDurableExecution } = require('@aws/durable-execution-sdk-js');\n`;

const HANDLERS: Record<string, string> = {
  // A step that fails twice before it succeeds, a wait of seven days, an approval callback.
  'order.js': `${SDK}
let calls = 0;
exports.handler = withDurableExecution(async (event, context) => {
  const charged = await context.step('charge', async () => {
    calls++;
    if (calls < 3) throw new Error('card declined ' + calls);
    return { amount: event.amount, attempt: calls };
  }, { retryStrategy: (error, attempt) => ({ shouldRetry: attempt < 5, delay: { seconds: 30 } }) });
  await context.wait('cool-off', { days: 7 });
  const approval = await context.waitForCallback('approval', async (callbackId) => {
    console.log('approval requested ' + callbackId);
  }, { timeout: { days: 2 } });
  return { charged, approval };
});
`,
  'callbacks.js': `${SDK}
exports.handler = withDurableExecution(async (event, context) => {
  const [promise, callbackId] = await context.createCallback('signal', {
    ...(event.timeoutSeconds ? { timeout: { seconds: event.timeoutSeconds } } : {}),
    ...(event.heartbeatSeconds ? { heartbeatTimeout: { seconds: event.heartbeatSeconds } } : {}),
  });
  try {
    return { got: await promise };
  } catch (error) {
    return { failed: error.name, message: error.message };
  }
});
`,
};

const ORDER_CONFIG = { executionTimeout: 30 * 86_400, retentionPeriodInDays: 14 };

describe('durable functions: the JavaScript SDK against the local service', function () {
  this.timeout(120_000);
  let t: AwsTestAccount;
  let client: LambdaClient;

  before(async () => {
    t = await openAwsTestAccount(
      'ltr-durable-sdk-',
      (dir) => [
        lambda('Orders', { handler: 'order.handler', codeRoot: dir, timeout: 30, durableConfig: ORDER_CONFIG }),
        lambda('Signals', { handler: 'callbacks.handler', codeRoot: dir, timeout: 30, durableConfig: ORDER_CONFIG }),
      ],
      HANDLERS,
    );
    client = new LambdaClient(t.client);
  });
  after(async () => {
    client?.destroy();
    await t?.dispose();
  });

  const history = async (arn: string): Promise<HistoryEvent[]> =>
    (await client.send(new GetDurableExecutionHistoryCommand({ DurableExecutionArn: arn, IncludeExecutionData: true })))
      .Events ?? [];
  const callbackIdOf = async (arn: string, name: string): Promise<string> =>
    waitFor(`callback ${name} to start`, async () => {
      const events = await history(arn);
      // createCallback names the callback; waitForCallback names the context around it.
      const context = events.find((e) => e.EventType === 'ContextStarted' && e.Name === name)?.Id;
      const started = events.find(
        (e) => e.EventType === 'CallbackStarted' && (e.Name === name || (context && e.ParentId === context)),
      );
      return started?.CallbackStartedDetails?.CallbackId;
    });
  const statusOf = async (arn: string) => client.send(new GetDurableExecutionCommand({ DurableExecutionArn: arn }));
  const storyOf = (arn: string): InvocationRecord[] =>
    t.account.engine
      .records()
      .filter((r) => r.execution?.arn === arn)
      .sort((a, b) => a.execution!.invocation - b.execution!.invocation);

  it('DURABLE-3 DURABLE-4 DURABLE-10 DURABLE-13: a step retried on the clock, a seven-day wait and an approval callback, end to end', async () => {
    const started = await client.send(
      new InvokeCommand({
        FunctionName: 'Orders',
        Qualifier: '$LATEST',
        InvocationType: 'Event',
        Payload: '{"amount":42}',
      }),
    );
    assert.equal(started.StatusCode, 202);
    const arn = started.DurableExecutionArn!;
    assert.match(arn, /^arn:aws:lambda:[^:]+:\d{12}:function:Orders:\$LATEST\/durable-execution\/[^/]+\/[^/]+$/);
    const callbackId = await callbackIdOf(arn, 'approval');
    const waiting = await statusOf(arn);
    assert.equal(waiting.Status, 'RUNNING');
    // The seven days passed on the simulated clock while the test waited for the callback to start.
    const events = await history(arn);
    const waitStarted = events.find((e) => e.EventType === 'WaitStarted');
    const waitDone = events.find((e) => e.EventType === 'WaitSucceeded');
    assert.equal(waitStarted?.WaitStartedDetails?.Duration, 7 * 86_400);
    assert.ok(
      waitDone &&
        waitStarted &&
        waitDone.EventTimestamp!.getTime() - waitStarted.EventTimestamp!.getTime() >= 7 * 86_400_000,
    );

    await client.send(
      new SendDurableExecutionCallbackSuccessCommand({
        CallbackId: callbackId,
        Result: Buffer.from('{"approved":true}'),
      }),
    );
    const done = await waitFor('the execution to succeed', async () => {
      const e = await statusOf(arn);
      return e.Status === 'SUCCEEDED' ? e : undefined;
    });
    // The SDK's default callback serdes hands the body over as the string sent.
    assert.deepEqual(JSON.parse(done.Result!), { charged: { amount: 42, attempt: 3 }, approval: '{"approved":true}' });

    const types = (await history(arn)).map((e) => e.EventType);
    assert.equal(types[0], 'ExecutionStarted');
    assert.equal(types[types.length - 1], 'ExecutionSucceeded');
    assert.equal(types[types.length - 2], 'InvocationCompleted');
    assert.deepEqual(
      (await history(arn))
        .filter((e) => e.Name === 'charge' && e.EventType !== 'StepStarted')
        .map((e) => [
          e.EventType,
          e.StepFailedDetails?.RetryDetails?.CurrentAttempt ?? e.StepSucceededDetails?.RetryDetails?.CurrentAttempt,
        ]),
      [
        ['StepFailed', 1],
        ['StepFailed', 2],
        ['StepSucceeded', 3],
      ],
    );
    // DURABLE-13: every invocation is a record of one story, the first its head.
    const records = storyOf(arn);
    assert.ok(records.length >= 4, `${records.length} invocations`);
    assert.equal(records[0].storyId, undefined);
    for (const r of records.slice(1)) assert.equal(r.storyId, records[0].id);
    assert.equal(records[records.length - 1].execution?.status, 'SUCCEEDED');
    assert.equal(records[records.length - 1].execution?.outcome, 'SUCCEEDED');
    const listed = await client.send(new ListDurableExecutionsByFunctionCommand({ FunctionName: 'Orders' }));
    assert.ok(listed.DurableExecutions?.some((e) => e.DurableExecutionArn === arn && e.Status === 'SUCCEEDED'));
  });

  it('DURABLE-3: a callback failed from outside fails its promise in the handler', async () => {
    const started = await client.send(
      new InvokeCommand({ FunctionName: 'Signals:$LATEST', InvocationType: 'Event', Payload: '{}' }),
    );
    const arn = started.DurableExecutionArn!;
    const callbackId = await callbackIdOf(arn, 'signal');
    await client.send(
      new SendDurableExecutionCallbackFailureCommand({
        CallbackId: callbackId,
        Error: { ErrorType: 'Rejected', ErrorMessage: 'no stock' },
      }),
    );
    const done = await waitFor('the execution to end', async () => {
      const e = await statusOf(arn);
      return e.Status !== 'RUNNING' ? e : undefined;
    });
    assert.equal(done.Status, 'SUCCEEDED', JSON.stringify(done.Error));
    assert.match(done.Result!, /no stock/);
    // A callback completed once cannot be completed again.
    await assert.rejects(
      client.send(new SendDurableExecutionCallbackSuccessCommand({ CallbackId: callbackId, Result: Buffer.from('1') })),
      (e: Error) => e.name === 'InvalidParameterValueException',
    );
  });

  it('DURABLE-3 DURABLE-4: a callback times out once time passes its timeout', async () => {
    // Deadlines that wait for someone else never make an instant clock jump: a fast finite scale lets them pass.
    t.account.engine.setTimeScale(100_000);
    try {
      await callbackTimeouts();
    } finally {
      t.account.engine.setTimeScale(Infinity);
    }
  });

  async function callbackTimeouts(): Promise<void> {
    const timedOut = await client.send(
      new InvokeCommand({
        FunctionName: 'Signals:$LATEST',
        InvocationType: 'Event',
        Payload: '{"timeoutSeconds":3600}',
      }),
    );
    const done = await waitFor('the callback to time out', async () => {
      const e = await statusOf(timedOut.DurableExecutionArn!);
      return e.Status !== 'RUNNING' ? e : undefined;
    });
    assert.match(done.Result!, /CallbackTimeoutError|timed out/i);
    assert.ok((await history(timedOut.DurableExecutionArn!)).some((e) => e.EventType === 'CallbackTimedOut'));
  }

  it('DURABLE-3: a heartbeat moves the heartbeat deadline; without another, the callback times out', async () => {
    // At the instant scale nothing moves time while the test sends the heartbeat.
    const beating = await client.send(
      new InvokeCommand({
        FunctionName: 'Signals:$LATEST',
        InvocationType: 'Event',
        Payload: '{"heartbeatSeconds":600}',
      }),
    );
    const arn = beating.DurableExecutionArn!;
    const callbackId = await callbackIdOf(arn, 'signal');
    const timers = () => Object.values(t.account.engine.durable.find(arn)!.callbackTimers)[0];
    const before = timers().heartbeatAt!;
    await t.account.engine.runUntilIdle();
    t.account.engine.clock.advanceTo(t.account.engine.clock.now() + 60_000);
    await client.send(new SendDurableExecutionCallbackHeartbeatCommand({ CallbackId: callbackId }));
    assert.equal(timers().heartbeatAt, Math.round(t.account.engine.clock.now()) + 600_000);
    assert.ok(timers().heartbeatAt! > before);
    t.account.engine.setTimeScale(100_000);
    try {
      await waitFor('the heartbeat timeout', async () => (await statusOf(arn)).Status !== 'RUNNING');
    } finally {
      t.account.engine.setTimeScale(Infinity);
    }
    const timedOutEvent = (await history(arn)).find((e) => e.EventType === 'CallbackTimedOut');
    assert.match(JSON.stringify(timedOutEvent), /heartbeat/i);
  });

  it('DURABLE-11: stop ends a waiting execution; a second stop answers the same time', async () => {
    const started = await client.send(
      new InvokeCommand({ FunctionName: 'Signals:$LATEST', InvocationType: 'Event', Payload: '{}' }),
    );
    const arn = started.DurableExecutionArn!;
    await callbackIdOf(arn, 'signal');
    const first = await client.send(
      new StopDurableExecutionCommand({ DurableExecutionArn: arn, Error: { ErrorMessage: 'by hand' } }),
    );
    const again = await client.send(new StopDurableExecutionCommand({ DurableExecutionArn: arn }));
    assert.equal(first.StopTimestamp?.getTime(), again.StopTimestamp?.getTime());
    const stopped = await statusOf(arn);
    assert.equal(stopped.Status, 'STOPPED');
    // DURABLE-10: the terminal event follows the InvocationCompleted of a handler that was still running.
    const types = await waitFor('the stop in the history', async () => {
      const all = (await history(arn)).map((e) => e.EventType);
      return all[all.length - 1] === 'ExecutionStopped' ? all : undefined;
    });
    assert.equal(types[types.length - 2], 'InvocationCompleted');
  });

  it('DURABLE-5: the same execution name and input start one execution; another input is refused', async () => {
    const invoke = (payload: string) =>
      client.send(
        new InvokeCommand({
          FunctionName: 'Signals:$LATEST',
          InvocationType: 'Event',
          Payload: payload,
          DurableExecutionName: 'once',
        }),
      );
    const first = await invoke('{}');
    const second = await invoke('{}');
    assert.equal(second.DurableExecutionArn, first.DurableExecutionArn);
    await assert.rejects(invoke('{"other":1}'), (e: Error) => e.name === 'DurableExecutionAlreadyStartedException');
    await assert.rejects(
      client.send(new InvokeCommand({ FunctionName: 'Signals', InvocationType: 'Event', Payload: '{}' })),
      (e: Error) => e.name === 'InvalidParameterValueException' && /qualified/.test(e.message),
    );
  });

  it('DURABLE-6 DURABLE-11: the wire: errors with their codes and statuses, timestamps as dates, percent-encoded ARNs', async () => {
    const started = await client.send(
      new InvokeCommand({ FunctionName: 'Signals:$LATEST', InvocationType: 'Event', Payload: '{"wire":1}' }),
    );
    const arn = started.DurableExecutionArn!;
    await callbackIdOf(arn, 'signal');
    const execution = await statusOf(arn);
    // The ARN ($, :, /) went through the path percent-encoded, and came back whole.
    assert.equal(execution.DurableExecutionArn, arn);
    assert.ok(execution.StartTimestamp instanceof Date);
    assert.equal(execution.StartTimestamp.getTime(), t.account.engine.durable.find(arn)!.startMs);
    assert.equal(execution.InputPayload, '{"wire":1}');
    const refused = async (send: Promise<unknown>): Promise<[string, number | undefined, string]> => {
      try {
        await send;
      } catch (e) {
        const err = e as Error & { $metadata?: { httpStatusCode?: number } };
        return [err.name, err.$metadata?.httpStatusCode, err.message];
      }
      return ['accepted', 200, ''];
    };
    const [name, status, message] = await refused(
      client.send(
        new CheckpointDurableExecutionCommand({ DurableExecutionArn: arn, CheckpointToken: 'stale', Updates: [] }),
      ),
    );
    assert.deepEqual([name, status], ['InvalidParameterValueException', 400]);
    assert.match(message, /^Invalid Checkpoint Token/);
    assert.deepEqual(
      (
        await refused(
          client.send(new GetDurableExecutionStateCommand({ DurableExecutionArn: arn, CheckpointToken: 'stale' })),
        )
      ).slice(0, 2),
      ['InvalidParameterValueException', 400],
    );
    assert.deepEqual(
      (await refused(client.send(new GetDurableExecutionCommand({ DurableExecutionArn: `${arn}-nope` })))).slice(0, 2),
      ['ResourceNotFoundException', 404],
    );
    assert.deepEqual(
      (
        await refused(
          client.send(new SendDurableExecutionCallbackSuccessCommand({ CallbackId: 'nope', Result: Buffer.from('1') })),
        )
      ).slice(0, 2),
      ['ResourceNotFoundException', 404],
    );
    assert.deepEqual(
      (
        await refused(client.send(new ListDurableExecutionsByFunctionCommand({ FunctionName: 'Signals', MaxItems: 0 })))
      ).slice(0, 2),
      ['InvalidParameterValueException', 400],
    );
    await client.send(new StopDurableExecutionCommand({ DurableExecutionArn: arn }));
  });
});
