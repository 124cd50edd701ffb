import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { openWorkbench, type Workbench } from './workbench';

describe('Lambda views in code-server with the packaged extension installed', function () {
  this.timeout(180_000);
  let workbench: Workbench;

  before(async () => {
    workbench = await openWorkbench();
  });

  after(async () => {
    await workbench?.close();
  });

  it('shows the Lambda container in the activity bar, and opening it shows Functions and Event Sources', async () => {
    const { page } = workbench;
    const lambda = page.locator('.activitybar .action-item a[aria-label^="Lambda"]');
    await lambda.waitFor({ timeout: 60_000 });
    await lambda.click();
    const functionsHeader = page.locator('.pane-header', { hasText: 'Functions' });
    const eventSourcesHeader = page.locator('.pane-header', { hasText: 'Event Sources' });
    await functionsHeader.waitFor({ timeout: 30_000 });
    await eventSourcesHeader.waitFor({ timeout: 30_000 });
    const shot = await workbench.screenshot('lambda-views');
    assert.ok(existsSync(shot), `screenshot written to ${shot}`);
    assert.equal(
      await page.locator('.sidebar .title-label h2', { hasText: /lambda/i }).count(),
      1,
      'the side bar title is Lambda',
    );
  });
});
