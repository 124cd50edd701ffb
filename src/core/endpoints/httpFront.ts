/**
 * The HTTP front: a loopback HTTP server that turns each request into the event its integration (API Gateway REST
 * or HTTP API, ALB, function URL) sends, invokes the route's function through a WorkspaceEngine (the one this
 * process holds, or a VS Code window's), and answers with the response that integration would return. Routes are
 * read from the engine's functions on every request, so a changed template or handler counts on the next one.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_LOCATION, type AwsLocation } from '../awsLocation';
import type { FunctionConfig } from '../discovery/functionConfig';
import type { HttpExchange, HttpMessageRecord, InvocationRecord } from '../invoke/invocationRecord';

type HttpExchangeResponse = NonNullable<HttpExchange['response']>;
import type { ResponseStreamListener } from '../runtime/outcome';
import { albEvent } from './albEvent';
import { httpApiEvent } from './apiGatewayHttpEvent';
import { restApiEvent } from './apiGatewayRestEvent';
import { isPreflight, preflightResponse, withCorsHeaders } from './corsPolicy';
import { functionUrlEvent } from './functionUrlEvent';
import {
  headerValue,
  isTextBody,
  jsonResponse,
  withForwardingHeaders,
  type HttpRequestData,
  type HttpResponseData,
} from './httpMessage';
import { integrationError, integrationResponse, type IntegrationOutcome } from './httpResponse';
import {
  matchRoute,
  routesForPath,
  routeTable,
  routeUrlPath,
  type HttpRoute,
  type HttpRouteKind,
  type RouteMatch,
} from './httpRoutes';
import { authorizerDecision, authorizerRequest, methodArn } from './lambdaAuthorizer';
import { refuse, WebSocketApis } from './webSocketApis';
import { WEBSOCKET_MESSAGE_LIMIT } from './webSocketFrames';
import type { WorkspaceEngine } from './workspaceEngine';
import { pathParameterValue } from '../events/triggerEvents';

export interface HttpRouteSummary {
  functionName: string;
  kind: HttpRouteKind;
  method: string;
  path: string;
  /** The route's URL as declared: `{id}`, `{proxy+}` and ALB wildcards left in. */
  url: string;
  /** A URL that the route answers: each path parameter and wildcard given an example value (`/items/1`). */
  exampleUrl: string;
  origin?: { file: string; line: number };
}

/** One line per request, for a terminal or an output channel. */
export interface HttpRequestLog {
  method: string;
  /** Path and query as requested. */
  path: string;
  statusCode: number;
  durationMs: number;
  functionName?: string;
  /** Why the answer is not the function's own (a malformed result, a timeout, a denial). */
  note?: string;
}

export interface HttpFrontOptions {
  /** Default: a free port. */
  port?: number;
  host?: '127.0.0.1';
  /** Region and account of the events' ARNs (default: the local account's defaults). */
  location?: AwsLocation;
  /** API Gateway's integration timeout, ms: default 29 000 for REST APIs and 30 000 for HTTP APIs. */
  integrationTimeoutMs?: { rest?: number; http?: number };
  /** Told of every request once its response is sent. */
  onRequest?: (log: HttpRequestLog) => void;
}

/** HTTP-16: the largest request body each integration accepts (API Gateway 10 MB, function URLs 6 MB, ALB 1 MB). */
export const BODY_LIMITS: Record<HttpRouteKind, number> = {
  rest: 10 * 1024 * 1024,
  http: 10 * 1024 * 1024,
  url: 6 * 1024 * 1024,
  alb: 1024 * 1024,
  websocket: WEBSOCKET_MESSAGE_LIMIT,
};
const MAX_BODY = Math.max(...Object.values(BODY_LIMITS));
/** How much of a body a record keeps. */
const RECORDED_BODY_BYTES = 16 * 1024;

const LOOPBACK_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i;

/** `GET /items/1 -> 200 12 ms ItemsFunction (why, when the answer is not the function's)` */
export function describeRequest(log: HttpRequestLog): string {
  const ms = log.durationMs < 10 ? log.durationMs.toFixed(1) : Math.round(log.durationMs).toString();
  return `${log.method} ${log.path} -> ${log.statusCode} ${ms} ms${log.functionName ? ` ${log.functionName}` : ''}${log.note ? ` (${log.note})` : ''}`;
}

/** `/items/{id}/{proxy+}` -> `/items/1/example/path`, `/alb/*` -> `/alb/example`: a path the route answers. */
export function examplePath(path: string): string {
  return path
    .replace(/\{([^}]+?)(\+)?\}/g, (_, name: string, plus?: string) =>
      encodeURIComponent(pathParameterValue(name, plus === '+')).replace(/%2F/g, '/'),
    )
    .replace(/\*/g, 'example')
    .replace(/\?/g, 'x');
}

/**
 * The `curl` command that calls a route at an example URL (a body for methods that usually carry one); for a
 * WebSocket route, the `wscat` command that connects to its API.
 */
export function curlCommand(route: HttpRouteSummary): string {
  if (route.kind === 'websocket') return `npx wscat -c '${route.url.replace(/'/g, `'\\''`)}'`;
  const method = route.method === 'ANY' ? 'GET' : route.method;
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const withBody = ['POST', 'PUT', 'PATCH'].includes(method);
  return [
    'curl -i',
    ...(method === 'GET' ? [] : [`-X ${method}`]),
    ...(withBody ? [`-H 'Content-Type: application/json'`, `-d '{}'`] : []),
    quote(route.exampleUrl),
  ].join(' ');
}

function messageRecord(
  headers: Array<[string, string]>,
  body: Buffer,
  contentType: string | undefined,
): HttpMessageRecord {
  const kept = body.subarray(0, RECORDED_BODY_BYTES);
  const text = isTextBody(contentType, kept);
  return {
    headers,
    ...(body.length > 0 ? { body: kept.toString(text ? 'utf8' : 'base64') } : {}),
    ...(body.length > 0 && !text ? { bodyEncoding: 'base64' as const } : {}),
    bodyBytes: body.length,
    ...(body.length > RECORDED_BODY_BYTES ? { truncated: true } : {}),
  };
}

class BodyTooLargeError extends Error {}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new BodyTooLargeError());
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLargeError());
        req.resume();
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function headerPairs(req: http.IncomingMessage): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) pairs.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
  return pairs;
}

const routeLabel = (route: HttpRoute): string =>
  route.kind === 'url' ? '/' : route.path === '$default' ? '$default' : `${route.method} ${route.path}`;

const SOURCE_TYPE: Record<HttpRouteKind, string> = {
  rest: 'apigateway',
  http: 'apigateway',
  alb: 'alb',
  url: 'lambda-url',
  websocket: 'apigateway',
};

export class HttpFront {
  private readonly sockets = new Set<import('node:net').Socket>();
  private tableKey?: readonly FunctionConfig[];
  private table: HttpRoute[] = [];
  private readonly webSockets: WebSocketApis;

  private constructor(
    private readonly engine: WorkspaceEngine,
    private readonly server: http.Server,
    readonly url: string,
    private readonly options: HttpFrontOptions,
  ) {
    this.webSockets = new WebSocketApis({
      engine,
      location: this.location,
      routes: () => this.currentRoutes(),
      ...(options.onRequest ? { onRequest: options.onRequest } : {}),
    });
  }

  /** Listens on 127.0.0.1 (a free port unless one is given) and resolves once it does. */
  static async start(engine: WorkspaceEngine, options: HttpFrontOptions = {}): Promise<HttpFront> {
    const host = options.host ?? '127.0.0.1';
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const front = new HttpFront(engine, server, `http://${host}:${port}`, options);
    server.on('connection', (socket) => {
      front.sockets.add(socket);
      socket.on('close', () => front.sockets.delete(socket));
    });
    server.on('request', (req, res) => {
      front.handle(req, res).catch((err: unknown) => {
        // Nothing a request does may take the front down: answer 500 if nothing was sent yet.
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'application/json' });
          res.end(
            JSON.stringify({ message: `The HTTP front failed: ${err instanceof Error ? err.message : String(err)}` }),
          );
        } else res.destroy();
      });
    });
    server.on('upgrade', (req: http.IncomingMessage, socket: import('node:net').Socket, head: Buffer) => {
      // HTTP-17: the same Host check as every other request.
      if (!LOOPBACK_HOST.test(req.headers.host ?? '')) {
        refuse(
          socket,
          403,
          JSON.stringify({ message: 'This local HTTP front answers localhost, 127.0.0.1 or [::1] only.' }),
        );
        return;
      }
      front.webSockets.upgrade(req, socket, head).catch((err: unknown) => {
        refuse(
          socket,
          500,
          JSON.stringify({ message: `The HTTP front failed: ${err instanceof Error ? err.message : String(err)}` }),
        );
      });
    });
    // A malformed request line or header never reaches `request`: Node answers 400 and closes.
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
    return front;
  }

  /** Every route, with the URL that calls it, in declaration order. */
  async routes(): Promise<HttpRouteSummary[]> {
    return (await this.currentRoutes()).map((route) => {
      const origin = route.origin;
      return {
        functionName: route.functionName,
        kind: route.kind,
        method: route.method,
        path: route.path,
        url: `${route.kind === 'websocket' ? this.url.replace(/^http/, 'ws') : this.url}${routeUrlPath(route)}`,
        exampleUrl: `${route.kind === 'websocket' ? this.url.replace(/^http/, 'ws') : this.url}${examplePath(routeUrlPath(route))}`,
        ...(origin?.file !== undefined ? { origin: { file: origin.file, line: origin.line ?? 1 } } : {}),
      };
    });
  }

  /**
   * Stops listening and ends open connections; requests in flight get no answer. WebSocket connections are closed
   * (1001) and their `$disconnect` routes run first.
   */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.webSockets.closeAll();
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private async currentRoutes(): Promise<HttpRoute[]> {
    const functions = await this.engine.functions();
    if (functions !== this.tableKey) {
      this.tableKey = functions;
      this.table = routeTable(functions);
    }
    return this.table;
  }

  private get location(): AwsLocation {
    return this.options.location ?? DEFAULT_LOCATION;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const receivedAt = Date.now();
    const host = req.headers.host ?? '';
    const log = (statusCode: number, extra: Partial<HttpRequestLog> = {}) =>
      this.options.onRequest?.({
        method: req.method ?? '?',
        path: req.url ?? '',
        statusCode,
        durationMs: performance.now() - started,
        ...extra,
      });
    const send = (response: HttpResponseData) => {
      res.statusCode = response.statusCode;
      if (response.statusMessage) res.statusMessage = response.statusMessage;
      const grouped = new Map<string, string[]>();
      for (const [name, value] of response.headers) {
        const key = name.toLowerCase();
        grouped.set(key, [...(grouped.get(key) ?? []), value]);
      }
      for (const [name, values] of grouped) {
        // A header repeated where HTTP allows only one value keeps its last (set-cookie keeps every one).
        res.setHeader(name, name === 'set-cookie' || values.length > 1 ? values : values[0]);
      }
      res.setHeader('Content-Length', response.body.length);
      res.end(response.body);
    };

    // HTTP-17: DNS rebinding: a page of another site that resolves its name to 127.0.0.1 sends its own Host.
    if (!LOOPBACK_HOST.test(host)) {
      send(
        jsonResponse(403, {
          message: `This local HTTP front answers requests for localhost, 127.0.0.1 or [::1] only; this one was for "${host}".`,
        }),
      );
      log(403, { note: 'Host is not a loopback name' });
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
      if (!(req.url ?? '').startsWith('/')) throw new Error('not a path');
    } catch {
      send(jsonResponse(400, { message: `The request target "${req.url ?? ''}" is not a path.` }));
      log(400);
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req, MAX_BODY);
    } catch (err) {
      if (!(err instanceof BodyTooLargeError)) throw err;
      send(jsonResponse(413, { message: 'Request Too Long' }, [['Connection', 'close']]));
      log(413);
      return;
    }
    const rawPath = (req.url ?? '/').split('?')[0];
    if (WebSocketApis.isManagementPath(rawPath)) {
      // WS-7: the @connections API a handler calls (signed or not: signatures are not checked locally).
      const method = (req.method ?? 'GET').toUpperCase();
      const response = this.webSockets.manage(method, rawPath, body);
      send(response);
      log(response.statusCode, { note: '@connections API' });
      return;
    }
    const request: HttpRequestData = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: rawPath,
      rawQuery: url.search.replace(/^\?/, ''),
      headers: headerPairs(req),
      body,
      sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
      protocol: `HTTP/${req.httpVersion}`,
      receivedAt,
      requestId: randomUUID(),
    };
    const routes = await this.currentRoutes();

    if (isPreflight(request)) {
      const candidates = routesForPath(routes, rawPath);
      const explicit = candidates.some((r) => r.method === 'OPTIONS' && r.kind === 'rest');
      const withCors = candidates.find((r) => r.trigger.cors && r.kind !== 'alb');
      if (withCors && !explicit) {
        const response = preflightResponse(withCors.kind, withCors.trigger.cors!, request);
        send(response);
        log(response.statusCode, { note: 'CORS preflight' });
        return;
      }
    }

    const match = matchRoute(routes, request.method, rawPath);
    if (!match) {
      const pathKnown = routesForPath(routes, rawPath).length > 0;
      const response = pathKnown
        ? jsonResponse(405, { message: `No route of this path accepts ${request.method}.` })
        : jsonResponse(404, { message: 'Not Found' });
      send(response);
      log(response.statusCode, { note: 'no route' });
      return;
    }
    const { route } = match;
    if (body.length > BODY_LIMITS[route.kind]) {
      send(jsonResponse(413, { message: 'Request Too Long' }));
      log(413, { functionName: route.functionName });
      return;
    }

    const exchangeRequest: HttpExchange['request'] = {
      method: request.method,
      path: rawPath,
      ...(request.rawQuery ? { query: request.rawQuery } : {}),
      ...messageRecord(request.headers, body, headerValue(request, 'content-type')),
    };
    const finish = async (
      response: HttpResponseData,
      record: InvocationRecord | undefined,
      note: string | undefined,
      alreadySent = false,
    ) => {
      const final = withCorsHeaders(route.kind, route.trigger.cors, request, response);
      if (!alreadySent) send(addGatewayHeaders(route.kind, final, request.requestId));
      const durationMs = performance.now() - started;
      log(final.statusCode, { functionName: route.functionName, ...(note ? { note } : {}) });
      if (record)
        await this.engine.setHttpResponse(record.id, {
          statusCode: final.statusCode,
          durationMs: Math.round(durationMs * 100) / 100,
          ...messageRecord(
            final.headers,
            final.body,
            final.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1],
          ),
          ...(note ? { note } : {}),
        });
    };

    // Lambda authorizer first (API Gateway routes only).
    let authorizerContext: Record<string, unknown> | undefined;
    let parentRecordId: string | undefined;
    const authorizer = route.trigger.lambdaAuthorizer;
    if (authorizer && (route.kind === 'rest' || route.kind === 'http')) {
      const input = { request, match, location: this.location, host };
      const asked = authorizerRequest(authorizer, input);
      if (asked.kind === 'refuse') {
        await finish(asked.response, undefined, asked.reason);
        return;
      }
      if (!authorizer.functionName) {
        await finish(
          jsonResponse(500, { message: `The authorizer ${authorizer.name} is not a function of this workspace.` }),
          undefined,
          'authorizer function not found',
        );
        return;
      }
      const [authRecord] = await this.engine.invoke(authorizer.functionName, JSON.stringify(asked.event), 'sync', {
        source: { type: 'apigateway-authorizer' },
        http: { integration: route.kind, route: routeLabel(route), role: 'authorizer', request: exchangeRequest },
      });
      const attempt = authRecord?.attempts[authRecord.attempts.length - 1];
      const decision = authorizerDecision(
        authorizer,
        route.kind,
        authRecord?.status === 'succeeded'
          ? { ok: true, result: attempt?.result }
          : { ok: false, errorMessage: attempt?.error?.errorMessage ?? authRecord?.response?.errorMessage ?? 'failed' },
        methodArn(input),
      );
      if (!decision.allow) {
        await finish(decision.response, authRecord, decision.reason);
        return;
      }
      authorizerContext = decision.context;
      parentRecordId = authRecord?.id;
      if (authRecord)
        await this.engine.setHttpResponse(authRecord.id, {
          statusCode: 200,
          durationMs: Math.round((performance.now() - started) * 100) / 100,
          headers: [],
          bodyBytes: 0,
          note: 'allowed: the request went on to the integration',
        });
    }

    const event = this.eventFor(request, match, host, authorizerContext);
    const streamed = route.kind === 'url' && route.trigger.invokeMode === 'RESPONSE_STREAM';
    const stream = streamed ? new StreamedReply(res, request.requestId) : undefined;
    const timeoutMs =
      route.kind === 'rest'
        ? (this.options.integrationTimeoutMs?.rest ?? 29_000)
        : route.kind === 'http'
          ? (this.options.integrationTimeoutMs?.http ?? 30_000)
          : undefined;
    /** What the client got, once it has it (the record keeps it). */
    let answered: HttpExchangeResponse | undefined;
    const deliver = (response: HttpResponseData, note: string | undefined, alreadySent: boolean) => {
      const final = withCorsHeaders(route.kind, route.trigger.cors, request, response);
      if (!alreadySent) send(addGatewayHeaders(route.kind, final, request.requestId));
      const durationMs = Math.round((performance.now() - started) * 100) / 100;
      log(final.statusCode, { functionName: route.functionName, ...(note ? { note } : {}) });
      answered = {
        statusCode: final.statusCode,
        durationMs,
        ...messageRecord(final.headers, final.body, contentTypeOf(final.headers)),
        ...(note ? { note } : {}),
      };
      return answered;
    };
    // Called by the engine with the finished record just before it saves it, so that the client is answered
    // without waiting for the store and the record is saved once, with its response.
    const answer = (record: InvocationRecord): HttpExchangeResponse => {
      if (answered) return answered;
      const outcome = outcomeOf(record);
      if (stream && (stream.started || outcome.kind === 'result')) {
        // NODE-11: the body went (or goes now) to the client as the handler wrote it.
        const sent = stream.end(record.attempts.at(-1), outcome.kind === 'result');
        return deliver(
          sent,
          outcome.kind === 'result' ? undefined : 'the handler failed after it began streaming',
          true,
        );
      }
      const { response, problem } = integrationResponse(route, outcome, request);
      return deliver(response, problem ?? (outcome.kind !== 'result' ? failureNote(record) : undefined), false);
    };
    const invocation = this.engine.invoke(route.functionName, JSON.stringify(event), 'sync', {
      source: { type: SOURCE_TYPE[route.kind], ...(parentRecordId ? { parentRecordId } : {}) },
      http: { integration: route.kind, route: routeLabel(route), request: exchangeRequest },
      answer,
      ...(stream ? { responseStream: stream } : {}),
    });
    let timer: NodeJS.Timeout | undefined;
    if (timeoutMs !== undefined)
      timer = setTimeout(() => {
        // HTTP-10: API Gateway answers 504; the function runs on to its own end, and its record gets the 504.
        if (!answered)
          deliver(
            integrationError(route, { kind: 'timeout' }),
            `the integration timeout (${timeoutMs} ms) passed before the function answered`,
            false,
          );
      }, timeoutMs);
    let records: InvocationRecord[];
    try {
      records = await invocation;
    } finally {
      clearTimeout(timer);
    }
    const record = records[0];
    if (!record) {
      if (!answered) deliver(integrationError(route, { kind: 'serviceError' }), 'the engine returned no record', false);
      return;
    }
    // An engine in another process does not call `answer`: the client is answered now, and the record told after.
    if (!record.http?.response) await this.engine.setHttpResponse(record.id, answer(record));
  }

  private eventFor(
    request: HttpRequestData,
    match: RouteMatch,
    host: string,
    authorizer: Record<string, unknown> | undefined,
  ): unknown {
    const ctx = { location: this.location, host, ...(authorizer ? { authorizer } : {}) };
    request = withForwardingHeaders(request, new URL(this.url).port);
    switch (match.route.kind) {
      case 'rest':
        return restApiEvent(request, match, ctx);
      case 'http':
        return (match.route.trigger.payloadFormatVersion ?? '2.0') === '1.0'
          ? restApiEvent(request, match, ctx)
          : httpApiEvent(request, match, ctx);
      case 'url':
        return functionUrlEvent(request, match, this.location, host);
      case 'alb':
        return albEvent(request, match, this.location);
      case 'websocket':
        throw new Error('A WebSocket route is not reached by an HTTP request.');
    }
  }
}

const contentTypeOf = (headers: Array<[string, string]>) =>
  headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1];

function outcomeOf(record: InvocationRecord | undefined): IntegrationOutcome {
  if (!record) return { kind: 'serviceError' };
  // DURABLE-14: a durable function answers with its execution's end, which its first record's response carries.
  if (record.execution && record.response?.StatusCode === 200) {
    if (record.response.FunctionError) return { kind: 'functionError' };
    try {
      return { kind: 'result', result: JSON.parse(record.response.Payload ?? 'null') as unknown };
    } catch {
      return { kind: 'functionError' };
    }
  }
  if (record.status === 'succeeded') return { kind: 'result', result: record.attempts.at(-1)?.result ?? null };
  if (record.status === 'rejected' && record.response?.StatusCode === 429) return { kind: 'throttled' };
  if (record.status === 'rejected') return { kind: 'serviceError' };
  return { kind: 'functionError' };
}

function failureNote(record: InvocationRecord | undefined): string {
  const attempt = record?.attempts.at(-1);
  const error =
    (record?.execution ? executionError(record) : undefined) ??
    attempt?.error ??
    (record?.response
      ? { errorType: record.response.errorType ?? 'Error', errorMessage: record.response.errorMessage ?? '' }
      : undefined);
  return error ? `function error ${error.errorType}: ${error.errorMessage}` : 'the function failed';
}

/** DURABLE-14: the error a durable function's execution ended with (its response's payload), if it failed. */
function executionError(record: InvocationRecord): { errorType: string; errorMessage: string } | undefined {
  if (!record.response?.FunctionError) return undefined;
  try {
    const error = JSON.parse(record.response.Payload ?? '{}') as { errorType?: string; errorMessage?: string };
    return { errorType: error.errorType ?? 'Error', errorMessage: error.errorMessage ?? '' };
  } catch {
    return undefined;
  }
}

/** The headers API Gateway adds to every response it sends. */
function addGatewayHeaders(kind: HttpRouteKind, response: HttpResponseData, requestId: string): HttpResponseData {
  const has = (name: string) => response.headers.some(([n]) => n.toLowerCase() === name);
  const extra: Array<[string, string]> = [];
  if (kind === 'rest' && !has('x-amzn-requestid')) extra.push(['x-amzn-RequestId', requestId]);
  if (kind === 'http' && !has('apigw-requestid')) extra.push(['Apigw-Requestid', requestId]);
  if (kind === 'url' && !has('x-amzn-requestid')) extra.push(['x-amzn-RequestId', requestId]);
  return extra.length > 0 ? { ...response, headers: [...response.headers, ...extra] } : response;
}

/**
 * NODE-11: a function URL in RESPONSE_STREAM mode. The status line and headers go out with the prelude
 * (HttpResponseStream.from) or, without one, as 200 application/octet-stream with the first chunk; every chunk is
 * written as it arrives. An engine in another process delivers the body whole, with the record.
 */
class StreamedReply implements ResponseStreamListener {
  started = false;
  private readonly sentChunks: Buffer[] = [];
  private head?: HttpResponseData;

  constructor(
    private readonly res: http.ServerResponse,
    private readonly requestId: string,
  ) {}

  prelude(prelude: Record<string, unknown>): void {
    if (this.started) return;
    const statusCode = typeof prelude.statusCode === 'number' ? prelude.statusCode : 200;
    const headers: Array<[string, string]> = [];
    const declared = prelude.headers;
    if (declared && typeof declared === 'object')
      for (const [k, v] of Object.entries(declared as Record<string, unknown>))
        if (typeof v === 'string' || typeof v === 'number') headers.push([k, String(v)]);
    if (Array.isArray(prelude.cookies))
      for (const c of prelude.cookies) if (typeof c === 'string') headers.push(['Set-Cookie', c]);
    this.writeHead({ statusCode, headers, body: Buffer.alloc(0) });
  }

  chunk(data: Buffer): void {
    if (!this.started)
      this.writeHead({
        statusCode: 200,
        headers: [['Content-Type', 'application/octet-stream']],
        body: Buffer.alloc(0),
      });
    this.sentChunks.push(data);
    this.res.write(data);
  }

  /** Ends the reply; when nothing was streamed live (a remote engine), sends what the record holds. */
  end(attempt: InvocationRecord['attempts'][number] | undefined, ok: boolean): HttpResponseData {
    if (!this.started && ok) {
      const prelude = attempt?.stream?.prelude;
      if (prelude) this.prelude(prelude);
      const text = typeof attempt?.result === 'string' ? attempt.result : '';
      if (text.length > 0) this.chunk(Buffer.from(text));
      if (!this.started)
        this.writeHead({
          statusCode: 200,
          headers: [['Content-Type', 'application/octet-stream']],
          body: Buffer.alloc(0),
        });
    }
    this.res.end();
    return { ...(this.head ?? { statusCode: 200, headers: [] }), body: Buffer.concat(this.sentChunks) };
  }

  private writeHead(head: HttpResponseData): void {
    this.started = true;
    const headers = [...head.headers, ['x-amzn-RequestId', this.requestId] as [string, string]];
    this.head = { ...head, headers };
    const grouped: Record<string, string | string[]> = {};
    for (const [name, value] of headers) {
      const key = name.toLowerCase();
      const prior = grouped[key];
      grouped[key] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
    }
    this.res.writeHead(head.statusCode, grouped);
    this.res.flushHeaders();
  }
}
