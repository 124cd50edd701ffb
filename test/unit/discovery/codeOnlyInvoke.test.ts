import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInvokeCommand } from '../../../src/cli/commands/invoke';
import { listCommand } from '../../../src/cli/commands/list';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { captureIO } from '../../support/cliIO';
import { buildBootstraps } from '../runtime/bootstrapBuild';

describe('cli: code-only functions by the name list shows', function () {
  this.timeout(30000);
  let bootstrapDir: string;
  let root: string;
  let elsewhere: string;
  before(async () => {
    bootstrapDir = await buildBootstraps();
  });
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'code-only-ws-'));
    elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'code-only-cwd-'));
    fs.mkdirSync(path.join(root, 'plain-handlers'));
    fs.writeFileSync(
      path.join(root, 'plain-handlers', 'invoice.ts'),
      'export const handler = async (event: { n: number }, context: { functionName: string }) =>\n' +
        '  ({ doubled: event.n * 2, name: context.functionName });\n',
    );
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(elsewhere, { recursive: true, force: true });
  });

  it('list shows a code-only function by its path with its Lambda name', async () => {
    const io = captureIO(elsewhere);
    assert.equal(await listCommand.run(['--root', root], io), 0);
    // The runtime line names this machine's Node.js: compare the rest exactly.
    assert.match(io.out, /\n {2}runtime {2}nodejs20\.x on Node\.js 20\.[^\n]+\n/);
    assert.equal(
      io.out.replace(/ {2}runtime {2}[^\n]*\n/, ''),
      [
        'plain-handlers/invoice.handler',
        '  name     plain-handlers-invoice-handler',
        '  handler  invoice.handler  (nodejs20.x)',
        '  file     plain-handlers/invoice.ts',
        '  defined  plain-handlers/invoice.ts:1 (code)',
        '  timeout  3s, memory 128 MB',
        '',
      ].join('\n'),
    );
  });

  for (const ref of ['plain-handlers/invoice.handler', 'plain-handlers-invoice-handler']) {
    it(`invoke ${ref} --root <workspace> runs the workspace's code-only function under its Lambda name`, async () => {
      const io = captureIO(elsewhere, '{"n": 21}');
      const code = await createInvokeCommand({ bootstrapDir }).run(
        [ref, '--root', root, '--payload', '-', '--ephemeral', '--json'],
        io,
      );
      assert.equal(code, 0, io.err);
      const record = JSON.parse(io.out) as InvocationRecord;
      assert.equal(record.functionName, 'plain-handlers-invoice-handler');
      assert.deepEqual(record.attempts[0].result, { doubled: 42, name: 'plain-handlers-invoice-handler' });
    });
  }
});
