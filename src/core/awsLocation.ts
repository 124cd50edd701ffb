/**
 * Where the local account lives: one region and one account id, from the `lambdaTrigger.region` and
 * `lambdaTrigger.accountId` settings. Discovery (CloudFormation pseudo parameters, resource ARNs), the simulated
 * services (queue, topic and stream ARNs), the engine (function ARNs in records) and the runtime (AWS_REGION, the
 * context's invokedFunctionArn) all read the same value; DEFAULT_LOCATION is the only place that spells the defaults.
 */
export interface AwsLocation {
  readonly region: string;
  /** Twelve digits. */
  readonly accountId: string;
}

export const DEFAULT_LOCATION: AwsLocation = Object.freeze({ region: 'us-east-1', accountId: '123456789012' });

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ACCOUNT_ID = /^\d{12}$/;

/** What is wrong with a location, in words that name the setting; undefined when it is valid. */
export function locationProblem(location: AwsLocation): string | undefined {
  if (!REGION.test(location.region))
    return `region "${location.region}" is not an AWS Region code (for example us-east-1 or eu-west-2)`;
  if (!ACCOUNT_ID.test(location.accountId))
    return `account id "${location.accountId}" is not twelve digits (for example 123456789012)`;
  return undefined;
}

/** The location a setting asks for, or DEFAULT_LOCATION's value for a part that is missing or invalid. */
export function locationOf(settings: { region?: unknown; accountId?: unknown }): AwsLocation {
  const region =
    typeof settings.region === 'string' && REGION.test(settings.region) ? settings.region : DEFAULT_LOCATION.region;
  const accountId =
    typeof settings.accountId === 'string' && ACCOUNT_ID.test(settings.accountId)
      ? settings.accountId
      : DEFAULT_LOCATION.accountId;
  return { region, accountId };
}
