/**
 * Invocation engine benchmark (measures, never asserts). The SQS and async runs are measured twice: with an
 * in-process no-op FunctionInvoker (the engine alone: queues, batching, retries, durable store with fsync) and through
 * real execution environments (a no-op or failing handler in child processes, as users run it). Each scenario runs
 * `runs` times (default 3) on a store of its own; each figure is the median, printed with its spread.
 *   npx tsx bench/invoke.bench.ts [runs]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { functionWithDefaults, type FunctionConfig } from '../src/core/discovery/functionConfig';
import type { FunctionInvoker } from '../src/core/invoke/engineFunction';
import { InvocationEngine } from '../src/core/invoke/invocationEngine';
import { LocalServices } from '../src/core/services/localServices';
import { VirtualClock } from '../src/core/invoke/virtualClock';
import type { InvokeOutcome } from '../src/core/runtime/outcome';
import { EnvironmentPool } from '../src/core/runtime';
import { DurableStore } from '../src/core/store/durableStore';
import { buildBootstraps } from '../test/unit/runtime/bootstrapBuild';
import { measureSteal } from './cpuSteal';
import { medianOf, rangeText } from './roundFigures';
import { DEFAULT_LOCATION } from '../src/core/awsLocation';

/** A no-op Node handler run by the real runtime: warm child processes, the IPC protocol, logs and metrics. */
async function runtimeInvoker(dir: string, fail = false): Promise<{ invoker: FunctionInvoker; pool: EnvironmentPool }> {
  const codeRoot = path.join(dir, fail ? 'failing-code' : 'noop-code');
  fs.mkdirSync(codeRoot, { recursive: true });
  fs.writeFileSync(
    path.join(codeRoot, 'index.js'),
    fail
      ? "exports.handler = async () => { throw new Error('always fails'); };\n"
      : 'exports.handler = async () => null;\n',
  );
  const pool = new EnvironmentPool({
    location: DEFAULT_LOCATION,
    bootstrapDir: await buildBootstraps({ minify: true }),
  });
  const spec = { name: 'noop', handler: 'index.handler', runtime: 'nodejs20.x' as const, codeRoot };
  // As the local account passes them: the engine produced every payload (FunctionInvoker).
  return {
    pool,
    invoker: {
      invoke: (_name, payload, opts) => pool.invoke(spec, payload, { ...opts, payloadIsJson: true }),
      concurrencyLimit: () => pool.concurrencyLimit(),
    },
  };
}

function noopInvoker(fail: boolean): FunctionInvoker {
  return {
    invoke(_name, _payload, { requestId }): Promise<InvokeOutcome> {
      const base = {
        requestId,
        coldStart: false,
        logs: [],
        metrics: { durationMs: 0.1, billedDurationMs: 1, memorySizeMB: 128, maxMemoryUsedMB: 1 },
        startedAt: '2025-01-01T00:00:00.000Z',
        endedAt: '2025-01-01T00:00:00.000Z',
        environmentId: 'in-process',
      };
      return Promise.resolve(
        fail
          ? { ...base, functionError: 'Unhandled', error: { errorType: 'Error', errorMessage: 'always fails' } }
          : { ...base, result: null },
      );
    },
  };
}

/** The JS heap still in use after a full GC (MB): what a run left behind, e.g. untrimmed history or queues. */
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;
function retainedHeapMB(): number {
  collectGarbage();
  return Math.round(process.memoryUsage().heapUsed / 2 ** 20);
}

/** An engine and its services over a new store, as a local account opens them. */
async function openEngine(
  dir: string,
  invoker: FunctionInvoker,
  functions: FunctionConfig[],
): Promise<{ engine: InvocationEngine; services: LocalServices }> {
  const store = await DurableStore.open(dir);
  const clock = new VirtualClock({ scale: Infinity });
  const services = new LocalServices({ store, clock, location: DEFAULT_LOCATION });
  return { engine: new InvocationEngine({ invoker, services, clock, functions }), services };
}

const fn = (name: string, extra: Partial<FunctionConfig> = {}): FunctionConfig =>
  functionWithDefaults({ name, handler: 'index.handler', runtime: 'nodejs20.x', codeRoot: '/noop', ...extra });

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

async function sqsRun(
  dir: string,
  invoker: FunctionInvoker,
  name: string,
  maximumConcurrency: number,
  { messages = 100_000, windowSeconds = 0 }: { messages?: number; windowSeconds?: number } = {},
): Promise<{ seconds: number; batches: number }> {
  const { engine, services } = await openEngine(path.join(dir, name), invoker, [
    fn('noop', {
      triggers: [
        {
          kind: 'sqs',
          id: 'q',
          invocation: 'poll',
          enabled: true,
          queue: { name: 'q', visibilityTimeout: 30, fifo: false },
          batchSize: 10,
          maximumBatchingWindowInSeconds: windowSeconds,
          functionResponseTypes: [],
          maximumConcurrency,
        },
      ],
    }),
  ]);
  const start = performance.now();
  for (let i = 0; i < messages; i += 10_000) {
    await services.sendMessages(
      'q',
      Array.from({ length: Math.min(10_000, messages - i) }, (_, j) => ({ body: `{"n":${i + j}}` })),
    );
  }
  await engine.runUntilIdle();
  const seconds = (performance.now() - start) / 1000;
  const left = services.queueMessages('q').length;
  if (left !== 0) throw new Error(`${left} messages left in the queue`);
  await engine.close();
  return { seconds, batches: messages / 10 };
}

async function asyncRun(
  dir: string,
  invoker: FunctionInvoker,
  name: string,
): Promise<{ seconds: number; dlq: number }> {
  const { engine, services } = await openEngine(path.join(dir, name), invoker, [
    fn('failing', { deadLetterQueue: { type: 'sqs', name: 'dlq' } }),
  ]);
  const start = performance.now();
  for (let i = 0; i < 10_000; i++) void engine.invokeAsync('failing', `{"n":${i}}`);
  await engine.runUntilIdle();
  const seconds = (performance.now() - start) / 1000;
  const dlq = services.queueMessages('dlq').length;
  await engine.close();
  return { seconds, dlq };
}

/** Runs of one scenario: the median of their seconds, and their spread (lowest .. highest). */
interface Runs {
  seconds: number;
  spread: string;
}

const RUNS = Number(process.argv[2] ?? 3);

/** `run` RUNS times, each on a store of its own (`name-1`, `name-2`, ...); `check` sees every run's result. */
async function repeated<T extends { seconds: number }>(
  name: string,
  run: (name: string) => Promise<T>,
  check: (result: T) => void = () => undefined,
): Promise<Runs> {
  const seconds: number[] = [];
  for (let i = 1; i <= RUNS; i++) {
    const result = await run(`${name}-${i}`);
    check(result);
    seconds.push(result.seconds);
  }
  return { seconds: medianOf(seconds), spread: rangeText(seconds, 2) };
}

interface AsyncResult {
  seconds: number;
  dlq: number;
}

const allInDlq = (result: AsyncResult): void => {
  if (result.dlq !== 10_000) throw new Error(`${result.dlq} DLQ messages after an async run, expected 10000`);
};

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-bench-invoke-'));
  try {
    const steal = measureSteal();
    const heapAtStart = retainedHeapMB();
    const sqs = await repeated('sqs', (name) => sqsRun(dir, noopInvoker(false), name, 10));
    const afterSqs = peakRss;
    // SQS-1: with a batching window each poll counts the visible messages; the time per message stays flat.
    const window10k = await repeated('sqs-window-10k', (name) =>
      sqsRun(dir, noopInvoker(false), name, 10, { messages: 10_000, windowSeconds: 1 }),
    );
    const window100k = await repeated('sqs-window-100k', (name) =>
      sqsRun(dir, noopInvoker(false), name, 10, { windowSeconds: 1 }),
    );
    const heapAfterSqs = retainedHeapMB();
    const real = await runtimeInvoker(dir);
    // SQS-6: a mapping starts with 5 concurrent batches; each runs in its own warm execution environment.
    const sqsReal = await repeated('sqs-runtime', (name) => sqsRun(dir, real.invoker, name, 5));
    real.pool.dispose();
    const heapAfterSqsReal = retainedHeapMB();
    const asyncResult = await repeated<AsyncResult>(
      'async',
      (name) => asyncRun(dir, noopInvoker(true), name),
      allInDlq,
    );
    const failing = await runtimeInvoker(dir, true);
    const asyncReal = await repeated<AsyncResult>(
      'async-runtime',
      (name) => asyncRun(dir, failing.invoker, name),
      allInDlq,
    );
    failing.pool.dispose();
    const stealPercent = steal();
    const heapAfterAsync = retainedHeapMB();
    clearInterval(sampler);
    const growth = window100k.seconds / 100_000 / (window10k.seconds / 10_000);
    const rows = [
      {
        metric: 'SQS mapping: 100,000 messages, batch 10, no-op handler (s)',
        target: '<= 10',
        measured: sqs.seconds,
        spread: sqs.spread,
        meets: sqs.seconds <= 10,
      },
      {
        metric: 'SQS mapping: 100,000 messages, batch 10, no-op handler in 5 real child processes (s)',
        target: '<= 5',
        measured: sqsReal.seconds,
        spread: sqsReal.spread,
        meets: sqsReal.seconds <= 5,
      },
      {
        metric: 'SQS mapping, 1 s batching window: 100,000 messages, batch 10, no-op handler (s)',
        target: 'report',
        measured: window100k.seconds,
        spread: window100k.spread,
        meets: undefined,
      },
      {
        metric: 'SQS mapping, 1 s batching window: time per message at 100,000 over at 10,000 (1 = linear)',
        target: '<= 1.5',
        measured: growth,
        spread: `10,000: ${window10k.spread} s`,
        meets: growth <= 1.5,
      },
      {
        metric: 'Async: 10,000 failing events, 2 retries, into the DLQ, instant clock (s)',
        target: '<= 10',
        measured: asyncResult.seconds,
        spread: asyncResult.spread,
        meets: asyncResult.seconds <= 10,
      },
      {
        metric: 'Async: 10,000 failing events, 2 retries, into the DLQ, in real child processes, instant clock (s)',
        target: '<= 5',
        measured: asyncReal.seconds,
        spread: asyncReal.spread,
        meets: asyncReal.seconds <= 5,
      },
      {
        metric: 'CPU steal over the runs (%, host contention)',
        target: '-',
        measured: stealPercent ?? -1,
        meets: undefined,
      },
      {
        metric: 'Peak RSS after the SQS runs (MB)',
        target: 'report',
        measured: Math.round(afterSqs / 2 ** 20),
        meets: undefined,
      },
      {
        metric: 'Peak RSS over all runs (MB)',
        target: 'flat (report)',
        measured: Math.round(peakRss / 2 ** 20),
        meets: undefined,
      },
      {
        metric: 'JS heap retained after GC: start / SQS / SQS real / async (MB)',
        target: 'flat (report)',
        measured: `${heapAtStart} / ${heapAfterSqs} / ${heapAfterSqsReal} / ${heapAfterAsync}`,
        meets: undefined,
      },
    ];
    console.log('Invocation engine benchmark (in-process no-op invoker unless the row says real child processes)');
    for (const r of rows)
      console.log(
        `${r.metric.padEnd(76)} target ${r.target.padEnd(14)} measured ${String(typeof r.measured === 'number' ? Math.round(r.measured * 100) / 100 : r.measured).padEnd(10)} ${r.meets === undefined ? '' : r.meets ? 'meets' : 'MISSES'}${'spread' in r && r.spread ? `  (median of ${RUNS}; ${r.spread})` : ''}`,
      );
    fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
    fs.writeFileSync(
      path.join(__dirname, 'results', 'invoke.json'),
      JSON.stringify({ node: process.version, rows }, null, 2),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
