import * as assert from 'node:assert/strict';
import { runCli } from '../../../src/cli/main';
import { captureIO } from '../../support/cliIO';

const capture = () => captureIO(process.cwd());

describe('lambda-trigger command line', () => {
  it('prints usage with the exit codes on --help and exits 0', async () => {
    const io = capture();
    assert.equal(await runCli(['--help'], io), 0);
    assert.match(io.out, /^lambda-trigger \S+: run AWS Lambda handlers locally/);
    assert.match(io.out, /Exit codes: 0 success, 1 function error, 2 bad usage or bad input\./);
  });

  it('exits 2 with usage when no command is given', async () => {
    const io = capture();
    assert.equal(await runCli([], io), 2);
    assert.match(io.out, /Usage: lambda-trigger <command>/);
  });

  it('exits 2 and names the unknown command', async () => {
    const io = capture();
    assert.equal(await runCli(['frobnicate'], io), 2);
    assert.match(io.err, /unknown command "frobnicate"/);
    assert.equal(io.out, '');
  });

  it('prints the version on --version', async () => {
    const io = capture();
    assert.equal(await runCli(['--version'], io), 0);
    assert.match(io.out, /^\d+\.\d+\.\d+(-[\w.]+)?\n$/);
  });
});
