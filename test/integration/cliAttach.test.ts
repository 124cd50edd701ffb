/**
 * The lambda-trigger CLI in a terminal beside the window: while the extension holds the workspace's engine, the
 * built CLI (dist/cli.js, run as a child process) attaches to it through its endpoint, so what it invokes is in the
 * window's records and reaches the panel live, and `queues` lists the workspace's queues instead of exiting 75.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { QueueSummary } from '../../src/core/services/localServices';
import type { InvocationRecord } from '../../src/core/invoke/invocationRecord';
import { extensionId, readyExtensionApi, workspaceFolderUri } from '../support/extensionApi';
import { waitFor } from '../support/waitFor';

interface CliRun {
  code: number | string;
  out: string;
  err: string;
}

/** Runs the extension's own CLI bundle with the extension host's Node (a plain Node under code-server). */
function lambdaTrigger(args: string[]): Promise<CliRun> {
  const cli = path.join(vscode.extensions.getExtension(extensionId)!.extensionPath, 'dist', 'cli.js');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      // ELECTRON_RUN_AS_NODE: under desktop VS Code (test:desktop) the host's executable is Electron.
      { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (error.code ?? error.signal ?? 'error') : 0, out: stdout, err: stderr }),
    );
  });
}

describe('The lambda-trigger CLI beside the window', function () {
  this.timeout(120_000);
  const root = () => workspaceFolderUri().fsPath;

  before(async () => {
    const api = await readyExtensionApi();
    // The window holds the workspace's engine once its account is open (as after the first invocation).
    await api.runner.loadHistory();
    await waitFor('the engine endpoint of the window', () =>
      fs.existsSync(path.join(root(), '.lambda-trigger', 'endpoint', 'engine.json')),
    );
  });

  it('invoke attaches to the engine the window holds: its record is in the window, and the panel got it live', async () => {
    const api = await readyExtensionApi();
    const fired = new Set<string>();
    const subscription = api.runner.onDidChangeRecord((r) => fired.add(r.id));
    try {
      const payload = path.join(root(), 'sam-app', 'events', 'api-create-order.json');
      const run = await lambdaTrigger([
        'invoke',
        'CreateOrderFunction',
        '--payload',
        payload,
        '--root',
        root(),
        '--json',
      ]);
      assert.equal(run.err, '');
      assert.equal(run.code, 0);
      const record = JSON.parse(run.out) as InvocationRecord;
      assert.deepEqual([record.functionName, record.mode, record.status], ['CreateOrderFunction', 'sync', 'succeeded']);
      assert.ok(
        api.records().some((r) => r.id === record.id && r.status === 'succeeded'),
        'the record is in the window',
      );
      assert.ok(fired.has(record.id), 'the runner announced it to the panel as it ran');
    } finally {
      subscription.dispose();
    }
  });

  it('queues exits 0 and lists the queues of the engine the window holds', async () => {
    const api = await readyExtensionApi();
    const processor = await waitFor('OrderProcessorFunction in the index', () =>
      api.functions.all().find((f) => f.name === 'OrderProcessorFunction'),
    );
    const { services } = await api.runner.accountOf(processor);
    const run = await lambdaTrigger(['queues', '--root', root(), '--json']);
    assert.equal(run.err, '');
    assert.equal(run.code, 0);
    const listed = (JSON.parse(run.out) as QueueSummary[]).map((q) => q.name);
    assert.deepEqual(
      listed,
      services
        .listQueues()
        .map((q) => q.name)
        .sort((a, b) => a.localeCompare(b)),
    );
    for (const name of ['OrdersQueue', 'OrdersDLQ', 'PaymentWebhookDLQ']) assert.ok(listed.includes(name), name);
  });
});
