/**
 * The event API Gateway sends a Lambda proxy integration in payload format 1.0: REST APIs, and HTTP APIs whose
 * integration asks for 1.0.
 */
import { randomBytes } from 'node:crypto';
import type { AwsLocation } from '../awsLocation';
import {
  gatewayTime,
  groupPairs,
  headerValue,
  isTextBody,
  lastValueHeaders,
  matchesMediaType,
  multiValueHeaders,
  queryPairs,
  type HttpRequestData,
} from './httpMessage';
import type { RouteMatch } from './httpRoutes';

export interface GatewayEventContext {
  location: AwsLocation;
  /** The Host the client called: the event's `domainName`. */
  host: string;
  /** What the route's Lambda authorizer put in `requestContext.authorizer` (its context and principal). */
  authorizer?: Record<string, unknown>;
}

/** API Gateway's ids look like this: ten lower-case letters and digits. */
export function gatewayId(seed: string, length = 10): string {
  let hash = 0;
  for (const c of seed) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < length; i++) {
    out += alphabet[hash % alphabet.length];
    hash = (hash * 1103515245 + 12345) >>> 0;
  }
  return out;
}

function lastValues(grouped: Record<string, string[]>): Record<string, string> {
  return Object.fromEntries(Object.entries(grouped).map(([k, v]) => [k, v[v.length - 1]]));
}

const nullIfEmpty = <T extends object>(o: T): T | null => (Object.keys(o).length > 0 ? o : null);

/**
 * HTTP-3: payload format 1.0. `headers` and `queryStringParameters` keep the last value of each name, the
 * `multiValue` forms every value; absent ones are null. REST APIs pass a body base64-encoded only when its
 * Content-Type is one of the API's binary media types; HTTP APIs whenever it is not text.
 */
export function restApiEvent(request: HttpRequestData, match: RouteMatch, ctx: GatewayEventContext): unknown {
  const { route } = match;
  const rest = route.kind === 'rest';
  const trigger = route.trigger;
  const apiId = gatewayId(trigger.apiId ?? route.functionName);
  const stage = trigger.stage ?? (rest ? 'Prod' : '$default');
  const query = groupPairs(queryPairs(request.rawQuery));
  const contentType = headerValue(request, 'content-type');
  const binary = rest
    ? matchesMediaType(trigger.binaryMediaTypes ?? [], contentType)
    : !isTextBody(contentType, request.body);
  const hasBody = request.body.length > 0;
  const resource = rest ? route.path : route.path === '$default' ? '$default' : route.path;
  const userAgent = headerValue(request, 'user-agent') ?? null;
  const identity = {
    accessKey: null,
    accountId: null,
    caller: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp: request.sourceIp,
    user: null,
    userAgent,
    userArn: null,
    ...(rest ? { apiKey: null, apiKeyId: null, clientCert: null } : {}),
  };
  const routeKey = route.path === '$default' ? '$default' : `${route.method} ${route.path}`;
  const requestContext: Record<string, unknown> = {
    accountId: ctx.location.accountId,
    apiId,
    ...(ctx.authorizer ? { authorizer: ctx.authorizer } : {}),
    ...(rest ? { deploymentId: gatewayId(`${trigger.apiId ?? route.functionName}/${stage}`, 6) } : {}),
    domainName: ctx.host,
    domainPrefix: ctx.host.split('.')[0].split(':')[0],
    extendedRequestId: randomBytes(12).toString('base64url').slice(0, 16),
    httpMethod: request.method,
    identity,
    path: stage === '$default' ? match.path : `/${stage}${match.path}`,
    protocol: request.protocol,
    requestId: request.requestId,
    requestTime: gatewayTime(request.receivedAt),
    requestTimeEpoch: request.receivedAt,
    resourceId: rest ? gatewayId(`${route.functionName}${route.path}`, 6) : routeKey,
    resourcePath: resource,
    ...(rest ? {} : { routeKey }),
    stage,
  };
  return {
    ...(rest ? {} : { version: '1.0' }),
    resource,
    path: match.path,
    httpMethod: request.method,
    headers: nullIfEmpty(lastValueHeaders(request.headers)),
    multiValueHeaders: nullIfEmpty(multiValueHeaders(request.headers)),
    queryStringParameters: nullIfEmpty(lastValues(query)),
    multiValueQueryStringParameters: nullIfEmpty(query),
    pathParameters: nullIfEmpty(match.pathParameters),
    stageVariables:
      trigger.stageVariables && Object.keys(trigger.stageVariables).length > 0 ? trigger.stageVariables : null,
    requestContext,
    body: hasBody ? request.body.toString(binary ? 'base64' : 'utf8') : null,
    isBase64Encoded: hasBody && binary,
  };
}
