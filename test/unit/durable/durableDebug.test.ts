/**
 * DURABLE-15: "Debug" on a durable function (LocalAccount.debug, what the editor's Debug runs) keeps the execution
 * under the debugger: every invocation of its handler, the replays after a wait and after a callback included,
 * starts in an environment of its own with the inspector listening and reports its attach configuration, and a
 * debugger attached to it stops at the handler's `debugger` statement each time. Another execution of the same
 * function, not started under the debugger, runs without it.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DebugAttachInfo } from '../../../src/core/runtime';
import { pauseOf, type Paused } from '../../support/cdpClient';
import { waitFor } from '../../support/waitFor';
import { openAwsTestAccount, type AwsTestAccount } from '../endpoints/aws/awsTestAccount';
import { lambda } from '../invoke/model';

const HANDLER = `const { withDurableExecution } = require('@aws/durable-execution-sdk-js');
exports.handler = withDurableExecution(async (event, context) => {
  debugger;
  await context.wait('cool-off', { minutes: 10 });
  const approval = await context.waitForCallback('approval', async () => {});
  return { approval };
});
`;
const DEBUGGER_LINE = HANDLER.split('\n').indexOf('  debugger;');

describe('durable functions: debugging replays (DURABLE-15)', function () {
  this.timeout(120_000);
  let t: AwsTestAccount;

  before(async () => {
    t = await openAwsTestAccount(
      'ltr-durable-debug-',
      (dir) => [
        lambda('Approvals', {
          handler: 'approvals.handler',
          codeRoot: dir,
          timeout: 30,
          durableConfig: { executionTimeout: 86_400, retentionPeriodInDays: 1 },
        }),
      ],
      { 'approvals.js': HANDLER },
    );
  });
  after(async () => {
    await t?.dispose();
  });

  /** The callback the execution waits for, once no invocation of it runs (it answered PENDING). */
  const callbackOf = (arn: string): string | undefined => {
    const execution = t.account.engine.durable.find(arn);
    if (!execution || execution.invocation !== undefined) return undefined;
    return execution.operations.find((op) => op.Type === 'CALLBACK' && op.Status === 'STARTED')?.CallbackDetails
      ?.CallbackId;
  };
  const invocationsOf = (arn: string): number =>
    t.account.engine.records().filter((r) => r.execution?.arn === arn).length;

  it('DURABLE-15: each invocation of an execution started under the debugger, replays included, stops at its breakpoint', async () => {
    const listening: DebugAttachInfo[] = [];
    const pauses: Array<Promise<Paused>> = [];
    const head = await t.account.debug('Approvals', '{"order":1}', {
      waitForAttach: true,
      onListening: (info) => {
        listening.push(info);
        pauses.push(pauseOf(info.url!));
      },
    });
    const arn = head.execution!.arn;
    // The first invocation, then the replay after the ten-minute wait; then the execution waits for its approval.
    const callbackId = await waitFor('the approval callback to start', () => callbackOf(arn));
    t.account.engine.durable.callbackSuccess(callbackId, Buffer.from('yes'));
    const done = await waitFor('the execution to succeed', () => {
      const execution = t.account.engine.durable.find(arn);
      return execution?.status === 'SUCCEEDED' ? execution : undefined;
    });
    assert.deepEqual(JSON.parse(done.result!), { approval: 'yes' });
    // At least the first invocation, the replay after the wait and the one after the callback; each in an
    // environment of its own with the inspector on a port of its own and an attach configuration for the editor.
    assert.ok(done.invocations >= 3, `${done.invocations} invocations`);
    assert.equal(listening.length, done.invocations);
    assert.equal(new Set(listening.map((info) => info.port)).size, listening.length);
    for (const info of listening)
      assert.deepEqual(
        { type: info.attachConfig.type, request: info.attachConfig.request, name: info.attachConfig.name },
        { type: 'node', request: 'attach', name: 'Lambda: Approvals' },
      );
    // Each paused at the handler's `debugger` statement.
    const url = pathToFileURL(path.join(t.dir, 'approvals.js')).href;
    for (const paused of await Promise.all(pauses)) {
      assert.equal(paused.url, url);
      assert.equal(paused.line, DEBUGGER_LINE);
    }
    assert.equal(invocationsOf(arn), done.invocations);
  });

  it('DURABLE-15: an execution not started under the debugger runs without it, while another one is debugged', async () => {
    const listening: DebugAttachInfo[] = [];
    const pauses: Array<Promise<Paused>> = [];
    const debugged = await t.account.debug('Approvals', '{"order":2}', {
      waitForAttach: true,
      onListening: (info) => {
        listening.push(info);
        pauses.push(pauseOf(info.url!));
      },
    });
    const debuggedArn = debugged.execution!.arn;
    await waitFor('the debugged execution to wait for its approval', () => callbackOf(debuggedArn));
    assert.ok(listening.length >= 2);
    assert.equal(listening.length, invocationsOf(debuggedArn));

    const [plain] = await t.account.invoke('Approvals', '{"order":3}', 'async');
    const plainArn = plain.execution!.arn;
    const plainCallback = await waitFor('the plain execution to wait for its approval', () => callbackOf(plainArn));
    t.account.engine.durable.callbackSuccess(plainCallback, Buffer.from('ok'));
    await waitFor('the plain execution to succeed', () =>
      t.account.engine.durable.find(plainArn)?.status === 'SUCCEEDED' ? true : undefined,
    );
    // No environment of the plain execution listened for a debugger.
    assert.ok(invocationsOf(plainArn) >= 2);
    assert.equal(listening.length, invocationsOf(debuggedArn));

    t.account.engine.durable.stop(debuggedArn);
    await Promise.all(pauses);
  });
});
