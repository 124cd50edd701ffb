import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
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
      // What runs nodejs20.x depends on the machine (RUNTIME-2): that line is checked on its own below.
      io.out.replace(/^ {2}runtime {2}nodejs20\.x .*$/m, '  runtime  nodejs20.x <host>'),
      [
        'Hello',
        '  handler  api/hello.handler  (nodejs20.x)',
        '  runtime  nodejs20.x <host>',
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

  it('RUNTIME-1 RUNTIME-2 says for each function what runs it here, a deprecation, or why it cannot run', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ltr-list-runtimes-'));
    try {
      fs.writeFileSync(
        path.join(root, 'template.yaml'),
        [
          'Transform: AWS::Serverless-2016-10-31',
          'Resources:',
          ...[
            ['Old', 'nodejs20.x'],
            ['Java', 'java21'],
            ['Typo', 'nodejs21.x'],
          ].flatMap(([name, runtime]) => [
            `  ${name}:`,
            '    Type: AWS::Serverless::Function',
            '    Properties:',
            '      Handler: app.handler',
            `      Runtime: ${runtime}`,
          ]),
          '  Image:',
          '    Type: AWS::Serverless::Function',
          '    Properties:',
          '      PackageType: Image',
          '',
        ].join('\n'),
      );
      fs.writeFileSync(path.join(root, 'app.js'), 'exports.handler = async () => 1;\n');
      const io = captureIO(root);
      assert.equal(await listCommand.run([], io), 0);
      const lines = io.out.split('\n').filter((l) => l.startsWith('  runtime'));
      assert.match(
        lines[0],
        /^ {2}runtime {2}(nodejs20\.x on Node\.js 20\.|nodejs20\.x: no Node\.js 20 on this machine|nodejs20\.x runs on ).*; deprecated since 2026-04-30$/,
      );
      assert.equal(
        lines[1],
        '  runtime  java21 cannot run here: java21 is a Java runtime: the runner runs Node.js and Python functions only, so it cannot run this one',
      );
      assert.match(
        lines[2],
        /^ {2}runtime {2}nodejs21\.x cannot run here: "nodejs21\.x" is not a Lambda runtime identifier/,
      );
      assert.equal(
        lines[3],
        '  runtime  container image: cannot run here (the runner runs Node.js and Python code, not images)',
      );
      assert.match(io.out, /^Image\n {2}handler {2}- {2}\(container image\)$/m);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
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
