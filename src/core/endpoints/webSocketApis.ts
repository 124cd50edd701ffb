/**
 * The WebSocket APIs of the HTTP front: a client's upgrade request at `/<API logical id>/<stage>` (WS-1) runs the
 * API's `$connect` route and opens the connection unless it refuses (WS-4); each message runs the route its route
 * selection expression picks, else `$default` (WS-2); the end of the connection, whichever side ends it, runs
 * `$disconnect` (WS-5). Every invocation is a record with its exchange, and a connection's records are one story
 * (the `$connect` record first). The `@connections` management API (WS-7) lets a handler post to, inspect and end a
 * connection.
 */
import { isUtf8 } from 'node:buffer';
import * as http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { AwsLocation } from '../awsLocation';
import type { HttpExchange, HttpMessageRecord, InvocationRecord } from '../invoke/invocationRecord';
import type { HttpRequestLog } from './httpFront';
import { webSocketApiPath, type HttpRoute } from './httpRoutes';
import {
  connectEvent,
  disconnectEvent,
  gatewayId,
  messageEvent,
  messageRoute,
  type WebSocketConnectionContext,
} from './webSocketEvent';
import {
  acceptKey,
  CLOSE,
  closePayload,
  encodeFrame,
  FrameReader,
  isClientKey,
  OPCODE,
  WEBSOCKET_MESSAGE_LIMIT,
} from './webSocketFrames';
import type { WorkspaceEngine } from './workspaceEngine';

type ExchangeResponse = NonNullable<HttpExchange['response']>;

export interface WebSocketApisOptions {
  engine: WorkspaceEngine;
  location: AwsLocation;
  /** The front's current routes (read on every upgrade and message, as HTTP requests read them). */
  routes: () => Promise<HttpRoute[]>;
  onRequest?: (log: HttpRequestLog) => void;
}

/** How much of a message a record keeps. */
const RECORDED_BYTES = 16 * 1024;

/** WS-7: `[/<anything>]/@connections/<connectionId>`, as the SDK builds it from its endpoint. */
const MANAGEMENT_PATH = /^(?:\/.*)?\/@connections\/([^/]+)$/;

function recorded(headers: Array<[string, string]>, data: Buffer, binary: boolean): HttpMessageRecord {
  const kept = data.subarray(0, RECORDED_BYTES);
  return {
    headers,
    ...(data.length > 0 ? { body: kept.toString(binary ? 'base64' : 'utf8') } : {}),
    ...(data.length > 0 && binary ? { bodyEncoding: 'base64' as const } : {}),
    bodyBytes: data.length,
    ...(data.length > RECORDED_BYTES ? { truncated: true } : {}),
  };
}

/** The handshake refused: a plain HTTP response on the raw socket, then the socket ends. */
export function refuse(socket: Duplex, statusCode: number, body: string, headers: Array<[string, string]> = []): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const payload = Buffer.from(body);
  const lines = [
    `HTTP/1.1 ${statusCode} ${http.STATUS_CODES[statusCode] ?? 'Error'}`,
    ...headers.map(([n, v]) => `${n}: ${v}`),
    `Content-Length: ${payload.length}`,
    'Connection: close',
    '',
    '',
  ];
  socket.end(Buffer.concat([Buffer.from(lines.join('\r\n')), payload]));
}

const forbidden = (ctx: WebSocketConnectionContext, requestId: string) =>
  JSON.stringify({ message: 'Forbidden', connectionId: ctx.connectionId, requestId });
const internalError = (ctx: WebSocketConnectionContext, requestId: string) =>
  JSON.stringify({ message: 'Internal server error', connectionId: ctx.connectionId, requestId });

/** One open connection. */
class Connection {
  readonly reader = new FrameReader();
  lastActiveAt: number;
  /** The record every other record of the connection continues. */
  storyId?: string;
  private ended = false;
  /** Resolves once `$disconnect` has run (or there is none). */
  disconnected?: Promise<void>;

  constructor(
    readonly ctx: WebSocketConnectionContext,
    readonly socket: Socket,
    readonly path: string,
    readonly host: string,
    readonly routes: HttpRoute[],
  ) {
    this.lastActiveAt = ctx.connectedAt;
  }

  get open(): boolean {
    return !this.ended && !this.socket.destroyed;
  }

  send(data: Buffer, binary: boolean): void {
    if (this.open) this.socket.write(encodeFrame(binary ? OPCODE.binary : OPCODE.text, data));
  }

  pong(data: Buffer): void {
    if (this.open) this.socket.write(encodeFrame(OPCODE.pong, data));
  }

  /** Sends a close frame and ends the socket; false when it was already ending. */
  close(code: number, reason: string): boolean {
    if (this.ended) return false;
    this.ended = true;
    if (!this.socket.destroyed && this.socket.writable) {
      this.socket.write(encodeFrame(OPCODE.close, closePayload(code, reason)));
      this.socket.end();
    }
    return true;
  }

  /** The socket went away without a close frame. */
  markEnded(): boolean {
    if (this.ended) return false;
    this.ended = true;
    return true;
  }
}

export class WebSocketApis {
  private readonly connections = new Map<string, Connection>();

  constructor(private readonly options: WebSocketApisOptions) {}

  /** True for a path of the `@connections` management API. */
  static isManagementPath(path: string): boolean {
    return MANAGEMENT_PATH.test(path);
  }

  /** How many connections are open. */
  get openConnections(): number {
    return this.connections.size;
  }

  /**
   * An upgrade request (already checked to come for a loopback host): finds the API, runs `$connect`, and either
   * completes the handshake or refuses it with `$connect`'s status.
   */
  async upgrade(req: http.IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    const started = performance.now();
    const at = Date.now();
    socket.on('error', () => socket.destroy());
    const rawTarget = req.url ?? '/';
    const [path, rawQuery = ''] = rawTarget.split(/\?(.*)/s, 2);
    const log = (statusCode: number, extra: Partial<HttpRequestLog> = {}) =>
      this.options.onRequest?.({
        method: 'WS',
        path: rawTarget,
        statusCode,
        durationMs: performance.now() - started,
        ...extra,
      });
    const routes = (await this.options.routes()).filter(
      (r) => r.kind === 'websocket' && webSocketApiPath(r.trigger) === path,
    );
    if (routes.length === 0) {
      refuse(socket, 404, JSON.stringify({ message: `No WebSocket API is served at ${path}.` }), [
        ['Content-Type', 'application/json'],
      ]);
      log(404, { note: 'no WebSocket API at this path' });
      return;
    }
    const key = req.headers['sec-websocket-key'];
    if (
      (req.method ?? '').toUpperCase() !== 'GET' ||
      (req.headers.upgrade ?? '').toLowerCase() !== 'websocket' ||
      !isClientKey(key)
    ) {
      refuse(socket, 400, 'Bad Request: not a WebSocket opening handshake');
      log(400, { note: 'not a WebSocket handshake' });
      return;
    }
    if (req.headers['sec-websocket-version'] !== '13') {
      refuse(socket, 426, 'Upgrade Required', [['Sec-WebSocket-Version', '13']]);
      log(426, { note: 'unsupported WebSocket version' });
      return;
    }
    const trigger = routes[0].trigger;
    const host = req.headers.host ?? '';
    const ctx: WebSocketConnectionContext = {
      connectionId: gatewayId(),
      connectedAt: at,
      apiId: trigger.apiId ?? 'WebSocketApi',
      stage: trigger.stage ?? 'production',
      domainName: host,
      sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
      ...(req.headers['user-agent'] !== undefined ? { userAgent: req.headers['user-agent'] } : {}),
    };
    const headers: Array<[string, string]> = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
    const connection = new Connection(ctx, socket, path, host, routes);
    // Bytes the client sends before `$connect` has answered wait in the socket.
    socket.pause();

    let accepted: Array<[string, string]> = [];
    const connectRoute = routes.find((r) => r.path === '$connect');
    if (connectRoute) {
      const requestId = gatewayId();
      const event = connectEvent(ctx, { headers, rawQuery, requestId, at }, trigger.stageVariables);
      const exchange: HttpExchange = {
        integration: 'websocket',
        route: '$connect',
        webSocket: { connectionId: ctx.connectionId, eventType: 'CONNECT' },
        request: {
          method: 'GET',
          path,
          ...(rawQuery ? { query: rawQuery } : {}),
          ...recorded(headers, Buffer.alloc(0), false),
        },
      };
      const decision = await this.invoke(connectRoute, event, exchange, undefined, (record) => {
        const outcome = connectOutcome(record);
        const durationMs = Math.round((performance.now() - started) * 100) / 100;
        if (outcome.refuse) {
          refuse(socket, outcome.statusCode, outcome.body, [['Content-Type', 'application/json']]);
          log(outcome.statusCode, { functionName: connectRoute.functionName, note: outcome.note });
          return {
            statusCode: outcome.statusCode,
            durationMs,
            ...recorded([['Content-Type', 'application/json']], Buffer.from(outcome.body), false),
            note: outcome.note,
          };
        }
        accepted = outcome.headers;
        return { statusCode: 101, durationMs, headers: [], bodyBytes: 0 };
      });
      connection.storyId = decision.record?.id;
      if (!decision.response || decision.response.statusCode !== 101) {
        if (!decision.record) refuse(socket, 500, internalError(ctx, requestId));
        return;
      }
    }
    if (socket.destroyed) return; // the client gave up while `$connect` ran: no connection, no `$disconnect`
    const protocol = accepted.find(([n]) => n.toLowerCase() === 'sec-websocket-protocol')?.[1];
    socket.write(
      [
        'HTTP/1.1 101 Switching Protocols',
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Accept: ${acceptKey(key)}`,
        ...(protocol ? [`Sec-WebSocket-Protocol: ${protocol}`] : []),
        '',
        '',
      ].join('\r\n'),
    );
    socket.setNoDelay(true);
    socket.setTimeout(0);
    this.connections.set(ctx.connectionId, connection);
    log(101, {
      ...(connectRoute ? { functionName: connectRoute.functionName } : {}),
      note: `connection ${ctx.connectionId}`,
    });
    socket.on('data', (chunk: Buffer) => this.received(connection, chunk));
    socket.on('close', () => {
      if (connection.markEnded()) this.disconnect(connection, CLOSE.abnormal, '');
    });
    if (head.length > 0) this.received(connection, head);
    socket.resume();
  }

  /** WS-7: `POST` (send), `GET` (connection info) and `DELETE` (disconnect) on `.../@connections/<id>`. */
  manage(
    method: string,
    path: string,
    body: Buffer,
  ): { statusCode: number; headers: Array<[string, string]>; body: Buffer } {
    const id = decodeURIComponent(MANAGEMENT_PATH.exec(path)?.[1] ?? '');
    const connection = this.connections.get(id);
    const json = (statusCode: number, value: unknown, headers: Array<[string, string]> = []) => ({
      statusCode,
      headers: [['Content-Type', 'application/json'] as [string, string], ...headers],
      body: Buffer.from(JSON.stringify(value)),
    });
    if (!['POST', 'GET', 'DELETE'].includes(method))
      return json(405, { message: `The @connections API accepts POST, GET and DELETE, not ${method}.` });
    // API Gateway: a connection that is not open (never was, or has closed) is gone.
    if (!connection?.open) return json(410, { message: null }, [['x-amzn-ErrorType', 'GoneException']]);
    switch (method) {
      case 'POST':
        if (body.length > WEBSOCKET_MESSAGE_LIMIT)
          return json(413, { message: 'Message too long' }, [['x-amzn-ErrorType', 'PayloadTooLargeException']]);
        connection.send(body, !isUtf8(body));
        return { statusCode: 200, headers: [], body: Buffer.alloc(0) };
      case 'GET':
        return json(200, {
          connectedAt: new Date(connection.ctx.connectedAt).toISOString(),
          identity: {
            sourceIp: connection.ctx.sourceIp,
            ...(connection.ctx.userAgent !== undefined ? { userAgent: connection.ctx.userAgent } : {}),
          },
          lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
        });
      default:
        if (connection.close(CLOSE.normal, '')) this.disconnect(connection, CLOSE.normal, '');
        return { statusCode: 204, headers: [], body: Buffer.alloc(0) };
    }
  }

  /** Closes every connection (1001, going away), each running its `$disconnect`; resolves once they have run. */
  async closeAll(): Promise<void> {
    const pending: Array<Promise<void>> = [];
    for (const connection of this.connections.values()) {
      if (connection.close(CLOSE.goingAway, 'Going away')) this.disconnect(connection, CLOSE.goingAway, 'Going away');
      if (connection.disconnected) pending.push(connection.disconnected);
    }
    await Promise.all(pending);
  }

  private received(connection: Connection, chunk: Buffer): void {
    for (const event of connection.reader.push(chunk)) {
      switch (event.type) {
        case 'ping':
          connection.pong(event.data);
          break;
        case 'pong':
          break;
        case 'close':
          // The client's close frame is answered with the same code, then `$disconnect` runs with it.
          if (connection.close(event.code === CLOSE.noStatus ? CLOSE.normal : event.code, event.reason))
            this.disconnect(connection, event.code, event.reason);
          break;
        case 'error':
          if (connection.close(event.code, event.reason)) this.disconnect(connection, event.code, event.reason);
          this.options.onRequest?.({
            method: 'WS',
            path: connection.path,
            statusCode: event.code,
            durationMs: 0,
            note: `connection ${connection.ctx.connectionId} closed: ${event.reason}`,
          });
          break;
        case 'message':
          connection.lastActiveAt = Date.now();
          this.message(connection, event.data, event.binary).catch(() => undefined);
          break;
      }
    }
  }

  /** WS-2: a message runs the route it selects; a two-way route's answer goes back to the client. */
  private async message(connection: Connection, data: Buffer, binary: boolean): Promise<void> {
    const started = performance.now();
    const at = Date.now();
    const { ctx } = connection;
    const requestId = gatewayId();
    const trigger = connection.routes[0].trigger;
    // Routes are read afresh, as HTTP requests read them; the connection keeps its API.
    const current = (await this.options.routes()).filter(
      (r) => r.kind === 'websocket' && webSocketApiPath(r.trigger) === connection.path,
    );
    const routes = current.length > 0 ? current : connection.routes;
    const route = messageRoute(routes, trigger.routeSelectionExpression ?? '$request.body.action', { data, binary });
    const log = (statusCode: number, note?: string) =>
      this.options.onRequest?.({
        method: 'WS',
        path: connection.path,
        statusCode,
        durationMs: performance.now() - started,
        ...(route ? { functionName: route.functionName } : {}),
        note: `message on ${ctx.connectionId}${route ? ` -> ${route.path}` : ''}${note ? `: ${note}` : ''}`,
      });
    if (!route) {
      // API Gateway answers a message no route takes (and no `$default`) with this, on the connection.
      connection.send(Buffer.from(forbidden(ctx, requestId)), false);
      log(403, 'no route selected and no $default route');
      return;
    }
    const event = messageEvent(
      ctx,
      route.path,
      { data, binary, requestId, messageId: gatewayId(), at },
      trigger.stageVariables,
    );
    const exchange: HttpExchange = {
      integration: 'websocket',
      route: route.path,
      webSocket: { connectionId: ctx.connectionId, eventType: 'MESSAGE' },
      request: { method: 'WS', path: connection.path, ...recorded([], data, binary) },
    };
    await this.invoke(route, event, exchange, connection.storyId, (record) => {
      const durationMs = Math.round((performance.now() - started) * 100) / 100;
      if (record.status !== 'succeeded') {
        // WS-4: a failed integration is reported to the client whether or not the route is two-way.
        const text = Buffer.from(internalError(ctx, requestId));
        connection.send(text, false);
        log(500, 'the function failed');
        return { statusCode: 500, durationMs, ...recorded([], text, false), note: failureNote(record) };
      }
      if (!route.trigger.twoWay) {
        log(200);
        return {
          statusCode: 200,
          durationMs,
          headers: [],
          bodyBytes: 0,
          note: 'one-way route (no route response): the answer of the function is not sent to the client',
        };
      }
      const reply = replyOf(record.attempts.at(-1)?.result);
      if (reply) connection.send(reply.data, reply.binary);
      log(200);
      return { statusCode: 200, durationMs, ...recorded([], reply?.data ?? Buffer.alloc(0), reply?.binary ?? false) };
    });
  }

  /** WS-5: `$disconnect` runs once per connection, however it ended; its answer goes nowhere. */
  private disconnect(connection: Connection, code: number, reason: string): void {
    this.connections.delete(connection.ctx.connectionId);
    const route = connection.routes.find((r) => r.path === '$disconnect');
    if (!route) {
      connection.disconnected = Promise.resolve();
      return;
    }
    const started = performance.now();
    const requestId = gatewayId();
    const event = disconnectEvent(
      connection.ctx,
      { code, reason, requestId, at: Date.now(), host: connection.host },
      route.trigger.stageVariables,
    );
    const exchange: HttpExchange = {
      integration: 'websocket',
      route: '$disconnect',
      webSocket: { connectionId: connection.ctx.connectionId, eventType: 'DISCONNECT' },
      request: { method: 'WS', path: connection.path, headers: [], bodyBytes: 0 },
    };
    connection.disconnected = this.invoke(route, event, exchange, connection.storyId, (record) => ({
      statusCode: record.status === 'succeeded' ? 200 : 500,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      headers: [],
      bodyBytes: 0,
      note: `the connection closed with ${code}${reason ? ` (${reason})` : ''}: nothing goes back to the client`,
    })).then(
      () => undefined,
      () => undefined,
    );
  }

  /**
   * Invokes a route's function; `respond` makes the exchange's response from the finished record (called by an
   * engine in this process just before it saves the record, else right after the invocation).
   */
  private async invoke(
    route: HttpRoute,
    event: unknown,
    exchange: HttpExchange,
    parentRecordId: string | undefined,
    respond: (record: InvocationRecord) => ExchangeResponse,
  ): Promise<{ record?: InvocationRecord; response?: ExchangeResponse }> {
    let response: ExchangeResponse | undefined;
    const answer = (record: InvocationRecord) => (response ??= respond(record));
    const [record] = await this.options.engine.invoke(route.functionName, JSON.stringify(event), 'sync', {
      source: { type: 'apigateway', ...(parentRecordId ? { parentRecordId } : {}) },
      http: exchange,
      answer,
    });
    if (!record) return {};
    if (!record.http?.response) await this.options.engine.setHttpResponse(record.id, answer(record));
    return { record, response: response! };
  }
}

/** WS-4: `$connect` accepts unless the function fails or answers a status outside 2xx. */
function connectOutcome(
  record: InvocationRecord,
):
  | { refuse: false; headers: Array<[string, string]> }
  | { refuse: true; statusCode: number; body: string; note: string } {
  if (record.status !== 'succeeded')
    return {
      refuse: true,
      statusCode: 502,
      body: JSON.stringify({ message: 'Internal server error' }),
      note: failureNote(record),
    };
  const result = record.attempts.at(-1)?.result;
  const obj =
    result !== null && typeof result === 'object' && !Array.isArray(result) ? (result as Record<string, unknown>) : {};
  const status = typeof obj.statusCode === 'number' ? obj.statusCode : Number(obj.statusCode ?? 200);
  const headers: Array<[string, string]> = [];
  const declared = obj.headers;
  if (declared && typeof declared === 'object')
    for (const [k, v] of Object.entries(declared as Record<string, unknown>))
      if (typeof v === 'string' || typeof v === 'number') headers.push([k, String(v)]);
  if (Number.isInteger(status) && status >= 200 && status < 300) return { refuse: false, headers };
  const code = Number.isInteger(status) && status >= 100 && status <= 599 ? status : 502;
  const body =
    typeof obj.body === 'string' ? obj.body : JSON.stringify({ message: http.STATUS_CODES[code] ?? 'Error' });
  return { refuse: true, statusCode: code, body, note: `$connect answered ${code}: the connection is refused` };
}

/**
 * WS-4: what a two-way route sends back: the `body` of a `{statusCode, body}` answer (binary when
 * `isBase64Encoded`), a string as it is, any other value as JSON; nothing for `null` or an answer without a body.
 */
function replyOf(result: unknown): { data: Buffer; binary: boolean } | undefined {
  if (result === null || result === undefined) return undefined;
  if (typeof result === 'string') return { data: Buffer.from(result), binary: false };
  if (typeof result === 'object' && !Array.isArray(result) && ('statusCode' in result || 'body' in result)) {
    const o = result as Record<string, unknown>;
    if (o.body === undefined || o.body === null) return undefined;
    const text = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    return o.isBase64Encoded === true
      ? { data: Buffer.from(text, 'base64'), binary: true }
      : { data: Buffer.from(text), binary: false };
  }
  return { data: Buffer.from(JSON.stringify(result)), binary: false };
}

function failureNote(record: InvocationRecord): string {
  const attempt = record.attempts.at(-1);
  const error =
    attempt?.error ??
    (record.response
      ? { errorType: record.response.errorType ?? 'Error', errorMessage: record.response.errorMessage ?? '' }
      : undefined);
  return error ? `function error ${error.errorType}: ${error.errorMessage}` : 'the function failed';
}
