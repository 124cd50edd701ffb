/**
 * The events an API Gateway WebSocket API sends its Lambda proxy integrations (WS-3): CONNECT (with the upgrade
 * request's headers and query string), MESSAGE (the frame's body, base64 for a binary one) and DISCONNECT (the close
 * code and reason), and how a message picks its route (WS-2).
 */
import { randomBytes } from 'node:crypto';
import type { HttpRoute } from './httpRoutes';
import { gatewayTime, groupPairs, lastValueHeaders, multiValueHeaders, queryPairs } from './httpMessage';

/** What every event of one connection shares. */
export interface WebSocketConnectionContext {
  connectionId: string;
  /** Epoch ms. */
  connectedAt: number;
  apiId: string;
  stage: string;
  /** The host the client connected to (the handler's `https://${domainName}/${stage}` callback URL). */
  domainName: string;
  sourceIp: string;
  userAgent?: string;
}

/** API Gateway's ids (connection, request, message): 16 characters of base64 ending in `=`, safe in a URL path. */
export function gatewayId(): string {
  return randomBytes(11)
    .toString('base64')
    .replace(/[+/]/g, (c) => (c === '+' ? 'A' : 'B'));
}

function requestContext(
  ctx: WebSocketConnectionContext,
  routeKey: string,
  eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT',
  requestId: string,
  at: number,
): Record<string, unknown> {
  return {
    routeKey,
    eventType,
    extendedRequestId: requestId,
    requestTime: gatewayTime(at),
    messageDirection: 'IN',
    stage: ctx.stage,
    connectedAt: ctx.connectedAt,
    requestTimeEpoch: at,
    identity: { ...(ctx.userAgent !== undefined ? { userAgent: ctx.userAgent } : {}), sourceIp: ctx.sourceIp },
    requestId,
    domainName: ctx.domainName,
    connectionId: ctx.connectionId,
    apiId: ctx.apiId,
  };
}

/** `$connect`: the upgrade request's headers and query string, once. */
export function connectEvent(
  ctx: WebSocketConnectionContext,
  request: { headers: Array<[string, string]>; rawQuery: string; requestId: string; at: number },
  stageVariables: Record<string, string> | undefined,
): Record<string, unknown> {
  const query = queryPairs(request.rawQuery);
  return {
    headers: lastValueHeaders(request.headers),
    multiValueHeaders: multiValueHeaders(request.headers),
    ...(query.length > 0
      ? {
          queryStringParameters: Object.fromEntries(query),
          multiValueQueryStringParameters: groupPairs(query),
        }
      : {}),
    ...(stageVariables ? { stageVariables } : {}),
    requestContext: requestContext(ctx, '$connect', 'CONNECT', request.requestId, request.at),
    isBase64Encoded: false,
  };
}

/** A message routed to `routeKey`: a text frame's body as text, a binary one base64-encoded. */
export function messageEvent(
  ctx: WebSocketConnectionContext,
  routeKey: string,
  message: { data: Buffer; binary: boolean; requestId: string; messageId: string; at: number },
  stageVariables: Record<string, string> | undefined,
): Record<string, unknown> {
  return {
    ...(stageVariables ? { stageVariables } : {}),
    requestContext: {
      ...requestContext(ctx, routeKey, 'MESSAGE', message.requestId, message.at),
      messageId: message.messageId,
    },
    body: message.data.toString(message.binary ? 'base64' : 'utf8'),
    isBase64Encoded: message.binary,
  };
}

/** `$disconnect`: how the connection ended (the close frame's code and reason, 1006 without one). */
export function disconnectEvent(
  ctx: WebSocketConnectionContext,
  close: { code: number; reason: string; requestId: string; at: number; host: string },
  stageVariables: Record<string, string> | undefined,
): Record<string, unknown> {
  const headers: Array<[string, string]> = [
    ['Host', close.host],
    ['x-api-key', ''],
    ['X-Forwarded-For', ''],
    ['x-restapi', ''],
  ];
  return {
    headers: lastValueHeaders(headers),
    multiValueHeaders: multiValueHeaders(headers),
    ...(stageVariables ? { stageVariables } : {}),
    requestContext: {
      ...requestContext(ctx, '$disconnect', 'DISCONNECT', close.requestId, close.at),
      disconnectStatusCode: close.code,
      disconnectReason: close.reason,
    },
    isBase64Encoded: false,
  };
}

/**
 * WS-2: the route key a message selects with the API's route selection expression: `$request.body.<path>` (or
 * `${request.body.<path>}`) is read from the message parsed as JSON; any other expression is a constant key. A binary
 * message, a body that is not JSON, or a value that is missing or not a scalar selects nothing.
 */
export function selectedRouteKey(expression: string, message: { data: Buffer; binary: boolean }): string | undefined {
  const m = /^\$\{?request\.body\.([A-Za-z0-9_$.-]+?)\}?$/.exec(expression.trim());
  if (!m) return expression.trim() === '' ? undefined : expression.trim();
  if (message.binary) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(message.data.toString('utf8'));
  } catch {
    return undefined;
  }
  for (const key of m[1].split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : undefined;
}

/** The route a message goes to: the selected key's route, else `$default`, else none (API Gateway answers Forbidden). */
export function messageRoute(
  routes: readonly HttpRoute[],
  expression: string,
  message: { data: Buffer; binary: boolean },
): HttpRoute | undefined {
  const key = selectedRouteKey(expression, message);
  const special = new Set(['$connect', '$disconnect', '$default']);
  const chosen = key !== undefined && !special.has(key) ? routes.find((r) => r.path === key) : undefined;
  return chosen ?? routes.find((r) => r.path === '$default');
}
