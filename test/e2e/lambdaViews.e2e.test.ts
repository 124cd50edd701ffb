import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyOfExamples, openLambdaView, openWorkbench, treeRow, type Workbench } from './workbench';

describe('Lambda views in code-server with the packaged extension installed', function () {
  this.timeout(180_000);
  let workbench: Workbench;

  before(async () => {
    workbench = await openWorkbench(await copyOfExamples());
  });

  after(async () => {
    await workbench?.close();
  });

  it('the Lambda container lists the examples functions (from the language server) and the event sources', async () => {
    const { page } = workbench;
    await openLambdaView(page);
    await page.locator('.pane-header', { hasText: 'Event Sources' }).waitFor({ timeout: 30_000 });
    // The packaged server must load its parser and index the workspace: the functions appear.
    for (const name of ['CreateOrderFunction', 'OrderProcessorFunction', 'PaymentWebhookFunction']) {
      await treeRow(page, name).waitFor({ timeout: 90_000 });
    }
    await treeRow(page, 'Synchronous').waitFor({ timeout: 30_000 });
    const shot = await workbench.screenshot('0-lambda-views');
    assert.ok(existsSync(shot), `screenshot written to ${shot}`);
    assert.equal(
      await page.locator('.sidebar .title-label h2', { hasText: /lambda/i }).count(),
      1,
      'the side bar title is Lambda',
    );
  });
});
