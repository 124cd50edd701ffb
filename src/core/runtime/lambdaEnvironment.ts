/** The process environment of an execution environment: Lambda's reserved variables plus the function's own. */
import { randomHex } from '../randomPool';
import type { ResolvedFunctionSpec } from './functionSpec';
import { isNodeRuntime } from './functionSpec';

/** Parent variables a child may need to work at all; nothing else of the parent's environment leaks in. */
const PASS_THROUGH = ['PATH', 'HOME', 'TMPDIR', 'SYSTEMROOT', 'TEMP', 'TMP'];

/** NODE-8 / NODE-7: log stream name `YYYY/MM/DD/[$LATEST]<32 hex>`, one per environment. */
export function newLogStreamName(now = new Date()): string {
  const d = now.toISOString().slice(0, 10).replace(/-/g, '/');
  return `${d}/[$LATEST]${randomHex(32)}`;
}

/**
 * RUNTIME-3: the runner's own defaults, which a function's variables may override: the AWS SDKs skip the EC2
 * instance metadata service, so that a call without credentials fails at once with the SDK's own error instead of
 * waiting on a network that is not there (on Lambda the credentials are in the environment).
 */
const RUNNER_DEFAULTS: Record<string, string> = { AWS_EC2_METADATA_DISABLED: 'true' };

/**
 * How a handler's AWS SDK calls reach the local AWS endpoint (src/core/endpoints/aws/handlerCredentials.ts makes it):
 * endpoint variables a function's own may change, credentials it may not (reserved on Lambda), and a rewrite of
 * its variables' values (a local queue's URL points at the endpoint).
 */
export interface SdkAccess {
  endpoints: Record<string, string>;
  credentials: Record<string, string>;
  rewrite(value: string): string;
}

/**
 * NODE-7: the reserved variables; the function's own variables are applied first so reserved ones win, as in Lambda.
 * `runtime` holds what the runtime sets and a function may change (NODE_PATH, as Lambda sets it).
 */
export function lambdaEnvironment(
  spec: ResolvedFunctionSpec,
  logStreamName: string,
  parentEnv: NodeJS.ProcessEnv = process.env,
  runtime: Record<string, string> = {},
  sdk?: SdkAccess,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of PASS_THROUGH) {
    const v = parentEnv[k];
    if (v !== undefined) env[k] = v;
  }
  Object.assign(env, RUNNER_DEFAULTS, runtime, sdk?.endpoints);
  for (const [k, v] of Object.entries(spec.environment)) env[k] = sdk ? sdk.rewrite(v) : v;
  Object.assign(env, sdk?.credentials);
  Object.assign(env, {
    AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memorySize),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: spec.location.region,
    AWS_DEFAULT_REGION: spec.location.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
    AWS_LAMBDA_LOG_FORMAT: spec.logFormat,
    _HANDLER: spec.handler,
    LAMBDA_TASK_ROOT: spec.codeRoot,
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    _X_AMZN_TRACE_ID: '',
  });
  if (spec.logLevel) env.AWS_LAMBDA_LOG_LEVEL = spec.logLevel;
  if (!isNodeRuntime(spec.runtime)) {
    // PY-4: output must reach the engine unbuffered; the bootstrap replaces sys.stdout anyway.
    env.PYTHONUNBUFFERED = '1';
    env.PYTHONDONTWRITEBYTECODE = env.PYTHONDONTWRITEBYTECODE ?? '1';
  }
  return env;
}

/** `_X_AMZN_TRACE_ID` for one invocation, in X-Ray's header format. */
export function newTraceId(now = Date.now()): string {
  const epoch = Math.floor(now / 1000).toString(16);
  return `Root=1-${epoch}-${randomHex(24)};Parent=${randomHex(16)};Sampled=0;Lineage=1:${randomHex(8)}:0`;
}
