import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { EnvironmentPool, type DebugAttachInfo } from '../../../src/core/runtime';
import { buildBootstraps, fixturesRoot } from './bootstrapBuild';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';
import { pauseOf, type Paused } from '../../support/cdpClient';

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

  it('NODE-2 an ES module TypeScript handler pauses at a debugger statement in its .ts file, mapped to the .ts line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-debug-esm-'));
    try {
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
      const source = [
        "const label: string = await Promise.resolve('paused');",
        '',
        'export const handler = async (): Promise<string> => {',
        '  const when: number = Date.now();',
        '  debugger;',
        '  return `${label} ${typeof when}`;',
        '};',
        '',
      ].join('\n');
      fs.writeFileSync(path.join(dir, 'app.ts'), source);
      let paused: Promise<Paused> | undefined;
      // A client that fails to attach cancels the invocation: a debuggee waits for its debugger without a timeout.
      const cancel = new AbortController();
      const o = await pool.invoke(
        { name: 'dbg-esm', handler: 'app.handler', runtime: 'nodejs20.x', codeRoot: dir },
        '{}',
        {
          signal: cancel.signal,
          debug: {
            waitForAttach: true,
            onListening: (info) => {
              paused = pauseOf(info.url!);
              paused.catch(() => cancel.abort());
            },
          },
        },
      );
      assert.equal(o.result, 'paused number');
      const at = await paused!;
      // The debugger sees the module under the .ts file's own URL (so the editor's breakpoints bind to it) ...
      assert.equal(at.url, pathToFileURL(path.join(dir, 'app.ts')).href);
      // ... with a source map that maps the paused line back to the `debugger;` line of the .ts source.
      assert.match(at.sourceMapURL ?? '', /^data:application\/json;base64,/);
      const payload = JSON.parse(
        Buffer.from(at.sourceMapURL!.slice(at.sourceMapURL!.indexOf(',') + 1), 'base64').toString('utf8'),
      ) as SourceMapPayload;
      assert.deepEqual(payload.sources, ['app.ts']);
      const entry = new SourceMap(payload).findEntry(at.line, at.column) as { originalLine?: number };
      assert.equal(entry.originalLine, source.split('\n').indexOf('  debugger;'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
