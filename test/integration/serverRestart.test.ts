/**
 * Listeners that belong to one language-server connection live and die with it: after "Restart Language Server"
 * (twice), every indexChanged notification the new server sends is handled exactly once.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { serverStatusRequest, type ServerStatus } from '../../src/shared/protocol';
import { readyExtensionApi as api, workspaceFolderUri as folder } from '../support/extensionApi';
import { waitFor } from '../support/waitFor';

async function serverStatus(): Promise<ServerStatus> {
  const client = (await api()).languageClient.running;
  assert.ok(client, 'the language server runs');
  return client.sendRequest(serverStatusRequest);
}

describe('Language server restart', function () {
  this.timeout(120_000);
  const probe = vscode.Uri.joinPath(folder(), 'plain-handlers', 'restart-probe.js');

  after(async () => {
    await vscode.workspace.fs.delete(probe).then(undefined, () => undefined);
    const { functions } = await api();
    await waitFor(
      'the probe handler to leave the index',
      () => !functions.all().some((f) => f.handlerFile === probe.fsPath),
    );
  });

  it('handles each index change of the restarted server once: the old connections left no listener', async () => {
    const { functions, languageClient } = await api();
    // The connection being replaced has handled notifications of its own: none may count for the new one.
    await waitFor('the first server to send an index change and the client to handle it', async () => {
      return (await serverStatus()).indexChangedNotifications >= 1 && functions.indexChangesHandled >= 1;
    });
    const before = await serverStatus();
    await vscode.commands.executeCommand('lambdaTrigger.restartServer');
    await vscode.commands.executeCommand('lambdaTrigger.restartServer');
    await waitFor('the restarted server to run', () => languageClient.running);
    const restarted = await serverStatus();
    assert.notEqual(restarted.pid, before.pid, 'a new server process runs');

    // The new server's first build sends one notification; a new handler file sends at least one more.
    await waitFor('the restarted server to report its first index', async () => {
      return (await serverStatus()).indexChangedNotifications >= 1;
    });
    const sentBefore = (await serverStatus()).indexChangedNotifications;
    await vscode.workspace.fs.writeFile(probe, Buffer.from('exports.handler = async () => "probe";\n'));
    await waitFor('the probe handler in the function list', () =>
      functions.all().some((f) => f.handlerFile === probe.fsPath),
    );

    // Every notification sent so far has arrived once the status reply (sent after them) has.
    let last = { sent: 0, handled: 0 };
    await waitFor('every notification the server sent to be handled', async () => {
      const sent = (await serverStatus()).indexChangedNotifications;
      last = { sent, handled: functions.indexChangesHandled };
      return sent > sentBefore && last.handled >= sent;
    }).catch(() => undefined);
    assert.ok(last.sent > sentBefore, `the new file made the server send a notification (${JSON.stringify(last)})`);
    assert.equal(last.handled, last.sent, 'each indexChanged notification is handled exactly once');
  });
});
