/** The HTTP front's pure mappings: route selection, events, results to responses, CORS and authorizer decisions. */
import * as assert from 'node:assert/strict';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';
import type { HttpAuthorizer, HttpTrigger } from '../../../src/core/discovery/functionConfig';
import { albEvent } from '../../../src/core/endpoints/albEvent';
import { httpApiEvent } from '../../../src/core/endpoints/apiGatewayHttpEvent';
import { restApiEvent } from '../../../src/core/endpoints/apiGatewayRestEvent';
import { preflightResponse, withCorsHeaders } from '../../../src/core/endpoints/corsPolicy';
import { functionUrlEvent } from '../../../src/core/endpoints/functionUrlEvent';
import type { HttpRequestData } from '../../../src/core/endpoints/httpMessage';
import { integrationResponse } from '../../../src/core/endpoints/httpResponse';
import { albPatternMatches, matchRoute, type HttpRoute } from '../../../src/core/endpoints/httpRoutes';
import { authorizerDecision, authorizerRequest, policyAllows } from '../../../src/core/endpoints/lambdaAuthorizer';

const trigger = (
  api: HttpTrigger['api'],
  method: string,
  path: string,
  extra: Partial<HttpTrigger> = {},
): HttpTrigger => ({
  kind: 'api',
  id: `${method} ${path}`,
  invocation: 'sync',
  enabled: true,
  api,
  method,
  path,
  ...extra,
});
const route = (api: HttpTrigger['api'], method: string, path: string, extra: Partial<HttpTrigger> = {}): HttpRoute => ({
  functionName: `${api}-${method}-${path}`,
  kind: api,
  method,
  path,
  trigger: trigger(api, method, path, extra),
});
const req = (method: string, path: string, extra: Partial<HttpRequestData> = {}): HttpRequestData => ({
  method,
  path,
  rawQuery: '',
  headers: [],
  body: Buffer.alloc(0),
  sourceIp: '127.0.0.1',
  protocol: 'HTTP/1.1',
  receivedAt: Date.UTC(2024, 2, 12, 19, 3, 58),
  requestId: 'req-1',
  ...extra,
});
const ctx = { location: DEFAULT_LOCATION, host: 'localhost:3000' };

describe('endpoints: HTTP route selection', () => {
  const routes = [
    route('rest', 'ANY', '/{proxy+}'),
    route('rest', 'GET', '/items/{id}'),
    route('rest', 'ANY', '/items/special'),
    route('rest', 'GET', '/items/special'),
    route('http', 'ANY', '$default'),
    route('alb', 'ANY', '/static/*', { priority: 5 }),
    route('alb', 'GET', '/static/img/?.png', { priority: 1 }),
    route('url', 'ANY', '/'),
  ];
  const pick = (method: string, path: string) => matchRoute(routes, method, path);

  it('HTTP-1: literal segments beat parameters, parameters beat greedy ones, the own method beats ANY', () => {
    assert.equal(pick('GET', '/items/special')?.route.functionName, 'rest-GET-/items/special');
    assert.equal(pick('POST', '/items/special')?.route.functionName, 'rest-ANY-/items/special');
    const byId = pick('GET', '/items/42');
    assert.equal(byId?.route.path, '/items/{id}');
    assert.deepEqual(byId?.pathParameters, { id: '42' });
    assert.deepEqual(pick('PUT', '/items/42/parts')?.pathParameters, { proxy: 'items/42/parts' });
  });

  it('HTTP-1: a greedy route needs at least one segment; $default takes what nothing else does', () => {
    assert.equal(pick('GET', '/')?.route.path, '$default');
  });

  it('HTTP-2: function URLs under /lambda-url/<name>/, the rest being their own path', () => {
    const m = matchRoute([route('url', 'ANY', '/')], 'GET', '/lambda-url/url-ANY-%2F/a/b');
    assert.equal(m?.path, '/a/b');
    assert.equal(matchRoute([route('url', 'ANY', '/')], 'GET', '/lambda-url/Other/'), undefined);
  });

  it('HTTP-2: two APIs that declare the same method and path: the first one declared answers', () => {
    const first = { ...route('rest', 'GET', '/same'), functionName: 'First' };
    const second = { ...route('http', 'GET', '/same'), functionName: 'Second' };
    assert.equal(matchRoute([first, second], 'GET', '/same')?.route.functionName, 'First');
    assert.equal(matchRoute([second, first], 'GET', '/same')?.route.functionName, 'Second');
  });

  it('ALB: path patterns with * and ?, rules in priority order', () => {
    const onlyAlb = routes.filter((r) => r.kind === 'alb');
    assert.equal(matchRoute(onlyAlb, 'GET', '/static/img/a.png')?.route.trigger.priority, 1);
    assert.equal(matchRoute(onlyAlb, 'GET', '/static/img/ab.png')?.route.trigger.priority, 5);
    assert.equal(matchRoute(onlyAlb, 'GET', '/other'), undefined);
    assert.ok(albPatternMatches('/a*', '/a/b/c'));
    assert.ok(!albPatternMatches('/A*', '/a'));
  });
});

describe('endpoints: HTTP events', () => {
  it('HTTP-3: payload 1.0 keeps nulls for what the request lacks', () => {
    const r = route('rest', 'GET', '/ping');
    const event = restApiEvent(req('GET', '/ping'), { route: r, pathParameters: {}, path: '/ping' }, ctx) as Record<
      string,
      unknown
    >;
    for (const key of [
      'headers',
      'multiValueHeaders',
      'queryStringParameters',
      'multiValueQueryStringParameters',
      'pathParameters',
      'stageVariables',
      'body',
    ])
      assert.equal(event[key], null, key);
    const context = event.requestContext as Record<string, unknown>;
    assert.equal(context.requestTime, '12/Mar/2024:19:03:58 +0000');
    assert.equal(context.stage, 'Prod');
    assert.equal(context.path, '/Prod/ping');
    assert.equal((context.identity as Record<string, unknown>).sourceIp, '127.0.0.1');
  });

  it('HTTP-3: an HTTP API with payload 1.0 base64-encodes a body that is not text, REST only binary media types', () => {
    const body = Buffer.from([0xff, 0xfe, 0x00]);
    const request = req('POST', '/p', { headers: [['Content-Type', 'application/octet-stream']], body });
    const http1 = restApiEvent(
      request,
      { route: route('http', 'POST', '/p'), pathParameters: {}, path: '/p' },
      ctx,
    ) as {
      version: string;
      isBase64Encoded: boolean;
      body: string;
    };
    assert.deepEqual([http1.version, http1.isBase64Encoded, http1.body], ['1.0', true, body.toString('base64')]);
    const rest = restApiEvent(request, { route: route('rest', 'POST', '/p'), pathParameters: {}, path: '/p' }, ctx) as {
      isBase64Encoded: boolean;
    };
    assert.equal(rest.isBase64Encoded, false);
  });

  it('HTTP-3: without a Content-Type an HTTP API base64-encodes a body only when it is not valid UTF-8', () => {
    const encoded = (bytes: number[]): boolean =>
      (
        restApiEvent(
          req('POST', '/p', { body: Buffer.from(bytes) }),
          { route: route('http', 'POST', '/p'), pathParameters: {}, path: '/p' },
          ctx,
        ) as { isBase64Encoded: boolean }
      ).isBase64Encoded;
    assert.equal(encoded([...Buffer.from('déjà vu ✓ 😀')]), false, 'two-, three- and four-byte characters');
    assert.equal(encoded([0x61, 0xff]), true, 'a byte UTF-8 never has');
    assert.equal(encoded([0x61, 0xe2, 0x9c]), true, 'a character cut short');
    assert.equal(encoded([0xc0, 0xaf]), true, 'an overlong encoding');
    assert.equal(encoded([0xed, 0xa0, 0x80]), true, 'a UTF-16 surrogate');
  });

  it('HTTP-4: payload 2.0 leaves out what is empty and joins repeated query values', () => {
    const r = route('http', 'GET', '/q');
    const event = httpApiEvent(
      req('GET', '/q', { rawQuery: 'a=1&a=2&b=%20', headers: [['User-Agent', 'ua']] }),
      { route: r, pathParameters: {}, path: '/q' },
      ctx,
    ) as Record<string, unknown>;
    assert.deepEqual(event.queryStringParameters, { a: '1,2', b: ' ' });
    assert.equal(event.rawQueryString, 'a=1&a=2&b=%20');
    assert.equal('cookies' in event, false);
    assert.equal('pathParameters' in event, false);
    assert.equal('body' in event, false);
    const context = event.requestContext as { http: Record<string, unknown>; time: string; routeKey: string };
    assert.deepEqual(context.http, {
      method: 'GET',
      path: '/q',
      protocol: 'HTTP/1.1',
      sourceIp: '127.0.0.1',
      userAgent: 'ua',
    });
    assert.equal(context.time, '12/Mar/2024:19:03:58+0000');
    assert.equal(context.routeKey, 'GET /q');
  });

  it('HTTP-6: a function URL with AWS_IAM carries an IAM identity; its account is anonymous', () => {
    const r = route('url', 'ANY', '/', { authType: 'AWS_IAM' });
    const event = functionUrlEvent(
      req('GET', '/x'),
      { route: r, pathParameters: {}, path: '/x' },
      DEFAULT_LOCATION,
      'h',
    ) as {
      requestContext: { accountId: string; authorizer: { iam: Record<string, unknown> }; stage: string };
    };
    assert.equal(event.requestContext.accountId, 'anonymous');
    assert.equal(event.requestContext.stage, '$default');
    assert.equal((event.requestContext as unknown as { time: string }).time, '12/Mar/2024:19:03:58 +0000');
    assert.equal(event.requestContext.authorizer.iam.accountId, '123456789012');
  });

  it('HTTP-5: an ALB without multi-value headers sends the last value of each, and "" as an empty body', () => {
    const r = route('alb', 'ANY', '/*');
    const event = albEvent(
      req('GET', '/x', {
        rawQuery: 'a=1&a=%202',
        headers: [
          ['X-A', '1'],
          ['X-A', '2'],
        ],
      }),
      { route: r, pathParameters: {}, path: '/x' },
      DEFAULT_LOCATION,
    ) as Record<string, unknown>;
    assert.deepEqual(event.queryStringParameters, { a: '%202' });
    assert.deepEqual(event.headers, { 'x-a': '2' });
    assert.equal(event.body, '');
    assert.equal('multiValueHeaders' in event, false);
  });
});

describe('endpoints: results to HTTP responses', () => {
  const text = (r: { body: Buffer }) => r.body.toString();
  const result = (value: unknown) => ({ kind: 'result' as const, result: value });

  it('HTTP-7: REST merges multiValueHeaders with headers and leaves base64 as text without a binary media type', () => {
    const r = route('rest', 'GET', '/');
    const { response } = integrationResponse(
      r,
      result({
        statusCode: '201',
        headers: { A: '1', B: 'x' },
        multiValueHeaders: { B: ['y', 'z'] },
        body: 'aGk=',
        isBase64Encoded: true,
      }),
      req('GET', '/'),
    );
    assert.equal(response.statusCode, 201);
    assert.deepEqual(
      response.headers.filter(([n]) => n !== 'Content-Type'),
      [
        ['B', 'y'],
        ['B', 'z'],
        ['A', '1'],
      ],
    );
    assert.equal(text(response), 'aGk=');
    const binary = route('rest', 'GET', '/', { binaryMediaTypes: ['image/*'] });
    const decoded = integrationResponse(
      binary,
      result({ statusCode: 200, headers: { 'Content-Type': 'image/gif' }, body: 'aGk=', isBase64Encoded: true }),
      req('GET', '/'),
    );
    assert.equal(text(decoded.response), 'hi');
  });

  it('HTTP-10: REST answers 502 for a result without statusCode or with a body that is not a string', () => {
    const r = route('rest', 'GET', '/');
    for (const bad of [null, 'text', { body: 'x' }, { statusCode: 200, body: { a: 1 } }, { statusCode: 'abc' }]) {
      const { response, problem } = integrationResponse(r, result(bad), req('GET', '/'));
      assert.equal(response.statusCode, 502, JSON.stringify(bad));
      assert.equal(text(response), '{"message":"Internal server error"}');
      assert.ok(problem);
    }
  });

  it('HTTP-8: payload 2.0 infers a 200 JSON response from a string or an object without statusCode', () => {
    const r = route('http', 'GET', '/');
    const fromString = integrationResponse(r, result('Hello from Lambda!'), req('GET', '/')).response;
    assert.deepEqual([fromString.statusCode, text(fromString)], [200, 'Hello from Lambda!']);
    const fromObject = integrationResponse(r, result({ message: 'hi' }), req('GET', '/')).response;
    assert.deepEqual([fromObject.statusCode, text(fromObject)], [200, '{"message":"hi"}']);
    assert.deepEqual(fromObject.headers, [['Content-Type', 'application/json']]);
  });

  it('HTTP-10: each integration has its own failure answer', () => {
    const fail = { kind: 'functionError' as const };
    const status = (api: HttpTrigger['api'], outcome: Parameters<typeof integrationResponse>[1]) =>
      integrationResponse(route(api, 'GET', '/'), outcome, req('GET', '/')).response.statusCode;
    assert.deepEqual(
      (['rest', 'http', 'url', 'alb'] as const).map((api) => status(api, fail)),
      [502, 500, 502, 502],
    );
    assert.equal(status('rest', { kind: 'timeout' }), 504);
    assert.equal(status('http', { kind: 'throttled' }), 429);
    assert.equal(status('alb', { kind: 'throttled' }), 503);
  });

  it('HTTP-9: ALB uses only multiValueHeaders when they are on, and the status description as reason phrase', () => {
    const r = route('alb', 'ANY', '/*', { multiValueHeaders: true });
    const { response } = integrationResponse(
      r,
      result({ statusCode: 200, statusDescription: '200 Fine', headers: { A: '1' }, multiValueHeaders: { B: ['2'] } }),
      req('GET', '/'),
    );
    assert.deepEqual(response.headers, [['B', '2']]);
    assert.equal(response.statusMessage, 'Fine');
  });
});

describe('endpoints: CORS', () => {
  const cors = {
    allowOrigins: ['https://a.example'],
    allowMethods: ['*'],
    allowHeaders: ['*'],
    exposeHeaders: [],
    allowCredentials: true,
  };
  const preflight = req('OPTIONS', '/', {
    headers: [
      ['Origin', 'https://a.example'],
      ['Access-Control-Request-Method', 'PUT'],
      ['Access-Control-Request-Headers', 'x-a'],
    ],
  });

  it('HTTP-11: * echoes the requested method and headers; credentials need the origin itself', () => {
    const response = preflightResponse('http', cors, preflight);
    const h = Object.fromEntries(response.headers);
    assert.equal(response.statusCode, 204);
    assert.equal(h['Access-Control-Allow-Origin'], 'https://a.example');
    assert.equal(h['Access-Control-Allow-Methods'], 'PUT');
    assert.equal(h['Access-Control-Allow-Headers'], 'x-a');
    assert.equal(h['Access-Control-Allow-Credentials'], 'true');
  });

  it('HTTP-12: REST and ALB responses get no CORS headers from the gateway', () => {
    const response = { statusCode: 200, headers: [] as Array<[string, string]>, body: Buffer.alloc(0) };
    const request = req('GET', '/', { headers: [['Origin', 'https://a.example']] });
    assert.deepEqual(withCorsHeaders('rest', cors, request, response).headers, []);
    assert.ok(withCorsHeaders('url', cors, request, response).headers.length > 0);
  });
});

describe('endpoints: Lambda authorizers', () => {
  const arn = 'arn:aws:execute-api:us-east-1:123456789012:abc/dev/GET/items/1';

  it('HTTP-14: explicit Deny wins, wildcards match, no statement denies', () => {
    const allow = { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:*:*:abc/*/GET/*' };
    assert.ok(policyAllows({ Statement: [allow] }, arn));
    assert.ok(!policyAllows({ Statement: [allow, { ...allow, Effect: 'Deny', Resource: arn }] }, arn));
    assert.ok(!policyAllows({ Statement: [] }, arn));
    assert.ok(!policyAllows({ Statement: [{ ...allow, Resource: 'arn:aws:execute-api:*:*:abc/*/POST/*' }] }, arn));
  });

  const simple: HttpAuthorizer = {
    name: 'A',
    functionName: 'Auth',
    type: 'request',
    payloadFormatVersion: '2.0',
    simpleResponses: true,
    identitySource: ['$request.header.Authorization', '$request.querystring.key'],
  };

  it('HTTP-13: a request without an identity source is 401 before the authorizer runs; 2.0 events carry them', () => {
    const r = route('http', 'GET', '/items/{id}', { lambdaAuthorizer: simple });
    const match = { route: r, pathParameters: { id: '1' }, path: '/items/1' };
    const missing = authorizerRequest(simple, {
      request: req('GET', '/items/1'),
      match,
      location: DEFAULT_LOCATION,
      host: 'h',
    });
    assert.equal(missing.kind, 'refuse');
    const asked = authorizerRequest(simple, {
      request: req('GET', '/items/1', { rawQuery: 'key=k', headers: [['Authorization', 'tok']] }),
      match,
      location: DEFAULT_LOCATION,
      host: 'h',
    });
    assert.equal(asked.kind, 'invoke');
    const event = (asked as { event: Record<string, unknown> }).event;
    assert.deepEqual([event.version, event.type, event.identitySource], ['2.0', 'REQUEST', ['tok', 'k']]);
    assert.match(String(event.routeArn), /^arn:aws:execute-api:us-east-1:123456789012:\w+\/\$default\/GET\/items\/1$/);
  });

  it('HTTP-15: simple responses, Unauthorized errors, and REST context values that are not scalars', () => {
    const yes = authorizerDecision(
      simple,
      'http',
      { ok: true, result: { isAuthorized: true, context: { a: 1 } } },
      arn,
    );
    assert.deepEqual(yes, { allow: true, context: { lambda: { a: 1 } } });
    const no = authorizerDecision(simple, 'http', { ok: true, result: { isAuthorized: false } }, arn);
    assert.equal(no.allow ? 0 : no.response.statusCode, 403);
    const token = { ...simple, type: 'token' as const, payloadFormatVersion: '1.0' as const, simpleResponses: false };
    const unauthorized = authorizerDecision(token, 'rest', { ok: false, errorMessage: 'Unauthorized' }, arn);
    assert.equal(unauthorized.allow ? 0 : unauthorized.response.statusCode, 401);
    const policy = { Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: arn }] };
    const nested = authorizerDecision(
      token,
      'rest',
      { ok: true, result: { policyDocument: policy, context: { o: {} } } },
      arn,
    );
    assert.equal(nested.allow ? 0 : nested.response.statusCode, 500);
  });
});
