/**
 * Event catalogue benchmark (measures, never asserts): render throughput, validation throughput and catalogue load
 * time. Run: npx tsx bench/events.bench.ts. Writes bench/results/events.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadCatalogue } from '../src/core/events/eventCatalogue';

const TEMPLATES = resolve(__dirname, '../event-templates');

function perSecond(fn: () => void, seconds: number): number {
  for (let i = 0; i < 200; i++) fn(); // warm-up: compile templates and validators, let the JIT settle
  let n = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
  }
  return n / seconds;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const loadRuns: number[] = [];
const loadFilesRuns: number[] = [];
const firstLoad0 = performance.now();
loadCatalogue(TEMPLATES);
const firstLoad = performance.now() - firstLoad0;
for (let i = 0; i < 20; i++) {
  const t0 = performance.now();
  loadCatalogue(TEMPLATES);
  loadRuns.push(performance.now() - t0);
  const t1 = performance.now();
  loadCatalogue(TEMPLATES, { useIndex: false });
  loadFilesRuns.push(performance.now() - t1);
}

const catalogue = loadCatalogue(TEMPLATES);
const ids = catalogue.ids();
let k = 0;
const renderAll = perSecond(() => {
  catalogue.render(ids[k++ % ids.length]);
}, 3);
const renderSqs = perSecond(() => {
  catalogue.render('sqs:receive-message', { body: 'hello' });
}, 2);
const small = catalogue.render('sqs:receive-message', { body: 'hello' });
const validateSmall = perSecond(() => {
  catalogue.validate(small, 'sqs:receive-message');
}, 2);
const samples = ids.map((id) => [id, catalogue.render(id)] as const);
let j = 0;
const validateAll = perSecond(() => {
  const [id, ev] = samples[j++ % samples.length];
  catalogue.validate(ev, id);
}, 3);

const rows = [
  {
    metric: 'render, all templates round-robin (events/s)',
    target: '>= 20000',
    measured: Math.round(renderAll),
    meets: renderAll >= 20000,
  },
  {
    metric: 'render sqs:receive-message (events/s)',
    target: '>= 20000',
    measured: Math.round(renderSqs),
    meets: renderSqs >= 20000,
  },
  {
    metric: 'validate small event, sqs (events/s)',
    target: '>= 50000',
    measured: Math.round(validateSmall),
    meets: validateSmall >= 50000,
  },
  {
    metric: 'validate, all types round-robin (events/s)',
    target: '>= 50000',
    measured: Math.round(validateAll),
    meets: validateAll >= 50000,
  },
  {
    metric: 'catalogue load, first in process (ms)',
    target: '<= 30',
    measured: +firstLoad.toFixed(2),
    meets: firstLoad <= 30,
  },
  {
    metric: 'catalogue load from index.json, median (ms)',
    target: '<= 30',
    measured: +median(loadRuns).toFixed(2),
    meets: median(loadRuns) <= 30,
  },
  {
    metric: 'catalogue load from 72 files, median (ms)',
    target: '(info)',
    measured: +median(loadFilesRuns).toFixed(2),
    meets: true,
  },
];
for (const r of rows)
  console.log(
    `${r.metric.padEnd(48)} target ${r.target.padEnd(9)} measured ${String(r.measured).padStart(9)}  ${r.meets ? 'meets' : 'MISSES'}`,
  );
mkdirSync(resolve(__dirname, 'results'), { recursive: true });
writeFileSync(
  resolve(__dirname, 'results/events.json'),
  `${JSON.stringify({ area: 'events', templates: ids.length, node: process.version, rows }, null, 2)}\n`,
);
