/**
 * Where the endpoint lives and what is left when it goes: a workspace path too long for a Unix socket, an engine that
 * closes mid-request, a killed holder's socket and descriptor, a descriptor that points elsewhere, and an engine of
 * another protocol version.
 */
import * as assert from 'node:assert/strict';
import { ENGINE_PROTOCOL_VERSION } from '../../../src/core/endpoints/engineProtocol';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { readWorkspaceSettings } from '../../../src/core/account/accountSettings';
import { LocalAccount } from '../../../src/core/account/localAccount';
import { WorkspaceIndex } from '../../../src/core/discovery/workspaceIndex';
import { DEFAULT_IGNORE_GLOBS } from '../../../src/core/discovery/workspaceWalker';
import { EngineUnavailableError } from '../../../src/core/endpoints/endpointErrors';
import { EngineEndpoint } from '../../../src/core/endpoints/engineEndpoint';
import {
  descriptorPathOf,
  endpointDirOf,
  ensurePrivateDirectory,
  MAX_SOCKET_PATH_BYTES,
  placeSocket,
  writeDescriptor,
} from '../../../src/core/endpoints/endpointLocation';
import { connectToWorkspaceEngine } from '../../../src/core/endpoints/remoteWorkspaceEngine';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import type { QueueSummary } from '../../../src/core/services/localServices';
import { cli, copyWorkspace } from '../cli/cliHarness';
import { buildBootstraps } from '../runtime/bootstrapBuild';
import { waitFor } from '../../support/waitFor';
import { attachApp, EngineHolderProcess } from './engineHolderProcess';

const OWNER = 'the endpoint lifecycle test';
const posixOnly = function (this: Mocha.Context): void {
  if (process.platform === 'win32') this.skip();
};

async function openAccount(root: string, bootstrapDir: string): Promise<LocalAccount> {
  const { settings } = readWorkspaceSettings(root);
  const index = new WorkspaceIndex({
    root,
    env: {},
    location: settings.location,
    ignoreGlobs: [...DEFAULT_IGNORE_GLOBS],
  });
  await index.build();
  return LocalAccount.open({
    workspaceRoot: root,
    functions: index.functions(),
    bootstrapDir,
    storeOwner: OWNER,
    location: settings.location,
  });
}

const queueNames = (out: string): string[] => (JSON.parse(out) as QueueSummary[]).map((q) => q.name);

describe('endpoints: where the endpoint lives, and what is left when it goes', function () {
  this.timeout(60_000);
  let env: Record<string, string>;
  const cleanup: Array<() => Promise<void> | void> = [];

  before(async () => {
    env = { LAMBDA_TRIGGER_BOOTSTRAP_DIR: await buildBootstraps() };
  });

  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  const workspace = (under?: string): string => {
    let root: string;
    if (under) {
      root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ltr-long-')), under);
      fs.cpSync(attachApp, root, { recursive: true });
    } else root = copyWorkspace(attachApp);
    cleanup.push(() => fs.rmSync(under ? path.dirname(root) : root, { recursive: true, force: true }));
    return root;
  };

  const serve = async (root: string): Promise<{ account: LocalAccount; endpoint: EngineEndpoint }> => {
    const account = await openAccount(root, env.LAMBDA_TRIGGER_BOOTSTRAP_DIR);
    const endpoint = await EngineEndpoint.serve(account, { workspaceRoot: root, owner: OWNER, version: '0.0.0-test' });
    cleanup.push(async () => {
      await endpoint.close();
      await account.dispose();
    });
    return { account, endpoint };
  };

  it('a workspace path too long for a Unix socket: the socket goes into a private temp directory', async function () {
    posixOnly.call(this);
    const root = workspace('a-workspace-folder-with-a-rather-long-name-'.repeat(2));
    assert.ok(Buffer.byteLength(path.join(endpointDirOf(root), `engine-${process.pid}.sock`)) > MAX_SOCKET_PATH_BYTES);
    const { account, endpoint } = await serve(root);
    const privateDir = path.dirname(endpoint.socket);
    assert.ok(!endpoint.socket.startsWith(root), endpoint.socket);
    assert.ok(Buffer.byteLength(endpoint.socket) <= MAX_SOCKET_PATH_BYTES);
    assert.equal(fs.statSync(privateDir).mode & 0o777, 0o700);
    const descriptor = JSON.parse(fs.readFileSync(descriptorPathOf(root), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(
      [descriptor.socket, descriptor.pid, descriptor.owner, descriptor.protocol],
      [endpoint.socket, process.pid, OWNER, ENGINE_PROTOCOL_VERSION],
    );

    // This process holds the store: the CLI gets to the queues only through the endpoint.
    const queues = await cli(['queues', '--json', '--root', root], root, env);
    assert.equal(queues.code, 0, queues.err);
    assert.deepEqual(queueNames(queues.out), ['GreetFailuresQueue', 'WorkDLQ', 'WorkQueue']);
    const invoked = await cli(['invoke', 'GreetFunction', '--json', '--root', root], root, env);
    assert.equal(invoked.code, 0, invoked.err);
    assert.ok(account.engine.record((JSON.parse(invoked.out) as InvocationRecord).id));

    await endpoint.close();
    assert.equal(fs.existsSync(privateDir), false, 'the private directory is removed with the socket');
    assert.equal(fs.existsSync(descriptorPathOf(root)), false, 'the descriptor is removed');
  });

  it('the engine closes mid-request: the CLI says so and exits 75; the endpoint is gone afterwards', async () => {
    const root = workspace();
    const { account, endpoint } = await serve(root);
    const release = path.join(root, 'release-gate');
    cleanup.push(() => fs.writeFileSync(release, ''));
    const invoking = cli(
      ['invoke', 'GateFunction', '--payload', '-', '--root', root],
      root,
      env,
      JSON.stringify({ releaseFile: release }),
    );
    await waitFor('the gated invocation to run', () =>
      account.engine.records().some((r) => r.functionName === 'GateFunction' && r.status === 'running'),
    );
    await endpoint.close();
    const { code, out, err } = await invoking;
    assert.equal(code, 75);
    assert.equal(out, '');
    assert.equal(
      err,
      `lambda-trigger invoke: The engine of ${OWNER}, process ${process.pid} closed before answering. invoke may have started there; run the command again once the engine is back.\n`,
    );
    assert.equal(fs.existsSync(descriptorPathOf(root)), false);
    assert.equal(fs.existsSync(endpoint.socket), false);
    assert.equal(await connectToWorkspaceEngine(root, { client: 'test', version: '0' }), undefined);
  });

  it("a killed holder's socket and descriptor are stale: the CLI opens the store itself and removes them", async function () {
    posixOnly.call(this);
    const root = workspace();
    const holder = await EngineHolderProcess.start(root, env.LAMBDA_TRIGGER_BOOTSTRAP_DIR);
    cleanup.push(() => holder.kill());
    const { socket } = JSON.parse(fs.readFileSync(descriptorPathOf(root), 'utf8')) as { socket: string };
    await holder.kill();
    assert.ok(fs.statSync(socket).isSocket(), 'the killed process left its socket');
    assert.ok(fs.existsSync(descriptorPathOf(root)), 'and its descriptor');

    const { code, out, err } = await cli(['queues', '--json', '--root', root], root, env);
    assert.equal(err, '');
    assert.equal(code, 0);
    assert.deepEqual(queueNames(out), ['GreetFailuresQueue', 'WorkDLQ', 'WorkQueue']);
    assert.equal(fs.existsSync(socket), false, 'the stale socket is removed');
    assert.equal(fs.existsSync(descriptorPathOf(root)), false, 'the stale descriptor is removed');
    const invoked = await cli(['invoke', 'GreetFunction', '--json', '--root', root], root, env);
    assert.deepEqual([invoked.code, invoked.err], [0, '']);
  });

  it('a descriptor that names anything but an endpoint socket of ours is not followed, and that thing is kept', async function () {
    posixOnly.call(this);
    const root = workspace();
    // A socket somebody else listens on, in a directory others may enter: never a place the endpoint would use.
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'ltr-elsewhere-'));
    fs.chmodSync(elsewhere, 0o755);
    const foreign = path.join(elsewhere, 'engine-1.sock');
    let connections = 0;
    const server = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((resolve) => server.listen(foreign, resolve));
    cleanup.push(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(elsewhere, { recursive: true, force: true });
    });
    const precious = path.join(root, 'precious.txt');
    fs.writeFileSync(precious, 'keep me');
    ensurePrivateDirectory(endpointDirOf(root));
    for (const target of [foreign, precious]) {
      fs.writeFileSync(
        descriptorPathOf(root),
        JSON.stringify({ protocol: '1.0', socket: target, pid: process.pid, owner: 'x', version: '0', since: 'now' }),
      );
      const { code, err } = await cli(['queues', '--root', root], root, env);
      assert.deepEqual([code, err], [0, '']);
      assert.equal(fs.existsSync(descriptorPathOf(root)), false, 'the descriptor is removed as stale');
    }
    assert.equal(connections, 0, 'the CLI never connected to the foreign socket');
    assert.ok(fs.statSync(foreign).isSocket(), 'the foreign socket is still there');
    assert.equal(fs.readFileSync(precious, 'utf8'), 'keep me');
  });

  it('an engine that does not answer the hello: EngineUnavailableError once the handshake time is up', async function () {
    posixOnly.call(this);
    const root = workspace();
    ensurePrivateDirectory(endpointDirOf(root));
    const { socket } = placeSocket(root);
    const accepted: net.Socket[] = [];
    const server = net.createServer((s) => {
      accepted.push(s);
      s.resume(); // reads the hello, never answers it
    });
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    writeDescriptor(root, {
      protocol: '1.0',
      socket,
      pid: process.pid,
      owner: 'a stuck engine',
      version: '1',
      since: 'now',
    });
    await assert.rejects(
      connectToWorkspaceEngine(root, { client: 'test', version: '0', handshakeTimeoutMs: 200 }),
      (err: Error) =>
        err instanceof EngineUnavailableError &&
        err.message === `The engine of a stuck engine, process ${process.pid} did not answer within 200 ms.`,
    );
    await waitFor('the client to let go of its connection', () => accepted.length === 1 && accepted[0].closed);
  });

  for (const [title, answer, message] of [
    [
      'welcomes it in another major version',
      (pid: number) => ({
        type: 'welcome',
        protocol: '2.0',
        engine: { owner: 'a future engine', pid, version: '2.0.0', workspaceRoot: '/w', timeScale: 'instant' },
      }),
      (pid: number) =>
        `The engine of a future engine, process ${pid} (version 2.0.0) speaks protocol 2.0; this lambda-trigger speaks protocol ${ENGINE_PROTOCOL_VERSION}.`,
    ],
    [
      'refuses its version',
      () => ({
        type: 'refused',
        protocol: '2.3',
        version: '2.4.0',
        reason: 'protocolVersion',
        message: `The engine of a future engine speaks protocol 2.3; the lambda-trigger CLI speaks protocol ${ENGINE_PROTOCOL_VERSION}.`,
      }),
      () =>
        `The engine of a future engine speaks protocol 2.3; the lambda-trigger CLI speaks protocol ${ENGINE_PROTOCOL_VERSION}. Use the lambda-trigger of the same version as the extension that holds the engine (its dist/cli.js), or close that window to let this one open the store.`,
    ],
  ] as Array<[string, (pid: number) => object, (pid: number) => string]>) {
    it(`an engine of another protocol version ${title}: exit 75 naming both versions`, async function () {
      posixOnly.call(this);
      const root = workspace();
      ensurePrivateDirectory(endpointDirOf(root));
      const { socket } = placeSocket(root);
      const hellos: unknown[] = [];
      const server = net.createServer((s) => {
        s.once('data', (chunk) => {
          hellos.push(JSON.parse(chunk.toString('utf8')));
          s.end(`${JSON.stringify(answer(process.pid))}\n`);
        });
      });
      await new Promise<void>((resolve) => server.listen(socket, resolve));
      cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      writeDescriptor(root, {
        protocol: '2.0',
        socket,
        pid: process.pid,
        owner: 'a future engine',
        version: '2.0.0',
        since: 'now',
      });
      for (const command of [['queues'], ['invoke', 'GreetFunction']]) {
        const { code, out, err } = await cli([...command, '--root', root], root, env);
        assert.equal(code, 75);
        assert.equal(out, '');
        assert.equal(err, `lambda-trigger ${command[0]}: ${message(process.pid)}\n`);
      }
      assert.deepEqual(
        (hellos[0] as Record<string, unknown>).protocol,
        ENGINE_PROTOCOL_VERSION,
        'the CLI said which version it speaks',
      );
      assert.equal(fs.existsSync(path.join(root, '.lambda-trigger', 'store')), false, 'the store was not opened');
    });
  }
});
