/** What the runtime needs to know about a function to run it: a subset of discovery's FunctionConfig. */
import * as path from 'node:path';
import type { LogLevel } from './outcome';

export type NodeRuntimeId = 'nodejs18.x' | 'nodejs20.x' | 'nodejs22.x' | 'nodejs24.x';
export type PythonRuntimeId = 'python3.9' | 'python3.10' | 'python3.11' | 'python3.12' | 'python3.13';
export type RuntimeId = NodeRuntimeId | PythonRuntimeId;

export const NODE_RUNTIMES: readonly NodeRuntimeId[] = ['nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x'];
export const PYTHON_RUNTIMES: readonly PythonRuntimeId[] = [
  'python3.9',
  'python3.10',
  'python3.11',
  'python3.12',
  'python3.13',
];

export interface FunctionSpec {
  name: string;
  /** NODE-1 / PY-1 handler string, relative to codeRoot. */
  handler: string;
  runtime: RuntimeId;
  /** Absolute directory the handler path is resolved against (LAMBDA_TASK_ROOT). */
  codeRoot: string;
  /** SYNC-4: 1..900, default 3. */
  timeoutSeconds?: number;
  /** NODE-12: 128..10240, default 128. */
  memorySizeMB?: number;
  /** The function's own environment variables. */
  environment?: Record<string, string>;
  region?: string;
  accountId?: string;
  logFormat?: 'Text' | 'JSON';
  /** Application log level; honoured in the JSON log format (NODE-8). */
  logLevel?: LogLevel;
  /** Python only: the interpreter to run; detected from the workspace's virtualenv when absent. */
  pythonInterpreter?: string;
}

/** A FunctionSpec with every default applied; what the pool works with. */
export type ResolvedFunctionSpec = Required<Omit<FunctionSpec, 'logLevel' | 'pythonInterpreter'>> &
  Pick<FunctionSpec, 'logLevel' | 'pythonInterpreter'>;

/** Bad function configuration: the caller's mistake, reported before anything runs. */
export class InvalidFunctionSpecError extends Error {
  override readonly name = 'InvalidFunctionSpecError';
}

const LOG_LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

export function isNodeRuntime(runtime: RuntimeId): runtime is NodeRuntimeId {
  return (NODE_RUNTIMES as readonly string[]).includes(runtime);
}

/** Applies defaults and rejects values Lambda itself would reject, with a message naming the field. */
export function resolveFunctionSpec(spec: FunctionSpec): ResolvedFunctionSpec {
  const fail = (msg: string): never => {
    throw new InvalidFunctionSpecError(`Function ${JSON.stringify(spec?.name ?? '?')}: ${msg}`);
  };
  if (!spec || typeof spec !== 'object') fail('spec must be an object');
  if (typeof spec.name !== 'string' || !/^[A-Za-z0-9_-]{1,140}$/.test(spec.name))
    fail('name must be 1-140 letters, digits, hyphens or underscores');
  if (typeof spec.handler !== 'string' || spec.handler.length === 0 || spec.handler.length > 128)
    fail('handler must be a non-empty string of at most 128 characters');
  if (
    !(NODE_RUNTIMES as readonly string[]).includes(spec.runtime) &&
    !(PYTHON_RUNTIMES as readonly string[]).includes(spec.runtime)
  )
    fail(
      `unsupported runtime ${JSON.stringify(spec.runtime)} (supported: ${[...NODE_RUNTIMES, ...PYTHON_RUNTIMES].join(', ')})`,
    );
  if (typeof spec.codeRoot !== 'string' || !path.isAbsolute(spec.codeRoot)) fail('codeRoot must be an absolute path');
  const timeoutSeconds = spec.timeoutSeconds ?? 3;
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 900)
    fail(`timeoutSeconds must be an integer from 1 to 900, got ${String(spec.timeoutSeconds)}`);
  const memorySizeMB = spec.memorySizeMB ?? 128;
  if (!Number.isInteger(memorySizeMB) || memorySizeMB < 128 || memorySizeMB > 10240)
    fail(`memorySizeMB must be an integer from 128 to 10240, got ${String(spec.memorySizeMB)}`);
  const environment = spec.environment ?? {};
  for (const [k, v] of Object.entries(environment)) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(k)) fail(`environment variable name ${JSON.stringify(k)} is invalid`);
    if (typeof v !== 'string') fail(`environment variable ${k} must be a string`);
  }
  const logFormat = spec.logFormat ?? 'Text';
  if (logFormat !== 'Text' && logFormat !== 'JSON') fail(`logFormat must be Text or JSON`);
  if (spec.logLevel !== undefined && !LOG_LEVELS.includes(spec.logLevel))
    fail(`logLevel must be one of ${LOG_LEVELS.join(', ')}`);
  return {
    name: spec.name,
    handler: spec.handler,
    runtime: spec.runtime,
    codeRoot: path.resolve(spec.codeRoot),
    timeoutSeconds,
    memorySizeMB,
    environment,
    region: spec.region ?? 'us-east-1',
    accountId: spec.accountId ?? '123456789012',
    logFormat,
    logLevel: spec.logLevel,
    pythonInterpreter: spec.pythonInterpreter,
  };
}

export function functionArn(spec: ResolvedFunctionSpec): string {
  return `arn:aws:lambda:${spec.region}:${spec.accountId}:function:${spec.name}`;
}
