/**
 * NODE-5: `lambda-trigger invoke` of one handler that returns and then fails (a throw from setImmediate, a promise
 * that rejects with nobody awaiting it): the CLI ends the environment when it ends, so no next invocation carries the
 * error. It is reported with the attempt in which it happened, in the text report and in the JSON record.
 */
import * as assert from 'node:assert/strict';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { buildBootstraps } from '../runtime/bootstrapBuild';
import { cli, cliFixtures } from './cliHarness';

describe('cli: errors after the response of a single invocation', function () {
  this.timeout(60_000);
  let env: Record<string, string>;
  before(async () => {
    env = { LAMBDA_TRIGGER_BOOTSTRAP_DIR: await buildBootstraps() };
  });

  for (const [handler, logged, errorType, errorMessage] of [
    ['throwsFromImmediate', 'Uncaught Exception', 'Error', 'thrown after the response'],
    [
      'leavesRejection',
      'Unhandled Promise Rejection',
      'Runtime.UnhandledPromiseRejection',
      'Error: rejected after the response',
    ],
  ] as const) {
    it(`NODE-5 ${handler}: the JSON record's attempt has the error after its response, logged under its request id`, async () => {
      const { code, out, err } = await cli(['invoke', `late/afterResponse.${handler}`, '--json'], cliFixtures, env);
      assert.equal(code, 0, err);
      const record = JSON.parse(out) as InvocationRecord;
      const [attempt] = record.attempts;
      assert.equal(attempt.result, 'returned');
      assert.equal(record.status, 'succeeded');
      assert.ok(attempt.errorAfterResponse, `no error after the response in ${out}`);
      assert.equal(attempt.errorAfterResponse.error.errorType, errorType);
      assert.equal(attempt.errorAfterResponse.error.errorMessage, errorMessage);
      const logs = attempt.errorAfterResponse.logs.map((l) => l.text);
      assert.ok(
        logs.some((t) => t.includes(`\t${attempt.requestId}\tERROR\t${logged}`)),
        `logged under its request id: ${logs.join('\n')}`,
      );
    });
  }

  it('NODE-5 the text report shows the error after the response and the output that led to it', async () => {
    const { code, out, err } = await cli(['invoke', 'late/afterResponse.throwsFromImmediate'], cliFixtures, env);
    assert.equal(code, 0, err);
    const requestId = /request (\S+)/.exec(out)?.[1];
    assert.ok(requestId, out);
    assert.match(
      out,
      new RegExp(
        `\\nafterResponse {2}attempt 1 {2}request ${requestId} {2}\\(record [^)]+\\)\\n {2}after this attempt had responded, ` +
          'its execution environment ended with Error: thrown after the response\\n {2}logs after the response:\\n' +
          ' {4}\\S+\\t\\S+\\tINFO\\tcleaning up after the response\\n' +
          ` {4}\\S+\\t${requestId}\\tERROR\\tUncaught Exception {"errorType":"Error","errorMessage":"thrown after the response"`,
      ),
    );
  });

  it('NODE-5 a handler that only returns reports nothing after its response', async () => {
    const { code, out } = await cli(['invoke', 'late/afterResponse.returns', '--json'], cliFixtures, env);
    assert.equal(code, 0);
    assert.equal((JSON.parse(out) as InvocationRecord).attempts[0].errorAfterResponse, undefined);
  });
});
