/**
 * The event of payload format 2.0: what an HTTP API sends its Lambda integration, and (with `$default` as its
 * route and stage) what a function URL sends its function.
 */
import { gatewayId, type GatewayEventContext } from './apiGatewayRestEvent';
import {
  gatewayTime,
  groupPairs,
  headerValue,
  isTextBody,
  multiValueHeaders,
  queryPairs,
  requestCookies,
  type HttpRequestData,
} from './httpMessage';
import type { RouteMatch } from './httpRoutes';

/**
 * HTTP-4: payload format 2.0. Header names are lower case and repeated headers are joined with commas, as are
 * repeated query parameters; cookies move from the Cookie header to `cookies`; a body that is not text is
 * base64-encoded; empty `queryStringParameters`, `pathParameters`, `stageVariables` and `cookies` are left out.
 */
export function httpApiEvent(
  request: HttpRequestData,
  match: RouteMatch,
  ctx: GatewayEventContext & { functionUrl?: { urlId: string; iam: boolean } },
): unknown {
  const { route } = match;
  const url = ctx.functionUrl;
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(
    multiValueHeaders(
      request.headers.filter(([n]) => n.toLowerCase() !== 'cookie'),
      true,
    ),
  ))
    headers[name] = values.join(',');
  const query = Object.fromEntries(
    Object.entries(groupPairs(queryPairs(request.rawQuery))).map(([k, v]) => [k, v.join(',')]),
  );
  const cookies = requestCookies(request);
  const routeKey = url || route.path === '$default' ? '$default' : `${route.method} ${route.path}`;
  const stage = url ? '$default' : (route.trigger.stage ?? '$default');
  const apiId = url ? url.urlId : gatewayId(route.trigger.apiId ?? route.functionName);
  const hasBody = request.body.length > 0;
  const binary = hasBody && !isTextBody(headerValue(request, 'content-type'), request.body);
  const authorizer =
    ctx.authorizer ??
    (url?.iam
      ? {
          iam: {
            accessKey: 'AKIAIOSFODNN7EXAMPLE',
            accountId: ctx.location.accountId,
            callerId: 'AIDAEXAMPLE',
            cognitoIdentity: null,
            principalOrgId: null,
            userArn: `arn:aws:iam::${ctx.location.accountId}:user/local`,
            userId: 'AIDAEXAMPLE',
          },
        }
      : undefined);
  const stageVariables = url ? undefined : route.trigger.stageVariables;
  return {
    version: '2.0',
    routeKey,
    rawPath: match.path,
    rawQueryString: request.rawQuery,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(!url && Object.keys(match.pathParameters).length > 0 ? { pathParameters: match.pathParameters } : {}),
    ...(stageVariables && Object.keys(stageVariables).length > 0 ? { stageVariables } : {}),
    requestContext: {
      accountId: url ? 'anonymous' : ctx.location.accountId,
      apiId,
      ...(authorizer ? { authorizer } : {}),
      domainName: url ? `${url.urlId}.lambda-url.${ctx.location.region}.on.aws` : ctx.host,
      domainPrefix: url ? url.urlId : ctx.host.split('.')[0].split(':')[0],
      http: {
        method: request.method,
        path: match.path,
        protocol: request.protocol,
        sourceIp: request.sourceIp,
        userAgent: headerValue(request, 'user-agent') ?? '',
      },
      requestId: request.requestId,
      routeKey,
      stage,
      // HTTP APIs write the time without a space before the zone; function URLs with one.
      time: url ? gatewayTime(request.receivedAt) : gatewayTime(request.receivedAt).replace(' ', ''),
      timeEpoch: request.receivedAt,
    },
    ...(hasBody ? { body: request.body.toString(binary ? 'base64' : 'utf8') } : {}),
    isBase64Encoded: binary,
  };
}
