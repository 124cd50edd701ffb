/**
 * DURABLE-8: a SIGKILL of the engine during a step loses nothing that was checkpointed. A real engine process runs
 * a durable execution of the unmodified SDK and is killed while its second step runs; the workspace reopened in this
 * process carries the execution on: the first step is not run again, the interrupted one is (at least once), and the
 * execution ends with the result of all three.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';
import { LocalAccount } from '../../../src/core/account/localAccount';
import { DURABLE_CRASH_HANDLER, durableCrashFunctions } from '../../fixtures/invoke/durableCrashConfiguration';
import { waitFor } from '../../support/waitFor';
import { tempWorkspace } from '../endpoints/aws/awsTestAccount';
import { buildBootstraps } from '../runtime/bootstrapBuild';

const CHILD = path.join(__dirname, '..', '..', 'fixtures', 'invoke', 'durableCrashChild.ts');

describe('durable functions: a killed engine', function () {
  this.timeout(120_000);
  let dir: string;
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('DURABLE-8 DURABLE-9: SIGKILL during a step, then reopening: checkpointed steps stay done, the execution finishes', async () => {
    dir = tempWorkspace('ltr-durable-crash-', { 'steps.js': DURABLE_CRASH_HANDLER, hold: '' });
    const bootstrapDir = await buildBootstraps();
    const stepsLog = path.join(dir, 'steps.log');
    const linesOf = (): string[] =>
      fs.existsSync(stepsLog) ? fs.readFileSync(stepsLog, 'utf8').trim().split('\n') : [];
    const arn = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, bootstrapDir], {
        cwd: path.join(__dirname, '..', '..', '..'),
      });
      let out = '';
      let stderr = '';
      let started: string | undefined;
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        started ??= /started (\S+)/.exec(out)?.[1];
      });
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code, signal) => {
        if (signal === 'SIGKILL' && started) resolve(started);
        else reject(new Error(`the engine process ended with ${code ?? signal}: ${stderr}`));
      });
      waitFor('step two to start', () => linesOf().includes('two started'), 60_000).then(
        () => child.kill('SIGKILL'),
        (err: unknown) => {
          child.kill('SIGKILL');
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
    assert.deepEqual(linesOf(), ['one', 'two started']);
    fs.rmSync(path.join(dir, 'hold'));

    const account = await LocalAccount.open({
      workspaceRoot: dir,
      functions: durableCrashFunctions(dir),
      bootstrapDir,
      location: DEFAULT_LOCATION,
      userEnv: { HOME: dir },
    });
    try {
      const execution = await waitFor('the execution to end', () => {
        const e = account.engine.durable.find(arn);
        return e && e.status !== 'RUNNING' ? e : undefined;
      });
      assert.equal(execution.status, 'SUCCEEDED', JSON.stringify(execution.error));
      assert.equal(execution.result, '6');
      // Step one was checkpointed before the kill: it is not run again. Step two was not: it runs again.
      assert.deepEqual(linesOf(), ['one', 'two started', 'two started', 'three']);
      const completions = execution.history.filter((e) => e.EventType === 'InvocationCompleted');
      assert.match(JSON.stringify(completions[0]), /Runtime\.Interrupted/);
    } finally {
      await account.dispose();
    }
  });
});
