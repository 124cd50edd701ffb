/**
 * The HTTP front end to end: a real HTTP client against REST, HTTP API, function URL (buffered and streamed) and ALB
 * routes of a workspace, run by real execution environments.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { curlCommand } from '../../../src/core/endpoints/httpFront';
import { recordProblem } from '../../../src/shared/recordShape';
import { tempDirForRun } from '../../support/tempDirs';
import { httpApp, serveWorkspace, type ServedWorkspace } from './httpFrontHarness';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The body as the client read it, chunk by chunk. */
  chunks: Buffer[];
}

/** A request with node:http, so that every header (Host included) is as the test writes it. */
function request(
  base: string,
  path: string,
  init: {
    method?: string;
    headers?: Record<string, string | string[]>;
    body?: Buffer | string;
    /** Told of each part of the body as it arrives. */
    onChunk?: (chunk: Buffer) => void;
  } = {},
): Promise<Answer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: init.method ?? 'GET',
        headers: init.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          init.onChunk?.(c);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), chunks }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

const json = (a: Answer): Record<string, unknown> => JSON.parse(a.body.toString('utf8')) as Record<string, unknown>;

describe('endpoints: the HTTP front', function () {
  this.timeout(60_000);
  let served: ServedWorkspace;
  const records: InvocationRecord[] = [];
  let stopRecords: { dispose(): void };
  const get = (path: string, init?: Parameters<typeof request>[2]) => request(served.front.url, path, init);

  /** The record of the request whose response the client got, once the front has added that response. */
  const recordOf = async (functionName: string, pathPrefix: string): Promise<InvocationRecord> => {
    for (;;) {
      const found = [...records]
        .reverse()
        .find((r) => r.functionName === functionName && r.http?.request.path.startsWith(pathPrefix) && r.http.response);
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
    served = await serveWorkspace(httpApp, { integrationTimeoutMs: { rest: 400 } });
    stopRecords = await served.engine.onRecord((r) => records.push(structuredClone(r)));
  });

  after(async () => {
    stopRecords?.dispose();
    await served?.dispose();
  });

  it('binds to 127.0.0.1 on a free port and lists every route with its URL', async () => {
    assert.match(served.front.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const routes = await served.front.routes();
    const line = (kind: string, method: string, path: string) =>
      routes.find((r) => r.kind === kind && r.method === method && r.path === path);
    assert.equal(line('rest', 'GET', '/items/{id}')?.url, `${served.front.url}/items/{id}`);
    assert.equal(line('http', 'GET', '/cookies')?.functionName, 'CookieFunction');
    assert.equal(line('url', 'ANY', '/')?.url, `${served.front.url}/lambda-url/UrlFunction/`);
    assert.equal(line('alb', 'ANY', '/alb/*')?.functionName, 'albTarget');
    assert.ok(line('rest', 'GET', '/items/{id}')?.origin?.line, 'a route says where it is declared');
    assert.equal(line('rest', 'GET', '/items/{id}')?.exampleUrl, `${served.front.url}/items/1`);
    assert.equal(line('alb', 'ANY', '/alb/*')?.exampleUrl, `${served.front.url}/alb/example`);
    assert.equal(curlCommand(line('rest', 'GET', '/items/{id}')!), `curl -i '${served.front.url}/items/1'`);
    assert.equal(
      curlCommand(line('rest', 'POST', '/upload')!),
      `curl -i -X POST -H 'Content-Type: application/json' -d '{}' '${served.front.url}/upload'`,
    );
  });

  it('HTTP-1 HTTP-3 REST: path parameters, multi-value query and headers, stage variables and the request context', async () => {
    const answer = await get('/items/a%20b?tag=x&tag=y&q=1', { headers: { 'X-Trace': ['t1', 't2'] } });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.headers['x-multi'], 'a, b');
    const event = json(answer);
    assert.equal(event.resource, '/items/{id}');
    assert.equal(event.path, '/items/a%20b');
    assert.equal(event.httpMethod, 'GET');
    assert.deepEqual(event.pathParameters, { id: 'a b' });
    // What the integration adds: the client's address, the port and scheme it connected to, a trace header.
    const headers = event.headers as Record<string, string>;
    assert.equal(headers['X-Forwarded-For'], '127.0.0.1');
    assert.equal(headers['X-Forwarded-Port'], new URL(served.front.url).port);
    assert.equal(headers['X-Forwarded-Proto'], 'http');
    assert.match(headers['X-Amzn-Trace-Id'], /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    assert.deepEqual(event.queryStringParameters, { tag: 'y', q: '1' });
    assert.deepEqual(event.multiValueQueryStringParameters, { tag: ['x', 'y'], q: ['1'] });
    assert.deepEqual((event.multiValueHeaders as Record<string, string[]>)['X-Trace'], ['t1', 't2']);
    assert.equal((event.headers as Record<string, string>)['X-Trace'], 't2');
    assert.deepEqual(event.stageVariables, { TABLE: 'orders-dev' });
    assert.equal(event.body, null);
    assert.equal(event.isBase64Encoded, false);
    const context = event.requestContext as Record<string, unknown>;
    assert.equal(context.stage, 'dev');
    assert.equal(context.path, '/dev/items/a%20b');
    assert.equal(context.resourcePath, '/items/{id}');
    assert.equal(context.accountId, '123456789012');
    assert.equal(answer.headers['x-amzn-requestid'], context.requestId);
  });

  it('HTTP-1: a greedy {proxy+} route takes the rest of the path, any method', async () => {
    const event = json(await get('/files/a/b/c.txt', { method: 'DELETE' }));
    assert.deepEqual(event.pathParameters, { proxy: 'a/b/c.txt' });
    assert.equal(event.resource, '/files/{proxy+}');
  });

  it('HTTP-3 HTTP-7: a binary media type arrives base64-encoded and a base64 result goes back as bytes', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);
    const answer = await get('/upload', { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: png });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'image/png');
    assert.deepEqual(answer.body, png);
    const record = await recordOf('EchoFunction', '/upload');
    assert.equal((record.event as { body: string }).body, png.toString('base64'));
    assert.equal(record.http?.request.bodyEncoding, 'base64');
    assert.equal(recordProblem(JSON.parse(JSON.stringify(record))), undefined, 'the panel can show it');
  });

  it('HTTP-4 HTTP-8 HTTP API: cookies in and out, lower-case headers joined with commas, routeKey', async () => {
    const answer = await get('/cookies', { headers: { Cookie: 'a=1; b=2', 'X-Dup': ['1', '2'] } });
    assert.equal(answer.status, 201);
    assert.deepEqual(answer.headers['set-cookie'], ['session=abc; HttpOnly', 'theme=dark']);
    const body = json(answer);
    assert.deepEqual(body.received, ['a=1', 'b=2']);
    assert.equal((body.headers as Record<string, string>)['x-dup'], '1,2');
    assert.equal((body.headers as Record<string, string>).cookie, undefined);
    assert.equal(body.routeKey, 'GET /cookies');
    assert.ok(answer.headers['apigw-requestid']);
  });

  it('HTTP-8: an HTTP API result without a statusCode is the JSON body of a 200', async () => {
    const answer = await get('/cookies?plain=1', { headers: { Cookie: 'c=3' } });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'application/json');
    assert.deepEqual(json(answer), { cookies: ['c=3'] });
  });

  it('HTTP-11 HTTP-12 CORS: preflights answered as configured, allowed origins on HTTP API responses', async () => {
    const rest = await get('/items/1', {
      method: 'OPTIONS',
      headers: { Origin: 'https://any.example', 'Access-Control-Request-Method': 'GET' },
    });
    assert.equal(rest.status, 200);
    assert.equal(rest.headers['access-control-allow-origin'], '*');
    assert.equal(rest.headers['access-control-allow-methods'], 'GET,POST,OPTIONS');
    assert.equal(rest.headers['access-control-allow-headers'], 'Content-Type,Authorization');

    const preflight = await get('/cookies', {
      method: 'OPTIONS',
      headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], 'https://shop.example');
    assert.equal(preflight.headers['access-control-allow-methods'], 'GET,POST');
    assert.equal(preflight.headers['access-control-max-age'], '600');

    const stranger = await get('/cookies', {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' },
    });
    assert.equal(stranger.status, 204);
    assert.equal(stranger.headers['access-control-allow-origin'], undefined);

    const actual = await get('/cookies', { headers: { Origin: 'https://shop.example' } });
    assert.equal(actual.headers['access-control-allow-origin'], 'https://shop.example');
    assert.equal(actual.headers['access-control-expose-headers'], 'x-order-id');
  });

  it('HTTP-13 HTTP-14 HTTP-15 a TOKEN authorizer: allowed with its context, denied 403, no token 401', async () => {
    const allowed = await get('/private', { headers: { Authorization: 'Bearer allow' } });
    assert.equal(allowed.status, 200);
    const authorizer = (json(allowed).requestContext as { authorizer: Record<string, unknown> }).authorizer;
    assert.equal(authorizer.principalId, 'user-7');
    assert.equal(authorizer.tier, 'gold');
    assert.equal(authorizer.quota, 5);
    const integration = await recordOf('EchoFunction', '/private');
    const auth = records.find((r) => r.id === integration.source?.parentRecordId);
    assert.equal(auth?.functionName, 'AuthFunction', 'the authorizer is a record of its own');
    assert.equal(auth?.http?.role, 'authorizer');
    assert.equal(integration.storyId, auth?.id, 'in the same story');

    const denied = await get('/private', { headers: { Authorization: 'Bearer deny' } });
    assert.equal(denied.status, 403);
    assert.deepEqual(json(denied), { Message: 'User is not authorized to access this resource with an explicit deny' });

    const missing = await get('/private');
    assert.equal(missing.status, 401);
    assert.deepEqual(json(missing), { message: 'Unauthorized' });
    const malformedToken = await get('/private', { headers: { Authorization: 'Basic xyz' } });
    assert.equal(malformedToken.status, 401, 'the validation expression refuses it before the function runs');
  });

  it('HTTP-10: a malformed result and a function error are 502 {"message": "Internal server error"}', async () => {
    const malformed = await get('/broken');
    assert.equal(malformed.status, 502);
    assert.deepEqual(json(malformed), { message: 'Internal server error' });
    const record = await recordOf('BrokenFunction', '/broken');
    assert.equal(record.status, 'succeeded');
    assert.equal(record.http?.response?.statusCode, 502);
    assert.match(record.http?.response?.note ?? '', /malformed result: statusCode undefined/);

    const thrown = await get('/throws');
    assert.equal(thrown.status, 502);
    assert.deepEqual(json(thrown), { message: 'Internal server error' });
    const failed = await recordOf('BrokenFunction', '/throws');
    assert.equal(failed.status, 'failed');
    assert.match(failed.http?.response?.note ?? '', /out of stock/);
  });

  it('HTTP-10: a handler slower than the integration timeout is a 504, and its record gets the 504 when it ends', async () => {
    const answer = await get('/slow');
    assert.equal(answer.status, 504);
    assert.deepEqual(json(answer), { message: 'Endpoint request timed out' });
    const record = await recordOf('SlowFunction', '/slow');
    assert.equal(record.status, 'succeeded', 'the function itself ran to its end');
    assert.equal(record.http?.response?.statusCode, 504);
  });

  it('HTTP-6 function URL (buffered): its own path under /lambda-url/<name>, $default route, text body', async () => {
    const answer = await get('/lambda-url/UrlFunction/some/where?x=1', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: 'hello',
    });
    assert.equal(answer.status, 200);
    const event = json(answer);
    assert.equal(event.rawPath, '/some/where');
    assert.equal(event.rawQueryString, 'x=1');
    assert.equal(event.routeKey, '$default');
    assert.match(String(event.domainName), /\.lambda-url\.us-east-1\.on\.aws$/);
    assert.equal(event.body, 'hello');
    assert.equal(event.isBase64Encoded, false);
  });

  it('NODE-11 function URL (RESPONSE_STREAM): the prelude status and headers, and the body as it is written', async () => {
    // The handler ends the response only once the client has written the release file, after its first part.
    const release = path.join(tempDirForRun('ltr-stream-'), 'released');
    const answer = await get(`/lambda-url/StreamFunction/?release=${encodeURIComponent(release)}`, {
      onChunk: () => fs.writeFileSync(release, ''),
    });
    assert.equal(answer.status, 201);
    assert.equal(answer.headers['x-streamed'], 'yes');
    assert.equal(answer.body.toString(), 'first;second;third');
    assert.ok(answer.chunks.length >= 2, 'the body arrived in parts');
    assert.ok(!answer.chunks[0].toString().includes('third'), 'the first part came before the handler ended');
    const record = await recordOf('StreamFunction', '/lambda-url/StreamFunction');
    assert.equal(record.http?.response?.statusCode, 201);
    assert.equal(record.http?.response?.body, 'first;second;third');
  });

  it('HTTP-5 HTTP-9 ALB with multi-value headers: raw query values, status description, repeated headers', async () => {
    const answer = await get('/alb/orders?id=1&id=2&q=a%20b', { headers: { 'X-Tag': ['p', 'q'] } });
    assert.equal(answer.status, 202);
    assert.equal(answer.headers['x-seen'], 'one, two');
    const body = json(answer);
    assert.equal(body.path, '/alb/orders');
    assert.deepEqual(body.query, { id: ['1', '2'], q: ['a%20b'] });
    assert.deepEqual((body.headers as Record<string, string[]>)['x-tag'], ['p', 'q']);
    assert.match(String(body.targetGroupArn), /^arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup\//);
  });

  it('HTTP-17: a request for another Host name is refused 403 (DNS rebinding), unknown paths 404', async () => {
    const rebinding = await get('/items/1', { headers: { Host: 'attacker.example:8080' } });
    assert.equal(rebinding.status, 403);
    assert.match(String(json(rebinding).message), /localhost, 127\.0\.0\.1 or \[::1\] only/);
    const localhost = await get('/items/1', { headers: { Host: 'localhost' } });
    assert.equal(localhost.status, 200);
    assert.equal((await get('/nowhere')).status, 404);
  });

  it('HTTP-16: a body over the ALB limit is 413, and the front still answers afterwards', async () => {
    const big = Buffer.alloc(1024 * 1024 + 1, 0x61);
    const answer = await get('/alb/upload', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: big });
    assert.equal(answer.status, 413);
    assert.equal((await get('/items/2')).status, 200);
  });

  it('a malformed request line gets a 400, never a crash', async () => {
    const net = await import('node:net');
    const url = new URL(served.front.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(url.port), url.hostname, () => socket.write('NOT A REQUEST\r\n\r\n'));
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(reply, /^HTTP\/1\.1 400/);
    assert.equal((await get('/items/3')).status, 200);
  });
});
