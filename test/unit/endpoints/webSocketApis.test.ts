/**
 * WebSocket APIs of the HTTP front end to end: a real client (the `ws` package) against a WebSocket API declared as
 * plain CloudFormation resources, run by real execution environments; a handler posts back through the @connections
 * API with the AWS SDK's ApiGatewayManagementApiClient.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import WebSocket from 'ws';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { curlCommand } from '../../../src/core/endpoints/httpFront';
import { serveWorkspace, type ServedWorkspace } from './httpFrontHarness';

const wsApp = path.resolve(__dirname, '../../fixtures/endpoints/ws-app');
const repoNodeModules = path.resolve(__dirname, '../../../node_modules');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A client connection that queues what it receives, so a test can wait for the next message. */
class Client {
  readonly messages: Array<{ data: Buffer; binary: boolean }> = [];
  private waiting: Array<() => void> = [];
  closed?: { code: number; reason: string };

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer, binary: boolean) => {
      this.messages.push({ data, binary });
      this.wake();
    });
    socket.on('close', (code: number, reason: Buffer) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  static open(url: string): Promise<Client> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      const client = new Client(socket);
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
    });
  }

  /** The refusal of a handshake: its HTTP status and body. */
  static refused(url: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => reject(new Error('the connection opened')));
      socket.once('unexpected-response', (_req, res: http.IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      });
      socket.once('error', () => undefined);
    });
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    waiting.forEach((w) => w());
  }

  private async until(ready: () => boolean): Promise<void> {
    while (!ready()) await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  async next(): Promise<{ data: Buffer; binary: boolean }> {
    await this.until(() => this.messages.length > 0 || this.closed !== undefined);
    const message = this.messages.shift();
    if (!message) throw new Error(`the connection closed (${this.closed?.code}) before a message came`);
    return message;
  }

  async nextJson(): Promise<Record<string, unknown>> {
    return JSON.parse((await this.next()).data.toString()) as Record<string, unknown>;
  }

  async whenClosed(): Promise<{ code: number; reason: string }> {
    await this.until(() => this.closed !== undefined);
    return this.closed!;
  }

  send(value: unknown): void {
    this.socket.send(typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value));
  }
}

describe('endpoints: WebSocket APIs of the HTTP front', function () {
  this.timeout(90_000);
  let served: ServedWorkspace;
  let apiUrl: string;
  const records: InvocationRecord[] = [];
  let stopRecords: { dispose(): void };
  const open: Client[] = [];

  const connect = async (query = ''): Promise<Client> => {
    const client = await Client.open(`${apiUrl}${query}`);
    open.push(client);
    return client;
  };

  /** The connection id a client has, as the echo route reports it. */
  const idOf = async (client: Client): Promise<string> => {
    client.send({ action: 'echo' });
    return String((await client.nextJson()).connectionId);
  };

  /** A record of the connection matching `pick`, once the front has added its response. */
  const recordOf = async (pick: (r: InvocationRecord) => boolean): Promise<InvocationRecord> => {
    for (;;) {
      const found = [...records].reverse().find((r) => pick(r) && r.http?.response);
      if (found) return found;
      await new Promise<void>((resolve) => {
        const sub = served.account.engine.onRecord(() => {
          sub.dispose();
          resolve();
        });
      });
    }
  };

  before(async () => {
    const port = await freePort();
    served = await serveWorkspace(wsApp, { port }, {}, (root) => {
      // The README's recipe: the handler's SDK reaches the @connections API through this variable, with any keys.
      fs.writeFileSync(
        path.join(root, '.env'),
        [
          `AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI=http://127.0.0.1:${port}`,
          'AWS_ACCESS_KEY_ID=local',
          'AWS_SECRET_ACCESS_KEY=local',
        ].join('\n'),
      );
      // The project's own @aws-sdk packages, as a project that depends on them has (RUNTIME-3: they come first).
      fs.symlinkSync(repoNodeModules, path.join(root, 'node_modules'), 'dir');
    });
    stopRecords = await served.engine.onRecord((r) => records.push(structuredClone(r)));
    const routes = await served.front.routes();
    apiUrl = routes.find((r) => r.kind === 'websocket')!.url;
  });

  after(async () => {
    for (const c of open) c.socket.terminate();
    stopRecords?.dispose();
    await served?.dispose();
  });

  it('WS-1: lists each WebSocket route at ws://<host>/<API id>/<stage>, with a wscat command', async () => {
    const routes = (await served.front.routes()).filter((r) => r.kind === 'websocket');
    assert.deepEqual(routes.map((r) => r.path).sort(), [
      '$connect',
      '$default',
      '$disconnect',
      'crash',
      'echo',
      'tell',
    ]);
    const url = `${served.front.url.replace('http://', 'ws://')}/ChatApi/dev`;
    assert.ok(routes.every((r) => r.url === url && r.method === 'WS'));
    const connectRoute = routes.find((r) => r.path === '$connect')!;
    assert.equal(connectRoute.functionName, 'ConnectFunction');
    assert.match(connectRoute.origin?.file ?? '', /template\.yaml$/);
    assert.equal(connectRoute.origin?.line, 22);
    assert.equal(curlCommand(connectRoute), `npx wscat -c '${url}'`);
  });

  it('WS-2, WS-3: routes messages by $request.body.action, else to $default, with the events API Gateway sends', async () => {
    const client = await connect('?room=blue');
    client.send({ action: 'echo', text: 'hi' });
    const echoed = await client.nextJson();
    assert.equal(echoed.routeKey, 'echo');
    assert.equal(echoed.eventType, 'MESSAGE');
    assert.equal(echoed.body, JSON.stringify({ action: 'echo', text: 'hi' }));
    assert.equal(echoed.isBase64Encoded, false);
    client.send({ action: 'nothing-like-it' });
    assert.equal((await client.nextJson()).routeKey, '$default');
    client.send('not json');
    const fallback = await client.nextJson();
    assert.equal(fallback.routeKey, '$default');
    assert.equal(fallback.body, 'not json');

    const connectionId = String(echoed.connectionId);
    const connectRecord = await recordOf(
      (r) => r.http?.webSocket?.connectionId === connectionId && r.http.route === '$connect',
    );
    const event = connectRecord.event as {
      headers: Record<string, string>;
      queryStringParameters: Record<string, string>;
      requestContext: Record<string, unknown>;
      stageVariables: Record<string, string>;
    };
    assert.equal(event.queryStringParameters.room, 'blue');
    assert.equal(event.headers['Sec-WebSocket-Version'], '13');
    assert.equal(event.stageVariables.ROOM, 'lobby');
    const rc = event.requestContext;
    assert.equal(rc.routeKey, '$connect');
    assert.equal(rc.eventType, 'CONNECT');
    assert.equal(rc.connectionId, connectionId);
    assert.equal(rc.stage, 'dev');
    assert.equal(rc.apiId, 'ChatApi');
    assert.equal(rc.messageDirection, 'IN');
    assert.equal(rc.domainName, new URL(served.front.url).host);
    assert.equal(typeof rc.connectedAt, 'number');
    assert.equal(typeof rc.requestTimeEpoch, 'number');
    assert.match(String(rc.connectionId), /^[A-Za-z0-9]{15}=$/);
    assert.equal(connectRecord.http?.response?.statusCode, 101);

    const messageRecord = await recordOf(
      (r) => r.http?.webSocket?.connectionId === connectionId && r.http.route === 'echo',
    );
    const message = messageRecord.event as Record<string, unknown> & { requestContext: Record<string, unknown> };
    assert.equal(message.headers, undefined, 'a message event has no headers');
    assert.equal(message.requestContext.eventType, 'MESSAGE');
    assert.equal(typeof message.requestContext.messageId, 'string');
    assert.equal(message.requestContext.connectedAt, rc.connectedAt);
    // One story per connection: every record of it continues the $connect record.
    assert.equal(messageRecord.storyId, connectRecord.id);
    assert.equal(messageRecord.http?.response?.body, JSON.stringify(echoed));
  });

  it('WS-3: a binary frame reaches the function base64-encoded', async () => {
    const client = await connect();
    client.socket.send(Buffer.from([0, 1, 2, 250, 255]), { binary: true });
    const answer = await client.nextJson();
    assert.equal(answer.routeKey, '$default');
    assert.equal(answer.isBase64Encoded, true);
    assert.deepEqual([...Buffer.from(String(answer.body), 'base64')], [0, 1, 2, 250, 255]);
  });

  it('WS-4: a one-way route sends nothing back; a failing one sends Internal server error', async () => {
    const client = await connect();
    const id = await idOf(client);
    client.send({ action: 'crash' });
    const error = await client.nextJson();
    assert.equal(error.message, 'Internal server error');
    assert.equal(error.connectionId, id);
    assert.equal(typeof error.requestId, 'string');
    const record = await recordOf((r) => r.http?.webSocket?.connectionId === id && r.http.route === 'crash');
    assert.equal(record.status, 'failed');
    assert.match(record.http?.response?.note ?? '', /crashed on purpose/);
  });

  it('WS-4: a $connect that answers 403 refuses the connection with 403, and no $disconnect runs', async () => {
    const refused = await Client.refused(`${apiUrl}?deny=403`);
    assert.equal(refused.status, 403);
    assert.deepEqual(JSON.parse(refused.body), { message: 'not you' });
    const record = await recordOf(
      (r) =>
        r.http?.route === '$connect' &&
        (r.event as { queryStringParameters?: { deny?: string } }).queryStringParameters?.deny === '403',
    );
    assert.equal(record.http?.response?.statusCode, 403);
    const connectionId = record.http?.webSocket?.connectionId;
    assert.ok(!records.some((r) => r.http?.route === '$disconnect' && r.http.webSocket?.connectionId === connectionId));
  });

  it('WS-1: an upgrade at a path no WebSocket API serves is refused with 404', async () => {
    const refused = await Client.refused(`${served.front.url.replace('http', 'ws')}/ChatApi/prod`);
    assert.equal(refused.status, 404);
  });

  it('WS-7: a handler posts to a client through @connections with the AWS SDK', async () => {
    const alice = await connect();
    const bob = await connect();
    const bobId = await idOf(bob);
    alice.send({ action: 'tell', to: bobId, text: 'hello bob' });
    const got = await bob.next();
    assert.equal(got.data.toString(), 'hello bob');
    assert.equal(got.binary, false);
  });

  it('WS-7: GET @connections/<id> gives connectedAt, lastActiveAt and the identity', async () => {
    const client = await connect();
    const id = await idOf(client);
    client.send({ action: 'tell', to: id, op: 'get' });
    const info = await client.nextJson();
    assert.equal(info.sourceIp, '127.0.0.1');
    assert.ok(Date.parse(String(info.lastActiveAt)) >= Date.parse(String(info.connectedAt)));
  });

  it('WS-7: a post to a gone connection is 410 GoneException; DELETE closes a connection and runs $disconnect', async () => {
    const client = await connect();
    const victim = await connect();
    const victimId = await idOf(victim);
    client.send({ action: 'tell', to: victimId, op: 'delete' });
    const closed = await victim.whenClosed();
    assert.equal(closed.code, 1000);
    const disconnect = await recordOf(
      (r) => r.http?.route === '$disconnect' && r.http.webSocket?.connectionId === victimId,
    );
    const rc = (disconnect.event as { requestContext: Record<string, unknown> }).requestContext;
    assert.equal(rc.eventType, 'DISCONNECT');
    assert.equal(rc.disconnectStatusCode, 1000);

    client.send({ action: 'tell', to: victimId, text: 'anyone?' });
    assert.deepEqual(await client.nextJson(), { error: 'GoneException', status: 410 });

    // The raw API, as a signed request would reach it.
    const raw = await fetch(`${served.front.url}/dev/@connections/${encodeURIComponent(victimId)}`, {
      method: 'POST',
      body: 'x',
    });
    assert.equal(raw.status, 410);
    assert.equal(raw.headers.get('x-amzn-errortype'), 'GoneException');
  });

  it('WS-5: the client closing runs $disconnect with its close code and reason', async () => {
    const client = await connect();
    const id = await idOf(client);
    client.socket.close(4001, 'bye now');
    assert.equal((await client.whenClosed()).code, 4001);
    const record = await recordOf((r) => r.http?.route === '$disconnect' && r.http.webSocket?.connectionId === id);
    const rc = (record.event as { requestContext: Record<string, unknown> }).requestContext;
    assert.equal(rc.disconnectStatusCode, 4001);
    assert.equal(rc.disconnectReason, 'bye now');
    assert.equal(rc.connectionId, id);
    const connectRecord = records.find((r) => r.http?.route === '$connect' && r.http.webSocket?.connectionId === id);
    assert.equal(record.storyId, connectRecord?.id);
  });

  it('WS-6: a message over 128 KB closes the connection with 1009; one under it is routed', async () => {
    const client = await connect();
    const big = JSON.stringify({ action: 'echo', pad: 'x'.repeat(100 * 1024) });
    // `ws` sends it as one frame: over the 32 KB frame quota.
    client.send(big);
    assert.equal((await client.whenClosed()).code, 1009);

    const fragmented = await connect();
    const id = await idOf(fragmented);
    // Fragments of 16 KB each, 144 KB in all: over the message quota.
    const chunk = Buffer.alloc(16 * 1024, 'y');
    for (let i = 0; i < 9; i++) fragmented.socket.send(chunk, { fin: i === 8, binary: false });
    assert.equal((await fragmented.whenClosed()).code, 1009);
    const record = await recordOf((r) => r.http?.route === '$disconnect' && r.http.webSocket?.connectionId === id);
    assert.equal(
      (record.event as { requestContext: { disconnectStatusCode: number } }).requestContext.disconnectStatusCode,
      1009,
    );

    const small = await connect();
    const text = JSON.stringify({ action: 'echo', pad: 'z'.repeat(20 * 1024) });
    for (let i = 0; i < text.length; i += 8 * 1024)
      small.socket.send(text.slice(i, i + 8 * 1024), { fin: i + 8 * 1024 >= text.length });
    const answer = await small.nextJson();
    assert.equal(answer.routeKey, 'echo');
    assert.equal(answer.body, text);
  });

  it('WS-6: answers pings with pongs', async () => {
    const client = await connect();
    const pong = new Promise<Buffer>((resolve) => client.socket.once('pong', resolve));
    client.socket.ping(Buffer.from('are you there'));
    assert.equal((await pong).toString(), 'are you there');
  });

  it('HTTP-18: REST and HTTP API routes of plain CloudFormation resources are served', async () => {
    const rest = await fetch(`${served.front.url}/items/42`);
    assert.equal(rest.status, 200);
    const restRecord = await recordOf((r) => r.http?.request.path === '/items/42');
    const restEvent = restRecord.event as {
      resource: string;
      pathParameters: Record<string, string>;
      requestContext: { stage: string };
      stageVariables: Record<string, string>;
    };
    assert.equal(restEvent.resource, '/items/{id}');
    assert.deepEqual(restEvent.pathParameters, { id: '42' });
    assert.equal(restEvent.requestContext.stage, 'v1');
    assert.deepEqual(restEvent.stageVariables, { TABLE: 'items-v1' });

    const status = await fetch(`${served.front.url}/status/db`, { headers: { Origin: 'https://status.example' } });
    assert.equal(status.status, 200);
    assert.equal(status.headers.get('access-control-allow-origin'), 'https://status.example');
    const statusRecord = await recordOf((r) => r.http?.request.path === '/status/db');
    assert.equal((statusRecord.event as { version: string }).version, '1.0');
  });
});
