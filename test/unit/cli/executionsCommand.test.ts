/**
 * `lambda-trigger executions` on a workspace with a durable function (SAM DurableConfig, the unmodified SDK in its
 * own node_modules): an execution started by `invoke` waits for its approval; the CLI lists it, completes the
 * callback (by the execution's name: its one pending callback), and reads its history; stop and bad input.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { buildBootstraps } from '../runtime/bootstrapBuild';
import { tempWorkspace } from '../endpoints/aws/awsTestAccount';
import { cli } from './cliHarness';
import { EngineHolderProcess } from '../endpoints/engineHolderProcess';
import { waitFor } from '../../support/waitFor';

const TEMPLATE = [
  'Transform: AWS::Serverless-2016-10-31',
  'Resources:',
  '  Approvals:',
  '    Type: AWS::Serverless::Function',
  '    Properties:',
  '      Handler: approvals.handler',
  '      Runtime: nodejs20.x',
  '      Timeout: 30',
  '      DurableConfig:',
  '        ExecutionTimeout: 604800',
  '',
].join('\n');

const HANDLER = `
const { withDurableExecution } = require('@aws/durable-execution-sdk-js');
exports.handler = withDurableExecution(async (event, context) => {
  const checked = await context.step('check', async () => event.amount < 100);
  await context.wait({ hours: 12 });
  const decision = await context.waitForCallback('approval', async () => {});
  return { checked, decision };
});
`;

describe('cli: lambda-trigger executions', function () {
  this.timeout(60_000);
  let root: string;
  let env: Record<string, string>;
  const run = (args: string[]) => cli(args, root, env);

  before(async () => {
    root = tempWorkspace('ltr-cli-executions-', { 'template.yaml': TEMPLATE, 'approvals.js': HANDLER });
    env = { LAMBDA_TRIGGER_BOOTSTRAP_DIR: await buildBootstraps(), HOME: root };
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('DURABLE-3 DURABLE-11 DURABLE-13: invoke follows the execution to its callback; list, complete the callback, get and history, in text and JSON', async () => {
    fs.writeFileSync(path.join(root, 'event.json'), '{"amount":42}');
    const invoked = await run(['invoke', 'Approvals', '--payload', 'event.json', '--json']);
    assert.equal(invoked.code, 0, invoked.err);
    // DURABLE-13: the run follows the execution through its wait to the callback: two invocations, one story.
    const records = JSON.parse(invoked.out) as InvocationRecord[];
    assert.deepEqual(
      records.map((r) => [r.execution?.invocation, r.execution?.outcome, r.storyId === undefined]),
      [
        [1, 'PENDING', true],
        [2, 'PENDING', false],
      ],
    );
    assert.equal(records[0].source, undefined);

    const listed = await run(['executions', '--json']);
    assert.equal(listed.code, 0, listed.err);
    const [execution] = JSON.parse(listed.out) as Array<{ DurableExecutionName: string; Status: string }>;
    assert.equal(execution.Status, 'RUNNING');
    assert.match(
      (await run(['executions', 'list'])).out,
      new RegExp(`^${execution.DurableExecutionName} {2}RUNNING`, 'm'),
    );

    const done = await run([
      'executions',
      'callback',
      execution.DurableExecutionName,
      '--succeed',
      'approved',
      '--json',
    ]);
    assert.equal(done.code, 0, done.err);
    const answer = JSON.parse(done.out) as { callbackId: string; execution: { Status: string; Result: string } };
    assert.equal(answer.execution.Status, 'SUCCEEDED');
    assert.deepEqual(JSON.parse(answer.execution.Result), { checked: true, decision: 'approved' });

    const got = await run(['executions', 'get', execution.DurableExecutionName]);
    assert.match(got.out, /SUCCEEDED/);
    assert.match(got.out, /result {3}\{"checked":true,"decision":"approved"\}/);
    const history = await run(['executions', 'history', execution.DurableExecutionName]);
    assert.equal(history.code, 0, history.err);
    assert.match(history.out, /^ {3}1 {2}\S+ {2}ExecutionStarted/m);
    assert.match(history.out, /WaitStarted \(Wait\).*until /);
    assert.match(history.out, /CallbackSucceeded \(Callback\).*result "approved"/);
    assert.match(history.out, /ExecutionSucceeded/);

    const again = await run(['executions', 'callback', answer.callbackId, '--succeed', '"twice"']);
    assert.equal(again.code, 2);
    assert.match(again.err, /already completed \(SUCCEEDED\)/);
  });

  it('DURABLE-11: stop ends a waiting execution; unknown executions and bad options are usage errors', async () => {
    assert.equal((await run(['invoke', 'Approvals', '--mode', 'async', '--payload', 'event.json'])).code, 0);
    const list = JSON.parse((await run(['executions', 'list', '--function', 'Approvals', '--json'])).out) as Array<{
      DurableExecutionArn: string;
      Status: string;
    }>;
    const running = list.find((e) => e.Status === 'RUNNING')!;
    const stopped = await run([
      'executions',
      'stop',
      running.DurableExecutionArn,
      '--error',
      '{"ErrorMessage":"by hand"}',
      '--json',
    ]);
    assert.equal(stopped.code, 0, stopped.err);
    assert.equal((JSON.parse(stopped.out) as { Status: string }).Status, 'STOPPED');

    const unknown = await run(['executions', 'get', 'nope']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /No durable execution "nope"/);
    assert.equal((await run(['executions', 'callback', 'x'])).code, 2);
    assert.equal((await run(['executions', 'callback', 'x', '--fail', 'not json'])).code, 2);
    assert.match((await run(['executions', 'callback', 'x', '--succeed', '1'])).err, /Callback not found: x/);
    assert.equal((await run(['executions', 'get', 'a', '--heartbeat'])).code, 2);
  });

  it('DURABLE-3: attached to the engine another process holds, the same commands work on its executions', async () => {
    const holder = await EngineHolderProcess.start(root, env.LAMBDA_TRIGGER_BOOTSTRAP_DIR);
    try {
      const invoked = await run(['invoke', 'Approvals', '--mode', 'async', '--payload', 'event.json', '--json']);
      assert.equal(invoked.code, 0, invoked.err);
      const list = JSON.parse((await run(['executions', '--json'])).out) as Array<{
        DurableExecutionArn: string;
        Status: string;
      }>;
      const running = list.filter((e) => e.Status === 'RUNNING');
      assert.equal(running.length, 1);
      const sent = await run(['executions', 'callback', running[0].DurableExecutionArn, '--succeed', 'ok']);
      assert.equal(sent.code, 0, sent.err);
      // The holder's engine carries the execution on by itself.
      const done = await waitFor('the execution to succeed in the holder', async () => {
        const got = JSON.parse((await run(['executions', 'get', running[0].DurableExecutionArn, '--json'])).out) as {
          Status: string;
          Result?: string;
        };
        return got.Status === 'SUCCEEDED' ? got : undefined;
      });
      assert.deepEqual(JSON.parse(done.Result!), { checked: true, decision: 'ok' });
    } finally {
      await holder.stop();
    }
  });
});
