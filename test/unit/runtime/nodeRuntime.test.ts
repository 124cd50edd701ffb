import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { EnvironmentPool, type FunctionSpec, type InvokeOutcome } from '../../../src/core/runtime';
import { buildBootstraps, fixturesRoot } from './bootstrapBuild';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';

const codeRoot = path.join(fixturesRoot, 'node');

function spec(handler: string, extra: Partial<FunctionSpec> = {}): FunctionSpec {
  const name = ('fn-' + handler).replace(/[^A-Za-z0-9_-]/g, '_');
  return { name, handler, runtime: 'nodejs20.x', codeRoot, ...extra };
}

function texts(o: InvokeOutcome, stream?: string): string[] {
  return o.logs.filter((l) => !stream || l.stream === stream).map((l) => l.text);
}

describe('runtime: Node.js execution environments', function () {
  this.timeout(20000);
  let pool: EnvironmentPool;

  before(async () => {
    pool = new EnvironmentPool({ location: DEFAULT_LOCATION, bootstrapDir: await buildBootstraps() });
  });
  after(() => pool.dispose());

  describe('SYNC-1 results', () => {
    it('SYNC-1 returns the handler result as JSON', async () => {
      const o = await pool.invoke(spec('results.echo'), '{"a":[1,2,{"b":null}]}');
      assert.deepEqual(o.result, { a: [1, 2, { b: null }] });
      assert.equal(o.functionError, undefined);
    });
    it('SYNC-1 a pretty-printed payload (raw newlines between tokens) arrives intact, escaped newlines too', async () => {
      const payload = '{\n  "text": "line1\\nline2",\r\n  "list": [\n    1,\n    2\n  ]\n}\n';
      const o = await pool.invoke(spec('results.echo'), payload);
      assert.equal(o.functionError, undefined, JSON.stringify(o.error));
      assert.deepEqual(o.result, { text: 'line1\nline2', list: [1, 2] });
    });
    it('SYNC-1 a handler returning undefined yields null', async () => {
      const o = await pool.invoke(spec('results.undefinedResult'), '{}');
      assert.equal(o.result, null);
    });
    it('NODE-4 a synchronous handler that returns a value without calling back yields null', async () => {
      const o = await pool.invoke(spec('results.syncReturn'), '{}');
      assert.equal(o.result, null);
    });
  });

  describe('NODE-1 / NODE-2 handler resolution', () => {
    it('NODE-2 .js is CommonJS without "type": "module"', async () => {
      assert.deepEqual((await pool.invoke(spec('cjs.handler'), '{}')).result, { format: 'cjs' });
    });
    it('NODE-2 .js is ESM under a package.json with "type": "module"', async () => {
      assert.deepEqual((await pool.invoke(spec('esm-pkg/app.handler'), '{}')).result, { format: 'esm' });
    });
    it('NODE-2 .mjs is ESM', async () => {
      assert.deepEqual((await pool.invoke(spec('esm.handler'), '{}')).result, { format: 'esm' });
    });
    it('NODE-2 the extensionless file wins over .js', async () => {
      assert.deepEqual((await pool.invoke(spec('extensionless.handler'), '{}')).result, { from: 'extensionless' });
    });
    it('NODE-1 a nested property path after the module name', async () => {
      assert.equal((await pool.invoke(spec('nested.api.v1.handler'), '{}')).result, 'nested');
    });
    it('NODE-1 a handler with .. is Runtime.MalformedHandlerName', async () => {
      const o = await pool.invoke(spec('../outside.handler'), '{}');
      assert.equal(o.functionError, 'Unhandled');
      assert.equal(o.error?.errorType, 'Runtime.MalformedHandlerName');
      assert.equal(o.error?.errorMessage, "'..' is not allowed in handler name: ../outside.handler");
    });
    it('NODE-1 a handler without an export is Runtime.MalformedHandlerName', async () => {
      const o = await pool.invoke(spec('basic'), '{}');
      assert.equal(o.error?.errorType, 'Runtime.MalformedHandlerName');
      assert.equal(o.error?.errorMessage, 'Bad handler basic');
    });
  });

  describe('NODE-3 load errors', () => {
    it('NODE-3 a syntax error is Runtime.UserCodeSyntaxError', async () => {
      const o = await pool.invoke(spec('syntax-error.handler'), '{}');
      assert.equal(o.error?.errorType, 'Runtime.UserCodeSyntaxError');
      assert.equal(o.error?.errorMessage, "SyntaxError: Unexpected token ';'");
      assert.equal(o.coldStart, true);
      assert.equal(typeof o.metrics.initDurationMs, 'number');
    });
    it('NODE-3 a missing module file is Runtime.ImportModuleError', async () => {
      const o = await pool.invoke(spec('does-not-exist.handler'), '{}');
      assert.equal(o.error?.errorType, 'Runtime.ImportModuleError');
      assert.match(o.error?.errorMessage ?? '', /^Error: Cannot find module 'does-not-exist'/);
    });
    it('NODE-3 a missing dependency is Runtime.ImportModuleError', async () => {
      const o = await pool.invoke(spec('missing-dep.handler'), '{}');
      assert.equal(o.error?.errorType, 'Runtime.ImportModuleError');
      assert.match(o.error?.errorMessage ?? '', /^Error: Cannot find module 'no-such-package-lambda-trigger'/);
    });
    it('NODE-3 a missing export is Runtime.HandlerNotFound (undefined or not exported)', async () => {
      const o = await pool.invoke(spec('basic.nope'), '{}');
      assert.equal(o.error?.errorType, 'Runtime.HandlerNotFound');
      assert.equal(o.error?.errorMessage, 'basic.nope is undefined or not exported');
    });
    for (const handler of [
      'basic.constructor',
      'basic.__proto__.constructor',
      'basic.handler.constructor',
      'basic.handler.prototype.constructor',
      'esm.constructor',
      'esm.handler.constructor',
      'esm-pkg/app.__proto__.constructor',
    ])
      it(`NODE-3 only own exports are handlers: ${handler} is Runtime.HandlerNotFound`, async () => {
        const o = await pool.invoke(spec(handler), '{}');
        assert.deepEqual(
          [o.functionError, o.error?.errorType, o.error?.errorMessage],
          ['Unhandled', 'Runtime.HandlerNotFound', `${handler} is undefined or not exported`],
        );
      });
    it('NODE-3 an export that is not a function is Runtime.HandlerNotFound (is not a function)', async () => {
      const o = await pool.invoke(spec('not-function.handler'), '{}');
      assert.equal(o.error?.errorType, 'Runtime.HandlerNotFound');
      assert.equal(o.error?.errorMessage, 'not-function.handler is not a function');
    });
    it('NODE-3 an error thrown at init keeps its own type, and the next invocation is cold again', async () => {
      const o = await pool.invoke(spec('init-throws.handler'), '{}');
      assert.equal(o.error?.errorType, 'TypeError');
      assert.equal(o.error?.errorMessage, 'config missing');
      assert.equal(
        texts(o).some((t) => t.startsWith('INIT_REPORT Init Duration: ')),
        true,
      );
      const again = await pool.invoke(spec('init-throws.handler'), '{}');
      assert.equal(again.coldStart, true);
      assert.notEqual(again.environmentId, o.environmentId);
    });
  });

  describe('SYNC-3 function errors', () => {
    it('SYNC-3 a thrown string becomes {errorType: "string", errorMessage, trace: []}', async () => {
      const o = await pool.invoke(spec('errors.throwsString'), '{}');
      assert.equal(o.functionError, 'Unhandled');
      assert.deepEqual(o.error, { errorType: 'string', errorMessage: 'boom', trace: [] });
    });
    it('SYNC-3 a thrown Error gives name, message and the stack as trace', async () => {
      const o = await pool.invoke(spec('errors.throwsError'), '{}');
      assert.equal(o.error?.errorType, 'ValidationError');
      assert.equal(o.error?.errorMessage, 'bad input');
      assert.equal(o.error?.trace?.[0], 'ValidationError: bad input');
      assert.match(o.error?.trace?.[1] ?? '', /errors\.js:11/);
    });
    it("SYNC-3 the trace ends as Lambda's does: the handler, the runtime's frame, the tick queue (the shipped, minified bootstrap)", async () => {
      const minified = new EnvironmentPool({
        location: DEFAULT_LOCATION,
        bootstrapDir: await buildBootstraps({ minify: true }),
      });
      try {
        const thrown = await minified.invoke(spec('errors.throwsError'), '{}');
        const trace = thrown.error?.trace ?? [];
        assert.equal(trace.length, 4, trace.join('\n'));
        assert.match(trace[1], /^ {4}at exports\.throwsError \[as handler\] \(.*errors\.js:11:\d+\)$/);
        assert.match(trace[2], /^ {4}at Runtime\.handleOnceNonStreaming \(.*node-bootstrap\.js:\d+:\d+\)$/);
        assert.match(trace[3], /^ {4}at process\.processTicksAndRejections \(node:internal\/process\/task_queues/);
        // A synchronous throw from a plain function: the same two frames under it, none of the channel's.
        const sync = await minified.invoke(spec('errors.throwsSync'), '{}');
        assert.deepEqual(
          (sync.error?.trace ?? []).slice(2).map((l) => /at (\S+)/.exec(l)?.[1]),
          ['Runtime.handleOnceNonStreaming', 'process.processTicksAndRejections'],
        );
      } finally {
        minified.dispose();
      }
    });
    it('SYNC-3 the runtime logs the error as "Invoke Error" under the request id, with its type, message and stack', async () => {
      const o = await pool.invoke(spec('errors.throwsError'), '{}', { requestId: 'req-invoke-error' });
      const line = o.logs.find((l) => l.text.includes('Invoke Error'));
      assert.ok(line, texts(o).join('\n'));
      assert.equal(line.level, 'ERROR');
      const match = /^\d{4}-\d\d-\d\dT[\d:.]+Z\treq-invoke-error\tERROR\tInvoke Error \t(\{.*\})$/.exec(line.text);
      assert.ok(match, line.text);
      const logged = JSON.parse(match[1]) as { errorType: string; errorMessage: string; stack: string[] };
      assert.deepEqual(Object.keys(logged), ['errorType', 'errorMessage', 'stack']);
      assert.equal(logged.errorType, 'ValidationError');
      assert.equal(logged.errorMessage, 'bad input');
      assert.deepEqual(logged.stack, o.error?.trace);
    });
    it('SYNC-3 a synchronous throw fails the invocation and the environment stays warm', async () => {
      const first = await pool.invoke(spec('errors.throwsSync'), '{}');
      const second = await pool.invoke(spec('errors.throwsSync'), '{}');
      assert.equal(second.error?.errorMessage, 'sync boom');
      assert.equal(second.coldStart, false);
      assert.equal(second.environmentId, first.environmentId);
    });
  });

  describe('NODE-5 uncaught exceptions and unhandled rejections', () => {
    it('NODE-5 an uncaught exception fails the invocation and restarts the environment', async () => {
      const o = await pool.invoke(spec('errors.uncaught'), '{}');
      assert.equal(o.error?.errorType, 'Error');
      assert.equal(o.error?.errorMessage, 'late failure');
      const next = await pool.invoke(spec('errors.uncaught', { name: 'fn-uncaught-next' }), '{}');
      assert.equal(next.coldStart, true);
    });
    it('NODE-5 an unhandled rejection is Runtime.UnhandledPromiseRejection', async () => {
      const o = await pool.invoke(spec('errors.unhandled'), '{}');
      assert.equal(o.error?.errorType, 'Runtime.UnhandledPromiseRejection');
      assert.equal(o.error?.errorMessage, 'Error: nobody catches me');
      assert.equal(pool.environmentCount('fn-errors_unhandled'), 0);
    });
  });

  describe('SYNC-4 timeouts', () => {
    it('SYNC-4 a handler that never resolves times out with Sandbox.Timedout and the next call is cold', async () => {
      const s = spec('hangs.neverResolves', { timeout: 1 });
      const o = await pool.invoke(s, '{}', { requestId: 'req-timeout' });
      assert.deepEqual(o.error, {
        errorType: 'Sandbox.Timedout',
        errorMessage: 'RequestId: req-timeout Error: Task timed out after 1.00 seconds',
      });
      assert.equal(o.functionError, 'Unhandled');
      assert.equal(
        texts(o).some((t) => t.endsWith(' req-timeout Task timed out after 1.00 seconds')),
        true,
      );
      const next = await pool.invoke(spec('basic.noop', { name: s.name, timeout: 1 }), '{}');
      assert.equal(next.coldStart, true);
    });
    it('SYNC-4 each invocation of a warm environment gets the whole timeout, and one over it is timed out', async () => {
      // Two invocations of 1.2 s in a row outlast one 2 s timeout: each must be timed from its own start.
      const s = spec('hangs.waits', { timeout: 2 });
      const first = await pool.invoke(s, '{"ms":1200}');
      const second = await pool.invoke(s, '{"ms":1200}');
      assert.equal(first.result, 1200, JSON.stringify(first.error));
      assert.equal(second.result, 1200, JSON.stringify(second.error));
      assert.equal(second.environmentId, first.environmentId);
      const over = await pool.invoke(s, '{"ms":60000}', { requestId: 'req-over' });
      assert.equal(over.environmentId, first.environmentId);
      assert.equal(over.coldStart, false);
      assert.deepEqual(over.error, {
        errorType: 'Sandbox.Timedout',
        errorMessage: 'RequestId: req-over Error: Task timed out after 2.00 seconds',
      });
      assert.ok(over.metrics.durationMs >= 2000 && over.metrics.durationMs < 10_000, String(over.metrics.durationMs));
    });
    it('SYNC-4 an infinite loop is killed at the timeout', async () => {
      const o = await pool.invoke(spec('hangs.infiniteLoop', { timeout: 1 }), '{}', { requestId: 'req-loop' });
      assert.equal(o.error?.errorType, 'Sandbox.Timedout');
      assert.equal(o.error?.errorMessage, 'RequestId: req-loop Error: Task timed out after 1.00 seconds');
    });
    it('NODE-4 an async handler whose promise never settles with an empty event loop yields null', async () => {
      const o = await pool.invoke(spec('hangs.emptyLoop'), '{}');
      assert.equal(o.result, null);
    });
  });

  describe('SYNC-5 process exit', () => {
    it('SYNC-5 process.exit(3) is Runtime.ExitError with exit status 3', async () => {
      const o = await pool.invoke(spec('exits.exit3'), '{}', { requestId: 'req-exit' });
      assert.deepEqual(o.error, {
        errorType: 'Runtime.ExitError',
        errorMessage: 'RequestId: req-exit Error: Runtime exited with error: exit status 3',
      });
    });
    it('SYNC-5 process.exit(0) exits without providing a reason', async () => {
      const o = await pool.invoke(spec('exits.exit0'), '{}', { requestId: 'req-exit0' });
      assert.equal(o.error?.errorMessage, 'RequestId: req-exit0 Error: Runtime exited without providing a reason');
    });
    it('SYNC-5 death by signal names the signal', async () => {
      const o = await pool.invoke(spec('exits.kill'), '{}', { requestId: 'req-sig' });
      assert.equal(
        o.error?.errorMessage,
        'RequestId: req-sig Error: Runtime exited with error: signal: segmentation fault',
      );
    });
  });

  describe('NODE-12 memory', () => {
    it('NODE-12 heap exhaustion is Runtime.OutOfMemory', async () => {
      const o = await pool.invoke(spec('oom.heap', { timeout: 30 }), '{}', { requestId: 'req-oom' });
      assert.deepEqual(o.error, {
        errorType: 'Runtime.OutOfMemory',
        errorMessage: 'RequestId: req-oom Error: Runtime exited with error: signal: killed',
      });
    });
    it('NODE-12 memory outside the V8 heap is caught by the RSS watch', async () => {
      const o = await pool.invoke(spec('oom.buffers', { timeout: 30 }), '{}', { requestId: 'req-rss' });
      assert.equal(o.error?.errorType, 'Runtime.OutOfMemory');
      assert.equal(o.metrics.maxMemoryUsedMB > 128, true);
    });
    it('NODE-12 the RSS watch covers every invocation of a warm environment, not only its first', async () => {
      const s = spec('oom.buffersWhenAsked', { timeout: 30 });
      const small = await pool.invoke(s, '{}');
      assert.equal(small.result, 'small', JSON.stringify(small.error));
      const o = await pool.invoke(s, '{"grow":true}', { requestId: 'req-rss-warm' });
      assert.equal(o.coldStart, false);
      assert.equal(o.environmentId, small.environmentId);
      assert.equal(o.error?.errorType, 'Runtime.OutOfMemory');
      assert.equal(o.metrics.maxMemoryUsedMB > 128, true);
    });
  });

  describe('serialisation and SYNC-6 payload limits', () => {
    for (const [h, why] of [
      ['circular', 'Converting circular structure to JSON'],
      ['bigint', 'Do not know how to serialize a BigInt'],
      ['fn', 'a function is not JSON'],
    ]) {
      it(`a ${h} result is Runtime.JSONStringifyError`, async () => {
        const o = await pool.invoke(spec(`results.${h}`), '{}');
        assert.equal(o.error?.errorType, 'Runtime.JSONStringifyError');
        assert.equal(o.error?.errorMessage, `Unable to stringify response body: ${why}`);
      });
    }
    it('SYNC-6 an oversize response is Function.ResponseSizeTooLarge', async () => {
      const o = await pool.invoke(spec('results.oversize'), '{}');
      assert.equal(o.functionError, 'Unhandled');
      // Lambda's own text, with its limit and without the response's size.
      assert.deepEqual(o.error, {
        errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
        errorType: 'Function.ResponseSizeTooLarge',
      });
    });
    it('SYNC-6 a response of exactly 6,291,556 bytes is delivered', async () => {
      const o = await pool.invoke(spec('results.atLimit'), '{}');
      assert.equal(o.error, undefined);
      assert.equal((o.result as string).length, 6_291_554);
    });
    it('SYNC-6 an oversize request is rejected before the handler runs', async () => {
      const payload = JSON.stringify('x'.repeat(6_291_456));
      await assert.rejects(pool.invoke(spec('results.echo'), payload), {
        name: 'InvokeRequestError',
        errorType: 'RequestEntityTooLargeException',
        statusCode: 413,
        message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
      });
    });
    it('a payload that is not JSON is rejected with InvalidRequestContentException', async () => {
      await assert.rejects(pool.invoke(spec('results.echo'), '{nope'), {
        errorType: 'InvalidRequestContentException',
        statusCode: 400,
      });
    });
    it('a bad function spec is rejected with a message naming the field', async () => {
      await assert.rejects(pool.invoke(spec('basic.handler', { timeout: 0 }), '{}'), {
        name: 'InvalidFunctionSpecError',
        message: 'Function "fn-basic_handler": timeout must be a whole number of seconds from 1 to 900, got 0',
      });
    });
    it('a code root that is not there is rejected before an environment starts, naming it', async () => {
      const missing = path.join(os.tmpdir(), 'lt-no-such-code-root');
      await assert.rejects(pool.invoke(spec('basic.handler', { name: 'gone', codeRoot: missing }), '{}'), {
        name: 'InvalidFunctionSpecError',
        message: `Function "gone": codeRoot ${missing} is not a directory`,
      });
      assert.equal(pool.environmentCount('gone'), 0);
    });
  });

  describe('NODE-4 callbacks and context methods', () => {
    it('NODE-4 callbackWaitsForEmptyEventLoop=true sends the response after the loop drains', async () => {
      const o = await pool.invoke(spec('callbacks.waits'), '{}', { requestId: 'req-cb' });
      assert.deepEqual(o.result, { sent: 'after the loop drained' });
      assert.equal(o.metrics.durationMs >= 50, true);
      const lines = texts(o).map((t) => t.replace(/^\S+\t/, ''));
      assert.equal(lines.indexOf('req-cb\tINFO\ttimer fired') < lines.indexOf('END RequestId: req-cb'), true);
      assert.notEqual(lines.indexOf('req-cb\tINFO\ttimer fired'), -1);
    });
    it('NODE-4 callbackWaitsForEmptyEventLoop=false sends the response at once', async () => {
      const o = await pool.invoke(spec('callbacks.noWait', { timeout: 2 }), '{}');
      assert.equal(o.result, 'sent at once');
    });
    it('NODE-4 a callback with a busy event loop waits until the timeout', async () => {
      const o = await pool.invoke(spec('callbacks.waitsForever', { timeout: 1 }), '{}');
      assert.equal(o.error?.errorType, 'Sandbox.Timedout');
    });
    it('NODE-4 callback(err) fails the invocation', async () => {
      const o = await pool.invoke(spec('callbacks.error'), '{}');
      assert.equal(o.error?.errorMessage, 'callback error');
    });
    it('NODE-4 only the first completion counts', async () => {
      assert.equal((await pool.invoke(spec('callbacks.twice'), '{}')).result, 'first');
    });
    it('NODE-4 context.succeed completes at once', async () => {
      assert.deepEqual((await pool.invoke(spec('callbacks.succeed'), '{}')).result, { via: 'succeed' });
    });
    it('NODE-4 context.fail fails', async () => {
      assert.equal((await pool.invoke(spec('callbacks.fail'), '{}')).error?.errorMessage, 'via fail');
    });
    it('NODE-4 context.done completes', async () => {
      assert.equal((await pool.invoke(spec('callbacks.done'), '{}')).result, 'via done');
    });
  });

  describe('NODE-6 / NODE-7 context and environment', () => {
    /** A pool of an account in another location: the region and account id come from the account, not the function. */
    let regional: EnvironmentPool;
    before(async () => {
      regional = new EnvironmentPool({
        location: { region: 'eu-west-1', accountId: '111122223333' },
        bootstrapDir: await buildBootstraps(),
      });
    });
    after(() => regional.dispose());

    it('NODE-6 the context object carries every field', async () => {
      const s = spec('context.handler', {
        name: 'ctx-fn',
        memorySize: 256,
        timeout: 5,
      });
      const o = await regional.invoke(s, '{}', {
        requestId: 'req-ctx',
        clientContext: { c: 1 },
        identity: { cognitoIdentityId: 'id' },
      });
      const r = o.result as Record<string, unknown>;
      assert.equal(r.functionName, 'ctx-fn');
      assert.equal(r.functionVersion, '$LATEST');
      assert.equal(r.invokedFunctionArn, 'arn:aws:lambda:eu-west-1:111122223333:function:ctx-fn');
      assert.equal(r.memoryLimitInMB, '256');
      assert.equal(r.awsRequestId, 'req-ctx');
      assert.equal(r.logGroupName, '/aws/lambda/ctx-fn');
      assert.match(String(r.logStreamName), /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
      assert.equal(r.callbackWaitsForEmptyEventLoop, true);
      assert.equal(typeof r.remaining === 'number' && r.remaining > 4000 && r.remaining <= 5000, true);
      assert.deepEqual(r.clientContext, { c: 1 });
      assert.deepEqual(r.identity, { cognitoIdentityId: 'id' });
    });
    it("NODE-7 the environment has Lambda variables and the function's own, not the parent's", async () => {
      process.env.LT_PARENT_SECRET = 'leak';
      const s = spec('context.env', {
        name: 'env-fn',
        environment: { STAGE: 'dev', AWS_REGION: 'ignored' },
      });
      const o = await regional.invoke(s, '{}');
      delete process.env.LT_PARENT_SECRET;
      const e = o.result as Record<string, string>;
      assert.equal(e.STAGE, 'dev');
      assert.equal(e.AWS_LAMBDA_FUNCTION_NAME, 'env-fn');
      assert.equal(e.AWS_LAMBDA_FUNCTION_VERSION, '$LATEST');
      assert.equal(e.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '128');
      assert.equal(e.AWS_LAMBDA_LOG_GROUP_NAME, '/aws/lambda/env-fn');
      assert.match(e.AWS_LAMBDA_LOG_STREAM_NAME, /\[\$LATEST\]/);
      assert.equal(e.AWS_LAMBDA_INITIALIZATION_TYPE, 'on-demand');
      assert.equal(e.AWS_REGION, 'eu-west-1');
      assert.equal(e.AWS_DEFAULT_REGION, 'eu-west-1');
      assert.equal(e.AWS_EXECUTION_ENV, 'AWS_Lambda_nodejs20.x');
      assert.equal(e._HANDLER, 'context.env');
      assert.equal(e.LAMBDA_TASK_ROOT, codeRoot);
      assert.equal(e.TZ, ':UTC');
      assert.equal(e.LANG, 'en_US.UTF-8');
      assert.match(e._X_AMZN_TRACE_ID, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0/);
      assert.equal(e.LT_PARENT_SECRET, undefined);
      // Of the runner's own environment, only what a process needs to work at all (the README's security section).
      const lambdaNames = /^(AWS_|_HANDLER$|_X_AMZN_TRACE_ID$|LAMBDA_TASK_ROOT$|TZ$|LANG$|NODE_PATH$|STAGE$)/;
      assert.deepEqual(
        Object.keys(e)
          .filter((k) => !lambdaNames.test(k))
          .sort(),
        ['HOME', 'PATH', 'SYSTEMROOT', 'TEMP', 'TMP', 'TMPDIR'].filter((k) => process.env[k] !== undefined),
      );
      const runnerAws = Object.keys(e).filter((k) => k.startsWith('AWS_') && !k.startsWith('AWS_LAMBDA_'));
      assert.deepEqual(runnerAws.sort(), [
        'AWS_DEFAULT_REGION',
        'AWS_EC2_METADATA_DISABLED',
        'AWS_EXECUTION_ENV',
        'AWS_REGION',
      ]);
    });
  });

  describe('NODE-8 logs and metrics', () => {
    it('NODE-8 START, console lines with level, raw output in order, END and REPORT', async () => {
      const o = await pool.invoke(spec('logs.levels', { name: 'logs-fn' }), '{}', { requestId: 'req-logs' });
      const lines = o.logs.map((l) => [
        l.stream,
        l.level ?? '',
        l.text.replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z\t/, '<t>\t'),
      ]);
      assert.deepEqual(lines.slice(0, 11), [
        ['console', 'INFO', '<t>\tundefined\tINFO\tinit line'],
        ['platform', '', 'START RequestId: req-logs Version: $LATEST'],
        ['console', 'INFO', '<t>\treq-logs\tINFO\tlog formatted'],
        ['console', 'INFO', '<t>\treq-logs\tINFO\tinfo'],
        ['console', 'WARN', '<t>\treq-logs\tWARN\twarn'],
        ['console', 'ERROR', '<t>\treq-logs\tERROR\terror'],
        ['console', 'DEBUG', '<t>\treq-logs\tDEBUG\tdebug'],
        ['stdout', '', 'raw out'],
        ['stderr', '', 'raw err'],
        ['console', 'INFO', '<t>\treq-logs\tINFO\tafter raw'],
        ['stdout', '', 'no newline'],
      ]);
      assert.equal(o.logs[11].text, 'END RequestId: req-logs');
      assert.match(
        o.logs[12].text,
        /^REPORT RequestId: req-logs\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms$/,
      );
      assert.equal(o.logs.length, 13);
      assert.equal(
        o.metrics.billedDurationMs,
        Math.ceil(o.metrics.durationMs + (o.metrics.initDurationMs ?? 0)),
        'NODE-9 billed = ceil(duration + init)',
      );
      assert.equal(o.metrics.maxMemoryUsedMB > 10 && o.metrics.maxMemoryUsedMB < 128, true);
      const warm = await pool.invoke(spec('logs.levels', { name: 'logs-fn' }), '{}');
      assert.equal(warm.metrics.initDurationMs, undefined);
      assert.equal(
        texts(warm).some((t) => t.includes('Init Duration')),
        false,
      );
    });
    it('NODE-8 JSON log format gives JSON records and honours the log level', async () => {
      const o = await pool.invoke(
        spec('logs.levels', { name: 'logs-json', loggingConfig: { logFormat: 'JSON', applicationLogLevel: 'WARN' } }),
        '{}',
        { requestId: 'req-j' },
      );
      const consoleLines = o.logs
        .filter((l) => l.stream === 'console')
        .map((l) => JSON.parse(l.text) as Record<string, unknown>);
      assert.deepEqual(
        consoleLines.map((r) => [r.level, r.requestId, r.message]),
        [
          ['WARN', 'req-j', 'warn'],
          ['ERROR', 'req-j', 'error'],
        ],
      );
      const start = JSON.parse(o.logs.find((l) => l.stream === 'platform')!.text) as Record<string, unknown>;
      assert.deepEqual(start.record, { requestId: 'req-j', version: '$LATEST' });
      assert.equal(start.type, 'platform.start');
    });
    it('a handler printing megabytes of logs completes, with the capture capped', async () => {
      const o = await pool.invoke(spec('logs.flood', { timeout: 30 }), '{}', { requestId: 'req-flood' });
      assert.equal(o.result, 'flooded');
      const consoleCount = o.logs.filter((l) => l.stream === 'console').length;
      // The 49-byte init line, then lines of 24-char time, tab, 9-char id, tab, INFO, tab, 1023 x = 1063 bytes.
      assert.equal(consoleCount, 1 + Math.floor((4194304 - 49) / 1063));
      assert.equal(
        texts(o).includes('[lambda-trigger] log output truncated after 4194304 bytes for this invocation'),
        true,
      );
    });
    it('a handler that spawns a long-lived child with inherited stdio does not hang the invocation', async () => {
      const o = await pool.invoke(spec('logs.spawns'), '{}');
      const pid = (o.result as { pid: number }).pid;
      assert.equal(typeof pid, 'number');
      pool.reset('fn-logs_spawns');
      // The whole process group is killed with the environment.
      await waitFor(() => !isAlive(pid));
    });
  });

  describe('NODE-10 environment reuse and the pool', () => {
    it('NODE-10 module state survives between warm invocations; coldStart is marked', async () => {
      const s = spec('basic.handler', { name: 'reuse-fn' });
      const a = await pool.invoke(s, '{"name":"a"}');
      const b = await pool.invoke(s, '{"name":"b"}');
      assert.equal(a.coldStart, true);
      assert.equal(b.coldStart, false);
      assert.equal((a.result as { count: number }).count, 1);
      assert.equal((b.result as { count: number }).count, 2);
      assert.equal(a.environmentId, b.environmentId);
    });
    it('concurrent invocations get separate environments up to the limit, then queue', async () => {
      const local = new EnvironmentPool({
        location: DEFAULT_LOCATION,
        bootstrapDir: await buildBootstraps(),
        maxConcurrency: 2,
      });
      try {
        const s = spec('callbacks.waits', { name: 'conc-fn' });
        const outcomes = await Promise.all([1, 2, 3].map(() => local.invoke(s, '{}')));
        assert.equal(new Set(outcomes.map((o) => o.environmentId)).size, 2);
        assert.deepEqual(
          outcomes.map((o) => o.coldStart),
          [true, true, false],
        );
        assert.equal(local.environmentCount('conc-fn'), 2);
        // The engine starts no more attempts at once than this (FunctionInvoker.concurrencyLimit).
        assert.equal(local.concurrencyLimit(), 2);
        assert.equal(pool.concurrencyLimit(), 10, 'the default');
      } finally {
        local.dispose();
      }
    });
    it('throttles with TooManyRequestsException when configured to', async () => {
      const local = new EnvironmentPool({
        location: DEFAULT_LOCATION,
        bootstrapDir: await buildBootstraps(),
        maxConcurrency: 1,
        onConcurrencyLimit: 'throttle',
      });
      try {
        const s = spec('callbacks.waits', { name: 'throttle-fn' });
        const first = local.invoke(s, '{}');
        await assert.rejects(local.invoke(s, '{}'), { errorType: 'TooManyRequestsException', statusCode: 429 });
        assert.equal((await first).functionError, undefined);
      } finally {
        local.dispose();
      }
    });
    it('idle environments are evicted', async () => {
      const local = new EnvironmentPool({
        location: DEFAULT_LOCATION,
        bootstrapDir: await buildBootstraps(),
        idleTimeoutMs: 100,
      });
      try {
        await local.invoke(spec('basic.noop', { name: 'idle-fn' }), '{}');
        assert.equal(local.environmentCount('idle-fn'), 1);
        await waitFor(() => local.environmentCount('idle-fn') === 0);
        const again = await local.invoke(spec('basic.noop', { name: 'idle-fn' }), '{}');
        assert.equal(again.coldStart, true);
      } finally {
        local.dispose();
      }
    });
    it('a changed configuration does not reuse the old environment', async () => {
      const a = await pool.invoke(spec('basic.noop', { name: 'cfg-fn', environment: { V: '1' } }), '{}');
      const b = await pool.invoke(spec('basic.noop', { name: 'cfg-fn', environment: { V: '2' } }), '{}');
      assert.equal(b.coldStart, true);
      assert.notEqual(a.environmentId, b.environmentId);
    });
    it('an aborted invocation is cancelled and its environment discarded', async () => {
      const ac = new AbortController();
      const p = pool.invoke(spec('hangs.neverResolves', { name: 'abort-fn', timeout: 30 }), '{}', {
        signal: ac.signal,
        requestId: 'req-abort',
      });
      await waitFor(() => pool.environmentCount('abort-fn') === 1);
      ac.abort();
      const o = await p;
      assert.deepEqual(o.error, {
        errorType: 'Runtime.Cancelled',
        errorMessage: 'RequestId: req-abort Error: Invocation cancelled',
      });
      assert.equal(pool.environmentCount('abort-fn'), 0);
    });
  });

  describe('NODE-11 response streaming', () => {
    it('NODE-11 streamifyResponse with HttpResponseStream.from', async () => {
      const chunks: string[] = [];
      const o = await pool.invoke(spec('stream.handler'), '{}', { onResponseChunk: (c) => chunks.push(c.toString()) });
      assert.equal(o.result, 'hello world');
      assert.deepEqual(chunks, ['hello ', 'world']);
      assert.deepEqual(o.stream, {
        contentType: 'application/vnd.awslambda.http-integration-response',
        prelude: { statusCode: 201, headers: { 'x-a': 'b' } },
        bodyBase64: Buffer.from('hello world').toString('base64'),
        chunks: 2,
      });
    });
    it('NODE-11 a stream the handler does not end is ended when its promise resolves', async () => {
      const o = await pool.invoke(spec('stream.plain'), '{}');
      assert.equal(o.result, 'ab');
      assert.equal(o.stream?.contentType, undefined);
    });
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor(cond: () => boolean, timeoutMs = 10000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
