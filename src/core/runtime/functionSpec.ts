/** What the runtime needs to know about a function to run it: a narrow view of discovery's FunctionConfig. */
import * as path from 'node:path';
import type { AwsLocation } from '../awsLocation';
import { RUNNABLE_RUNTIMES, runtimeSupport } from '../lambdaRuntimes';
import { deployedName, FUNCTION_NAME, LAMBDA_DEFAULTS, type FunctionConfig } from '../discovery/functionConfig';
import type { LogLevel } from './outcome';

/** RUNTIME-1: the runtimes the runner runs (see ../lambdaRuntimes.ts for every Lambda runtime identifier). */
export type NodeRuntimeId = 'nodejs18.x' | 'nodejs20.x' | 'nodejs22.x' | 'nodejs24.x';
export type PythonRuntimeId = 'python3.9' | 'python3.10' | 'python3.11' | 'python3.12' | 'python3.13' | 'python3.14';
export type RuntimeId = NodeRuntimeId | PythonRuntimeId;

export const NODE_RUNTIMES: readonly NodeRuntimeId[] = ['nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x'];
export const PYTHON_RUNTIMES: readonly PythonRuntimeId[] = [
  'python3.9',
  'python3.10',
  'python3.11',
  'python3.12',
  'python3.13',
  'python3.14',
];

/**
 * What the runtime needs of a function: a narrow view of discovery's FunctionConfig (the same object, never a copy).
 * Timeout, memory and environment default to Lambda's when a caller leaves them out (SYNC-4, NODE-12).
 */
export type FunctionSpec = Pick<FunctionConfig, 'name' | 'handler' | 'runtime' | 'codeRoot'> &
  Partial<
    Pick<FunctionConfig, 'physicalName' | 'timeout' | 'memorySize' | 'environment' | 'loggingConfig' | 'packageType'>
  >;

/** Settings of the local account every execution environment shares (not per function). */
export interface RuntimeSettings {
  /** AWS_REGION, AWS_DEFAULT_REGION and the context's invokedFunctionArn. */
  location: AwsLocation;
  /** The log format of functions whose own LoggingConfig sets none (NODE-8). */
  logFormat: 'Text' | 'JSON';
}

/** A FunctionSpec with every default applied and the account's settings; what an environment works with. */
export interface ResolvedFunctionSpec {
  /** The name the runner knows the function by (environments are pooled by it). */
  name: string;
  /** The name the function has in Lambda (its physical name, else `name`): the context's, the environment's, the ARN's. */
  functionName: string;
  handler: string;
  runtime: RuntimeId;
  codeRoot: string;
  /** Seconds. */
  timeout: number;
  /** MB. */
  memorySize: number;
  environment: Record<string, string>;
  location: AwsLocation;
  logFormat: 'Text' | 'JSON';
  /** Application log level; honoured in the JSON log format (NODE-8). */
  logLevel?: LogLevel;
}

/** Bad function configuration: the caller's mistake, reported before anything runs. */
export class InvalidFunctionSpecError extends Error {
  override readonly name = 'InvalidFunctionSpecError';
}

const LOG_LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

export function isNodeRuntime(runtime: RuntimeId): runtime is NodeRuntimeId {
  return (NODE_RUNTIMES as readonly string[]).includes(runtime);
}

/** RUNTIME-1: why a function cannot run here, in words (a container image, a Java runtime, a typo ...). */
function unrunnableReason(spec: FunctionSpec): string {
  if (spec.packageType === 'Image')
    return 'a container image function cannot run here (the runner runs Node.js and Python code, not images)';
  if (typeof spec.runtime !== 'string' || spec.runtime === '')
    return `no runtime is set (the runner runs ${RUNNABLE_RUNTIMES.join(', ')})`;
  const support = runtimeSupport(spec.runtime);
  return support.kind === 'runs' ? `runtime ${spec.runtime} is not runnable here` : support.reason;
}

/** Applies defaults and rejects values Lambda itself would reject, with a message naming the field. */
export function resolveFunctionSpec(spec: FunctionSpec, settings: RuntimeSettings): ResolvedFunctionSpec {
  const fail = (msg: string): never => {
    throw new InvalidFunctionSpecError(`Function ${JSON.stringify(spec?.name ?? '?')}: ${msg}`);
  };
  if (!spec || typeof spec !== 'object') fail('spec must be an object');
  if (typeof spec.name !== 'string' || !/^[A-Za-z0-9_-]{1,140}$/.test(spec.name))
    fail('name must be 1-140 letters, digits, hyphens or underscores');
  if (
    spec.physicalName !== undefined &&
    (typeof spec.physicalName !== 'string' || !FUNCTION_NAME.test(spec.physicalName))
  )
    fail('physical name must be 1-64 letters, digits, hyphens or underscores');
  if (
    !(NODE_RUNTIMES as readonly string[]).includes(spec.runtime) &&
    !(PYTHON_RUNTIMES as readonly string[]).includes(spec.runtime)
  )
    fail(unrunnableReason(spec));
  if (typeof spec.handler !== 'string' || spec.handler.length === 0 || spec.handler.length > 128)
    fail('handler must be a non-empty string of at most 128 characters');
  if (typeof spec.codeRoot !== 'string' || !path.isAbsolute(spec.codeRoot)) fail('codeRoot must be an absolute path');
  const timeout = spec.timeout ?? LAMBDA_DEFAULTS.timeout;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 900)
    fail(`timeout must be a whole number of seconds from 1 to 900, got ${String(spec.timeout)}`);
  const memorySize = spec.memorySize ?? LAMBDA_DEFAULTS.memorySize;
  if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10240)
    fail(`memory size must be a whole number of MB from 128 to 10240, got ${String(spec.memorySize)}`);
  const environment = spec.environment ?? {};
  for (const [k, v] of Object.entries(environment)) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(k)) fail(`environment variable name ${JSON.stringify(k)} is invalid`);
    if (typeof v !== 'string') fail(`environment variable ${k} must be a string`);
  }
  const logFormat = spec.loggingConfig?.logFormat ?? settings.logFormat;
  if (logFormat !== 'Text' && logFormat !== 'JSON') fail(`log format must be Text or JSON`);
  const logLevel = spec.loggingConfig?.applicationLogLevel;
  if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel))
    fail(`application log level must be one of ${LOG_LEVELS.join(', ')}`);
  return {
    name: spec.name,
    functionName: deployedName(spec),
    handler: spec.handler,
    runtime: spec.runtime as RuntimeId,
    codeRoot: path.resolve(spec.codeRoot),
    timeout,
    memorySize,
    environment,
    location: settings.location,
    logFormat,
    ...(logLevel ? { logLevel } : {}),
  };
}
