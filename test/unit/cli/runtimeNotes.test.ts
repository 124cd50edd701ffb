/**
 * RUNTIME-2 on the command line: what an invocation waits for (fetching a Node.js version) is said on stderr as it
 * happens, and so is a function that ran on another Node.js than its runtime's, with the reason.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { CACHE_DIR_ENV } from '../../../src/core/runtime/runtimeCache';
import { buildBootstraps } from '../runtime/bootstrapBuild';
import { cli } from './cliHarness';

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('cli: the Node.js a function runs on (RUNTIME-2)', function () {
  this.timeout(60_000);
  const saved: Record<string, string | undefined> = {};
  let dir: string;

  beforeEach(async function () {
    if (process.platform === 'win32') this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ltr-cli-runtime-'));
    // This machine as one without Node.js 24 and offline: an empty home and cache, a PATH with only this Node.js.
    const env = {
      HOME: path.join(dir, 'home'),
      PATH: path.dirname(process.execPath),
      [CACHE_DIR_ENV]: path.join(dir, 'cache'),
      npm_config_registry: `http://127.0.0.1:${await closedPort()}/`,
    };
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    fs.mkdirSync(env.HOME);
    fs.writeFileSync(path.join(dir, 'app.js'), 'exports.handler = async () => ({ node: process.version });\n');
  });
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('RUNTIME-2 offline, invoke says on stderr that it tried to fetch Node.js 24 and that nodejs24.x ran on another Node.js', async () => {
    const registry = process.env.npm_config_registry!;
    const { code, out, err } = await cli(['invoke', 'app.handler', '--runtime', 'nodejs24.x', '--json'], dir, {
      LAMBDA_TRIGGER_BOOTSTRAP_DIR: await buildBootstraps(),
    });
    assert.equal(code, 0, err);
    const lines = err.trim().split('\n');
    assert.equal(
      lines[0],
      `lambda-trigger: Node.js 24 for nodejs24.x is not on this machine: fetching it from the npm registry (${registry})`,
    );
    assert.match(
      lines[1],
      /^lambda-trigger: Could not fetch Node\.js 24 for nodejs24\.x: cannot reach the npm registry at /,
    );
    assert.match(
      lines[2],
      new RegExp(
        `^lambda-trigger invoke: nodejs24\\.x runs on Node\\.js ${process.versions.node} \\(the Node\\.js running the runner\\), not on Node\\.js 24: `,
      ),
    );
    const record = JSON.parse(out) as InvocationRecord;
    const attempt = record.attempts[0];
    assert.deepEqual(attempt.result, { node: process.version });
    assert.equal(attempt.runtime?.runtime, 'nodejs24.x');
    assert.equal(attempt.runtime?.runsOn, `Node.js ${process.versions.node}`);
    assert.equal(attempt.runtime?.mismatch, lines[2].replace('lambda-trigger invoke: ', ''));
    // The panel shows the attempt's log: the note is its first line.
    assert.equal(attempt.logs[0].text, `[lambda-trigger] ${attempt.runtime?.mismatch}`);
  });
});
