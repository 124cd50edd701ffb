import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { InvocationRecord } from '../../src/core/invoke/invocationRecord';
import { readyExtensionApi as api, workspaceFolderUri as folder } from '../support/extensionApi';
import { waitFor } from '../support/waitFor';

/** The lenses on a document's first line, by title (their codicons left out). */
async function lenses(uri: vscode.Uri, expected: string): Promise<Map<string, vscode.Command>> {
  return waitFor(`the lens "${expected}" on ${uri.toString()}`, async () => {
    const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const byTitle = new Map(
      (found ?? [])
        .filter((l) => l.command && l.range.start.line === 0)
        .map((l) => [l.command!.title.replace(/^\$\([^)]+\)\s*/, ''), l.command!]),
    );
    return [...byTitle.keys()].some((t) => t.startsWith(expected)) ? byTitle : undefined;
  });
}

function lens(all: Map<string, vscode.Command>, prefix: string): vscode.Command {
  const entry = [...all].find(([title]) => title.startsWith(prefix));
  assert.ok(entry, `a lens "${prefix}…" among ${[...all.keys()].join(' | ')}`);
  return entry[1];
}

describe('Events are documents', function () {
  this.timeout(120_000);

  before(async () => {
    const { functions } = await api();
    await functions.ready();
    await waitFor('the examples indexed', () => functions.all().some((f) => f.name === 'ThumbnailFunction'));
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('a template from the Event Sources view opens as an untitled JSON document with its event type and lenses', async () => {
    await vscode.commands.executeCommand('lambdaTrigger.previewEvent', {
      kind: 'event',
      template: { id: 's3:put' },
      saved: [],
    });
    const editor = await waitFor('the event document', () =>
      vscode.window.activeTextEditor?.document.isUntitled ? vscode.window.activeTextEditor : undefined,
    );
    const doc = editor.document;
    assert.equal(doc.languageId, 'json');
    assert.equal((JSON.parse(doc.getText()) as Record<string, unknown>).$eventType, 's3:put');
    // A function an S3 trigger invokes is proposed; the others are a pick away.
    const all = await lenses(doc.uri, 'Invoke ');
    const { functions } = await api();
    const proposed = /^Invoke (\S+) \(async\)$/.exec([...all.keys()][0]);
    assert.ok(proposed, [...all.keys()].join(' | '));
    const fn = functions.all().find((f) => f.name === proposed[1]);
    assert.ok(
      fn?.triggers.some((t) => t.kind === 's3'),
      `${proposed[1]} has an S3 trigger`,
    );
    assert.ok([...all.keys()].includes('Invoke another function…'));
    assert.ok([...all.keys()].includes('Save as…'));
  });

  it('an event opened for a function (Edit first) runs with that function, as the editor shows it, saved or not', async () => {
    const { eventDocuments, functions } = await api();
    const thumbnail = functions.all().find((f) => f.name === 'ThumbnailFunction')!;
    const [trigger] = eventDocuments.picker.triggerEvents(thumbnail);
    const editor = await eventDocuments.open(eventDocuments.picker.fromTrigger(trigger.event), thumbnail);
    const doc = editor.document;
    const all = await lenses(doc.uri, 'Invoke ThumbnailFunction');
    assert.ok([...all.keys()].includes('Invoke ThumbnailFunction (async)'), [...all.keys()].join(' | '));
    assert.ok([...all.keys()].includes('Invoke another function…'));
    assert.ok([...all.keys()].includes('Save as…'));

    // Edit the key in the editor, unsaved: the handler gets the edited event.
    const text = doc.getText().replace(/"key": "[^"]*"/, '"key": "uploads/edited-in-the-editor.png"');
    await editor.edit((e) => e.replace(new vscode.Range(0, 0, doc.lineCount, 0), text));
    assert.ok(doc.isDirty);
    const invoke = lens(all, 'Invoke ThumbnailFunction');
    const records = await vscode.commands.executeCommand<InvocationRecord[]>(
      invoke.command,
      ...((invoke.arguments ?? []) as unknown[]),
    );
    assert.ok(records?.length, 'the lens returns the records');
    const [record] = records;
    assert.equal(record.functionName, 'ThumbnailFunction');
    assert.equal(record.mode, 'async');
    const event = record.event as { Records: Array<{ s3: { object: { key: string } } }>; $eventType?: string };
    assert.equal(event.Records[0].s3.object.key, 'uploads/edited-in-the-editor.png');
    assert.equal(event.$eventType, undefined, 'the marker is not part of the event');
  });

  it('an SQS event file offers to send it to its queue; what reads the queue runs', async () => {
    const { runner } = await api();
    // The account is open once anything ran in the folder (the Send lens never opens one).
    await runner.loadHistory();
    const uri = vscode.Uri.joinPath(folder(), 'sam-app', 'events', 'sqs-orders-batch.json');
    await vscode.window.showTextDocument(uri);
    const all = await lenses(uri, 'Send to OrdersQueue');
    assert.ok(
      [...all.keys()].some((t) => t.startsWith('Invoke OrderProcessorFunction (batch)')),
      [...all.keys()].join(' | '),
    );
    const send = lens(all, 'Send to OrdersQueue');
    const records = await vscode.commands.executeCommand<InvocationRecord[]>(
      send.command,
      ...((send.arguments ?? []) as unknown[]),
    );
    assert.ok(records?.length);
    assert.ok(records.every((r) => r.functionName === 'OrderProcessorFunction' && r.mode === 'batch'));
  });

  it('a JSON error in the event is said with its line, and nothing runs', async () => {
    const doc = await vscode.workspace.openTextDocument({
      language: 'json',
      content: '{\n  "$eventType": "s3:put",\n  "Records": [,]\n}\n',
    });
    await vscode.window.showTextDocument(doc);
    const extension = await api();
    const before = extension.records().length;
    const shown: string[] = [];
    const window = vscode.window as { showErrorMessage: unknown };
    const original = window.showErrorMessage;
    window.showErrorMessage = (message: string) => {
      shown.push(message);
      return Promise.resolve(undefined);
    };
    try {
      await vscode.commands.executeCommand('lambdaTrigger.invokeEventDocument', doc.uri, 'ThumbnailFunction');
    } finally {
      window.showErrorMessage = original;
    }
    assert.equal(shown.length, 1);
    assert.match(shown[0], /Untitled-\d+:3:\d+: not valid JSON/);
    assert.equal(extension.records().length, before, 'no invocation');
  });
});
