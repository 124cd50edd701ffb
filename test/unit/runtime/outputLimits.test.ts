import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { EnvironmentPool, type FunctionSpec, type InvokeOutcome } from '../../../src/core/runtime';
import { buildBootstraps, fixturesRoot } from './bootstrapBuild';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';

const codeRoot = path.join(fixturesRoot, 'node');
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

function lastNonPlatform(o: InvokeOutcome): string | undefined {
  const lines = o.logs.filter((l) => !/^(START|END|REPORT) RequestId/.test(l.text));
  return lines[lines.length - 1]?.text;
}

describe('runtime: output limits and errors after the response', function () {
  this.timeout(120000);
  let pool: EnvironmentPool;

  before(async () => {
    pool = new EnvironmentPool({ location: DEFAULT_LOCATION, bootstrapDir: await buildBootstraps() });
  });
  after(() => pool.dispose());

  describe('NODE-8 a handler writing 100 MB at 128 MB of memory', () => {
    async function floods(handler: string, result: string): Promise<void> {
      const { value: o, growth } = await withRssGrowth(() => pool.invoke(spec(handler), '{}'));
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
  });
});
