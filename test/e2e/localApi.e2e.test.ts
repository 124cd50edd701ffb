/**
 * The local API from the workbench: "Lambda: Start Local API" from the palette, the status bar shows its address,
 * the Local API view lists the routes, a request from outside (curl's place) runs the function, and the Invocations
 * panel shows it with its HTTP request and response. Screenshots go to .test-output/e2e/local-api-*.png.
 */
import * as assert from 'node:assert/strict';
import { expect } from './expect';
import {
  copyOfExamples,
  invocationPanel,
  openWorkbench,
  runCommand,
  treeRow,
  waitForFunction,
  type Workbench,
} from './workbench';

describe('The local API in the workbench', function () {
  this.timeout(300_000);
  let workbench: Workbench;

  before(async () => {
    // 800 px: beside the side bar the panel gets about 450 px, as beside an editor.
    workbench = await openWorkbench(await copyOfExamples(), { width: 800, height: 860 });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed')
      await workbench?.screenshot(`failed-local-api-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  after(async () => {
    await workbench?.close();
  });

  it('starts from the palette, lists its routes, and a request shows in the panel with its HTTP exchange', async () => {
    const { page } = workbench;
    await waitForFunction(page, 'getStock');
    await runCommand(page, 'Lambda: Start Local API');

    // The status bar says where it serves; the notification leads to the routes.
    const status = page.locator('.statusbar-item', { hasText: /127\.0\.0\.1:\d+/ });
    await expect(status, 60_000);
    const address = /127\.0\.0\.1:\d+/.exec((await status.textContent()) ?? '')?.[0];
    assert.ok(address, 'the status bar shows the address');
    const base = `http://${address}`;
    await page.locator('.notifications-toasts .monaco-button', { hasText: 'Show Routes' }).click();
    await expect(treeRow(page, 'GET /stock/{sku}'));
    await expect(treeRow(page, 'POST /orders'));
    await workbench.screenshot('local-api-1-routes');

    // A request from outside the editor, as curl would make it.
    const response = await fetch(`${base}/stock/NO-SUCH-SKU`);
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), { message: 'Unknown SKU NO-SUCH-SKU' });

    await runCommand(page, 'Lambda: Show Invocations');
    const panel = invocationPanel(page);
    await panel.locator('.history-item', { hasText: 'getStock' }).first().click();
    await expect(panel.locator('.record-header h1', { hasText: 'getStock' }));
    const exchange = panel.locator('.http-exchange');
    await expect(exchange.locator('.http-first-line', { hasText: 'GET /stock/NO-SUCH-SKU' }));
    await expect(exchange.locator('.http-first-line', { hasText: /^404 after/ }));
    await expect(exchange.locator('pre', { hasText: 'Unknown SKU NO-SUCH-SKU' }));
    await exchange.scrollIntoViewIfNeeded();
    const overflow = await exchange.evaluate((e) => e.scrollWidth - e.clientWidth);
    assert.ok(overflow <= 0, `the HTTP exchange fits the panel's width (${overflow} px over)`);
    await workbench.screenshot('local-api-2-request-in-the-panel');

    // Stopping frees the port and hides the address.
    await runCommand(page, 'Lambda: Stop Local API');
    await status.waitFor({ state: 'detached', timeout: 30_000 });
    await assert.rejects(fetch(`${base}/stock/1`));
  });
});
