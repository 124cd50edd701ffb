import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extensionApi as api, workspaceFolderUri as folder } from '../support/extensionApi';
import { waitFor } from '../support/waitFor';

describe('Functions and Event Sources views, code lenses, diagnostics', () => {
  it('the Functions view lists the examples functions from the language server index', async () => {
    const { views } = await api();
    const roots = await waitFor('the functions to be indexed', async () => {
      const nodes = await views.functions.getChildren();
      return nodes.length >= 10 ? nodes : undefined;
    });
    const names = roots.map((n) => (n.kind === 'function' ? n.fn.name : ''));
    for (const name of [
      'ThumbnailFunction',
      'CreateOrderFunction',
      'OrderProcessorFunction',
      'PaymentWebhookFunction',
    ]) {
      assert.ok(names.includes(name), `${name} is listed (got ${names.join(', ')})`);
    }
    const orderProcessor = roots.find((n) => n.kind === 'function' && n.fn.name === 'OrderProcessorFunction')!;
    const children = await views.functions.getChildren(orderProcessor);
    const trigger = children.find((c) => c.kind === 'trigger');
    assert.ok(trigger, 'its SQS trigger is a child');
    assert.equal(views.functions.getTreeItem(trigger).label, 'SQS OrdersQueue, batch 10');
  });

  it('the Event Sources view groups templates by invocation model, then service', async () => {
    const { views } = await api();
    const models = views.eventSources.getChildren();
    assert.deepEqual(
      models.map((m) => views.eventSources.getTreeItem(m).label),
      ['Synchronous', 'Asynchronous', 'Poll-based'],
    );
    const asyncServices = views.eventSources
      .getChildren(models[1])
      .map((s) => views.eventSources.getTreeItem(s).label as string);
    assert.ok(asyncServices.includes('Amazon S3'), `S3 is an async service (got ${asyncServices.join(', ')})`);
    const s3 = views.eventSources
      .getChildren(models[1])
      .find((s) => views.eventSources.getTreeItem(s).label === 'Amazon S3')!;
    const events = views.eventSources.getChildren(s3).map((e) => views.eventSources.getTreeItem(e).description);
    assert.ok(events.includes('s3:put'), `s3:put is listed (got ${events.join(', ')})`);
  });

  it('code lenses appear above the S3 thumbnail handler: Invoke, Invoke with…, Debug and its S3 trigger', async () => {
    const file = vscode.Uri.joinPath(folder(), 'sam-app', 'src', 'thumbnail', 'index.ts');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
    const lenses = await waitFor('code lenses on the handler', async () => {
      const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', file);
      return found.some((l) => l.command?.command === 'lambdaTrigger.invoke') ? found : undefined;
    });
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(titles.includes('Invoke'), titles.join(' | '));
    assert.ok(titles.includes('Invoke with…'), titles.join(' | '));
    assert.ok(titles.includes('Debug'), titles.join(' | '));
    assert.ok(
      titles.some((t) => t.startsWith('S3 UploadsBucket')),
      titles.join(' | '),
    );
  });

  it('a broken saved event file gets diagnostics from its event type schema', async () => {
    const dir = vscode.Uri.joinPath(folder(), 'lambda-events', 'ThumbnailFunction');
    const file = vscode.Uri.joinPath(dir, 'broken.json');
    await vscode.workspace.fs.createDirectory(dir);
    const text = JSON.stringify(
      { $eventType: 's3:put', Records: [{ eventSource: 'aws:s3', s3: { bucket: { name: 7 } } }] },
      null,
      2,
    );
    await vscode.workspace.fs.writeFile(file, Buffer.from(text));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
    const diagnostics = await waitFor('diagnostics on the broken event', () => {
      const found = vscode.languages.getDiagnostics(file);
      return found.length > 0 ? found : undefined;
    });
    const messages = diagnostics.map((d) => d.message).join('\n');
    assert.match(messages, /eventVersion/, 'a missing required field is reported');
    assert.match(messages, /string/, 'the wrong type of bucket.name is reported');
    const nameLine = text.split('\n').findIndex((l) => l.includes('"name": 7'));
    assert.ok(
      diagnostics.some((d) => d.range.start.line === nameLine),
      `a diagnostic sits on line ${nameLine} of "name": 7`,
    );
  });
});
