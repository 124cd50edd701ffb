import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { EnvironmentPool, type FunctionSpec, type InvokeOutcome } from '../../../src/core/runtime';
import { buildBootstraps, fixturesRoot } from './bootstrapBuild';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';

const codeRoot = path.join(fixturesRoot, 'node');
const pythonRoot = path.join(fixturesRoot, 'python');
const TRUNCATED = '[lambda-trigger] log output truncated after 4194304 bytes for this invocation';

function spec(handler: string, extra: Partial<FunctionSpec> = {}): FunctionSpec {
  const name = ('out-' + handler).replace(/[^A-Za-z0-9_-]/g, '_');
  return { name, handler, runtime: 'nodejs20.x', codeRoot, memorySize: 128, timeout: 60, ...extra };
}

/** Runs `work` while sampling this process's resident memory; returns its result and the peak growth in bytes. */
async function withRssGrowth<T>(work: () => Promise<T>): Promise<{ value: T; growth: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  try {
    const value = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, growth: peak - before };
  } finally {
    clearInterval(timer);
  }
}

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** One pool for both languages' handlers (Python from the python3 on PATH). */
async function nodeAndPythonPool(): Promise<EnvironmentPool> {
  const bootstrapDir = await buildBootstraps();
  return new EnvironmentPool({ location: DEFAULT_LOCATION, bootstrapDir, pythonInterpreter: 'python3' });
}

function lastNonPlatform(o: InvokeOutcome): string | undefined {
  const lines = o.logs.filter((l) => !/^(START|END|REPORT) RequestId/.test(l.text));
  return lines[lines.length - 1]?.text;
}

describe('runtime: output limits and errors after the response', function () {
  this.timeout(120000);
  let pool: EnvironmentPool;

  before(async () => (pool = await nodeAndPythonPool()));
  after(() => pool.dispose());

  describe('NODE-8 a handler writing 100 MB at 128 MB of memory', () => {
    async function floods(handler: string, result: string, extra: Partial<FunctionSpec> = {}): Promise<void> {
      const { value: o, growth } = await withRssGrowth(() => pool.invoke(spec(handler, extra), '{}'));
      assert.equal(o.functionError, undefined, JSON.stringify(o.error));
      assert.equal(o.result, result);
      assert.equal(lastNonPlatform(o), TRUNCATED);
      const kept = o.logs.reduce((n, l) => n + l.text.length, 0);
      assert.ok(kept < 4.5 * 1024 * 1024, `kept ${kept} characters`);
      assert.ok(growth < 64 * 1024 * 1024, `the runner grew by ${Math.round(growth / 1024 / 1024)} MB`);
      assert.ok(o.metrics.maxMemoryUsedMB < 128, `the environment used ${o.metrics.maxMemoryUsedMB} MB`);
    }
    it('NODE-8 100 MB of process.stdout.write succeeds, its log ends with the truncation note, the runner stays flat', () =>
      floods('output.stdout100', 'written'));
    it('NODE-8 100 MB of console.log succeeds, its log ends with the truncation note, the runner stays flat', () =>
      floods('output.console100', 'logged'));
    it('PY-4 100 MB printed by a Python handler succeeds, its log ends with the truncation note, the runner stays flat', () =>
      floods('floods.stdout100', 'written', { runtime: 'python3.12', codeRoot: pythonRoot }));
  });

  describe('NODE-5 an error after the response', () => {
    async function errorAfterResponse(handler: string, logged: string, errorType: string, message: string) {
      const s = spec(handler);
      const first = await pool.invoke(s, '{"fail":true}', { requestId: 'req-returned' });
      assert.equal(first.result, 'returned');
      await waitFor(() => pool.environmentCount(s.name) === 0);
      const next = await pool.invoke(s, '{}', { requestId: 'req-next' });
      assert.equal(next.coldStart, true);
      assert.equal(next.lateErrors?.length, 1, JSON.stringify(next.lateErrors));
      assert.equal(next.lateErrors[0].requestId, 'req-returned');
      assert.equal(next.lateErrors[0].error.errorType, errorType);
      assert.equal(next.lateErrors[0].error.errorMessage, message);
      const texts = next.logs.map((l) => l.text);
      const line = texts.findIndex((t) => t.includes(`\treq-returned\tERROR\t${logged}`));
      assert.ok(line >= 0, texts.join('\n'));
      assert.ok(line < texts.findIndex((t) => t.startsWith('START RequestId: req-next')));
      assert.ok(texts.some((t) => / req-returned Error: Runtime exited with error: exit status 129$/.test(t)));
      // Only the next invocation carries it; its environment lives on.
      const third = await pool.invoke(s, '{}');
      assert.equal(third.lateErrors, undefined);
      assert.equal(third.coldStart, false);
    }
    it('NODE-5 an exception thrown by a timer after the response is logged under its request id and reported with the next invocation', () =>
      errorAfterResponse('output.throwsAfterReturn', 'Uncaught Exception', 'TypeError', 'thrown after the response'));
    it('NODE-5 a promise rejected after the response is logged under its request id and reported with the next invocation', () =>
      errorAfterResponse(
        'output.rejectsAfterReturn',
        'Unhandled Promise Rejection',
        'Runtime.UnhandledPromiseRejection',
        'Error: rejected after the response',
      ));
    it('NODE-5 a process that exits on its own after the response is reported with the next invocation as Runtime.ExitError', async () => {
      const s = spec('output.exitsAfterReturn');
      assert.equal((await pool.invoke(s, '{"fail":true}', { requestId: 'req-exits' })).result, 'returned');
      await waitFor(() => pool.environmentCount(s.name) === 0);
      const next = await pool.invoke(s, '{}');
      assert.equal(next.coldStart, true);
      assert.deepEqual(next.lateErrors, [
        {
          requestId: 'req-exits',
          error: {
            errorType: 'Runtime.ExitError',
            errorMessage: 'RequestId: req-exits Error: Runtime exited with error: exit status 3',
          },
        },
      ]);
      assert.ok(next.logs.some((l) => / req-exits Error: Runtime exited with error: exit status 3$/.test(l.text)));
    });
  });

  it('NODE-5 (Python) a thread raising after the response is logged as an error entry under the request id in which it happened', async () => {
    const s: FunctionSpec = {
      name: 'py-late-errors',
      handler: 'late_errors.handler',
      runtime: 'python3.12',
      codeRoot: pythonRoot,
    };
    const first = await pool.invoke(s, '{"start":true}', { requestId: 'py-returned' });
    assert.equal(first.result, 'returned');
    // The thread raises 50 ms after the response: during one of the next invocations or before it.
    const ids = ['py-returned'];
    let entry: string | undefined;
    for (let i = 0; !entry; i++) {
      const next = await pool.invoke(s, '{}', { requestId: `py-next-${i}` });
      assert.equal(next.coldStart, false, 'the environment lives on');
      ids.push(`py-next-${i}`);
      entry = next.logs.map((l) => l.text).find((t) => t.includes('Exception in thread late-worker'));
    }
    assert.match(entry, /^\[ERROR\]\t\S+\t(\S+)\tException in thread late-worker\nTraceback/);
    const id = /^\[ERROR\]\t\S+\t(\S+)\t/.exec(entry)![1];
    assert.ok(ids.includes(id), id);
    assert.match(entry, /ValueError: raised by a thread after the response$/);
  });
});
