/**
 * The CLI's text report of handler output: ANSI colours are kept only for a terminal that does not ask for none
 * (NO_COLOR), and removed everywhere else, as the README's security section says.
 */
import * as assert from 'node:assert/strict';
import { runCli } from '../../../src/cli/main';
import { captureIO } from '../../support/cliIO';
import { buildBootstraps } from '../runtime/bootstrapBuild';
import { cliFixtures } from './cliHarness';

describe('cli: colours of handler output in the text report', function () {
  this.timeout(60_000);
  let bootstrapDir: string;
  before(async () => (bootstrapDir = await buildBootstraps()));

  async function report(terminal: boolean, env: Record<string, string> = {}): Promise<string> {
    const io = captureIO(cliFixtures, '', { LAMBDA_TRIGGER_BOOTSTRAP_DIR: bootstrapDir, ...env });
    if (terminal) Object.assign(io, { stdoutIsTTY: true });
    assert.equal(await runCli(['invoke', 'colours/printer.handler'], io), 0, io.err);
    const line = io.out.split('\n').find((l) => l.includes('red alert'));
    assert.ok(line, io.out);
    return line;
  }

  it('a terminal gets the colour', async () => {
    assert.ok((await report(true)).endsWith('\u001b[31mred alert\u001b[0m'));
  });

  it('a terminal with NO_COLOR, and a pipe or a file, get the text without escape codes', async () => {
    for (const line of [await report(true, { NO_COLOR: '1' }), await report(false)]) {
      assert.ok(line.endsWith('\tred alert'), JSON.stringify(line));
      assert.ok(!line.includes('\u001b'), JSON.stringify(line));
    }
  });
});
