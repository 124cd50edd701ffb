import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { createInvokeCommand, functionFromHandlerPath } from '../../../src/cli/commands/invoke';
import { functionWithDefaults } from '../../../src/core/discovery/functionConfig';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';

/** The first attempt of the record `invoke --json` printed. */
const attempt = (json: string) => (JSON.parse(json) as InvocationRecord).attempts[0];
import { buildBootstraps, fixturesRoot } from './bootstrapBuild';
import { captureIO } from '../../support/cliIO';

describe('cli: lambda-trigger invoke', function () {
  this.timeout(20000);
  let bootstrapDir: string;
  before(async () => {
    bootstrapDir = await buildBootstraps();
  });

  it('invokes path/to/file.export relative to cwd and prints JSON; exit 0', async () => {
    const io = captureIO(fixturesRoot, '{"a":1}');
    const code = await createInvokeCommand({ bootstrapDir }).run(['node/results.echo', '--payload', '-', '--json'], io);
    assert.equal(code, 0);
    const o = attempt(io.out);
    assert.deepEqual(o.result, { a: 1 });
    assert.equal(o.coldStart, true);
  });

  it('--repeat runs warm invocations after the cold one', async () => {
    const io = captureIO(fixturesRoot);
    const code = await createInvokeCommand({ bootstrapDir }).run(['node/basic.handler', '--repeat', '3', '--json'], io);
    assert.equal(code, 0);
    const outs = (JSON.parse(io.out) as InvocationRecord[]).map((r) => r.attempts[0]);
    assert.deepEqual(
      outs.map((o) => [o.coldStart, (o.result as { count: number }).count]),
      [
        [true, 1],
        [false, 2],
        [false, 3],
      ],
    );
  });

  it('--repeat prints each record as text, in the order the invocations ran, while the next one runs', async () => {
    const io = captureIO(fixturesRoot);
    const code = await createInvokeCommand({ bootstrapDir }).run(['node/basic.handler', '--repeat', '4'], io);
    assert.equal(code, 0);
    // Each record once: its result carries the warm environment's invocation count.
    const counts = [...io.out.matchAll(/"count":\s*(\d+)/g)].map((m) => Number(m[1]));
    assert.deepEqual(counts, [1, 2, 3, 4], io.out);
    const starts = [...io.out.matchAll(/START RequestId: (\S+)/g)].map((m) => m[1]);
    assert.equal(new Set(starts).size, 4, io.out);
  });

  it('--env, --timeout and --memory reach the function', async () => {
    const io = captureIO(path.join(fixturesRoot, 'node'));
    const code = await createInvokeCommand({ bootstrapDir }).run(
      ['context.env', '--env', 'STAGE=ci', '--memory', '256', '--timeout', '5', '--json'],
      io,
    );
    assert.equal(code, 0);
    const env = attempt(io.out).result as Record<string, string>;
    assert.deepEqual([env.STAGE, env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE], ['ci', '256']);
  });

  it('runs Python handlers found by extension', async () => {
    const io = captureIO(fixturesRoot);
    const code = await createInvokeCommand({ bootstrapDir }).run(['python/app.handler', '--json'], io);
    assert.equal(code, 0);
    assert.deepEqual(attempt(io.out).result, { count: 1, event: {} });
  });

  it('uses the function resolveFunction gives', async () => {
    const io = captureIO('/');
    const cmd = createInvokeCommand({
      bootstrapDir,
      resolveFunction: (ref) =>
        ref === 'Echo'
          ? functionWithDefaults({
              name: 'Echo',
              handler: 'results.echo',
              runtime: 'nodejs20.x',
              codeRoot: path.join(fixturesRoot, 'node'),
            })
          : undefined,
    });
    assert.equal(await cmd.run(['Echo', '--json'], io), 0);
    assert.deepEqual(attempt(io.out).result, {});
  });

  for (const [args, message] of [
    [[], /^expected one function name or handler path/],
    [['node/nothing.handler'], /^no handler file for "node\/nothing.handler"/],
    [['node/basic'], /^"node\/basic" is not a handler/],
    [['node/basic.handler', '--repeat', 'x'], /^--repeat must be a whole number, got "x"/],
    [['node/basic.handler', '--timeout', '901'], /timeout must be a whole number of seconds from 1 to 900, got 901$/],
    [['node/basic.handler', '--payload', '-'], /^stdin:1:1: not valid JSON: InvalidSymbol$/],
    [['node/basic.handler', '--env', 'NOEQUALS'], /^--env expects K=V, got "NOEQUALS"/],
    [['node/basic.handler', '--runtime', 'java21'], /^--runtime must be one of/],
  ] as [string[], RegExp][]) {
    it(`bad usage is a UsageError (exit 2): ${args.join(' ') || '(no arguments)'}`, async () => {
      const io = captureIO(fixturesRoot, 'not json');
      await assert.rejects(createInvokeCommand({ bootstrapDir }).run(args, io), (err: Error) => {
        assert.equal(err.name, 'UsageError');
        assert.match(err.message, message);
        return true;
      });
    });
  }

  it('maps a nested Python path to a module path (PY-1)', () => {
    const spec = functionFromHandlerPath('python/pkg/mod.handler', fixturesRoot, { environment: {} });
    assert.deepEqual(
      [spec.handler, spec.runtime, spec.codeRoot],
      ['mod.handler', 'python3.12', path.join(fixturesRoot, 'python/pkg')],
    );
  });
});
