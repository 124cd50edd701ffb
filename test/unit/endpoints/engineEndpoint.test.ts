/**
 * The engine endpoint's protocol, spoken to an engine held by another process: the handshake and its version check,
 * malformed and oversized messages refused without taking the endpoint down, record notifications, and an
 * invocation that goes on when the client that asked for it disconnects.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ENGINE_PROTOCOL_VERSION } from '../../../src/core/endpoints/engineProtocol';
import { connectToWorkspaceEngine } from '../../../src/core/endpoints/remoteWorkspaceEngine';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { cli, copyWorkspace } from '../cli/cliHarness';
import { buildBootstraps } from '../runtime/bootstrapBuild';
import { waitFor } from '../../support/waitFor';
import { attachApp, EngineHolderProcess } from './engineHolderProcess';
import { RawEndpointClient } from './rawEndpointClient';

const MAX_LINE = 64 * 1024;

describe('endpoints: the engine endpoint protocol', function () {
  this.timeout(60_000);
  let root: string;
  let env: Record<string, string>;
  let holder: EngineHolderProcess;
  let socket: string;
  const clients: RawEndpointClient[] = [];

  before(async () => {
    root = copyWorkspace(attachApp);
    env = { LAMBDA_TRIGGER_BOOTSTRAP_DIR: await buildBootstraps() };
    holder = await EngineHolderProcess.start(root, env.LAMBDA_TRIGGER_BOOTSTRAP_DIR, MAX_LINE);
    socket = (
      JSON.parse(fs.readFileSync(path.join(root, '.lambda-trigger/endpoint/engine.json'), 'utf8')) as {
        socket: string;
      }
    ).socket;
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy();
  });

  after(async () => {
    try {
      await holder?.stop();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  const connect = async (): Promise<RawEndpointClient> => {
    const client = await RawEndpointClient.connect(socket);
    clients.push(client);
    return client;
  };
  const welcomed = async (): Promise<RawEndpointClient> => {
    const { client, welcome } = await RawEndpointClient.welcomed(socket);
    clients.push(client);
    assert.equal((welcome as { type: string }).type, 'welcome');
    return client;
  };
  /** The endpoint still serves: the CLI lists the queues through it. */
  const stillServes = async (): Promise<void> => {
    const { code, out, err } = await cli(['queues', '--root', root], root, env);
    assert.equal(code, 0, err);
    assert.match(out, /^QUEUE +VISIBLE {2}IN FLIGHT {2}DEAD-LETTER QUEUE OF\nGreetFailuresQueue /);
  };

  it('welcomes a hello of its major version with who holds the engine', async () => {
    const client = await connect();
    client.writeJson({ type: 'hello', protocol: '1.7', client: 'a newer minor', version: '9', pid: 1 });
    assert.deepEqual(await client.next(), {
      type: 'welcome',
      protocol: ENGINE_PROTOCOL_VERSION,
      engine: {
        owner: 'the engine-holder test fixture',
        pid: holder.pid,
        version: '0.0.0-test',
        workspaceRoot: root,
        timeScale: 'instant',
      },
    });
  });

  it('refuses a client of another major version, saying which versions each side speaks, and stays up', async () => {
    const client = await connect();
    client.writeJson({ type: 'hello', protocol: '2.0', client: 'a future lambda-trigger', version: '3.0.0', pid: 1 });
    assert.deepEqual(await client.next(), {
      type: 'refused',
      protocol: ENGINE_PROTOCOL_VERSION,
      version: '0.0.0-test',
      reason: 'protocolVersion',
      message: `The engine of the engine-holder test fixture, process ${holder.pid} (version 0.0.0-test) speaks protocol ${ENGINE_PROTOCOL_VERSION}; a future lambda-trigger 3.0.0 speaks protocol 2.0.`,
    });
    assert.equal(await client.next(), undefined, 'the endpoint closes the connection');
    await waitFor('the refusal in the holder log', () =>
      holder.logs().some((l) => l.startsWith('Refused a future lambda-trigger 3.0.0')),
    );
    await stillServes();
  });

  it('refuses anything but a hello first, and closes', async () => {
    const client = await connect();
    client.write('{"type":"request","id":1,"method":"queues/list"}\n');
    const answer = (await client.next()) as { type: string; reason: string; message: string };
    assert.deepEqual([answer.type, answer.reason], ['refused', 'badHello']);
    assert.match(
      answer.message,
      /^The first message must be a hello: the hello\.type must be one of hello, got a string\.$/,
    );
    assert.equal(await client.next(), undefined);

    const garbage = await connect();
    garbage.write('GET / HTTP/1.1\n');
    assert.match(
      ((await garbage.next()) as { message: string }).message,
      /^The first message must be a hello: the line is not JSON \(/,
    );
    await stillServes();
  });

  it('answers malformed requests with errors of their kind, and goes on serving the same connection', async () => {
    const client = await welcomed();
    const ask = async (line: string) => {
      client.write(`${line}\n`);
      return client.next();
    };
    const notJson = (await ask('this is not json')) as { id: unknown; error: { kind: string; message: string } };
    assert.deepEqual([notJson.id, notJson.error.kind], [null, 'badMessage']);
    assert.match(notJson.error.message, /^Not a request of protocol 1\.1: the line is not JSON \(.+\)\.$/);
    assert.deepEqual(await ask('{"type":"request","id":"seven","method":"queues/list"}'), {
      type: 'response',
      id: null,
      error: {
        kind: 'badMessage',
        message: `Not a request of protocol ${ENGINE_PROTOCOL_VERSION}: the message.id must be a whole number from 0 to 9007199254740991, got a string.`,
      },
    });
    assert.deepEqual(await ask('[1,2,3]'), {
      type: 'response',
      id: null,
      error: {
        kind: 'badMessage',
        message: `Not a request of protocol ${ENGINE_PROTOCOL_VERSION}: the message must be an object, got an array.`,
      },
    });
    assert.deepEqual(await ask('{"type":"request","id":7,"method":"invoke","params":{"functionName":5}}'), {
      type: 'response',
      id: 7,
      error: { kind: 'badRequest', message: 'invoke: params.functionName must be a non-empty string, got a number' },
    });
    assert.deepEqual(
      await ask('{"type":"request","id":8,"method":"queues/peek","params":{"queue":"WorkQueue","limit":3}}'),
      {
        type: 'response',
        id: 8,
        error: { kind: 'badRequest', message: 'queues/peek: params has unknown field limit (known: queue)' },
      },
    );
    assert.deepEqual(await ask('{"type":"request","id":9,"method":"queues/peek","params":{"queue":"Nope"}}'), {
      type: 'response',
      id: 9,
      error: {
        kind: 'badRequest',
        message: 'No queue named "Nope". Known queues: WorkQueue, GreetFailuresQueue, WorkDLQ.',
      },
    });
    const unknown = (await ask('{"type":"request","id":10,"method":"engine/explode"}')) as {
      id: number;
      error: { kind: string; message: string };
    };
    assert.deepEqual([unknown.id, unknown.error.kind], [10, 'unknownMethod']);
    assert.match(
      unknown.error.message,
      /^Unknown method "engine\/explode" \(this engine speaks protocol 1\.1: functions\/list, invoke, /,
    );
    assert.deepEqual(
      await ask(
        '{"type":"request","id":11,"method":"invoke","params":{"functionName":"GreetFunction","payloadJson":"{","mode":"batch"}}',
      ),
      {
        type: 'response',
        id: 11,
        error: {
          kind: 'badRequest',
          message:
            'GreetFunction has no poll-based trigger (SQS, Kinesis, DynamoDB Streams, Kafka or MQ) to send a batch through. Add one to its template (or lambda-trigger.json), or invoke it sync or async.',
        },
      },
    );
    const list = (await ask('{"type":"request","id":12,"method":"queues/list"}')) as {
      id: number;
      result: Array<{ name: string }>;
    };
    assert.equal(list.id, 12);
    assert.deepEqual(list.result.map((q) => q.name).sort(), ['GreetFailuresQueue', 'WorkDLQ', 'WorkQueue']);
    assert.equal(client.closed, false);
  });

  it('cuts off a client whose line is longer than the bound, and stays up for the others', async () => {
    const client = await welcomed();
    client.write('x'.repeat(MAX_LINE + 1));
    assert.deepEqual(await client.next(), {
      type: 'response',
      id: null,
      error: {
        kind: 'badMessage',
        message: `Not a request of protocol ${ENGINE_PROTOCOL_VERSION}: a message line is longer than ${MAX_LINE} bytes; the connection is closed.`,
      },
    });
    assert.equal(await client.next(), undefined, 'the endpoint closed the connection');
    await waitFor('the cut-off in the holder log', () =>
      holder.logs().some((l) => l.endsWith(`sent a line longer than ${MAX_LINE} bytes; disconnected.`)),
    );
    await stillServes();
  });

  it('pushes record notifications to a subscribed client (RemoteWorkspaceEngine.onRecord)', async () => {
    const remote = await connectToWorkspaceEngine(root, { client: 'the notification test', version: '0' });
    assert.ok(remote);
    try {
      const seen: InvocationRecord[] = [];
      const subscription = await remote.onRecord((r) => seen.push(r));
      const [record] = await remote.invoke('GreetFunction', '{"name":"notified"}', 'sync');
      await waitFor('the final state of the record', () =>
        seen.some((r) => r.id === record.id && r.status === 'succeeded'),
      );
      assert.deepEqual(
        [...new Set(seen.filter((r) => r.id === record.id).map((r) => r.status))],
        ['running', 'succeeded'],
      );
      subscription.dispose();
    } finally {
      await remote.close();
    }
  });

  it('records/get answers the records of the engine history with those ids; engine/runUntilIdle once idle', async () => {
    const remote = await connectToWorkspaceEngine(root, { client: 'the records test', version: '0' });
    assert.ok(remote);
    try {
      const [queued] = await remote.invoke('GreetFunction', '{"name":"later"}', 'async');
      await remote.runUntilIdle();
      const found = await remote.records([queued.id, 'no-such-record']);
      assert.deepEqual(
        found.map((r) => [r.id, r.status]),
        [[queued.id, 'succeeded']],
      );
      assert.ok((await holder.history()).some((r) => r.id === queued.id && r.status === 'succeeded'));
    } finally {
      await remote.close();
    }
  });

  it('a client that disconnects mid-invoke does not stop the invocation', async () => {
    const release = path.join(root, 'release-gate');
    const client = await welcomed();
    client.writeJson({ type: 'request', id: 1, method: 'records/subscribe' });
    assert.deepEqual(await client.next(), { type: 'response', id: 1, result: {} });
    client.writeJson({
      type: 'request',
      id: 2,
      method: 'invoke',
      params: { functionName: 'GateFunction', payloadJson: JSON.stringify({ releaseFile: release }), mode: 'sync' },
    });
    const running = (await client.nextMatching(
      (m) =>
        (m as { method?: string }).method === 'record' &&
        (m as { params: InvocationRecord }).params.functionName === 'GateFunction',
    )) as { params: InvocationRecord };
    assert.equal(running.params.status, 'running');
    client.destroy();
    fs.writeFileSync(release, '');
    const done = await waitFor('the gated invocation to finish in the holder', async () =>
      (await holder.history()).find((r) => r.id === running.params.id && r.status !== 'running'),
    );
    assert.equal(done.status, 'succeeded');
    await stillServes();
  });
});
