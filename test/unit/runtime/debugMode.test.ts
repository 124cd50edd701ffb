import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { EnvironmentPool, type DebugAttachInfo } from '../../../src/core/runtime';
import { buildBootstraps, fixturesRoot } from './bootstrapBuild';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';

describe('runtime: debug mode', function () {
  this.timeout(20000);
  let pool: EnvironmentPool;
  before(async () => {
    pool = new EnvironmentPool({ location: DEFAULT_LOCATION, bootstrapDir: await buildBootstraps() });
  });
  after(() => pool.dispose());

  it('starts a Node environment with the inspector on a free port and reports an attach configuration', async () => {
    const seen: DebugAttachInfo[] = [];
    const o = await pool.invoke(
      { name: 'dbg', handler: 'basic.noop', runtime: 'nodejs20.x', codeRoot: path.join(fixturesRoot, 'node') },
      '{}',
      { debug: { onListening: (info) => seen.push(info) } },
    );
    assert.equal(o.result, null);
    assert.equal(seen.length, 1);
    assert.equal(seen[0].runtime, 'node');
    assert.equal(seen[0].port > 0, true);
    assert.match(seen[0].url ?? '', new RegExp(`^ws://127\\.0\\.0\\.1:${seen[0].port}/`));
    assert.deepEqual(seen[0].attachConfig, {
      type: 'node',
      request: 'attach',
      name: 'Lambda: dbg',
      address: '127.0.0.1',
      port: seen[0].port,
      continueOnAttach: true,
      skipFiles: ['<node_internals>/**'],
      sourceMaps: true,
    });
    // A debug environment is never kept warm.
    assert.equal(pool.environmentCount('dbg'), 0);
  });

  it('SYNC-4 is not enforced on a debuggee (it may sit paused at a breakpoint)', async () => {
    const o = await pool.invoke(
      {
        name: 'dbg-slow',
        handler: 'hangs.slow',
        runtime: 'nodejs20.x',
        codeRoot: path.join(fixturesRoot, 'node'),
        timeout: 1,
      },
      '{}',
      { debug: {} },
    );
    assert.equal(o.result, 'slow but done');
  });

  it('Python without debugpy installed reports a clear init error', async function () {
    if (spawnSync('python3', ['-c', 'import debugpy']).status === 0) this.skip();
    const o = await pool.invoke(
      { name: 'dbg-py', handler: 'app.handler', runtime: 'python3.12', codeRoot: path.join(fixturesRoot, 'python') },
      '{}',
      { debug: {} },
    );
    assert.equal(o.error?.errorType, 'Runtime.DebuggerUnavailable');
    assert.match(o.error?.errorMessage ?? '', /^debugpy is not installed for .+ \(pip install debugpy\)$/);
  });
});
