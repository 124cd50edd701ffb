/**
 * Shared fixture of the end-to-end tests: code-server with the packaged .vsix installed (as a user installs it),
 * a headless Chromium page on the examples workspace, and screenshots kept under .test-output/e2e/.
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import * as codeServer from '../../scripts/lib/codeServer.mjs';

export const repoRoot = resolve(__dirname, '..', '..');
export const screenshotDir = join(repoRoot, '.test-output', 'e2e');
export const vsixPath = process.env.LTR_VSIX ?? join(repoRoot, 'dist', 'lambda-trigger-runner.vsix');

export interface Workbench {
  page: Page;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Opens `folder` in a fresh code-server with the packaged extension installed. */
export async function openWorkbench(folder = join(repoRoot, 'examples')): Promise<Workbench> {
  const extensionsDir = await mkdtemp(join(tmpdir(), 'ltr-e2e-ext-'));
  await codeServer.installExtension(vsixPath, extensionsDir);
  const server = await codeServer.startCodeServer({ extensionsDir, logFile: join(screenshotDir, 'code-server.log') });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: codeServer.CHROMIUM,
      args: codeServer.CHROMIUM_ARGS,
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    await page.goto(codeServer.workbenchUrl(server, folder));
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await mkdir(screenshotDir, { recursive: true });
    const opened = browser;
    return {
      page,
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
