/** The event an Application Load Balancer sends a Lambda target. */
import type { AwsLocation } from '../awsLocation';
import {
  groupPairs,
  headerValue,
  isTextBody,
  lastValueHeaders,
  multiValueHeaders,
  queryPairs,
  type HttpRequestData,
} from './httpMessage';
import type { RouteMatch } from './httpRoutes';

/**
 * HTTP-5: an ALB passes the query string as it was received (not decoded) and lower-case header names; with the
 * target group's multi-value headers on it sends `multiValueHeaders` and `multiValueQueryStringParameters`
 * instead of the single-value forms (last value wins there). A body that is not text is base64-encoded; no body is "".
 */
export function albEvent(request: HttpRequestData, match: RouteMatch, location: AwsLocation): unknown {
  const trigger = match.route.trigger;
  const group = trigger.apiId ?? `${match.route.functionName}-tg`;
  const targetGroupArn = `arn:aws:elasticloadbalancing:${location.region}:${location.accountId}:targetgroup/${group.slice(0, 32)}/${'0'.repeat(16)}`;
  const pairs = queryPairs(request.rawQuery, false);
  const binary = request.body.length > 0 && !isTextBody(headerValue(request, 'content-type'), request.body);
  const multi = trigger.multiValueHeaders === true;
  return {
    requestContext: { elb: { targetGroupArn } },
    httpMethod: request.method,
    path: match.path,
    ...(multi
      ? {
          multiValueQueryStringParameters: groupPairs(pairs),
          multiValueHeaders: multiValueHeaders(request.headers, true),
        }
      : {
          queryStringParameters: Object.fromEntries(pairs),
          headers: lastValueHeaders(request.headers, true),
        }),
    body: request.body.toString(binary ? 'base64' : 'utf8'),
    isBase64Encoded: binary,
  };
}
