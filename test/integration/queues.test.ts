/**
 * The Queues view and its commands, and fault injection, against the real engine and runtime. The suites share one
 * extension host and one store (earlier suites may have filled OrdersDLQ), so every count is taken before and after.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { InvocationRecord } from '../../src/core/invoke/invocationRecord';
import type { QueueNode } from '../../src/extension/views/queuesView';
import { readyExtensionApi as api, workspaceFolderUri } from '../support/extensionApi';
import { waitFor } from '../support/waitFor';

async function fn(name: string) {
  const { functions } = await api();
  return waitFor(`${name} in the index`, () => functions.all().find((f) => f.name === name));
}

async function queueNode(name: string): Promise<Extract<QueueNode, { kind: 'queue' }>> {
  const { views } = await api();
  const roots = await views.queues.getChildren();
  const node = roots.find((n) => n.kind === 'queue' && n.queue.name === name);
  assert.ok(
    node && node.kind === 'queue',
    `${name} is listed (got ${roots.map((n) => n.kind === 'queue' && n.queue.name).join(', ')})`,
  );
  return node;
}

describe('Queues view', function () {
  this.timeout(120_000);

  it('contributes the view and registers its commands and "Invoke with Fault…"', async () => {
    await api();
    const commands = await vscode.commands.getCommands(true);
    for (const id of [
      'lambdaTrigger.queues.focus',
      'lambdaTrigger.queues.refresh',
      'lambdaTrigger.queues.peekMessage',
      'lambdaTrigger.queues.sendMessage',
      'lambdaTrigger.queues.purge',
      'lambdaTrigger.queues.redrive',
      'lambdaTrigger.queues.replayMessage',
      'lambdaTrigger.invokeWithFault',
    ])
      assert.ok(commands.includes(id), `${id} is registered`);
  });

  it('SQS-3 lists OrdersDLQ with the poison messages, and redriving sends them through OrdersQueue again', async () => {
    const extension = await api();
    const { invokeCommands, runner, views } = extension;
    const processor = await fn('OrderProcessorFunction');
    const { services } = await runner.accountOf(processor);
    const dlqBefore = services.queueMessages('OrdersDLQ').length;
    const payloadJson = fs.readFileSync(
      vscode.Uri.joinPath(workspaceFolderUri(), 'sam-app', 'events', 'sqs-orders-batch.json').fsPath,
      'utf8',
    );
    await invokeCommands.run(processor, { payloadJson, label: 'orders batch' }, 'batch');

    // The batch's two poison messages were received three times, then moved to OrdersDLQ.
    const dlq = await queueNode('OrdersDLQ');
    const expected = dlqBefore + 2;
    assert.equal(views.queues.getTreeItem(dlq).description, `${expected} visible · DLQ of OrdersQueue`);
    assert.equal(views.queues.getTreeItem(dlq).contextValue, 'queue.dlq');
    const messages = await views.queues.getChildren(dlq);
    assert.equal(messages.length, expected);
    const first = messages[0];
    assert.ok(first.kind === 'message');
    const item = views.queues.getTreeItem(first);
    assert.equal(item.label, first.message.messageId);
    assert.match(String(item.description), /^received 0× · /);
    assert.equal((await queueNode('OrdersQueue')).queue.total, 0);
    const bodiesBefore = messages.map((m) => (m.kind === 'message' ? m.message.body : '')).sort();
    const idsBefore = new Set(messages.map((m) => (m.kind === 'message' ? m.message.messageId : '')));

    // Peek opens the body read-only, without receiving it.
    const document = await vscode.commands.executeCommand<vscode.TextDocument>(
      'lambdaTrigger.queues.peekMessage',
      first,
    );
    assert.equal(document.uri.scheme, 'lambda-trigger-message');
    assert.equal(document.getText().replace(/\s+/g, ''), first.message.body.replace(/\s+/g, ''));
    assert.equal(
      services.queueMessages('OrdersDLQ').find((m) => m.messageId === first.message.messageId)?.receiveCount,
      0,
    );

    const result = await vscode.commands.executeCommand<{ moved: number; records: InvocationRecord[] }>(
      'lambdaTrigger.queues.redrive',
      dlq,
    );
    assert.equal(result.moved, expected);
    // The redrive puts the messages back on OrdersQueue as new messages; the mapping receives them again, the
    // handler still reports them as failures, and after maxReceiveCount (3) receives SQS moves them back to
    // OrdersDLQ. So the engine ends where it started, with new message ids, and the batches are new records.
    assert.ok(result.records.length > 0, 'the mapping ran the redriven messages');
    assert.ok(result.records.every((r) => r.functionName === 'OrderProcessorFunction' && r.mode === 'batch'));
    const redrives = result.records.flatMap((r) => r.batches.flatMap((b) => b.redrives ?? []));
    assert.deepEqual(
      redrives.map((r) => [r.target.split(':').pop(), r.receiveCount]),
      Array.from({ length: expected }, () => ['OrdersDLQ', 3]),
    );
    const after = services.queueMessages('OrdersDLQ');
    assert.equal(after.length, expected);
    assert.deepEqual(after.map((m) => m.body).sort(), bodiesBefore);
    assert.ok(
      after.every((m) => !idsBefore.has(m.messageId)),
      'redriven messages are new messages',
    );
    assert.ok(after.every((m) => m.deadLetterQueueSourceArn?.endsWith(':OrdersQueue')));
    assert.equal(services.queueMessages('OrdersQueue').length, 0);
    // The records are the panel's history too.
    const history = new Set(extension.records().map((r) => r.id));
    assert.ok(result.records.every((r) => history.has(r.id)));
    assert.equal(
      views.queues.getTreeItem(await queueNode('OrdersDLQ')).description,
      `${expected} visible · DLQ of OrdersQueue`,
    );
  });

  it('ASYNC-9 replays a DLQ message to a function; the record comes from the engine with its replay source', async () => {
    const { views } = await api();
    const dlq = await queueNode('OrdersDLQ');
    const [message] = await views.queues.getChildren(dlq);
    assert.ok(message?.kind === 'message');
    const records = await vscode.commands.executeCommand<InvocationRecord[]>(
      'lambdaTrigger.queues.replayMessage',
      message,
      'CreateOrderFunction',
      'sync',
    );
    const [record] = records;
    assert.deepEqual(
      [record.functionName, record.mode, record.source?.type],
      ['CreateOrderFunction', 'sync', 'replay'],
    );
    assert.equal(record.source?.arn?.split(':').pop(), 'OrdersDLQ');
    assert.equal(record.attempts.length, 1);
  });

  it('sends a message to a queue no mapping reads: it waits there, visible, and nothing runs', async () => {
    const { views, runner } = await api();
    const { services } = await runner.accountOf(await fn('FraudDetectorFunction'));
    const before = services.queueMessages('FraudFailuresQueue').length;
    const node = await queueNode('FraudFailuresQueue');
    const records = await vscode.commands.executeCommand<InvocationRecord[]>(
      'lambdaTrigger.queues.sendMessage',
      node,
      '{"note":"sent from the Queues view"}',
    );
    assert.deepEqual(records, []);
    const after = await queueNode('FraudFailuresQueue');
    assert.equal(after.queue.visible, before + 1);
    const messages = await views.queues.getChildren(after);
    const sent = messages.find(
      (m) => m.kind === 'message' && m.message.body === '{"note":"sent from the Queues view"}',
    );
    assert.ok(sent, 'the message is a child of its queue');
    assert.equal(views.queues.getTreeItem(sent).description, 'received 0× · {"note":"sent from the Queues view"}');
  });

  it('ASYNC-1 deliverTwice through run(..., faults) runs ThumbnailFunction twice and records the fault', async () => {
    const extension = await api();
    const { invokeCommands } = extension;
    const thumbnail = await fn('ThumbnailFunction');
    const payloadJson = JSON.stringify({
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          eventTime: '2025-03-14T09:41:30.123Z',
          s3: { bucket: { name: 'uploads' }, object: { key: 'uploads/alice/cat_640x480.jpg', size: 1024 } },
        },
      ],
    });
    const [record] = await invokeCommands.run(thumbnail, { payloadJson, label: 'cat upload' }, 'async', {
      deliverTwice: true,
    });
    assert.deepEqual([record.mode, record.status, record.condition], ['async', 'succeeded', 'Success']);
    assert.deepEqual(record.faults, ['deliverTwice']);
    assert.deepEqual(
      record.attempts.map((a) => [a.number, a.outcome, a.faults]),
      [
        [1, 'success', undefined],
        [2, 'success', ['deliverTwice']],
      ],
    );
    assert.equal(record.attempts[1].requestId, record.attempts[0].requestId, 'the duplicate keeps the request id');
    assert.deepEqual(record.attempts[1].result, [
      {
        bucket: 'uploads',
        sourceKey: 'uploads/alice/cat_640x480.jpg',
        targetKey: 'thumbnails/alice/cat-320x240.jpg',
        contentType: 'image/jpeg',
        width: 320,
        height: 240,
      },
    ]);
    assert.ok(extension.records().some((r) => r.id === record.id && r.faults?.[0] === 'deliverTwice'));
  });
});
