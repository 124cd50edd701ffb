/**
 * What a serverless.yml says about the HTTP doors of its functions beyond the route: `http` events' `cors` and
 * `authorizer`, `provider.httpApi.cors` and its `authorizers`, `alb` events' multi-value headers and priority, and a
 * function's `url`.
 */
import type { HttpAuthorizer, HttpCors, HttpTrigger } from './functionConfig';
import { optional, toBool, toNumber, toStringList, toText } from './eventSourceProperties';
import { functionUrlRoute } from './httpApiSettings';

type Json = Record<string, unknown>;
const asObject = (v: unknown): Json | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;

/** The headers the Serverless Framework allows with `cors: true` (an `http` event, `httpApi`, a function URL). */
const SERVERLESS_CORS_HEADERS = [
  'Content-Type',
  'X-Amz-Date',
  'Authorization',
  'X-Api-Key',
  'X-Amz-Security-Token',
  'X-Amz-User-Agent',
  'X-Amzn-Trace-Id',
];

/** `cors: true | {origin(s), headers, methods, allowCredentials, maxAge}` of an `http` event. */
export function restEventCors(value: unknown, method: string): HttpCors | undefined {
  const methods = method === 'ANY' ? ['*'] : ['OPTIONS', method];
  if (value === true || value === 'true')
    return {
      allowOrigins: ['*'],
      allowMethods: methods,
      allowHeaders: SERVERLESS_CORS_HEADERS,
      exposeHeaders: [],
      allowCredentials: false,
    };
  const o = asObject(value);
  if (!o) return undefined;
  const origins = toStringList(o.origins ?? o.origin);
  return {
    allowOrigins: origins.length > 0 ? origins : ['*'],
    allowMethods: o.methods !== undefined ? toStringList(o.methods).map((m) => m.toUpperCase()) : methods,
    allowHeaders: o.headers !== undefined ? toStringList(o.headers) : SERVERLESS_CORS_HEADERS,
    exposeHeaders: [],
    allowCredentials: toBool(o.allowCredentials, false),
    ...optional('maxAge', toNumber(o.maxAge)),
  };
}

/** `provider.httpApi.cors` and a function's `url.cors`: `true` or `{allowedOrigins, allowedHeaders, ...}`. */
export function httpApiCors(value: unknown): HttpCors | undefined {
  if (value === true || value === 'true')
    return {
      allowOrigins: ['*'],
      allowMethods: ['*'],
      allowHeaders: SERVERLESS_CORS_HEADERS,
      exposeHeaders: [],
      allowCredentials: false,
    };
  const o = asObject(value);
  if (!o) return undefined;
  return {
    allowOrigins: o.allowedOrigins !== undefined ? toStringList(o.allowedOrigins) : ['*'],
    allowMethods: o.allowedMethods !== undefined ? toStringList(o.allowedMethods).map((m) => m.toUpperCase()) : ['*'],
    allowHeaders: toStringList(o.allowedHeaders),
    exposeHeaders: toStringList(o.exposedResponseHeaders),
    allowCredentials: toBool(o.allowCredentials, false),
    ...optional('maxAge', toNumber(o.maxAge)),
  };
}

/**
 * An `http` event's `authorizer`: a function of the service by name, or `{name, type, identitySource,
 * identityValidationExpression}` (TOKEN by default, from the Authorization header). `functions` are the service's
 * function keys: an authorizer that names none of them runs nowhere locally.
 */
export function restEventAuthorizer(value: unknown, functions: ReadonlySet<string>): HttpAuthorizer | undefined {
  const o = asObject(value);
  const name = typeof value === 'string' ? value : toText(o?.name ?? o?.functionName, '');
  if (name === '' || name === 'aws_iam') return undefined;
  if (o && toText(o.type, '').toUpperCase() === 'COGNITO_USER_POOLS') return undefined;
  const type = toText(o?.type, 'token').toLowerCase() === 'request' ? 'request' : 'token';
  const sources = toStringList(o?.identitySource).flatMap((s) => s.split(',').map((x) => x.trim()));
  const validation = toText(o?.identityValidationExpression, '');
  return {
    name,
    ...optional('functionName', functions.has(name) ? name : undefined),
    type,
    payloadFormatVersion: '1.0',
    simpleResponses: false,
    identitySource: sources.length > 0 ? sources : type === 'token' ? ['method.request.header.Authorization'] : [],
    ...optional('validationExpression', validation || undefined),
  };
}

/** An `httpApi` event's `authorizer: {name}` (or the name), declared in `provider.httpApi.authorizers`. */
export function httpApiEventAuthorizer(
  value: unknown,
  declared: Json,
  functions: ReadonlySet<string>,
): HttpAuthorizer | undefined {
  const name = typeof value === 'string' ? value : toText(asObject(value)?.name, '');
  if (name === '') return undefined;
  const definition = asObject(declared[name]);
  if (!definition || toText(definition.type, '').toLowerCase() !== 'request') return undefined;
  const functionName = toText(definition.functionName, '');
  const version = toText(definition.payloadVersion, '2.0') === '1.0' ? '1.0' : '2.0';
  return {
    name,
    ...optional('functionName', functions.has(functionName) ? functionName : undefined),
    type: 'request',
    payloadFormatVersion: version,
    simpleResponses: version === '2.0' && toBool(definition.enableSimpleResponses, false),
    identitySource: toStringList(definition.identitySource),
  };
}

/** A function's `url: true | {authorizer, cors, invokeMode}`; undefined when it has none. */
export function functionUrl(value: unknown): HttpTrigger | undefined {
  if (value === undefined || value === null || value === false || value === 'false') return undefined;
  const o = asObject(value) ?? {};
  return functionUrlRoute('url', {
    invokeMode: toText(o.invokeMode, 'BUFFERED'),
    authType: toText(o.authorizer, '').toLowerCase() === 'aws_iam' ? 'AWS_IAM' : 'NONE',
    cors: httpApiCors(o.cors),
  });
}
