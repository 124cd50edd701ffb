/** CORS as API Gateway, HTTP APIs and function URLs apply what a template configures. */
import type { HttpCors } from '../discovery/functionConfig';
import { headerValue, type HttpRequestData, type HttpResponseData } from './httpMessage';
import type { HttpRouteKind } from './httpRoutes';

/** A CORS preflight: OPTIONS with an Origin and the method the browser wants to use. */
export function isPreflight(request: HttpRequestData): boolean {
  return (
    request.method === 'OPTIONS' &&
    headerValue(request, 'origin') !== undefined &&
    headerValue(request, 'access-control-request-method') !== undefined
  );
}

function originAllowed(cors: HttpCors, origin: string | undefined): boolean {
  if (origin === undefined) return false;
  return cors.allowOrigins.some((o) => o === '*' || o.toLowerCase() === origin.toLowerCase());
}

function allowOriginValue(cors: HttpCors, origin: string): string {
  return cors.allowOrigins.includes('*') && !cors.allowCredentials ? '*' : origin;
}

/**
 * HTTP-11: preflights. A REST API answers OPTIONS with the mock integration SAM or the Serverless Framework adds:
 * 200 and the configured headers, as written, whatever the Origin. An HTTP API or a function URL answers 204 itself;
 * only an allowed Origin gets Access-Control-Allow-* headers (`*` for methods or headers echoes the request's).
 */
export function preflightResponse(kind: HttpRouteKind, cors: HttpCors, request: HttpRequestData): HttpResponseData {
  const origin = headerValue(request, 'origin')!;
  if (kind === 'rest') {
    const headers: Array<[string, string]> = [
      ['Access-Control-Allow-Origin', cors.allowOrigins[0] ?? '*'],
      ['Access-Control-Allow-Methods', cors.allowMethods.join(',') || '*'],
    ];
    if (cors.allowHeaders.length > 0) headers.push(['Access-Control-Allow-Headers', cors.allowHeaders.join(',')]);
    if (cors.allowCredentials) headers.push(['Access-Control-Allow-Credentials', 'true']);
    if (cors.maxAge !== undefined) headers.push(['Access-Control-Max-Age', String(cors.maxAge)]);
    headers.push(['Content-Type', 'application/json']);
    return { statusCode: 200, headers, body: Buffer.alloc(0) };
  }
  const headers: Array<[string, string]> = [];
  if (originAllowed(cors, origin)) {
    const requestedHeaders = headerValue(request, 'access-control-request-headers');
    const requestedMethod = headerValue(request, 'access-control-request-method')!;
    headers.push(['Access-Control-Allow-Origin', allowOriginValue(cors, origin)]);
    headers.push([
      'Access-Control-Allow-Methods',
      cors.allowMethods.includes('*') ? requestedMethod : cors.allowMethods.join(','),
    ]);
    const allowHeaders = cors.allowHeaders.includes('*') ? requestedHeaders : cors.allowHeaders.join(',');
    if (allowHeaders) headers.push(['Access-Control-Allow-Headers', allowHeaders]);
    if (cors.allowCredentials) headers.push(['Access-Control-Allow-Credentials', 'true']);
    if (cors.maxAge !== undefined) headers.push(['Access-Control-Max-Age', String(cors.maxAge)]);
    headers.push(['Vary', 'Origin']);
  }
  return { statusCode: 204, headers, body: Buffer.alloc(0) };
}

/**
 * HTTP-12: on other responses an HTTP API or a function URL adds Access-Control-Allow-Origin (and Expose-Headers,
 * Allow-Credentials) for an allowed Origin, replacing what the function set; a REST API adds nothing (its Lambda
 * proxy responses carry only the headers the function returns).
 */
export function withCorsHeaders(
  kind: HttpRouteKind,
  cors: HttpCors | undefined,
  request: HttpRequestData,
  response: HttpResponseData,
): HttpResponseData {
  if (!cors || kind === 'rest' || kind === 'alb') return response;
  const origin = headerValue(request, 'origin');
  if (!originAllowed(cors, origin)) return response;
  const headers = response.headers.filter(([n]) => !n.toLowerCase().startsWith('access-control-'));
  headers.push(['Access-Control-Allow-Origin', allowOriginValue(cors, origin!)]);
  if (cors.exposeHeaders.length > 0) headers.push(['Access-Control-Expose-Headers', cors.exposeHeaders.join(',')]);
  if (cors.allowCredentials) headers.push(['Access-Control-Allow-Credentials', 'true']);
  headers.push(['Vary', 'Origin']);
  return { ...response, headers };
}
