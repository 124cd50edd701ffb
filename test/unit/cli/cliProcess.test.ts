/**
 * The CLI as a terminal runs it: a process of its own, which ends when its work is done. What it prints and its exit
 * code must come after the local account is closed (its environments killed and exited), never be lost to a
 * process that ends first.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { buildBootstraps, fixturesRoot } from '../runtime/bootstrapBuild';

const ROOT = path.resolve(__dirname, '../../..');

function runCliProcess(
  args: string[],
  bootstrapDir: string,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(ROOT, 'src/cli/main.ts'), ...args], {
      cwd: fixturesRoot,
      env: { ...process.env, LAMBDA_TRIGGER_BOOTSTRAP_DIR: bootstrapDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('cli: lambda-trigger as a process of its own', function () {
  this.timeout(30_000);
  let bootstrapDir: string;
  before(async () => {
    bootstrapDir = await buildBootstraps();
  });

  it('invoke --json prints the record after the account is closed, and exits 0', async () => {
    const { code, out, err } = await runCliProcess(['invoke', 'node/results.echo', '--json'], bootstrapDir);
    assert.equal(code, 0, err);
    const record = JSON.parse(out) as InvocationRecord;
    assert.equal(record.status, 'succeeded');
  });

  it('a function error exits 1, with the record printed', async () => {
    const { code, out, err } = await runCliProcess(['invoke', 'node/errors.throwsError', '--json'], bootstrapDir);
    assert.equal(code, 1, err);
    assert.equal((JSON.parse(out) as InvocationRecord).status, 'failed');
  });
});
