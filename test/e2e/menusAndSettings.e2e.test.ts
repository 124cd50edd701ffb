/**
 * Words and menus, as a user meets them: right-click a handler in the explorer, open "Invoke with…" and find the
 * function's own trigger first; the palette's Lambda commands; the settings in the Settings UI.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { waitFor } from '../support/waitFor';
import { expect } from './expect';
import {
  copyOfExamples,
  expand,
  expandUntil,
  invocationPanel,
  openExplorer,
  openWorkbench,
  treeRow,
  waitForFunction,
  type Workbench,
} from './workbench';

/** The items of the open context menu's submenu, top to bottom; separators as "---". */
async function submenuItems(page: Page): Promise<string[]> {
  const submenu = page.locator('.monaco-submenu').last();
  await submenu.waitFor({ timeout: 15_000 });
  return submenu
    .locator('.action-item')
    .evaluateAll((items) =>
      items.map((li) =>
        li.querySelector('.separator') ? '---' : (li.querySelector('.action-label')?.textContent ?? '').trim(),
      ),
    );
}

/** The verbs a palette title starts with (test/unit/shared/commandTable.test.ts keeps the list for the table). */
const verbs = new Set([
  'Copy',
  'Debug',
  'Focus',
  'Invoke',
  'Refresh',
  'Restart',
  'Save',
  'Send',
  'Show',
  'Start',
  'Stop',
]);

describe('Words and menus (code-server, packaged extension)', function () {
  this.timeout(240_000);
  let workbench: Workbench;
  let folder: string;

  before(async () => {
    folder = await copyOfExamples();
    workbench = await openWorkbench(folder, { width: 1400, height: 1000 });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed')
      await workbench?.screenshot(`failed-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  after(async () => {
    await workbench?.close();
  });

  it('right-click the order processor, "Invoke with…": its SQS trigger comes first, the submenu is not in itself', async () => {
    const { page } = workbench;
    await waitForFunction(page, 'OrderProcessorFunction');
    await openExplorer(page);
    for (const folder of ['sam-app', 'src']) await expand(treeRow(page, folder));
    await expandUntil(treeRow(page, 'order-processor'), treeRow(page, 'index.js'));
    await treeRow(page, 'index.js').click({ button: 'right' });
    const invokeWith = page.locator('.monaco-menu .action-label', { hasText: /^Invoke with…$/ }).first();
    await invokeWith.waitFor({ timeout: 15_000 });
    await invokeWith.hover();
    const items = await submenuItems(page);
    await workbench.screenshot('menus-1-order-processor-invoke-with');
    assert.deepEqual(
      items.slice(0, 2),
      ['Invoke with SQS Event', '---'],
      `configured trigger first: ${items.join(' | ')}`,
    );
    assert.deepEqual(items.slice(-2), ['---', 'Pick an Event…'], 'the whole picker last');
    const sources = items.filter((i) => i !== '---' && i !== 'Pick an Event…');
    assert.equal(sources.filter((i) => i === 'Invoke with SQS Event').length, 1, 'SQS is listed once');
    assert.ok(sources.includes('Invoke with S3 Event') && sources.includes('Invoke with API Gateway Event…'));
    for (const item of sources) assert.match(item, /^Invoke with [\w ]+ Event…?$/, 'one label style');
    assert.ok(!items.includes('Invoke with…'), 'the submenu does not hold itself');

    // Choose it: the order processor runs on the event its SQS trigger sends, as a batch through its mapping.
    const sqs = page.locator('.monaco-submenu .action-label', { hasText: /^Invoke with SQS Event$/ });
    await sqs.hover();
    await sqs.click();
    const panel = invocationPanel(page);
    await expect(panel.locator('.record-header h1', { hasText: 'OrderProcessorFunction' }));
    await expect(panel.locator('.log', { hasText: 'START RequestId:' }));
    await workbench.screenshot('menus-2-order-processor-sqs-panel');
  });

  it('the thumbnail handler lists S3 first; a file of several functions lists each of their sources first', async () => {
    const { page } = workbench;
    await openExplorer(page);
    await expandUntil(treeRow(page, 'thumbnail'), treeRow(page, 'index.ts'));
    await treeRow(page, 'index.ts').click({ button: 'right' });
    await page
      .locator('.monaco-menu .action-label', { hasText: /^Invoke with…$/ })
      .first()
      .hover();
    const thumbnail = await submenuItems(page);
    assert.deepEqual(thumbnail.slice(0, 2), ['Invoke with S3 Event', '---'], thumbnail.join(' | '));
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.locator('.monaco-menu').first().waitFor({ state: 'hidden', timeout: 5_000 });

    await expandUntil(treeRow(page, 'serverless-app'), treeRow(page, 'handler.js'));
    await treeRow(page, 'handler.js').click({ button: 'right' });
    await page
      .locator('.monaco-menu .action-label', { hasText: /^Invoke with…$/ })
      .first()
      .hover();
    const serverless = await submenuItems(page);
    await workbench.screenshot('menus-3-serverless-handler-invoke-with');
    const configured = serverless.slice(0, serverless.indexOf('---'));
    assert.deepEqual(
      [...configured].sort(),
      [
        'Invoke with API Gateway Event…',
        'Invoke with CloudWatch Event…',
        'Invoke with S3 Event',
        'Invoke with SQS Event',
      ],
      serverless.join(' | '),
    );
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
  });

  it('the palette: every "Lambda:" command starts with a verb', async () => {
    const { page } = workbench;
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 15_000 });
    await input.fill('>Lambda: ');
    const rows = page.locator('.quick-input-list .monaco-list-row');
    await rows.first().waitFor({ timeout: 15_000 });
    await workbench.screenshot('menus-4-palette-lambda');
    // The list is virtual: walk it with the arrow keys and read each row as it becomes the active one.
    const seen: string[] = [];
    for (let i = 0; i < 80; i++) {
      const label = (await page.locator('.quick-input-list .monaco-list-row.focused').getAttribute('aria-label')) ?? '';
      if (seen.includes(label)) break;
      seen.push(label);
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Escape');
    assert.ok(seen.includes('Lambda: Invoke with…') && seen.includes('Lambda: Refresh Functions'), seen.join(' | '));
    assert.ok(!seen.some((s) => s.startsWith('Lambda: Invoke with SQS')), 'menu-only sources stay out of the palette');
    for (const label of seen.filter((s) => s.startsWith('Lambda: '))) {
      const verb = label.slice('Lambda: '.length).split(' ')[0] ?? '';
      assert.ok(verbs.has(verb), `"${label}" starts with a verb`);
    }
  });

  it('the Settings UI edits every lambdaTrigger setting: the time scale is a number box with its presets', async () => {
    const { page } = workbench;
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').fill('>Preferences: Open Settings (UI)');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Open Settings (UI)' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.settings-editor').waitFor({ timeout: 30_000 });
    await page.keyboard.type('lambdaTrigger');
    await page
      .locator('.settings-tabs-widget .action-label', { hasText: /^Workspace/ })
      .first()
      .click();
    const row = (label: string) =>
      page.locator('.settings-editor .setting-item', {
        has: page.locator('.setting-item-label', { hasText: new RegExp(`^${label}$`) }),
      });
    const timeScale = row('Time Scale');
    await timeScale.waitFor({ timeout: 30_000 });
    await expect(timeScale.locator('.setting-item-markdown', { hasText: '3600' }));
    await workbench.screenshot('menus-5-settings-ui');
    for (const [label, kind] of [
      ['Time Scale', 'number'],
      ['Region', 'text'],
      ['Account ID', 'text'],
      ['Log Format', 'enum'],
    ] as const) {
      const control = kind === 'enum' ? row(label).locator('select') : row(label).locator(`input[type=${kind}]`);
      assert.equal(await control.count(), 1, `${label} is edited as ${kind}`);
    }

    // A number: 60 is written as the number 60 into the folder's settings.json.
    const box = timeScale.locator('input[type=number]');
    const settingsFile = join(folder, '.vscode', 'settings.json');
    const written = () =>
      existsSync(settingsFile)
        ? (JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>)['lambdaTrigger.timeScale']
        : undefined;
    // The tree re-renders as the tab changes: type again while the box lost what was typed.
    await waitFor('60 in .vscode/settings.json', async () => {
      if ((await box.inputValue()) !== '60') await box.fill('60');
      return written() === 60;
    });
    // Not a time scale: the Settings UI says why, and writes nothing.
    await box.fill('-1');
    await expect(timeScale.locator('.setting-item-validation-message', { hasText: /greater than 0/ }));
    await workbench.screenshot('menus-6-settings-ui-time-scale-invalid');
    assert.equal(written(), 60);
    // Empty again: instant.
    await box.fill('');
    await waitFor('the time scale empty (instant) again', () => written() === undefined || written() === null);

    // The prices, one number box each (the settings list is virtual: search for them to have them rendered).
    const search = async (text: string): Promise<void> => {
      await page.locator('.settings-editor .suggest-input-container').click();
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.type(text);
    };
    await search('lambdaTrigger.pricing');
    await expect(row('Gb Second').last());
    assert.equal(await row('Gb Second').locator('input[type=number]').count(), 2, 'x86_64 and arm64');
    assert.equal(await row('Requests Per Million').locator('input[type=number]').count(), 2, 'x86_64 and arm64');
    await workbench.screenshot('menus-7-settings-ui-prices');

    // The discovery excludes, a list of globs; the follow horizon, a whole number.
    await search('lambdaTrigger.discovery.exclude');
    await expect(row('Exclude'));
    assert.equal(await row('Exclude').locator('.setting-list-widget').count(), 1, 'the exclude globs as a list');
    await search('lambdaTrigger.followDeliveries');
    await expect(row('Follow Deliveries'));
    assert.equal(await row('Follow Deliveries').locator('input[type=number]').count(), 1, 'the horizon as a number');
  });
});
