/**
 * Reopening the durable store (measures, never asserts): a store holding 1,000, 10,000 and 100,000 SQS messages, sent
 * in batches of 10 as SendMessageBatch sends them, reopened several times: the store alone (DurableStore.open) and the
 * store with its services (the queue's messages loaded, as an account opens them). Figures are medians of the reopens,
 * with their spread (lowest .. highest).
 *   npx tsx bench/store.bench.ts [reopens]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_LOCATION } from '../src/core/awsLocation';
import { VirtualClock } from '../src/core/invoke/virtualClock';
import { LocalServices } from '../src/core/services/localServices';
import { DurableStore } from '../src/core/store/durableStore';
import { measureSteal } from './cpuSteal';
import { reportMetrics, type MetricRow } from './metricTable';
import { medianOf, rangeText } from './roundFigures';

const REOPENS = Number(process.argv[2] ?? 7);
const SIZES = [1_000, 10_000, 100_000];

async function fill(dir: string, messages: number): Promise<void> {
  const store = await DurableStore.open(dir);
  const services = new LocalServices({ store, clock: new VirtualClock(), location: DEFAULT_LOCATION });
  services.ensureQueue({ name: 'orders' });
  for (let i = 0; i < messages; i += 10) {
    const batch = Array.from({ length: 10 }, (_, j) => ({
      body: JSON.stringify({ orderId: `order-${i + j}`, amount: (i + j) % 500, currency: 'EUR' }),
      messageAttributes: { source: { DataType: 'String', StringValue: 'bench' } },
    }));
    // Each SendMessageBatch is acknowledged once it is on disk: one commit each, as the SQS API does it.
    await services.sendMessages('orders', batch);
  }
  await store.close();
}

async function reopen(dir: string, expected: number): Promise<{ storeMs: number; servicesMs: number }> {
  const t0 = performance.now();
  const store = await DurableStore.open(dir);
  const storeMs = performance.now() - t0;
  const services = new LocalServices({ store, clock: new VirtualClock(), location: DEFAULT_LOCATION });
  const count = services.queue('orders').messages().length;
  const servicesMs = performance.now() - t0;
  if (count !== expected) throw new Error(`${count} messages after the reopen, expected ${expected}`);
  await store.close();
  return { storeMs, servicesMs };
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-store-bench-'));
  const rows: MetricRow[] = [];
  const spreads: string[] = [];
  const steal = measureSteal();
  try {
    for (const size of SIZES) {
      const dir = path.join(root, String(size));
      await fill(dir, size);
      const bytes = fs.readdirSync(dir).reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);
      const first = await reopen(dir, size);
      const runs = [];
      for (let i = 0; i < REOPENS; i++) runs.push(await reopen(dir, size));
      const storeMs = runs.map((r) => r.storeMs);
      const servicesMs = runs.map((r) => r.servicesMs);
      const target = size === 100_000 ? '<= 100' : '-';
      const met = size === 100_000 ? medianOf(storeMs) <= 100 : null;
      rows.push([`reopen, ${size} messages: first after the writer closed (ms)`, '-', round(first.storeMs), null]);
      rows.push([`reopen, ${size} messages: store (ms)`, target, round(medianOf(storeMs)), met]);
      rows.push([`reopen, ${size} messages: store and queue loaded (ms)`, '-', round(medianOf(servicesMs)), null]);
      rows.push([`store on disk, ${size} messages (MB)`, '-', round(bytes / 2 ** 20), null]);
      spreads.push(`  ${size}: store ${rangeText(storeMs, 1)} ms, with the queue ${rangeText(servicesMs, 1)} ms`);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  rows.push(['CPU steal over the run (%, host contention)', '-', steal() ?? -1, null]);
  reportMetrics('store', rows);
  console.log(`spread over ${REOPENS} reopens (lowest .. highest):`);
  for (const s of spreads) console.log(s);
}

const round = (n: number): number => Math.round(n * 10) / 10;

void main();
