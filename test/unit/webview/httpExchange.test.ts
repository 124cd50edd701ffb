import * as assert from 'node:assert/strict';
import type { HttpExchange } from '../../../src/core/invoke/invocationRecord';
import { httpExchangeTitle, renderHttpExchange } from '../../../src/webview/httpExchange';

/** Just enough of the DOM for h(): elements with attributes and children, text nodes. */
class FakeElement {
  readonly attributes = new Map<string, string>();
  readonly children: Array<FakeElement | { data: string }> = [];
  constructor(readonly tag: string) {}
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, value);
  }
  appendChild<T extends FakeElement | { data: string }>(child: T): T {
    this.children.push(child);
    return child;
  }
}
const texts = (el: FakeElement | { data: string }): string[] =>
  'data' in el ? [el.data] : el.children.flatMap((c) => texts(c));
const tags = (el: FakeElement | { data: string }): string[] =>
  'data' in el ? [] : [el.tag, ...el.children.flatMap((c) => tags(c))];

describe('webview: the HTTP request and response of a record', () => {
  const saved = (globalThis as { document?: unknown }).document;
  before(() => {
    (globalThis as { document?: unknown }).document = {
      createElement: (tag: string) => new FakeElement(tag),
      createTextNode: (data: string) => ({ data }),
    };
  });
  after(() => {
    (globalThis as { document?: unknown }).document = saved;
  });

  const exchange: HttpExchange = {
    integration: 'http',
    route: 'GET /items/{id}',
    request: {
      method: 'GET',
      path: '/items/1',
      query: 'q=<b>',
      headers: [['X-Evil', '<img src=x onerror=alert(1)>']],
      bodyBytes: 0,
    },
    response: {
      statusCode: 500,
      durationMs: 12.5,
      headers: [['Content-Type', 'application/json']],
      body: '{"message":"Internal Server Error"}',
      bodyBytes: 35,
      note: 'malformed result: statusCode "x" is not an HTTP status code',
    },
  };

  it('shows Request and Response with their first lines, headers, body and note, all as text', () => {
    const el = renderHttpExchange(exchange) as unknown as FakeElement;
    const shown = texts(el);
    for (const expected of [
      'Request',
      'GET /items/1?q=<b>',
      'X-Evil',
      '<img src=x onerror=alert(1)>',
      'Response',
      '500 after 13 ms',
      'malformed result: statusCode "x" is not an HTTP status code',
    ])
      assert.ok(shown.includes(expected), `${expected} in ${JSON.stringify(shown)}`);
    assert.ok(!tags(el).includes('img'), 'a header value never becomes an element');
    assert.equal(httpExchangeTitle(exchange), 'HTTP request and response');
    assert.equal(httpExchangeTitle({ ...exchange, role: 'authorizer' }), 'HTTP request (Lambda authorizer)');
  });

  it('says a binary body is base64 and a response that is not there yet', () => {
    const el = renderHttpExchange({
      ...exchange,
      request: { ...exchange.request, body: 'iVBORw0=', bodyEncoding: 'base64', bodyBytes: 5 },
      response: undefined,
    }) as unknown as FakeElement;
    const shown = texts(el);
    assert.ok(shown.includes('binary, 5 bytes, shown base64-encoded'));
    assert.ok(shown.includes('iVBORw0='));
    assert.ok(shown.includes('No response yet.'));
  });
});
