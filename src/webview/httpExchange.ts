/**
 * The HTTP request and response of a record the HTTP front made: "Request" and "Response", each with its first
 * line, headers and body (text as text, base64 said as such). Everything is text nodes (dom.ts), never HTML.
 */
import type { HttpExchange, HttpMessageRecord } from '../core/invoke/invocationRecord';
import { h } from './dom';
import { formatMs, prettyBody } from './format';

const INTEGRATION: Record<string, string> = {
  rest: 'API Gateway REST API',
  http: 'API Gateway HTTP API',
  alb: 'Application Load Balancer',
  url: 'Function URL',
  websocket: 'API Gateway WebSocket API',
};

const WEBSOCKET_EVENT: Record<string, string> = {
  CONNECT: 'the client connects',
  MESSAGE: 'a message from the client',
  DISCONNECT: 'the connection closed',
};

function body(m: HttpMessageRecord): HTMLElement | null {
  if (m.body === undefined) return m.bodyBytes > 0 ? h('div', { class: 'muted' }, `${m.bodyBytes} bytes`) : null;
  const note =
    m.bodyEncoding === 'base64'
      ? `binary, ${m.bodyBytes} bytes, shown base64-encoded${m.truncated ? ' (first bytes only)' : ''}`
      : m.truncated
        ? `${m.bodyBytes} bytes, the first shown`
        : undefined;
  return h(
    'div',
    { class: 'http-body' },
    note ? h('div', { class: 'muted' }, note) : null,
    h('pre', { class: 'json' }, m.bodyEncoding === 'base64' ? m.body : prettyBody(m.body)),
  );
}

function message(title: string, firstLine: string, m: HttpMessageRecord, note?: string): HTMLElement {
  return h(
    'div',
    { class: 'http-message' },
    h('h4', {}, title),
    h('div', { class: 'http-first-line' }, firstLine),
    note ? h('div', { class: 'error-message' }, note) : null,
    m.headers.length > 0
      ? h(
          'table',
          { class: 'http-headers' },
          h(
            'tbody',
            {},
            m.headers.map(([name, value]) => h('tr', {}, h('th', {}, name), h('td', {}, value))),
          ),
        )
      : null,
    body(m),
  );
}

export function httpExchangeTitle(http: HttpExchange): string {
  if (http.webSocket) return `WebSocket: ${WEBSOCKET_EVENT[http.webSocket.eventType] ?? http.webSocket.eventType}`;
  return http.role === 'authorizer' ? 'HTTP request (Lambda authorizer)' : 'HTTP request and response';
}

export function renderHttpExchange(http: HttpExchange): HTMLElement {
  const r = http.request;
  const target = `${r.path}${r.query ? `?${r.query}` : ''}`;
  return h(
    'div',
    { class: 'http-exchange' },
    h(
      'div',
      { class: 'muted' },
      `${INTEGRATION[http.integration] ?? http.integration}, route ${http.route}` +
        (http.webSocket ? `, connection ${http.webSocket.connectionId}` : ''),
    ),
    message('Request', `${r.method} ${target}`, r),
    http.response
      ? message(
          http.webSocket && http.webSocket.eventType !== 'CONNECT' ? 'Sent back to the client' : 'Response',
          `${http.response.statusCode} after ${formatMs(http.response.durationMs)}`,
          http.response,
          http.response.note,
        )
      : h('div', { class: 'muted' }, 'No response yet.'),
  );
}
