/**
 * A handler's result (or its failure) turned into the HTTP response its integration returns: API Gateway REST and
 * HTTP APIs, function URLs and ALB each read the result their own way and answer failures with their own errors.
 */
import {
  headerValue,
  jsonResponse,
  matchesMediaType,
  type HttpRequestData,
  type HttpResponseData,
} from './httpMessage';
import type { HttpRoute } from './httpRoutes';

/** What came back from the function, as the integration sees it. */
export type IntegrationOutcome =
  | { kind: 'result'; result: unknown }
  /** The handler threw, timed out, ran out of memory or crashed. */
  | { kind: 'functionError' }
  /** Lambda refused the invocation with 429 (reserved concurrency). */
  | { kind: 'throttled' }
  /** Lambda could not run it (a 5xx of the Lambda service). */
  | { kind: 'serviceError' }
  /** API Gateway stopped waiting: the integration timeout passed. */
  | { kind: 'timeout' };

/** Why a result could not be used (said in the record and on the CLI's request line, never to the client). */
export class MalformedResultError extends Error {
  override readonly name = 'MalformedResultError';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function statusCodeOf(value: unknown): number {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 100 || n > 599)
    throw new MalformedResultError(`statusCode ${JSON.stringify(value)} is not an HTTP status code`);
  return n;
}

function headerText(name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new MalformedResultError(`header ${name} has a value that is not a string`);
}

function headerPairs(headers: unknown, multiValueHeaders: unknown): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const seen = new Set<string>();
  if (multiValueHeaders !== undefined && multiValueHeaders !== null) {
    if (!isObject(multiValueHeaders)) throw new MalformedResultError('multiValueHeaders is not an object');
    for (const [name, values] of Object.entries(multiValueHeaders)) {
      if (!Array.isArray(values)) throw new MalformedResultError(`multiValueHeaders.${name} is not a list`);
      for (const v of values) pairs.push([name, headerText(name, v)]);
      seen.add(name.toLowerCase());
    }
  }
  if (headers !== undefined && headers !== null) {
    if (!isObject(headers)) throw new MalformedResultError('headers is not an object');
    // Values given in multiValueHeaders win over the same header in headers.
    for (const [name, value] of Object.entries(headers))
      if (!seen.has(name.toLowerCase())) pairs.push([name, headerText(name, value)]);
  }
  return pairs;
}

function bodyOf(result: Record<string, unknown>, decode: boolean): Buffer {
  const body = result.body;
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body !== 'string') throw new MalformedResultError('body is not a string');
  return decode ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}

const hasHeader = (pairs: Array<[string, string]>, name: string) => pairs.some(([n]) => n.toLowerCase() === name);

/**
 * HTTP-7: payload 1.0 results: `{statusCode, headers, multiValueHeaders, body, isBase64Encoded}`. A REST API
 * decodes a base64 body only when the response's Content-Type or the request's Accept is one of its binary media
 * types (else the client gets the base64 text); an HTTP API always decodes it.
 */
function payload1Response(result: unknown, route: HttpRoute, request: HttpRequestData): HttpResponseData {
  if (!isObject(result)) throw new MalformedResultError('the result is not an object with a statusCode');
  const statusCode = statusCodeOf(result.statusCode);
  const headers = headerPairs(result.headers, result.multiValueHeaders);
  const base64 = result.isBase64Encoded === true;
  const contentType = headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1];
  const binaryTypes = route.trigger.binaryMediaTypes ?? [];
  const decode =
    base64 &&
    (route.kind !== 'rest' ||
      matchesMediaType(binaryTypes, contentType) ||
      matchesMediaType(binaryTypes, headerValue(request, 'accept')));
  const body = bodyOf(result, decode);
  if (!hasHeader(headers, 'content-type')) headers.push(['Content-Type', 'application/json']);
  return { statusCode, headers, body };
}

/**
 * HTTP-8: payload 2.0 results (HTTP APIs, function URLs). A result with a `statusCode` is read as
 * `{statusCode, headers, cookies, body, isBase64Encoded}`; any other JSON value is the body of a 200 with Content-Type
 * application/json (a string as it is, anything else as JSON text).
 */
function payload2Response(result: unknown): HttpResponseData {
  if (!isObject(result) || !('statusCode' in result)) {
    const text = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return { statusCode: 200, headers: [['Content-Type', 'application/json']], body: Buffer.from(text) };
  }
  const statusCode = statusCodeOf(result.statusCode);
  const headers = headerPairs(result.headers, undefined);
  if (result.cookies !== undefined && result.cookies !== null) {
    if (!Array.isArray(result.cookies)) throw new MalformedResultError('cookies is not a list');
    for (const c of result.cookies) headers.push(['Set-Cookie', headerText('Set-Cookie', c)]);
  }
  const body = bodyOf(result, result.isBase64Encoded === true);
  if (!hasHeader(headers, 'content-type')) headers.push(['Content-Type', 'application/json']);
  return { statusCode, headers, body };
}

/**
 * HTTP-9: ALB results: `statusCode` (and `statusDescription`, the reason phrase), `headers` or, with multi-value
 * headers on, `multiValueHeaders` only; `body`, `isBase64Encoded`.
 */
function albResponse(result: unknown, route: HttpRoute): HttpResponseData {
  if (!isObject(result)) throw new MalformedResultError('the result is not an object with a statusCode');
  const statusCode = statusCodeOf(result.statusCode);
  const multi = route.trigger.multiValueHeaders === true;
  const headers = multi ? headerPairs(undefined, result.multiValueHeaders) : headerPairs(result.headers, undefined);
  const description = typeof result.statusDescription === 'string' ? result.statusDescription : undefined;
  const statusMessage = description?.replace(/^\d{3}\s*/, '').trim();
  return {
    statusCode,
    ...(statusMessage ? { statusMessage } : {}),
    headers,
    body: bodyOf(result, result.isBase64Encoded === true),
  };
}

function albError(statusCode: number, reason: string): HttpResponseData {
  return {
    statusCode,
    headers: [['Content-Type', 'text/html']],
    body: Buffer.from(
      `<html>\r\n<head><title>${statusCode} ${reason}</title></head>\r\n<body>\r\n<center><h1>${statusCode} ${reason}</h1></center>\r\n</body>\r\n</html>\r\n`,
    ),
  };
}

/**
 * HTTP-10: what each integration answers when there is no usable result. REST APIs: 502
 * `{"message": "Internal server error"}` for a function error or a malformed result, 504 when the integration timeout
 * passes. HTTP APIs: 500 `{"message":"Internal Server Error"}`, 504 on timeout. Function URLs: 502. ALB: 502 Bad
 * Gateway (503 when throttled). Lambda's own throttling is 429 through API Gateway and function URLs.
 */
export function integrationError(
  route: HttpRoute,
  outcome: Exclude<IntegrationOutcome, { kind: 'result' }>,
): HttpResponseData {
  const kind = outcome.kind;
  switch (route.kind) {
    case 'rest':
      if (kind === 'timeout')
        return jsonResponse(504, { message: 'Endpoint request timed out' }, [
          ['x-amzn-ErrorType', 'InternalServerErrorException'],
        ]);
      if (kind === 'throttled') return jsonResponse(429, { message: 'Too Many Requests' });
      return jsonResponse(502, { message: 'Internal server error' }, [
        ['x-amzn-ErrorType', 'InternalServerErrorException'],
      ]);
    case 'http':
      if (kind === 'timeout') return jsonResponse(504, { message: 'Endpoint request timed out' });
      if (kind === 'throttled') return jsonResponse(429, { message: 'Too Many Requests' });
      return jsonResponse(500, { message: 'Internal Server Error' });
    case 'url':
      if (kind === 'throttled') return jsonResponse(429, { Message: 'Rate Exceeded.' });
      return { statusCode: 502, headers: [['Content-Type', 'text/plain']], body: Buffer.from('Internal Server Error') };
    case 'alb':
      return kind === 'throttled' ? albError(503, 'Service Temporarily Unavailable') : albError(502, 'Bad Gateway');
    case 'websocket':
      return jsonResponse(502, { message: 'Internal server error' });
  }
}

/** The response the client gets, and why the result was refused when it was. */
export function integrationResponse(
  route: HttpRoute,
  outcome: IntegrationOutcome,
  request: HttpRequestData,
): { response: HttpResponseData; problem?: string } {
  if (outcome.kind !== 'result') return { response: integrationError(route, outcome) };
  try {
    switch (route.kind) {
      case 'rest':
        return { response: payload1Response(outcome.result, route, request) };
      case 'http':
        return {
          response:
            (route.trigger.payloadFormatVersion ?? '2.0') === '1.0'
              ? payload1Response(outcome.result, route, request)
              : payload2Response(outcome.result),
        };
      case 'url':
        return { response: payload2Response(outcome.result) };
      case 'alb':
        return { response: albResponse(outcome.result, route) };
      case 'websocket':
        return { response: payload2Response(outcome.result) };
    }
  } catch (err) {
    if (!(err instanceof MalformedResultError)) throw err;
    return {
      response: integrationError(route, { kind: 'functionError' }),
      problem: `malformed result: ${err.message}`,
    };
  }
}
