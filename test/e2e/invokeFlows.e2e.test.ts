/**
 * What a user does, clicked through the real workbench with the packaged extension installed: right-click the S3
 * thumbnail handler and invoke it with an S3 event; invoke a failing async function and watch its retries and
 * DLQ message; send an SQS batch with poison messages and watch the partial failure and redrive; send a job to a
 * queue without a redrive policy and read what AWS would do with it once the run stops following it.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from './expect';
import {
  contextMenu,
  copyOfExamples,
  expand,
  expandUntil,
  invocationPanel,
  openExplorer,
  openLambdaView,
  openWorkbench,
  repoRoot,
  treeRow,
  waitForFunction,
  type Workbench,
} from './workbench';

describe('Invoking handlers through the UI (code-server, packaged extension)', function () {
  this.timeout(240_000);
  let workbench: Workbench;
  let folder: string;
  const dialogs: string[] = [];

  before(async () => {
    folder = await copyOfExamples();
    // A saved event whose order id is HTML: the panel must show it as text (handler output is untrusted).
    mkdirSync(join(folder, 'lambda-events', 'OrderProcessorFunction'), { recursive: true });
    const html = '<img src=x onerror=alert(1)>';
    writeFileSync(
      join(folder, 'lambda-events', 'OrderProcessorFunction', 'html-order-id.json'),
      JSON.stringify(
        { $eventType: 'sqs:receive-message', Records: [sqsRecord(JSON.stringify({ orderId: html, lines: [] }))] },
        null,
        2,
      ),
    );
    // A queue without a redrive policy read by a handler that always fails: AWS would retry it for 4 days.
    mkdirSync(join(folder, 'never-settles'));
    writeFileSync(
      join(folder, 'never-settles', 'index.js'),
      "exports.handler = async () => { throw new Error('the job store is down'); };\n",
    );
    writeFileSync(
      join(folder, 'never-settles', 'lambda-trigger.json'),
      JSON.stringify({
        Functions: {
          NeverSettlesFunction: {
            Handler: 'index.handler',
            Runtime: 'nodejs20.x',
            Events: { Jobs: { Type: 'SQS', Properties: { Queue: { 'Fn::GetAtt': ['JobsQueue', 'Arn'] } } } },
          },
        },
        Resources: { JobsQueue: { Type: 'AWS::SQS::Queue' } },
      }),
    );
    mkdirSync(join(folder, 'lambda-events', 'NeverSettlesFunction'), { recursive: true });
    writeFileSync(
      join(folder, 'lambda-events', 'NeverSettlesFunction', 'stuck-job.json'),
      JSON.stringify({ $eventType: 'sqs:receive-message', Records: [sqsRecord('{"job":"report"}')] }, null, 2),
    );
    workbench = await openWorkbench(folder);
    workbench.page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed')
      await workbench?.screenshot(`failed-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  after(async () => {
    await workbench?.close();
  });

  it('right-click the S3 thumbnail handler, "Invoke with S3 Event": the panel shows the attempt and its logs', async () => {
    const { page } = workbench;
    await waitForFunction(page, 'CreateOrderFunction'); // the index is loaded (the first row of the list)
    await openExplorer(page);
    for (const folder of ['sam-app', 'src']) await expand(treeRow(page, folder));
    await expandUntil(treeRow(page, 'thumbnail'), treeRow(page, 'index.ts'));
    await contextMenu(page, treeRow(page, 'index.ts'), 'Invoke with S3 Event');
    const panel = invocationPanel(page);
    await expect(panel.locator('.record-header h1', { hasText: 'ThumbnailFunction' }));
    await expect(panel.locator('.attempt', { hasText: 'Attempt 1' }));
    await expect(panel.locator('.log', { hasText: 'START RequestId:' }));
    await expect(panel.locator('.log', { hasText: 'REPORT RequestId:' }));
    assert.equal(await panel.locator('.attempt').count(), 1);
    await workbench.screenshot('1-s3-invoke-panel');
  });

  it('a failing async function: three attempts a minute and two apart, then the DLQ message and on-failure record', async () => {
    const { page } = workbench;
    await openLambdaView(page);
    await expand(treeRow(page, 'PaymentWebhookFunction'));
    await contextMenu(page, treeRow(page, 'negative-amount'), 'Invoke with This Event');
    const panel = invocationPanel(page);
    await expect(panel.locator('.record-header h1', { hasText: 'PaymentWebhookFunction' }));
    await expect(panel.locator('.attempt', { hasText: 'Attempt 3' }));
    assert.equal(await panel.locator('.attempt').count(), 3);
    await expect(panel.locator('.gap', { hasText: 'waited 1 min' }));
    await expect(panel.locator('.gap', { hasText: 'waited 2 min' }));
    await expect(panel.locator('.delivery.kind-deadLetterQueue', { hasText: 'PaymentWebhookDLQ' }));
    await expect(panel.locator('.delivery.kind-destination', { hasText: 'RetriesExhausted' }));
    await workbench.screenshot('2-async-retries-dlq');
  });

  it('an SQS batch with poison messages: partial batch failure, then the redrive to OrdersDLQ', async () => {
    const { page } = workbench;
    await openLambdaView(page);
    await expand(treeRow(page, 'OrderProcessorFunction'));
    await contextMenu(page, treeRow(page, 'batch-with-poison'), 'Invoke with This Event');
    const panel = invocationPanel(page);
    await expect(panel.locator('.record-header h1', { hasText: 'OrderProcessorFunction' }));
    await expect(panel.locator('table.batches .batch.outcome-partialFailure').first());
    assert.equal(await panel.locator('table.batches tr.batch').first().locator('.id.failed').count(), 2);
    await expect(panel.locator('.redrive', { hasText: 'OrdersDLQ' }).first());
    await workbench.screenshot('3-sqs-partial-failure-redrive');
  });

  it('SQS-2 a job on a queue without a redrive policy: five receives, then the panel says what AWS would do next', async () => {
    const { page } = workbench;
    await openLambdaView(page);
    await expand(treeRow(page, 'NeverSettlesFunction'));
    await contextMenu(page, treeRow(page, 'stuck-job'), 'Invoke with This Event');
    const panel = invocationPanel(page);
    const notice = panel.locator('.notice.unsettled');
    await expect(notice.filter({ hasText: 'still failing after 5 receives' }));
    assert.match(
      (await notice.textContent()) ?? '',
      /on AWS it is received again every 30 s \(the queue's visibility timeout\) until the queue's retention period \(4 days\) ends on .* UTC; the message stays in JobsQueue\. Re-run, or send another event to JobsQueue, to follow it again\./,
    );
    await expect(panel.locator('.story-part', { hasText: 'receive 5' }));
    await workbench.screenshot('6-never-settles-notice');
  });

  it('a lambda-trigger invoke in a terminal beside the window shows up live in the panel, with where its settings came from', async () => {
    const { page } = workbench;
    // The window holds the workspace's engine since the first invocation; the CLI attaches to it.
    const cli = spawnSync(
      process.execPath,
      [join(repoRoot, 'dist', 'cli.js'), 'invoke', 'CreateOrderFunction', '--root', folder, '--json', '--payload', '-'],
      {
        input: readFileSync(join(folder, 'sam-app', 'events', 'api-create-order.json')),
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    assert.equal(cli.status, 0, cli.stderr);
    assert.doesNotMatch(cli.stderr, /throwaway|store of its own/, 'the CLI ran on the window engine');
    const record = JSON.parse(cli.stdout) as { id: string };
    const panel = invocationPanel(page);
    const row = panel.locator(`.history-item[data-id="${record.id}"]`);
    await expect(row);
    await row.click();
    await expect(panel.locator('.record-header h1', { hasText: 'CreateOrderFunction' }));
    // Where each setting came from: the template line, as a link (Globals: MemorySize 256).
    await panel.locator('details.section summary', { hasText: 'Configuration' }).click();
    await expect(panel.locator('table.configuration a.frame-link', { hasText: /template\.yaml:\d+ \(sam\)/ }).first());
    await panel.locator('table.configuration').scrollIntoViewIfNeeded();
    await workbench.screenshot('5-cli-invoke-in-panel');
  });

  it('handler output that looks like HTML is shown as text, never run', async () => {
    const { page } = workbench;
    await openLambdaView(page);
    await contextMenu(page, treeRow(page, 'html-order-id'), 'Invoke with This Event');
    const panel = invocationPanel(page);
    await expect(panel.locator('.log', { hasText: '<img src=x onerror=alert(1)>' }).first());
    assert.equal(await panel.locator('.logs img').count(), 0, 'no <img> element was created from the log');
    assert.deepEqual(dialogs, [], 'no alert() ran');
    await workbench.screenshot('4-html-output-escaped');
  });
});

function sqsRecord(body: string) {
  return {
    messageId: '5b1c9d2e-7f3a-4c8b-9e1d-2a3b4c5d6e7f',
    receiptHandle: 'AQEBexample',
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1700000000000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1700000000000',
    },
    messageAttributes: {},
    md5OfBody: '00000000000000000000000000000000',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:OrdersQueue',
    awsRegion: 'us-east-1',
  };
}
