/** The event a function URL sends its function: payload format 2.0 with `$default` route and stage. */
import type { AwsLocation } from '../awsLocation';
import { httpApiEvent } from './apiGatewayHttpEvent';
import { gatewayId } from './apiGatewayRestEvent';
import type { HttpRequestData } from './httpMessage';
import type { RouteMatch } from './httpRoutes';

/**
 * HTTP-6: a function URL's event is payload 2.0 whose `routeKey` and `stage` are `$default`, whose domain is
 * `<url-id>.lambda-url.<region>.on.aws` and whose `accountId` is `anonymous`; with AuthType AWS_IAM it carries the
 * caller's IAM identity under `requestContext.authorizer.iam`.
 */
export function functionUrlEvent(
  request: HttpRequestData,
  match: RouteMatch,
  location: AwsLocation,
  host: string,
): unknown {
  const urlId = gatewayId(`url:${match.route.functionName}`, 32);
  return httpApiEvent(request, match, {
    location,
    host,
    functionUrl: { urlId, iam: match.route.trigger.authType === 'AWS_IAM' },
  });
}
