/**
 * Lambda authorizers as API Gateway runs them in front of a route: the event the authorizer function gets (TOKEN or
 * REQUEST, payload 1.0 or 2.0), and its answer (an IAM policy, or a simple `{isAuthorized}`) turned into a decision
 * and the context the integration then sees under `requestContext.authorizer`.
 */
import type { AwsLocation } from '../awsLocation';
import type { HttpAuthorizer } from '../discovery/functionConfig';
import { httpApiEvent } from './apiGatewayHttpEvent';
import { gatewayId, restApiEvent } from './apiGatewayRestEvent';
import {
  headerValue,
  jsonResponse,
  queryPairs,
  requestCookies,
  type HttpRequestData,
  type HttpResponseData,
} from './httpMessage';
import type { RouteMatch } from './httpRoutes';

export interface AuthorizerInput {
  request: HttpRequestData;
  match: RouteMatch;
  location: AwsLocation;
  host: string;
}

/** `arn:aws:execute-api:<region>:<account>:<api id>/<stage>/<METHOD>/<path>`: what a policy's Resource names. */
export function methodArn(input: AuthorizerInput): string {
  const { route } = input.match;
  const apiId = gatewayId(route.trigger.apiId ?? route.functionName);
  const stage = route.trigger.stage ?? (route.kind === 'rest' ? 'Prod' : '$default');
  const path = input.match.path.replace(/^\//, '');
  return `arn:aws:execute-api:${input.location.region}:${input.location.accountId}:${apiId}/${stage}/${input.request.method}/${path}`;
}

/** One identity source's value (`method.request.header.X`, `$request.querystring.q`, ...), if the request has it. */
function identityValue(source: string, input: AuthorizerInput): string | undefined {
  const m = /^\$?(?:method\.)?request\.(header|querystring|path)\.(.+)$/i.exec(source);
  if (m) {
    const [, where, name] = m;
    if (where.toLowerCase() === 'header') return headerValue(input.request, name);
    if (where.toLowerCase() === 'querystring') return queryPairs(input.request.rawQuery).find(([k]) => k === name)?.[1];
    return input.match.pathParameters[name];
  }
  const stageVariable = /^\$?stageVariables\.(.+)$/.exec(source)?.[1];
  if (stageVariable) return input.match.route.trigger.stageVariables?.[stageVariable];
  // $context.* values are always present.
  return /^\$?context\./.test(source) ? source : undefined;
}

export type AuthorizerRequest =
  | { kind: 'invoke'; event: unknown }
  /** Refused before the authorizer runs: a missing identity source, a token that fails its validation expression. */
  | { kind: 'refuse'; response: HttpResponseData; reason: string };

export const unauthorized = (): HttpResponseData => jsonResponse(401, { message: 'Unauthorized' });

/**
 * HTTP-13: the authorizer's event. A request that lacks one of the identity sources is answered 401 without calling
 * the function (so is a TOKEN that does not match its validation expression). TOKEN: `{type, authorizationToken,
 * methodArn}`; REQUEST (REST, HTTP API 1.0): the integration's 1.0 event with `type` and `methodArn`; HTTP API 2.0:
 * the 2.0 event with `type`, `routeArn` and `identitySource`.
 */
export function authorizerRequest(authorizer: HttpAuthorizer, input: AuthorizerInput): AuthorizerRequest {
  const values: string[] = [];
  for (const source of authorizer.identitySource) {
    const value = identityValue(source, input);
    if (value === undefined || value === '')
      return { kind: 'refuse', response: unauthorized(), reason: `the request has no ${source}` };
    values.push(value);
  }
  const arn = methodArn(input);
  if (authorizer.type === 'token') {
    const token = values[0] ?? '';
    if (authorizer.validationExpression !== undefined) {
      let valid = true;
      try {
        valid = new RegExp(`^(?:${authorizer.validationExpression})$`).test(token);
      } catch {
        valid = true; // an expression JavaScript cannot read is not checked locally
      }
      if (!valid)
        return {
          kind: 'refuse',
          response: unauthorized(),
          reason: 'the token does not match its validation expression',
        };
    }
    return { kind: 'invoke', event: { type: 'TOKEN', authorizationToken: token, methodArn: arn } };
  }
  const ctx = { location: input.location, host: input.host };
  if (authorizer.payloadFormatVersion === '2.0' && input.match.route.kind === 'http') {
    const event = httpApiEvent(input.request, input.match, ctx) as Record<string, unknown>;
    const { version, routeKey, rawPath, rawQueryString, ...rest } = event;
    delete rest.body;
    delete rest.isBase64Encoded;
    return {
      kind: 'invoke',
      event: {
        version,
        type: 'REQUEST',
        routeArn: arn,
        identitySource: values,
        routeKey,
        rawPath,
        rawQueryString,
        ...(requestCookies(input.request).length > 0 ? { cookies: requestCookies(input.request) } : {}),
        ...rest,
      },
    };
  }
  const event = restApiEvent(input.request, input.match, ctx) as Record<string, unknown>;
  delete event.body;
  delete event.isBase64Encoded;
  if (input.match.route.kind === 'http') {
    // An HTTP API's 1.0 authorizer event has the identity twice and no multi-value forms.
    delete event.multiValueHeaders;
    delete event.multiValueQueryStringParameters;
    delete event.version;
    const identity = values.join(',');
    return {
      kind: 'invoke',
      event: {
        version: '1.0',
        type: 'REQUEST',
        methodArn: arn,
        identitySource: identity,
        authorizationToken: identity,
        ...event,
      },
    };
  }
  return { kind: 'invoke', event: { type: 'REQUEST', methodArn: arn, ...event } };
}

export type AuthorizerDecision =
  { allow: true; context: Record<string, unknown> } | { allow: false; response: HttpResponseData; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `*` and `?` in an IAM policy Resource. */
function resourceMatches(pattern: string, arn: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return re.test(arn);
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** HTTP-14: an explicit Deny wins; else an Allow of `execute-api:Invoke` on the method's ARN allows; else deny. */
export function policyAllows(policy: unknown, arn: string): boolean {
  if (!isObject(policy)) return false;
  let allowed = false;
  for (const s of list(policy.Statement)) {
    if (!isObject(s)) continue;
    const actions = list(s.Action).map(String);
    if (!actions.some((a) => a === '*' || a === 'execute-api:*' || a.toLowerCase() === 'execute-api:invoke')) continue;
    if (
      !list(s.Resource)
        .map(String)
        .some((r) => resourceMatches(r, arn))
    )
      continue;
    if (s.Effect === 'Deny') return false;
    if (s.Effect === 'Allow') allowed = true;
  }
  return allowed;
}

const forbidden = (route: 'rest' | 'http'): HttpResponseData =>
  route === 'rest'
    ? jsonResponse(403, { Message: 'User is not authorized to access this resource with an explicit deny' })
    : jsonResponse(403, { message: 'Forbidden' });

const authorizerFailure = (route: 'rest' | 'http'): HttpResponseData =>
  route === 'rest' ? jsonResponse(500, { message: null }) : jsonResponse(500, { message: 'Internal Server Error' });

/**
 * HTTP-15: the authorizer's answer. Simple responses (HTTP API 2.0): `{isAuthorized, context}`. Otherwise an IAM
 * policy `{principalId, policyDocument, context}`, whose Deny gives 403. A TOKEN or REQUEST authorizer that fails
 * with the message `Unauthorized` gives 401; any other failure, or an answer of the wrong shape, 500. REST APIs put
 * the context's values (strings, numbers, booleans) beside `principalId` in `requestContext.authorizer`; HTTP APIs
 * under `authorizer.lambda`.
 */
export function authorizerDecision(
  authorizer: HttpAuthorizer,
  routeKind: 'rest' | 'http',
  outcome: { ok: true; result: unknown } | { ok: false; errorMessage: string },
  arn: string,
): AuthorizerDecision {
  if (!outcome.ok) {
    if (outcome.errorMessage === 'Unauthorized')
      return { allow: false, response: unauthorized(), reason: 'the authorizer answered Unauthorized' };
    return {
      allow: false,
      response: authorizerFailure(routeKind),
      reason: `the authorizer failed: ${outcome.errorMessage}`,
    };
  }
  const result = outcome.result;
  if (!isObject(result))
    return { allow: false, response: authorizerFailure(routeKind), reason: 'the authorizer did not answer an object' };
  const context = isObject(result.context) ? result.context : {};
  if (routeKind === 'rest' && Object.values(context).some((v) => typeof v === 'object' && v !== null))
    return {
      allow: false,
      response: authorizerFailure(routeKind),
      reason: 'the authorizer context holds an object or a list (REST APIs accept strings, numbers and booleans)',
    };
  if (authorizer.simpleResponses && routeKind === 'http') {
    if (typeof result.isAuthorized !== 'boolean')
      return { allow: false, response: authorizerFailure(routeKind), reason: 'isAuthorized is not true or false' };
    if (!result.isAuthorized) return { allow: false, response: forbidden(routeKind), reason: 'isAuthorized is false' };
    return { allow: true, context: { lambda: context } };
  }
  if (!isObject(result.policyDocument))
    return { allow: false, response: authorizerFailure(routeKind), reason: 'the answer has no policyDocument' };
  if (!policyAllows(result.policyDocument, arn))
    return { allow: false, response: forbidden(routeKind), reason: `the policy does not allow ${arn}` };
  const principalId = typeof result.principalId === 'string' ? result.principalId : undefined;
  if (routeKind === 'rest')
    return {
      allow: true,
      context: { ...context, ...(principalId !== undefined ? { principalId } : {}), integrationLatency: 0 },
    };
  return {
    allow: true,
    context: { lambda: context, ...(principalId !== undefined ? { principalId } : {}), integrationLatency: 0 },
  };
}
