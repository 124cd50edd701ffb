import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LambdaTriggerApi } from '../../src/extension/extension';
import { allCommands } from '../../src/shared/commandTable';
import type { ServerStatus } from '../../src/shared/protocol';
import { extensionId } from '../support/extensionApi';
import { waitFor } from '../support/waitFor';

describe('Extension activation on the examples workspace', () => {
  it('is installed in the extension host', () => {
    assert.ok(vscode.extensions.getExtension(extensionId), `${extensionId} is not loaded`);
  });

  it('activates by itself because the workspace holds a SAM template (workspaceContains)', async () => {
    const ext = vscode.extensions.getExtension<LambdaTriggerApi>(extensionId)!;
    await waitFor('the extension to activate', () => ext.isActive);
    assert.ok(ext.exports.languageClient, 'activate() returns the API with the language client');
  });

  it('registers every command of the command table', async () => {
    const commands = new Set(await vscode.commands.getCommands(true));
    const missing = allCommands.map((c) => c.id).filter((id) => !commands.has(id));
    assert.deepEqual(missing, [], 'commands of the table that activate() did not register');
  });

  it('contributes the Functions and Event Sources views in the Lambda container', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const view of ['lambdaTrigger.functions', 'lambdaTrigger.eventSources']) {
      assert.ok(commands.includes(`${view}.focus`), `view ${view} exists (its focus command is registered)`);
    }
    await vscode.commands.executeCommand('workbench.view.extension.lambdaTrigger');
  });

  it('starts the language server after activation, and the server answers a request about the open template', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the examples folder is open');
    const template = vscode.Uri.joinPath(folder.uri, 'sam-app', 'template.yaml');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(template));
    const ext = vscode.extensions.getExtension<LambdaTriggerApi>(extensionId)!;
    await waitFor('the language server to run', () => ext.exports.languageClient.running);
    const status = await vscode.commands.executeCommand<ServerStatus>('lambdaTrigger.showServerStatus');
    assert.equal(status.workspaceFolders.length, 1);
    assert.equal(vscode.Uri.parse(status.workspaceFolders[0] ?? '').fsPath, folder.uri.fsPath);
    assert.ok(status.openDocuments >= 1, `server sees the open template (openDocuments=${status.openDocuments})`);
    assert.notEqual(status.pid, process.pid, 'the server runs in its own process');
  });
});
