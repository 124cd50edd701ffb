/**
 * The durable order example from the workbench: invoke its workflow with the saved order, read the execution in the
 * Invocations panel (the reservation step that was retried, the approval callback waiting), reload the window in the
 * middle of the wait, complete the approval from the panel's callback editor, and see the execution succeed with its
 * chained payment invoke and its three-day wait. At about 450 px, as beside an editor. Screenshots go to
 * .test-output/e2e/durable-*.png.
 */
import * as assert from 'node:assert/strict';
import { expect } from './expect';
import {
  contextMenu,
  copyOfExamples,
  expand,
  invocationPanel,
  openWorkbench,
  runCommand,
  treeRow,
  waitForFunction,
  type Workbench,
} from './workbench';

describe('A durable execution in the workbench', function () {
  this.timeout(300_000);
  let workbench: Workbench;

  before(async () => {
    workbench = await openWorkbench(await copyOfExamples(), { width: 800, height: 900 });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed')
      await workbench?.screenshot(`failed-durable-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  after(async () => {
    await workbench?.close();
  });

  it('shows the operations, completes the approval from the panel, and the execution succeeds', async () => {
    const { page } = workbench;
    await waitForFunction(page, 'OrderWorkflowFunction');
    await expand(treeRow(page, 'OrderWorkflowFunction'));
    await contextMenu(page, treeRow(page, 'order-mugs'), 'Invoke with This Event');
    const panel = invocationPanel(page);
    const execution = panel.locator('.section-execution');
    // The first run of Node.js 24 may download it: the first answer can take a while.
    await expect(execution.locator('summary', { hasText: 'Durable execution · RUNNING' }), 180_000);
    const callback = execution.locator('.op-callback.op-status-started');
    await expect(callback);
    await expect(
      execution.locator('.op-step', { hasText: 'reserve-stock' }).locator('.op-meta', { hasText: '2 attempts ended' }),
    );
    await workbench.screenshot('durable-1-waiting-for-approval');

    // A reload in the middle of the wait for approval (a new extension host: the execution comes from the store).
    // The workbench restores editors only some seconds after a layout change, so the panel is opened again.
    await page.reload();
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await waitForFunction(page, 'OrderWorkflowFunction');
    await runCommand(page, 'Lambda: Show Invocations');
    await panel.locator('.history-item', { hasText: 'OrderWorkflowFunction' }).first().click();
    await expect(execution.locator('summary', { hasText: 'Durable execution · RUNNING' }), 120_000);
    await expect(callback);

    // The callback editor checks the JSON as it is typed; Succeed sends it.
    await callback.locator('button.callback-toggle').click();
    const editor = callback.locator('textarea.callback-result');
    await editor.fill('{ "approved": true, "approver": ');
    await expect(callback.locator('.callback-problem', { hasText: 'Not JSON' }));
    assert.equal(await callback.locator('button.callback-succeed').isDisabled(), true);
    await editor.fill('{ "approved": true, "approver": "maria" }');
    assert.equal(await callback.locator('button.callback-succeed').isDisabled(), false);
    await workbench.screenshot('durable-2-callback-editor');
    await callback.locator('button.callback-succeed').click();

    await expect(execution.locator('summary', { hasText: 'Durable execution · SUCCEEDED' }), 120_000);
    await expect(execution.locator('.op-chained_invoke .op-meta', { hasText: '→ ChargePaymentFunction' }));
    await expect(execution.locator('.op-wait .op-meta', { hasText: '(3 d)' }));
    await expect(execution.locator('.op-payload pre', { hasText: '"approver": "maria"' }).first());
    await expect(execution.locator('.op-payload pre', { hasText: '"status": "SHIPPED"' }).first());
    // The payment function's record is a part of the same story.
    await expect(panel.locator('.section-story .story-fn', { hasText: 'ChargePaymentFunction' }));
    const overflow = await execution.evaluate((e) => e.scrollWidth - e.clientWidth);
    assert.ok(overflow <= 0, `the execution fits the panel's width (${overflow} px over)`);
    await workbench.screenshot('durable-3-succeeded');
  });
});
