import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { InvocationRecord } from '../../src/core/invoke/invocationRecord';
import { readyExtensionApi as api, workspaceFolderUri as folder } from '../support/extensionApi';
import { waitFor } from '../support/waitFor';

async function fn(name: string) {
  const { functions } = await api();
  return waitFor(`${name} in the index`, () => functions.all().find((f) => f.name === name));
}

describe('Invocations through the real engine and runtime, from the commands', function () {
  this.timeout(120_000);

  it('"Invoke with S3 Event" on the thumbnail handler runs it asynchronously and shows the panel', async () => {
    const file = vscode.Uri.joinPath(folder(), 'sam-app', 'src', 'thumbnail', 'index.ts');
    await fn('ThumbnailFunction');
    const records = await vscode.commands.executeCommand<InvocationRecord[]>('lambdaTrigger.invokeWith.s3', file);
    assert.ok(records, 'the command returns the records');
    const [record] = records;
    assert.equal(record.functionName, 'ThumbnailFunction');
    assert.equal(record.mode, 'async', 'S3 invokes asynchronously');
    assert.equal(record.status, 'succeeded', JSON.stringify(record.attempts.map((a) => a.error)));
    assert.equal(record.attempts.length, 1);
    assert.ok(
      record.attempts[0].logs.some((l) => l.text.startsWith('START RequestId:')),
      'the platform START line is logged',
    );
    const extension = await api();
    await waitFor('the invocation panel to load and send "ready"', () => extension.panel()?.isReady);
  });

  it('ASYNC-3 ASYNC-9 a failing async webhook is retried twice and its event lands in the DLQ', async () => {
    const payment = await fn('PaymentWebhookFunction');
    const message = JSON.stringify({
      paymentId: 'pay_1',
      orderId: 'ord_1',
      amount: -100,
      currency: 'EUR',
      status: 'succeeded',
    });
    const records = await vscode.commands.executeCommand<InvocationRecord[]>(
      'lambdaTrigger.invokeWithEvent',
      { kind: 'function', fn: payment },
      'sns:notification',
      { message },
    );
    const [record] = records;
    assert.equal(record.mode, 'async');
    assert.equal(record.attempts.length, 3);
    assert.equal(record.condition, 'RetriesExhausted');
    const dlq = record.deliveries.find((d) => d.kind === 'deadLetterQueue');
    assert.ok(dlq, 'the DLQ received the event');
    assert.equal(dlq.attributes?.ErrorCode?.StringValue, '200');
    assert.ok(
      record.deliveries.some((d) => d.kind === 'destination' && d.condition === 'RetriesExhausted'),
      'the on-failure destination too',
    );
  });

  it('SQS-2 on a scaled clock, a batch from a queue without a redrive policy returns after 5 receives, the message left in the queue', async () => {
    const { invokeCommands, runner } = await api();
    // A queue without a redrive policy of its own, in a lambda-trigger.json next to a handler that always fails.
    const dir = vscode.Uri.joinPath(folder(), 'never-settles');
    await vscode.workspace.fs.writeFile(
      vscode.Uri.joinPath(dir, 'index.js'),
      Buffer.from("exports.handler = async () => { throw new Error('the order store is down'); };\n"),
    );
    await vscode.workspace.fs.writeFile(
      vscode.Uri.joinPath(dir, 'lambda-trigger.json'),
      Buffer.from(
        JSON.stringify({
          Functions: {
            NeverSettlesFunction: {
              Handler: 'index.handler',
              Runtime: 'nodejs20.x',
              Events: { Jobs: { Type: 'SQS', Properties: { Queue: { 'Fn::GetAtt': ['JobsQueue', 'Arn'] } } } },
            },
          },
          Resources: { JobsQueue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 30 } } },
        }),
      ),
    );
    const settings = vscode.workspace.getConfiguration('lambdaTrigger');
    try {
      // An hour per second: each visibility timeout is a real wait, as in a window running a scaled clock.
      await settings.update('timeScale', '3600', vscode.ConfigurationTarget.Workspace);
      const jobs = await fn('NeverSettlesFunction');
      const payloadJson = JSON.stringify({ Records: [{ messageId: 'job-1', body: 'a job' }] });
      const records = await invokeCommands.run(jobs, { payloadJson, label: 'a job' }, 'batch');
      const account = await runner.accountOf(jobs);
      assert.equal(account.engine.clock.scale, 3600);
      assert.equal(records.length, 5);
      const last = records.find((r) => r.unsettled);
      assert.ok(last, 'the last receive says the message was not followed further');
      assert.equal(last.unsettled?.count, 5);
      assert.equal(last.unsettled?.leftIn, 'JobsQueue');
      assert.deepEqual(
        account.services.queueMessages('JobsQueue').map((m) => [m.messageId, m.receiveCount]),
        [['job-1', 5]],
      );
    } finally {
      await settings.update('timeScale', undefined, vscode.ConfigurationTarget.Workspace);
      await vscode.workspace.fs.delete(dir, { recursive: true });
    }
  });

  it('SQS-4 a batch with poison messages reports them and the queue redrives them to its DLQ', async () => {
    const { invokeCommands, runner } = await api();
    const processor = await fn('OrderProcessorFunction');
    // Other suites may have sent poison messages to this queue before: count what this batch adds.
    const dlqBefore = (await runner.accountOf(processor)).services.queueMessages('OrdersDLQ').length;
    const payloadJson = fs.readFileSync(
      vscode.Uri.joinPath(folder(), 'sam-app', 'events', 'sqs-orders-batch.json').fsPath,
      'utf8',
    );
    const records = await invokeCommands.run(processor, { payloadJson, label: 'orders batch' }, 'batch');
    const batches = records.flatMap((r) => r.batches);
    assert.equal(batches[0].outcome, 'partialFailure');
    assert.equal(batches[0].reportedFailures?.length, 2);
    assert.ok(
      batches.some((b) => (b.redrives ?? []).length > 0),
      'a batch records the redrive to OrdersDLQ',
    );
    const account = await runner.accountOf(processor);
    assert.equal(account.services.queueMessages('OrdersDLQ').length, dlqBefore + 2);
  });

  it('a code-only handler (plain-handlers/invoice.ts) runs from its Functions view node, listed under its path', async () => {
    const { views, invokeCommands } = await api();
    const node = await waitFor('the invoice handler in the Functions view', async () =>
      (await views.functions.getChildren()).find(
        (n) => n.kind === 'function' && n.fn.handlerFile?.endsWith('invoice.ts') && n.fn.definedBy === 'code',
      ),
    );
    assert.equal(views.functions.getTreeItem(node).label, 'plain-handlers/invoice.handler');
    const payloadJson = fs.readFileSync(
      vscode.Uri.joinPath(folder(), 'plain-handlers', 'events', 'invoice.json').fsPath,
      'utf8',
    );
    const [record] = await invokeCommands.run(node.fn, { payloadJson, label: 'invoice.json' });
    assert.equal(record.status, 'succeeded', JSON.stringify(record.attempts.map((a) => a.error)));
    assert.equal(record.functionName, 'plain-handlers-invoice-handler');
    assert.deepEqual((record.attempts[0].result as { totalCents: number }).totalCents, 5560);
  });

  it('a handler edited between two invocations: the second runs the new code (its warm environment ended)', async () => {
    const { invokeCommands } = await api();
    const meta = await fn('plain-handlers-article-meta-handler');
    const file = vscode.Uri.joinPath(folder(), 'plain-handlers', 'article-meta.mjs').fsPath;
    const original = fs.readFileSync(file, 'utf8');
    const payloadJson = JSON.stringify({ title: 'Edit and run', body: 'one two three four five six' });
    const readingMinutes = async (): Promise<number> => {
      const [record] = await invokeCommands.run(meta, { payloadJson, label: 'article' });
      assert.equal(record.status, 'succeeded', JSON.stringify(record.attempts.map((a) => a.error)));
      return (record.attempts[0].result as { readingMinutes: number }).readingMinutes;
    };
    try {
      assert.equal(await readingMinutes(), 1, 'six words at 230 a minute');
      fs.writeFileSync(file, original.replace('const WORDS_PER_MINUTE = 230;', 'const WORDS_PER_MINUTE = 2;'));
      // The file watcher's event arrives on its own time: each try is a real invocation, none a fixed sleep.
      await waitFor('the edited handler to answer', async () => (await readingMinutes()) === 3);
    } finally {
      fs.writeFileSync(file, original);
    }
  });

  it('the history the panel shows holds every record of these invocations', async () => {
    const all = (await api()).records();
    assert.ok(all.length >= 3, `at least the three invocations above (got ${all.length})`);
    assert.ok(all.some((r) => r.functionName === 'PaymentWebhookFunction' && r.condition === 'RetriesExhausted'));
  });
});
