import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { UsageError } from '../../../src/cli/command';
import { listCommand } from '../../../src/cli/commands/list';
import { captureIO } from '../../support/cliIO';

const ROOT = path.resolve(__dirname, '../../fixtures/discovery');

describe('discovery: lambda-trigger list', () => {
  it('prints every function with handler, runtime, file, origin and triggers', async () => {
    const io = captureIO(path.join(ROOT, 'settings'));
    assert.equal(await listCommand.run([], io), 0);
    assert.equal(
      io.out,
      [
        'Hello',
        '  handler  api/hello.handler  (nodejs20.x)',
        '  file     api/hello.mjs',
        '  defined  lambda-trigger.json:5 (settings)',
        '  timeout  15s, memory 128 MB',
        '  trigger  SQS jobs, batch 3',
        '',
      ].join('\n'),
    );
    assert.equal(
      io.err,
      'lambda-trigger.json:11: warning: Unknown key "Extra" in lambda-trigger.json (expected one of $schema, Globals, Functions, Resources, Parameters) [invalid-settings]\n' +
        'lambda-trigger.json:6: warning: nodejs20.x is deprecated since 2026-04-30: AWS no longer patches it and blocks creating, then updating, functions on it (they still run, here too); move to nodejs24.x [deprecated-runtime]\n' +
        '.env:4: warning: Not a KEY=value line: not a line [invalid-settings]\n',
    );
  });

  it('--json prints the FunctionConfig model', async () => {
    const io = captureIO(ROOT);
    assert.equal(await listCommand.run(['--json', '--root', 'serverless'], io), 0);
    const parsed = JSON.parse(io.out) as { root: string; functions: Array<{ id: string; memorySize: number }> };
    assert.equal(parsed.root, path.join(ROOT, 'serverless'));
    assert.deepEqual(
      parsed.functions.map((f) => `${f.id} ${f.memorySize}`),
      ['serverless.yml#reserve 1024'],
    );
  });

  it('rejects unknown options and a missing root with a UsageError (exit 2)', async () => {
    await assert.rejects(listCommand.run(['--bogus'], captureIO(ROOT)), UsageError);
    await assert.rejects(listCommand.run(['--root', 'does-not-exist'], captureIO(ROOT)), /is not a directory/);
  });
});
