/**
 * DURABLE-15 in a real extension host: "Debug" on the durable order example stops on a breakpoint in the workflow's
 * first invocation and again in each replay (the reservation's retry, after the approval completed from outside, after
 * the three-day wait), each one a debug session VS Code attaches to; the execution then succeeds.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { InvocationRecord } from '../../src/core/invoke/invocationRecord';
import { readyExtensionApi, workspaceFolderUri } from '../support/extensionApi';
import { waitFor } from '../support/waitFor';

interface StoppedAt {
  session: vscode.DebugSession;
  threadId: number;
}

describe('Debugging a durable function', function () {
  this.timeout(180_000);
  const disposables: vscode.Disposable[] = [];
  after(() => {
    for (const d of disposables) d.dispose();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
  });

  it('DURABLE-15: stops on the breakpoint in the first invocation and in every replay, until the execution ends', async () => {
    const api = await readyExtensionApi();
    const file = vscode.Uri.joinPath(workspaceFolderUri(), 'durable-orders', 'src', 'order-workflow.mjs');
    const lines = (await vscode.workspace.openTextDocument(file)).getText().split('\n');
    // The first line of the workflow: every invocation runs it, replays included.
    const line = lines.findIndex((l) => l.trim() === 'checkOrder(order);');
    assert.ok(line > 0, 'the breakpoint line exists');
    vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(file, new vscode.Position(line, 0)))]);

    // Each stop is continued at once; the sessions that stopped are counted.
    const stops: StoppedAt[] = [];
    disposables.push(
      vscode.debug.registerDebugAdapterTrackerFactory('*', {
        createDebugAdapterTracker: (session) => ({
          onDidSendMessage: (m: { type?: string; event?: string; body?: { threadId?: number } }) => {
            if (m.type !== 'event' || m.event !== 'stopped' || m.body?.threadId === undefined) return;
            const at = { session, threadId: m.body.threadId };
            stops.push(at);
            void session.customRequest('continue', { threadId: at.threadId });
          },
        }),
      }),
    );

    const workflow = await waitFor('the workflow function in the index', () =>
      api.functions.all().find((f) => f.name === 'OrderWorkflowFunction'),
    );
    const order = fs.readFileSync(
      vscode.Uri.joinPath(workspaceFolderUri(), 'lambda-events', 'OrderWorkflowFunction', 'order-mugs.json').fsPath,
      'utf8',
    );
    const started = api.runner.debug(workflow, order, 'Debugging the order workflow');
    // The first invocation, then the retry of the reservation: two stops before the approval is asked for.
    await waitFor('two stops (the first invocation and the retry)', () => stops.length >= 2 || undefined, 90_000);
    const arn = await waitFor('the execution waiting for its approval', () => {
      const record = api.records().find((r) => r.functionName === workflow.name && r.execution?.outcome === 'PENDING');
      const exec = record?.execution;
      return exec?.operations.some((op) => op.type === 'CALLBACK' && op.status === 'STARTED') ? exec.arn : undefined;
    });
    const found = api.runner.executionView(arn);
    assert.ok('view' in found, 'the panel view of the execution');
    const callbackId = found.view.operations.find((op) => op.type === 'CALLBACK')?.callbackId;
    assert.ok(callbackId, 'the pending callback has an id');
    const stopsBefore = stops.length;
    await api.runner.sendCallback(arn, callbackId, {
      action: 'succeed',
      result: JSON.stringify({ approved: true, approver: 'debugger' }),
    });

    const ended = await waitFor(
      'the execution to succeed',
      () => {
        const done = api.runner.executionView(arn);
        return 'view' in done && done.view.status !== 'RUNNING' ? done.view : undefined;
      },
      120_000,
    );
    assert.equal(ended.status, 'SUCCEEDED', JSON.stringify(ended.error));
    // What the panel's callback editor says when its callback was completed meanwhile: the service's refusal.
    await assert.rejects(
      api.runner.sendCallback(arn, callbackId, { action: 'succeed', result: '{}' }),
      /Callback .* has already completed \(SUCCEEDED\)/,
    );
    // After the approval: the replay that charges the payment, and the one after the three-day wait.
    assert.ok(stops.length >= stopsBefore + 2, `stopped in the replays after the approval (${stops.length} stops)`);
    // Every invocation of the handler stopped once, each in a session of its own.
    assert.equal(stops.length, ended.invocations, `one stop per invocation (${ended.invocations} invocations)`);
    assert.equal(new Set(stops.map((s) => s.session.id)).size, stops.length, 'a debug session per invocation');
    const first: InvocationRecord = await started;
    assert.equal(first.execution?.arn, arn);
  });
});
