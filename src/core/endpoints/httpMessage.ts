/**
 * An HTTP request as the front received it and a response as it sends it back: plain data, so that turning one into
 * a Lambda event and a handler's result into the other are pure functions, tested without a socket.
 */
import { isUtf8 } from 'node:buffer';
import { randomHex } from '../randomPool';

export interface HttpRequestData {
  /** Upper case. */
  method: string;
  /** The path as received (percent-encoded), without the query string. */
  path: string;
  /** The query string as received, without `?`. */
  rawQuery: string;
  /** Every header line in order, names as the client wrote them. */
  headers: Array<[name: string, value: string]>;
  body: Buffer;
  sourceIp: string;
  /** `HTTP/1.1` */
  protocol: string;
  /** Epoch ms at which the request arrived. */
  receivedAt: number;
  /** API Gateway's request id (a UUID). */
  requestId: string;
}

export interface HttpResponseData {
  statusCode: number;
  /** ALB: the `statusDescription` the handler gave (`200 OK`); the reason phrase of the status line. */
  statusMessage?: string;
  headers: Array<[name: string, value: string]>;
  body: Buffer;
}

/** The first value of a header, by case-insensitive name. */
export function headerValue(request: Pick<HttpRequestData, 'headers'>, name: string): string | undefined {
  const lower = name.toLowerCase();
  return request.headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}

/** The values of each header under its first spelling, in order (`multiValueHeaders`). */
export function multiValueHeaders(
  headers: ReadonlyArray<[string, string]>,
  lowerCase = false,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const spelling = new Map<string, string>();
  for (const [rawName, value] of headers) {
    const key = rawName.toLowerCase();
    const name = lowerCase ? key : (spelling.get(key) ?? rawName);
    spelling.set(key, name);
    (out[name] ??= []).push(value);
  }
  return out;
}

/** The last value of each header (API Gateway's `headers` of payload 1.0). */
export function lastValueHeaders(headers: ReadonlyArray<[string, string]>, lowerCase = false): Record<string, string> {
  return Object.fromEntries(
    Object.entries(multiValueHeaders(headers, lowerCase)).map(([name, values]) => [name, values[values.length - 1]]),
  );
}

/** Percent-decoding that keeps a malformed escape as written instead of throwing. */
export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The pairs of a query string; `decode` false keeps them as received (ALB). */
export function queryPairs(rawQuery: string, decode = true): Array<[string, string]> {
  if (rawQuery === '') return [];
  return rawQuery
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      const key = eq < 0 ? part : part.slice(0, eq);
      const value = eq < 0 ? '' : part.slice(eq + 1);
      return decode ? [safeDecode(key.replace(/\+/g, ' ')), safeDecode(value.replace(/\+/g, ' '))] : [key, value];
    });
}

export function groupPairs(pairs: ReadonlyArray<[string, string]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of pairs) (out[k] ??= []).push(v);
  return out;
}

/** The media type of a Content-Type value, lower case, without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Content that HTTP APIs, function URLs and ALB pass to the function as text; any other body arrives base64-encoded.
 * A request without a Content-Type is text when its bytes are valid UTF-8.
 */
export function isTextBody(contentType: string | undefined, body: Buffer): boolean {
  const type = mediaType(contentType);
  if (type === '') return isUtf8(body);
  return (
    type.startsWith('text/') ||
    /^application\/(json|xml|javascript|x-www-form-urlencoded|graphql|x-ndjson)$/.test(type) ||
    type.endsWith('+json') ||
    type.endsWith('+xml')
  );
}

/** REST APIs: a media type list entry matches exactly, or with wildcards (`image/*`, `*\/*`). */
export function matchesMediaType(patterns: readonly string[], contentType: string | undefined): boolean {
  const type = mediaType(contentType);
  if (type === '') return false;
  return patterns.some((pattern) => {
    const p = pattern.trim().toLowerCase();
    if (p === '*/*') return true;
    if (p.endsWith('/*')) return type.startsWith(p.slice(0, -1));
    return p === type;
  });
}

/** `12/Mar/2020:19:03:58 +0000`, API Gateway's request time. */
export function gatewayTime(epochMs: number): string {
  const d = new Date(epochMs);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(
    d.getUTCMinutes(),
  )}:${two(d.getUTCSeconds())} +0000`;
}

/** The cookies of the request's Cookie headers, one entry per `name=value`. */
export function requestCookies(request: Pick<HttpRequestData, 'headers'>): string[] {
  return request.headers
    .filter(([n]) => n.toLowerCase() === 'cookie')
    .flatMap(([, v]) => v.split(';'))
    .map((c) => c.trim())
    .filter(Boolean);
}

export function jsonResponse(statusCode: number, body: unknown, extra: Array<[string, string]> = []): HttpResponseData {
  return {
    statusCode,
    headers: [['Content-Type', 'application/json'], ...extra],
    body: Buffer.from(JSON.stringify(body)),
  };
}

/**
 * HTTP-3 HTTP-4: the headers the integration adds before the function sees a request: the client's address appended
 * to `X-Forwarded-For`, the port and scheme it connected to (the local ones: a handler that builds its own URLs
 * from them builds ones that work here), and an X-Ray trace header. Headers the client sent are kept.
 */
export function withForwardingHeaders(request: HttpRequestData, port: string): HttpRequestData {
  const has = (name: string) => request.headers.some(([n]) => n.toLowerCase() === name);
  const forwardedFor = request.headers.find(([n]) => n.toLowerCase() === 'x-forwarded-for');
  const headers = request.headers.filter(([n]) => n.toLowerCase() !== 'x-forwarded-for');
  headers.push(['X-Forwarded-For', forwardedFor ? `${forwardedFor[1]}, ${request.sourceIp}` : request.sourceIp]);
  if (!has('x-forwarded-port')) headers.push(['X-Forwarded-Port', port]);
  if (!has('x-forwarded-proto')) headers.push(['X-Forwarded-Proto', 'http']);
  if (!has('x-amzn-trace-id'))
    headers.push(['X-Amzn-Trace-Id', `Root=1-${Math.floor(request.receivedAt / 1000).toString(16)}-${randomHex(24)}`]);
  return { ...request, headers };
}
