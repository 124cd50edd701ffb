/**
 * What a handler's process gets so that its AWS SDK calls reach the local endpoint: the endpoint for each simulated
 * service (`AWS_ENDPOINT_URL_<SERVICE ID>`, the variables of the SDKs' service-specific endpoints), and credentials.
 * By default those are the workspace's local key, and every other service goes to the endpoint too, which answers
 * at once that the runner does not simulate it (never a wait on the network). Opted in (the
 * `lambdaTrigger.awsCredentials` setting, the CLI's --aws-profile / --aws-credentials), handlers get the user's own
 * profile or credential variables instead, as the SAM CLI passes them: the simulated services still go to the local
 * endpoint (which then accepts the user's key too), every other service goes to AWS.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AwsEndpointInfo } from './awsEndpoint';
import type { EndpointKey } from './endpointKey';

/** none: the local key only; profile: the user's named profile; environment: the user's AWS_* credential variables. */
export type AwsCredentialsMode = { kind: 'none' } | { kind: 'profile'; profile: string } | { kind: 'environment' };

export const NO_CREDENTIALS: AwsCredentialsMode = Object.freeze({ kind: 'none' });

/** `"none"`, `"environment"` or `"profile:<name>"`; undefined for anything else. */
export function parseAwsCredentialsMode(value: unknown): AwsCredentialsMode | undefined {
  if (value === undefined || value === null || value === '' || value === 'none') return NO_CREDENTIALS;
  if (value === 'environment') return { kind: 'environment' };
  if (typeof value === 'string' && value.startsWith('profile:')) {
    const profile = value.slice('profile:'.length).trim();
    if (/^[\w.@+=,-]+$/.test(profile)) return { kind: 'profile', profile };
  }
  return undefined;
}

export function describeAwsCredentialsMode(mode: AwsCredentialsMode): string {
  switch (mode.kind) {
    case 'none':
      return 'none';
    case 'environment':
      return 'environment';
    case 'profile':
      return `profile:${mode.profile}`;
  }
}

/** The service ids of the simulated services, as their endpoint variables name them. */
export const SIMULATED_SERVICE_IDS = ['SQS', 'SNS', 'EVENTBRIDGE', 'KINESIS', 'LAMBDA'] as const;

const CALLER_TOKEN_PREFIX = 'LambdaTriggerRunner.';

/** The session token a function's environments sign with: it tells the endpoint which function is calling. */
export function callerToken(functionName: string): string {
  return `${CALLER_TOKEN_PREFIX}${Buffer.from(functionName, 'utf8').toString('base64url')}`;
}

export function callerOfToken(token: string): string | undefined {
  if (!token.startsWith(CALLER_TOKEN_PREFIX)) return undefined;
  const name = Buffer.from(token.slice(CALLER_TOKEN_PREFIX.length), 'base64url').toString('utf8');
  return /^[\w.-]{1,140}$/.test(name) ? name : undefined;
}

/** The variables of a handler's environment for its AWS SDK calls. */
export interface HandlerAwsAccess {
  /** Endpoint variables: defaults a function's own variables may change. */
  endpoints: Record<string, string>;
  /** Credentials: reserved, as on Lambda (a function cannot set them). */
  credentials: Record<string, string>;
  /** A variable's value with a local queue's URL made to point at the endpoint (the SDK sends to a queue's URL). */
  rewrite(value: string): string;
}

const CREDENTIAL_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;

/** The user's own key, when the mode passes one the endpoint can check (their variables, a profile's static key). */
export function passedKeyOf(mode: AwsCredentialsMode, userEnv: NodeJS.ProcessEnv): EndpointKey | undefined {
  if (mode.kind === 'environment') {
    const id = userEnv.AWS_ACCESS_KEY_ID;
    const secret = userEnv.AWS_SECRET_ACCESS_KEY;
    return id && secret ? { accessKeyId: id, secretAccessKey: secret } : undefined;
  }
  if (mode.kind === 'profile') return profileStaticKey(mode.profile, userEnv);
  return undefined;
}

/** A profile's static key in the shared credentials file (or the config file), if it has one. */
function profileStaticKey(profile: string, userEnv: NodeJS.ProcessEnv): EndpointKey | undefined {
  const home = userEnv.HOME ?? os.homedir();
  const files: Array<[string, string]> = [
    [userEnv.AWS_SHARED_CREDENTIALS_FILE ?? path.join(home, '.aws', 'credentials'), profile],
    [
      userEnv.AWS_CONFIG_FILE ?? path.join(home, '.aws', 'config'),
      profile === 'default' ? 'default' : `profile ${profile}`,
    ],
  ];
  for (const [file, section] of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const values = iniSection(text, section);
    const id = values.get('aws_access_key_id');
    const secret = values.get('aws_secret_access_key');
    if (id && secret) return { accessKeyId: id, secretAccessKey: secret };
  }
  return undefined;
}

function iniSection(text: string, section: string): Map<string, string> {
  const values = new Map<string, string>();
  let inside = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (header) {
      inside = header[1] === section;
      continue;
    }
    const eq = line.indexOf('=');
    if (inside && eq > 0) values.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
  }
  return values;
}

const QUEUE_URL = /^https:\/\/sqs\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/(\d{12})\/([\w.-]+)$/;

/**
 * The SDK variables of one function's environments. `localQueue` maps a queue name (a deployed one too) to the
 * local queue it stands for.
 */
export function handlerAwsAccess(options: {
  endpoint: AwsEndpointInfo;
  mode: AwsCredentialsMode;
  userEnv: NodeJS.ProcessEnv;
  functionName: string;
  localQueue: (name: string) => string | undefined;
  accountId: string;
}): HandlerAwsAccess {
  const { endpoint, mode, userEnv } = options;
  const endpoints: Record<string, string> = {};
  for (const id of SIMULATED_SERVICE_IDS) endpoints[`AWS_ENDPOINT_URL_${id}`] = endpoint.url;
  const credentials: Record<string, string> = {};
  const localKey = (): void => {
    // SDK-1: every other service answers from the endpoint too, at once, saying what it does not simulate.
    endpoints.AWS_ENDPOINT_URL = endpoint.url;
    credentials.AWS_ACCESS_KEY_ID = endpoint.accessKeyId;
    credentials.AWS_SECRET_ACCESS_KEY = endpoint.secretAccessKey;
    credentials.AWS_SESSION_TOKEN = callerToken(options.functionName);
  };
  // SDK-5: the user's own credentials, opted in.
  if (mode.kind === 'environment' && passedKeyOf(mode, userEnv)) {
    for (const name of CREDENTIAL_VARIABLES) {
      const value = userEnv[name];
      if (value) credentials[name] = value;
    }
  } else if (mode.kind === 'profile') {
    credentials.AWS_PROFILE = mode.profile;
    for (const name of ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'] as const) {
      const value = userEnv[name];
      if (value) credentials[name] = value;
    }
    // The AWS SDK for JavaScript v2 reads profiles of the config file only with this.
    credentials.AWS_SDK_LOAD_CONFIG = '1';
  } else localKey();
  return {
    endpoints,
    credentials,
    rewrite: (value) => {
      const m = QUEUE_URL.exec(value);
      const local = m ? options.localQueue(m[2]) : undefined;
      return local ? `${endpoint.url}/${options.accountId}/${local}` : value;
    },
  };
}
