/**
 * Shared fixture of the end-to-end tests: code-server with the packaged .vsix installed (as a user installs it),
 * a headless Chromium page on the examples workspace, and screenshots kept under .test-output/e2e/.
 */
import { cp, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';
import * as codeServer from '../../scripts/lib/codeServer.mjs';
import { tempDirForRun } from '../support/tempDirs';

export const repoRoot = resolve(__dirname, '..', '..');
export const screenshotDir = join(repoRoot, '.test-output', 'e2e');
export const vsixPath = process.env.LTR_VSIX ?? join(repoRoot, 'dist', 'lambda-trigger-runner.vsix');

export interface Workbench {
  page: Page;
  /** code-server's user-data dir (workspace storage of the extension lives under it). */
  userDataDir: string;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** A fresh copy of examples/ in a temp dir, so the tests' stores and saved events never land in the repository. */
export async function copyOfExamples(): Promise<string> {
  const dir = tempDirForRun('ltr-e2e-examples-');
  // Only what a checkout holds: not the store or endpoint a local run of the examples left behind.
  await cp(join(repoRoot, 'examples'), join(dir, 'examples'), {
    recursive: true,
    filter: (source) => !source.split(/[\\/]/).includes('.lambda-trigger'),
  });
  return join(dir, 'examples');
}

/** The document inside the invocation panel's webview (VS Code nests it in two iframes). */
export function invocationPanel(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
}

/** Opens the Lambda view container in the activity bar. */
export async function openLambdaView(page: Page): Promise<void> {
  const lambda = page.locator('.activitybar .action-item a[aria-label^="Lambda"]');
  await lambda.waitFor({ timeout: 60_000 });
  const functions = page.locator('.pane-header', { hasText: 'Functions' });
  // The icon toggles the side bar; after a reload the workbench may restore the view just after a click, which then
  // closes it again: click, and click again when the view is still not there.
  for (let attempt = 1; ; attempt++) {
    if (await functions.isVisible()) return;
    await lambda.click();
    try {
      await functions.waitFor({ timeout: 10_000 });
      return;
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
}

/** A row of a tree (explorer or Lambda views) by its accessible label. */
export function treeRow(page: Page, label: string) {
  const q = JSON.stringify(label);
  const prefix = (sep: string) => JSON.stringify(label + sep);
  return page
    .locator(`.monaco-list-row:is([aria-label=${q}], [aria-label^=${prefix(' ')}], [aria-label^=${prefix(',')}])`)
    .first();
}

/** Expands a tree row with its twistie (a click on the label runs the item's command instead). */
export async function expand(row: ReturnType<typeof treeRow>): Promise<void> {
  await row.waitFor({ timeout: 30_000 });
  // A view that refreshes just as the twistie is clicked (a saved event arrived) renders the row collapsed again: as a
  // user would, click once more.
  for (let attempt = 1; (await row.getAttribute('aria-expanded')) !== 'true'; attempt++) {
    await row.locator('.monaco-tl-twistie').click();
    try {
      await row.and(row.page().locator('[aria-expanded="true"]')).waitFor({ timeout: 5_000 });
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
}

/**
 * Expands `parent` until `child` shows under it. The Explorer re-renders when a folder appears in the workspace (the
 * store's `.lambda-trigger`, created by the first invocation), and a folder expanded just before can come back
 * collapsed: as a user would, expand it once more.
 */
export async function expandUntil(
  parent: ReturnType<typeof treeRow>,
  child: ReturnType<typeof treeRow>,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await expand(parent);
    try {
      await child.waitFor({ timeout: 5_000 });
      return;
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
}

/** Shows the Explorer (its activity-bar icon toggles the side bar, so click only when it is hidden). */
export async function openExplorer(page: Page): Promise<void> {
  if (!(await page.locator('.explorer-folders-view').isVisible())) {
    await page.locator('.activitybar .action-item a[aria-label^="Explorer"]').click();
  }
  await page.locator('.explorer-folders-view').waitFor({ timeout: 30_000 });
}

/** Right-clicks `row` and chooses `item` in the context menu. */
export async function contextMenu(page: Page, row: ReturnType<typeof treeRow>, item: string): Promise<void> {
  await row.click({ button: 'right' });
  const action = page.locator('.monaco-menu .action-label', { hasText: item }).first();
  try {
    await action.waitFor({ timeout: 15_000 });
  } catch (err) {
    await page.keyboard.press('Escape'); // leave no menu open over the next test
    throw err;
  }
  await action.hover();
  await action.click();
  // A click that lands while the menu is still opening is ignored by the workbench: confirm it closed.
  const menu = page.locator('.monaco-menu').first();
  try {
    await menu.waitFor({ state: 'hidden', timeout: 3_000 });
  } catch {
    await page.keyboard.press('Enter');
    await menu.waitFor({ state: 'hidden', timeout: 5_000 });
  }
}

/** Runs a command from the palette by its title (`Lambda: Show Invocations`). */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 15_000 });
  await input.fill(`>${title}`);
  // Click the command itself: Enter would run the focused row, which can be a longer command that also matches while
  // the list is still being filtered ("File: Compare New Untitled Text Files" for "File: New Untitled Text File").
  const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  const label = page.locator('.label-name').filter({ hasText: exact });
  await page.locator('.quick-input-list .monaco-list-row').filter({ has: label }).first().click({ timeout: 15_000 });
}

/** The editor tab of the invocation panel. */
export function panelTab(page: Page) {
  return page.locator('.tabs-container .tab', { hasText: 'Lambda Invocations' });
}

/** Waits until the handler index is loaded: the function shows in the Functions view. */
export async function waitForFunction(page: Page, name: string): Promise<void> {
  await openLambdaView(page);
  await treeRow(page, name).waitFor({ timeout: 90_000 });
}

/** Opens `folder` in a fresh code-server with the packaged extension installed. */
export async function openWorkbench(
  folder = join(repoRoot, 'examples'),
  viewport = { width: 1400, height: 860 },
): Promise<Workbench> {
  const extensionsDir = tempDirForRun('ltr-e2e-ext-');
  await codeServer.installExtension(vsixPath, extensionsDir);
  const server = await codeServer.startCodeServer({ extensionsDir, logFile: join(screenshotDir, 'code-server.log') });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: codeServer.CHROMIUM,
      args: codeServer.CHROMIUM_ARGS,
    });
    const page = await browser.newPage({ viewport });
    await page.goto(codeServer.workbenchUrl(server, folder));
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await mkdir(screenshotDir, { recursive: true });
    const opened = browser;
    return {
      page,
      userDataDir: server.userDataDir,
      async screenshot(name) {
        const path = join(screenshotDir, `${name}.png`);
        await page.screenshot({ path });
        return path;
      },
      async close() {
        await opened.close().catch(() => undefined);
        await server.stop();
      },
    };
  } catch (err) {
    await browser?.close().catch(() => undefined);
    await server.stop();
    throw err;
  }
}
