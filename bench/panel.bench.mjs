// The invocation panel with 1,000 records in its history: the real webview bundle (media/webview.js) in headless
// Chromium, fed the same 'history' message the extension sends. Measures first render, selecting a record, and
// filtering, in the page's own clock. `npm run bench` builds media/webview.js first.
/* global window, document, requestAnimationFrame -- used inside page.evaluate, which runs in the browser */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../scripts/lib/codeServer.mjs';
import { percentile, printTable } from './report.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'media', 'webview.js');
if (!existsSync(bundle)) {
  console.error('media/webview.js is missing: run `npm run build` first');
  process.exit(1);
}

/** A realistic record: an async function retried twice, with logs, an error and a DLQ delivery. */
function record(i) {
  const t = (ms) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
  const attempt = (n) => ({
    number: n,
    requestId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    start: { simulated: t(i * 1000 + (n - 1) * 60_000), wall: t(i * 1000 + n) },
    durationMs: 3.2,
    billedDurationMs: 4,
    memorySizeMB: 256,
    maxMemoryUsedMB: 48,
    coldStart: n === 1,
    outcome: 'functionError',
    error: {
      errorType: 'Error',
      errorMessage: `order ${i} failed`,
      trace: [`Error: order ${i} failed`, '    at handler (/w/app/index.ts:12:9)'],
    },
    logs: Array.from({ length: 6 }, (_, k) => ({
      time: t(i),
      stream: 'console',
      level: 'INFO',
      text: `line ${k} of invocation ${i}`,
    })),
  });
  return {
    version: 1,
    id: `record-${i}`,
    functionName: `Function${i % 12}`,
    mode: 'async',
    configuration: { values: { timeoutSeconds: 3 }, origins: { timeoutSeconds: 'template.yaml:12 (sam)' } },
    event: { Records: [{ body: `message ${i}` }] },
    status: 'failed',
    condition: 'RetriesExhausted',
    start: { simulated: t(i * 1000), wall: t(i * 1000) },
    end: { simulated: t(i * 1000 + 180_000), wall: t(i * 1000 + 5) },
    attempts: [attempt(1), attempt(2), attempt(3)],
    batches: [],
    deliveries: [
      {
        kind: 'deadLetterQueue',
        condition: 'RetriesExhausted',
        target: { type: 'sqs', arn: 'arn:aws:sqs:us-east-1:123456789012:DLQ' },
        body: JSON.stringify({ Records: [{ body: `message ${i}` }] }),
        attributes: { ErrorCode: { DataType: 'Number', StringValue: '200' } },
        time: { simulated: t(i * 1000 + 180_000), wall: t(i * 1000 + 5) },
      },
    ],
  };
}

const records = Array.from({ length: 1000 }, (_, i) => record(1000 - i));
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.setContent('<!DOCTYPE html><html><head></head><body></body></html>');
  await page.addStyleTag({ content: readFileSync(join(root, 'media', 'panel.css'), 'utf8') });
  await page.addScriptTag({
    content: 'window.acquireVsCodeApi = () => ({ postMessage() {}, getState() { return undefined; }, setState() {} });',
  });
  await page.addScriptTag({ content: readFileSync(bundle, 'utf8') });
  const figures = await page.evaluate(async (history) => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    let t = performance.now();
    window.postMessage({ type: 'history', records: history }, '*');
    await frame();
    const firstRenderMs = performance.now() - t;
    const items = document.querySelectorAll('.history-item').length;
    const selectMs = [];
    for (let k = 0; k < 20; k++) {
      const item = document.querySelectorAll('.history-item')[k * 37];
      t = performance.now();
      item.click();
      await frame();
      selectMs.push(performance.now() - t);
    }
    const filter = document.querySelector('.filter');
    const filterMs = [];
    for (const text of ['Function3', 'Function3 failed', 'record-99', '']) {
      t = performance.now();
      filter.value = text;
      filter.dispatchEvent(new Event('input'));
      await frame();
      filterMs.push(performance.now() - t);
    }
    return { firstRenderMs, items, selectMs, filterMs };
  }, records);
  const p = (values, q) => percentile(values, q);
  printTable('Invocation panel, 1,000 records (headless Chromium, the real webview bundle)', [
    ['history items rendered', '1000', String(figures.items)],
    ['first render of the history, ms', '-', figures.firstRenderMs.toFixed(1)],
    [
      'select a record, p50 / max ms',
      '< 100 (a frame budget is 16)',
      `${p(figures.selectMs, 50).toFixed(1)} / ${Math.max(...figures.selectMs).toFixed(1)}`,
    ],
    [
      'filter the history, p50 / max ms',
      '< 100',
      `${p(figures.filterMs, 50).toFixed(1)} / ${Math.max(...figures.filterMs).toFixed(1)}`,
    ],
  ]);
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'panel.json'), JSON.stringify(figures, null, 2));
} finally {
  await browser.close();
}
