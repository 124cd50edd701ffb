/**
 * The loop a developer repeats all day, clicked through the real workbench at the width a panel gets beside an
 * editor (about 450 px): run an event, read the story it made, hide and show the panel, reload the window, close
 * and reopen the panel, and read an error. Screenshots go to .test-output/e2e/loop-*.png.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../support/waitFor';
import { expect } from './expect';
import {
  contextMenu,
  copyOfExamples,
  expand,
  invocationPanel,
  openLambdaView,
  openWorkbench,
  panelTab,
  repoRoot,
  runCommand,
  treeRow,
  waitForFunction,
  type Workbench,
} from './workbench';

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  publisher: string;
  name: string;
};
const extensionId = `${manifest.publisher}.${manifest.name}`;

/** The selected record the extension keeps for the panel in the workspace's extension storage, if any. */
function keptSelection(userDataDir: string): string | undefined {
  const storage = join(userDataDir, 'User', 'workspaceStorage');
  if (!existsSync(storage)) return undefined;
  for (const workspace of readdirSync(storage)) {
    const file = join(storage, workspace, extensionId, 'panel-view-state.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { selectedId?: string }).selectedId;
  }
  return undefined;
}

describe('The daily loop in the workbench, in a panel 450 px wide', function () {
  this.timeout(300_000);
  let workbench: Workbench;
  let folder: string;

  before(async () => {
    folder = await copyOfExamples();
    // 1,200 px: the side bar and two editor groups leave the panel about 450 px.
    workbench = await openWorkbench(folder, { width: 1200, height: 860 });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed')
      await workbench?.screenshot(`failed-loop-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  after(async () => {
    await workbench?.close();
  });

  it('one story per event: the poison batch is one entry, its receives and redrive nested, icons that tell the truth', async () => {
    const { page } = workbench;
    await waitForFunction(page, 'OrderProcessorFunction');
    // An editor open on the template, so the panel opens beside it, as it does while one works.
    await runCommand(page, 'Go to File...');
    await page.keyboard.type('sam-app/template.yaml');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'template.yaml' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab', { hasText: 'template.yaml' }).waitFor();
    await expand(treeRow(page, 'OrderProcessorFunction'));
    await contextMenu(page, treeRow(page, 'batch-with-poison'), 'Invoke with This Event');
    const panel = invocationPanel(page);
    const story = panel.locator('.section-story');
    await expect(story.locator('.story-part', { hasText: 'receive 3' }));
    // One history entry for the whole event.
    assert.equal(await panel.locator('.history-item').count(), 1);
    await expect(panel.locator('.history-item .meta', { hasText: '3 records' }));
    await expect(story.locator('.story-delivery', { hasText: 'OrdersDLQ' }).first());
    // The first receive returned but reported two failed messages: a warning, not a green tick.
    await story.locator('.story-link', { hasText: 'receive 1' }).click();
    await expect(panel.locator('.attempt.outcome-partial .codicon-warning'));
    assert.equal(await panel.locator('.attempt .codicon-pass').count(), 0);
    await expect(panel.locator('table.batches .ids .id.failed').first());
    const detailWidth = await panel.locator('main.detail').evaluate((e) => e.getBoundingClientRect().width);
    assert.ok(detailWidth >= 380 && detailWidth <= 560, `the panel is about 450 px wide (detail ${detailWidth} px)`);
    await workbench.screenshot('loop-4-one-story-per-event');
  });

  it('layout: at 450 px the history sits above the detail, and a new selection starts at its top', async () => {
    const panel = invocationPanel(workbench.page);
    const list = await panel.locator('aside.history').boundingBox();
    const detail = await panel.locator('main.detail').boundingBox();
    assert.ok(list && detail && list.y + list.height <= detail.y + 1, 'the history is above the detail');
    assert.ok(Math.abs(list.width - detail.width) < 2, 'both take the full width');
    const scroller = panel.locator('main.detail');
    await scroller.evaluate((e) => e.scrollTo(0, e.scrollHeight));
    await panel.locator('.section-story .story-link', { hasText: 'receive 2' }).click();
    await expect(panel.locator('.story-part[aria-current="true"]', { hasText: 'receive 2' }));
    assert.equal(await scroller.evaluate((e) => e.scrollTop), 0);
    // Long names end in an ellipsis with the full name on hover.
    const fn = panel.locator('.history-item .fn').first();
    assert.equal(await fn.getAttribute('title'), 'OrderProcessorFunction');
    assert.equal(await fn.evaluate((e) => getComputedStyle(e).textOverflow), 'ellipsis');
    // A batch's record ids and bodies stay inside their column (they end in an ellipsis, the rest on hover).
    const overflowing = await panel
      .locator('table.batches tr.batch td:nth-child(2)')
      .evaluateAll(
        (cells) =>
          cells.flatMap((cell) =>
            Array.from(cell.querySelectorAll('.id')).filter(
              (chip) => chip.getBoundingClientRect().right > cell.getBoundingClientRect().right + 0.5,
            ),
          ).length,
      );
    assert.equal(overflowing, 0, 'no record id runs into the outcome column');
    await workbench.screenshot('loop-6-narrow-layout');
    await panel.locator('table.batches').scrollIntoViewIfNeeded();
    await workbench.screenshot('loop-6b-narrow-batch-table');
  });

  it('readable errors: the handler frame is a link, the runtime frames fold away until asked for', async () => {
    const { page } = workbench;
    await openLambdaView(page);
    await contextMenu(page, treeRow(page, 'PaymentWebhookFunction'), 'Invoke');
    const panel = invocationPanel(page);
    await expect(panel.locator('.record-header h1', { hasText: 'PaymentWebhookFunction' }));
    const firstError = panel.locator('.attempt').first().locator('.error');
    await expect(firstError.locator('.stack .frame-workspace a.frame-link').first());
    assert.equal(await firstError.locator('.stack .frame-runner').first().isVisible(), false);
    const toggle = firstError.locator('button.show-frames');
    await toggle.click();
    await expect(firstError.locator('.stack .frame-runner').first());
    await toggle.click();
    await expect(panel.locator('.attempt').nth(1).locator('.same-error', { hasText: 'Same stack as attempt 1' }));
    // The log carries the line Lambda's runtime writes for the error.
    await expect(panel.locator('.log.level-error', { hasText: 'Invoke Error' }).first());
    await workbench.screenshot('loop-5-readable-errors');
  });

  it("events from the function's own trigger: getStock's default event is GET /stock/{sku} with its path parameter", async () => {
    const { page } = workbench;
    await openLambdaView(page);
    await contextMenu(page, treeRow(page, 'getStock'), 'Invoke');
    const panel = invocationPanel(page);
    await expect(panel.locator('.record-header h1', { hasText: 'getStock' }));
    // The handler looked the sku up: 404 for the sample sku, not a crash on a missing path parameter.
    await expect(panel.locator('.response pre', { hasText: '"statusCode": 404' }));
    await panel.locator('details.section-event > summary').click();
    await expect(panel.locator('details.section-event pre', { hasText: '"sku": "example-sku"' }));
    await expect(panel.locator('details.section-event pre', { hasText: '"routeKey": "GET /stock/{sku}"' }));
    await panel.locator('details.section-event').scrollIntoViewIfNeeded();
    await workbench.screenshot('loop-3-trigger-shaped-default');
  });

  it('what it would cost: each record and the whole event show billed GB-seconds and an estimate', async () => {
    const panel = invocationPanel(workbench.page);
    await panel.locator('.history-item', { hasText: 'OrderProcessorFunction' }).click();
    await expect(
      panel.locator('.section-story .field', {
        hasText: /whole event on AWS\s*3 requests, [\d.]+ GB-s billed, about \$[\d.]+/,
      }),
    );
    const cost = panel.locator('.record-header .field', { hasText: 'cost on AWS (estimate)' });
    await expect(cost);
    assert.match((await cost.textContent()) ?? '', /1 request, [\d.]+ GB-s billed, about \$[\d.]+ \(arm64\)/);
    assert.match((await cost.getAttribute('title')) ?? '', /aws\.amazon\.com\/lambda\/pricing/);
    await workbench.screenshot('loop-9-cost');
  });

  it('events are documents: Edit first, change it in the editor, run it from its lens, save it with a name from its content', async () => {
    const { page } = workbench;
    await openLambdaView(page);
    await contextMenu(page, treeRow(page, 'ThumbnailFunction'), 'Invoke with…');
    const picks = page.locator('.quick-input-list .monaco-list-row');
    await picks.filter({ hasText: 'configured trigger' }).first().click();
    await picks.filter({ hasText: 'Edit first' }).first().click();
    // A JSON document of the event, with its type marker and its lenses.
    const editor = page.locator('.editor-instance .monaco-editor').last();
    await expect(editor.locator('.view-line', { hasText: '"$eventType": "s3:put"' }));
    const lens = (title: string) => page.locator('.contentWidgets .codelens-decoration a', { hasText: title });
    await expect(lens('Invoke ThumbnailFunction (async)'));
    await expect(lens('Invoke another function…'));
    await expect(lens('Save as…'));
    await workbench.screenshot('loop-2a-event-document');

    // Change the key in the editor (unsaved) and run it.
    await editor.click();
    await page.keyboard.press('Control+H');
    const find = page.locator('.find-widget textarea[aria-label="Find"]');
    await find.fill('example.jpg');
    await page.locator('.find-widget textarea[aria-label="Replace"]').fill('edited-in-the-editor.jpg');
    await page.keyboard.press('Control+Alt+Enter');
    await page.keyboard.press('Escape');
    await expect(editor.locator('.view-line', { hasText: 'edited-in-the-editor.jpg' }));
    await lens('Invoke ThumbnailFunction (async)').click();
    const panel = invocationPanel(page);
    await expect(panel.locator('.log', { hasText: 'uploads/edited-in-the-editor.jpg' }).first());
    await workbench.screenshot('loop-2b-ran-from-the-document');

    // Save it: the name comes from its content.
    await lens('Save as…').click();
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    assert.match(await input.inputValue(), /^put-uploadsbucket-uploads-edited-in-the-editor-jpg/);
    await page.keyboard.press('Enter');
    await expect(page.locator('.tabs-container .tab', { hasText: /^put-uploadsbucket-uploads-edited/ }));
    // The saved file took the untitled document's place, and runs its function from its own lens.
    await page.locator('.tabs-container .tab', { hasText: /^Untitled-/ }).waitFor({ state: 'detached' });
    await expect(lens('Invoke ThumbnailFunction (async)'));
    await expand(treeRow(page, 'ThumbnailFunction'));
    await expect(treeRow(page, 'put-uploadsbucket-uploads-edited-in-the-editor-jpg'));
    await workbench.screenshot('loop-2c-saved-event');
  });

  it('the panel never forgets: hidden and shown, reloaded, closed and reopened, with what ran meanwhile', async () => {
    const { page } = workbench;
    const panel = invocationPanel(page);
    // Select the poison batch's story, open the Event section, scroll the detail.
    await panel.locator('.history-item', { hasText: 'OrderProcessorFunction' }).click();
    await expect(panel.locator('.record-header h1', { hasText: 'OrderProcessorFunction' }));
    // Sections stay as the reader left them (an earlier test opened Event): open it if it is closed.
    if ((await panel.locator('details.section-event').getAttribute('open')) === null)
      await panel.locator('details.section-event > summary').click();
    const scroller = panel.locator('main.detail');
    await scroller.evaluate((e) => e.scrollTo(0, 400));
    const selected = async (): Promise<string | null> =>
      panel.locator('.story-part[aria-current="true"] .story-link').getAttribute('data-id');
    const before = await selected();
    assert.ok(before);
    const events = async (): Promise<number> =>
      Number(/^(\d+)/.exec((await panel.locator('.history-count').textContent()) ?? '')?.[1]);
    const eventsBefore = await events();

    // Hide it behind another editor in its group, and invoke from a terminal meanwhile.
    await panelTab(page).click();
    await runCommand(page, 'File: New Untitled Text File');
    await expect(page.locator('.tabs-container .tab.active', { hasText: /^Untitled-\d+/ }));
    await panelTab(page).waitFor();
    const cli = spawnSync(
      process.execPath,
      [join(repoRoot, 'dist', 'cli.js'), 'invoke', 'NightlyReportFunction', '--root', folder, '--json'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(cli.status, 0, cli.stderr);
    await panelTab(page).click();
    await expect(panel.locator('.history-item', { hasText: 'NightlyReportFunction' }));
    assert.equal(await selected(), before, 'the same record is selected');
    assert.equal(await panel.locator('details.section-event').getAttribute('open'), '');
    assert.equal(await events(), eventsBefore + 1, 'the invocation that ran while hidden is there');
    assert.ok((await scroller.evaluate((e) => e.scrollTop)) > 300, 'the detail is where it was');
    await workbench.screenshot('loop-1a-shown-again');

    // Reload the window: the panel comes back with the same record. The workbench saves a page's own state lazily;
    // what the extension kept (written as soon as the page told it) is there even if the reload comes at once.
    await waitFor('the selection kept by the extension', () => keptSelection(workbench.userDataDir) === before);
    await page.reload();
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    // The workbench saves which tab of a group is active lazily too: a reload soon after the click that showed the
    // panel may bring its group back with the untitled file in front. Its tab is there; showing it is the user's click.
    await panelTab(page).waitFor({ timeout: 60_000 });
    await panelTab(page).click();
    await expect(panel.locator('.history-item', { hasText: 'NightlyReportFunction' }), 90_000);
    assert.equal(await selected(), before, 'the same record after a reload');

    // Close it, and show it again from the palette.
    await panelTab(page).click();
    await page.keyboard.press('Control+W');
    await panelTab(page).waitFor({ state: 'detached' });
    await runCommand(page, 'Lambda: Show Invocations');
    await expect(panel.locator('.history-item', { hasText: 'NightlyReportFunction' }));
    await expect(panel.locator('.story-part[aria-current="true"]'));
    assert.equal(await selected(), before, 'the same record after closing and reopening');
    assert.equal(await panel.locator('details.section-event').getAttribute('open'), '');
    await workbench.screenshot('loop-1b-reopened');
  });

  it('a saved SQS event is sent to its queue from its lens; what reads the queue runs, as one story', async () => {
    const { page } = workbench;
    await openLambdaView(page);
    await expand(treeRow(page, 'OrderProcessorFunction'));
    await treeRow(page, 'batch-with-poison').click();
    await expect(page.locator('.tabs-container .tab', { hasText: 'batch-with-poison.json' }));
    const lens = (title: string) => page.locator('.contentWidgets .codelens-decoration a', { hasText: title });
    await expect(lens('Invoke OrderProcessorFunction (batch)'));
    const panel = invocationPanel(page);
    const before = await panel.locator('.history-item').count();
    await lens('Send to OrdersQueue').click();
    await expect(panel.locator('.history-item').nth(before));
    await expect(panel.locator('.section-story .story-part', { hasText: 'receive 3' }));
    await workbench.screenshot('loop-2d-sent-to-its-queue');
  });
});
