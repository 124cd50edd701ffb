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
  stdin?: Buffer,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(ROOT, 'src/cli/main.ts'), ...args], {
      cwd: fixturesRoot,
      env: { ...process.env, LAMBDA_TRIGGER_BOOTSTRAP_DIR: bootstrapDir },
      stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    child.stdin?.end(stdin);
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
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

  it('--payload - reads stdin as strict UTF-8: a byte-order mark is dropped, a bad byte refused with its offset', async () => {
    const bom = await runCliProcess(
      ['invoke', 'node/results.echo', '--payload', '-', '--json'],
      bootstrapDir,
      Buffer.from('\ufeff{"a":"é"}'),
    );
    assert.equal(bom.code, 0, bom.err);
    assert.deepEqual((JSON.parse(bom.out) as InvocationRecord).attempts[0].result, { a: 'é' });
    const bad = await runCliProcess(
      ['invoke', 'node/results.echo', '--payload', '-'],
      bootstrapDir,
      Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
    );
    assert.equal(bad.code, 2);
    assert.equal(
      bad.err,
      'lambda-trigger invoke: stdin: not valid UTF-8: the byte at offset 6 (0xff) does not begin a UTF-8 character\n',
    );
  });

  it('a payload nested 100,000 levels deep on stdin exits 2 with its depth, not an internal error', async () => {
    const levels = 100_000;
    const deep = Buffer.from('['.repeat(levels) + ']'.repeat(levels));
    for (const mode of ['sync', 'async']) {
      const { code, err } = await runCliProcess(
        ['invoke', 'node/results.echo', '--payload', '-', '--mode', mode],
        bootstrapDir,
        deep,
      );
      assert.equal(code, 2, err);
      assert.equal(
        err,
        'lambda-trigger invoke: stdin: The payload nests 100000 levels deep; at most 512 levels of arrays and objects can be run\n',
      );
    }
  });

  it('a function error exits 1, with the record printed', async () => {
    const { code, out, err } = await runCliProcess(['invoke', 'node/errors.throwsError', '--json'], bootstrapDir);
    assert.equal(code, 1, err);
    assert.equal((JSON.parse(out) as InvocationRecord).status, 'failed');
  });
});
