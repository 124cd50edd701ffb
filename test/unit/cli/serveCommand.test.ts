/**
 * `lambda-trigger serve` as a terminal runs it: a real process that prints its routes, answers HTTP requests with
 * one line each, and on Ctrl-C (SIGINT) closes the port and exits 130.
 */
import * as assert from 'node:assert/strict';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { waitFor } from '../../support/waitFor';
import { httpApp } from '../endpoints/httpFrontHarness';
import { buildBootstraps } from '../runtime/bootstrapBuild';
import { cli, copyWorkspace } from './cliHarness';

const ROOT = path.resolve(__dirname, '../../..');

describe('cli: serve', function () {
  this.timeout(60_000);
  let root: string;
  let bootstrapDir: string;

  before(async () => {
    root = copyWorkspace(httpApp);
    bootstrapDir = await buildBootstraps();
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('prints the base URL and every route, one line per request, runs edited code, and exits 130 on Ctrl-C with the port closed', async () => {
    const child = spawn(
      process.execPath,
      ['--require', 'tsx/cjs', path.join(ROOT, 'src/cli/main.ts'), 'serve', '--root', root],
      {
        cwd: ROOT,
        env: { ...process.env, LAMBDA_TRIGGER_BOOTSTRAP_DIR: bootstrapDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const ended = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      const base = await waitFor('the base URL', () => /at (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out)?.[1]).catch(
        (e: Error) => {
          throw new Error(`${e.message}; stdout: ${out}; stderr: ${err}`);
        },
      );
      await waitFor('the route list', () => out.includes('Press Ctrl-C to stop.'));
      assert.match(out, new RegExp(`GET +${base}/items/\\{id\\} +EchoFunction, REST API \\(template\\.yaml:\\d+\\)`));
      assert.match(out, new RegExp(`ANY +${base}/lambda-url/StreamFunction/ +StreamFunction, function URL`));
      assert.match(out, new RegExp(`ANY +${base}/alb/\\* +albTarget, ALB \\(alb/serverless\\.yml:\\d+\\)`));
      // The local AWS endpoint, with what a script needs to use it: the AWS SDK lists the workspace's functions.
      const aws =
        /export AWS_ENDPOINT_URL=(\S+) AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+) AWS_REGION=(\S+)\n/.exec(
          out,
        );
      assert.ok(aws, `serve prints the AWS endpoint (stdout: ${out})`);
      const lambda = new LambdaClient({
        endpoint: aws[1],
        region: aws[4],
        credentials: { accessKeyId: aws[2], secretAccessKey: aws[3] },
      });
      try {
        const listed = await lambda.send(new ListFunctionsCommand({}));
        assert.ok(listed.Functions?.some((f) => f.FunctionName === 'EchoFunction'));
      } finally {
        lambda.destroy();
      }
      const response = await fetch(`${base}/items/7`);
      assert.equal(response.status, 200);
      assert.deepEqual(((await response.json()) as { pathParameters: unknown }).pathParameters, { id: '7' });
      await waitFor('the request line', () => /GET \/items\/7 -> 200 [\d.]+ ms EchoFunction\n/.test(out));
      const broken = await fetch(`${base}/broken`);
      assert.equal(broken.status, 502);
      await waitFor('the 502 line with its reason', () =>
        /GET \/broken -> 502 .* BrokenFunction \(malformed result: /.test(out),
      );
      // Another terminal's commands attach to the engine serve holds, rather than finding its store in use.
      const env = { LAMBDA_TRIGGER_BOOTSTRAP_DIR: bootstrapDir };
      const listed = await cli(['executions', 'list', '--root', root], root, env);
      assert.equal(listed.code, 0, listed.err);
      const invoked = await cli(
        ['invoke', 'EchoFunction', '--root', root, '--payload', '-', '--json'],
        root,
        env,
        '{}',
      );
      assert.equal(invoked.code, 0, invoked.err);
      assert.doesNotMatch(invoked.err, /throwaway/, 'the invocation ran in the engine serve holds');
      // A handler edited while serve runs: the next requests run the new code.
      assert.equal((await fetch(`${base}/lambda-url/UrlFunction/`)).status, 200);
      fs.writeFileSync(
        path.join(root, 'src/url.js'),
        "exports.handler = async () => ({ statusCode: 200, body: 'edited' });\n",
      );
      await waitFor('the edited handler to answer', async () => {
        const r = await fetch(`${base}/lambda-url/UrlFunction/`);
        return (await r.text()) === 'edited';
      });
      child.kill('SIGINT');
      assert.equal(await ended, 130);
      const port = Number(new URL(base).port);
      const refused = await new Promise<boolean>((resolve) => {
        const socket = net.connect(port, '127.0.0.1');
        socket.on('connect', () => {
          socket.destroy();
          resolve(false);
        });
        socket.on('error', () => resolve(true));
      });
      assert.ok(refused, 'the port is closed');
      assert.equal(err, '');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('exit 2 for a port that is not a number, with a clear message', async () => {
    const { code, err } = await cli(['serve', '--root', root, '--port', 'eighty'], root, {});
    assert.equal(code, 2);
    assert.equal(err, 'lambda-trigger serve: --port eighty is not a port number (0 to 65535)\n');
  });

  it('takes the credential flags invoke takes: two at once, or --aws-credentials without them in the shell, exit 2', async () => {
    const both = await cli(['serve', '--root', root, '--aws-profile', 'dev', '--aws-credentials'], root, {});
    assert.equal(both.code, 2);
    assert.match(both.err, /--aws-profile and --aws-credentials both say which credentials handlers get; give one/);
    const none = await cli(['serve', '--root', root, '--aws-credentials'], root, {});
    assert.equal(none.code, 2);
    assert.match(none.err, /this shell has not set them/);
  });
});
