import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { InvocationRecord } from '../../src/core/invoke/invocationRecord';
import type { ToPanel } from '../../src/shared/panelProtocol';
import { readyExtensionApi as api, workspaceFolderUri as folder } from '../support/extensionApi';
import { waitFor } from '../support/waitFor';

type History = Extract<ToPanel, { type: 'history' }>;

async function invoke(name: string): Promise<InvocationRecord> {
  const { functions, invokeCommands } = await api();
  const fn = await waitFor(`${name} in the index`, () => functions.all().find((f) => f.name === name));
  const [record] = await invokeCommands.run(fn, { payloadJson: '{}', label: 'empty' }, 'sync');
  return record;
}

/** Resolves with the next whole history the panel sends (after a "ready" handshake). */
async function nextHistory(what: string): Promise<History> {
  const panel = await waitFor('the invocation panel', async () => (await api()).panel());
  return new Promise<History>((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`No history reached the panel: ${what}`));
    }, 30_000);
    const subscription = panel.onDidPostMessage((message) => {
      if (message.type !== 'history') return;
      clearTimeout(timer);
      subscription.dispose();
      resolve(message);
    });
  });
}

describe('The invocation panel never forgets', function () {
  this.timeout(120_000);

  it('hidden behind an editor and shown again, it gets the whole history, with what ran while hidden', async () => {
    const first = await invoke('CreateOrderFunction');
    const extension = await api();
    await vscode.commands.executeCommand('lambdaTrigger.showInvocations');
    const panel = await waitFor('the panel to load', () =>
      extension.panel()?.isReady ? extension.panel() : undefined,
    );
    // The page remembers the selection and tells the extension.
    await waitFor('the view state to reach the extension', () => extension.panelViewState()?.selectedId);

    // Another editor in the panel's group hides it; the page is gone.
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder(), 'sam-app', 'template.yaml'));
    await vscode.window.showTextDocument(doc, { viewColumn: panel.panel.viewColumn, preview: false });
    await waitFor('the panel to be hidden', () => !panel.panel.visible);

    const meanwhile = await invoke('CreateOrderFunction');
    const shown = nextHistory('after showing the panel again');
    panel.panel.reveal(undefined, false);
    const history = await shown;
    const ids = history.records.map((r) => r.id);
    assert.ok(ids.includes(first.id), 'the earlier record');
    assert.ok(ids.includes(meanwhile.id), 'the record that ran while the panel was hidden');
    assert.equal(history.records.length, extension.records().length, 'every record of the engine history');
    assert.ok(history.paths?.workspace.includes(folder().fsPath), 'the workspace folder, for frame links');
  });

  // In this harness a panel opened right after one was closed takes about 30 s to load its page (the webview
  // service worker of code-server); in the workbench it is under 2 s (test/e2e/dailyLoop.e2e.test.ts).
  it('closed and opened again, it gets back the view state the reader left', async () => {
    const extension = await api();
    if (extension.records().length === 0) await invoke('CreateOrderFunction');
    await vscode.commands.executeCommand('lambdaTrigger.showInvocations');
    const panel = await waitFor('the panel to load', () =>
      extension.panel()?.isReady ? extension.panel() : undefined,
    );
    const remembered = await waitFor('a remembered view state', () => extension.panelViewState());
    // Closed as a user closes it: focus its tab, close the active editor.
    panel.panel.reveal(undefined, false);
    await waitFor('the panel to be active', () => panel.panel.active);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await waitFor('the panel to close', () => extension.panel() === undefined);
    const reopened = new Promise<History>((resolve) => {
      const wait = setInterval(() => {
        const p = extension.panel();
        if (!p) return;
        clearInterval(wait);
        const sub = p.onDidPostMessage((m) => {
          if (m.type === 'history') {
            sub.dispose();
            resolve(m);
          }
        });
      }, 10);
    });
    await vscode.commands.executeCommand('lambdaTrigger.showInvocations');
    const history = await reopened;
    assert.equal(history.viewState?.selectedId, remembered.selectedId);
    assert.ok(
      history.records.some((r) => r.id === remembered.selectedId),
      'the remembered record is in the history',
    );
  });

  it('an account that opens after the page loaded (as after a window reload) sends the page its history', async () => {
    const extension = await api();
    if (extension.records().length === 0) await invoke('CreateOrderFunction');
    await vscode.commands.executeCommand('lambdaTrigger.showInvocations');
    await waitFor('the panel to load', () => (extension.panel()?.isReady ? extension.panel() : undefined));
    const before = extension.runner.openAccounts();
    const config = vscode.workspace.getConfiguration('lambdaTrigger');
    // A new region re-opens the account: its stored history arrives again, as it does after a reload.
    const reopened = nextHistory('after the account re-opened');
    await config.update('region', 'eu-west-2', vscode.ConfigurationTarget.Workspace);
    try {
      const history = await reopened;
      assert.ok(
        extension.runner.openAccounts().every((a) => !before.includes(a)),
        'the history came from the re-opened account',
      );
      assert.ok(history.records.length > 0);
      assert.deepEqual(
        history.records.map((r) => r.id),
        extension.records().map((r) => r.id),
        'the whole history of the re-opened account',
      );
    } finally {
      await config.update('region', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor('the account back in us-east-1', () =>
      extension.runner.openAccounts().some((a) => a.location.region === 'us-east-1'),
    );
  });
});
