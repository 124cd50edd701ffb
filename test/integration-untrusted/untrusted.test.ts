import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { InvocationRecord } from '../../src/core/invoke/invocationRecord';
import { extensionApi, workspaceFolderUri } from '../support/extensionApi';
import { waitFor } from '../support/waitFor';

describe('An untrusted workspace (Workspace Trust)', function () {
  this.timeout(60_000);

  it('is really untrusted in this run', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('still lists functions and templates, but runs no handler', async () => {
    const api = await extensionApi();
    const functions = await waitFor('the functions to be indexed', async () => {
      const nodes = await api.views.functions.getChildren();
      return nodes.length > 0 ? nodes : undefined;
    });
    assert.ok(functions.length >= 10);
    const thumbnail = vscode.Uri.joinPath(workspaceFolderUri(), 'sam-app', 'src', 'thumbnail', 'index.ts');
    const result = await vscode.commands.executeCommand<InvocationRecord[] | undefined>(
      'lambdaTrigger.invokeWith.s3',
      thumbnail,
    );
    assert.equal(result, undefined, 'the command refuses to run');
    assert.equal(api.records().length, 0, 'no invocation record exists');
    const store = vscode.Uri.joinPath(workspaceFolderUri(), '.lambda-trigger');
    assert.equal(fs.existsSync(store.fsPath), false, 'no local account was opened');
  });

  it('the Queues view lists nothing and opens no account (its welcome text says why)', async () => {
    const api = await extensionApi();
    assert.deepEqual(await api.views.queues.getChildren(), []);
    await vscode.commands.executeCommand('lambdaTrigger.queues.refresh');
    assert.equal(api.runner.openAccounts().length, 0);
    const store = vscode.Uri.joinPath(workspaceFolderUri(), '.lambda-trigger');
    assert.equal(fs.existsSync(store.fsPath), false, 'no local account was opened');
  });
});
