/** Public API of the runtime layer (execution environments). See README.md in this folder. */
export { EnvironmentPool, InvokeRequestError } from './environmentPool';
export type { EnvironmentPoolOptions, InvokeOptions } from './environmentPool';
export { NODE_BOOTSTRAP_FILE, PYTHON_BOOTSTRAP_FILE } from './executionEnvironment';
export type { DebugAttachInfo, DebugOptions } from './executionEnvironment';
export { InvalidFunctionSpecError, NODE_RUNTIMES, PYTHON_RUNTIMES, resolveFunctionSpec } from './functionSpec';
export type { FunctionSpec, RuntimeId, RuntimeSettings } from './functionSpec';
export { detectPythonInterpreter, resolvePythonInterpreter } from './pythonInterpreter';
export { RESPONSE_LIMIT_BYTES, SYNC_REQUEST_LIMIT_BYTES } from './payloadLimits';
export type * from './outcome';
export { RuntimeHosts } from './runtimeHosts';
export type { RuntimeHost, RuntimeHostPlan, RuntimeHostsOptions } from './runtimeHosts';
export type { RuntimeProgress, RuntimeProgressListener } from './runtimeProgress';
