/**
 * What the invocation engine reads of a function: a narrow view of discovery's FunctionConfig (the same object,
 * never a copy), and the engine's port to the runtime.
 */
import type { FunctionConfig } from '../discovery/functionConfig';
import type { InvokeOutcome, ResponseStreamListener } from '../runtime/outcome';

export type EngineFunction = Pick<
  FunctionConfig,
  | 'name'
  | 'physicalName'
  | 'timeout'
  | 'memorySize'
  | 'architecture'
  | 'reservedConcurrency'
  | 'deadLetterQueue'
  | 'eventInvokeConfig'
  | 'durableConfig'
  | 'triggers'
  | 'origins'
>;

/**
 * The engine's port to the runtime: runs one invocation of a function in an execution environment. `payloadJson` is
 * always JSON the engine produced or has parsed itself.
 */
export interface FunctionInvoker {
  invoke(
    functionName: string,
    payloadJson: string,
    opts: { requestId: string; signal?: AbortSignal; responseStream?: ResponseStreamListener },
  ): Promise<InvokeOutcome>;
  /**
   * How many invocations of the function the runtime runs at once (its execution environments); more wait for a free
   * one. Undefined: no limit the engine needs to know of.
   */
  concurrencyLimit?(functionName: string): number | undefined;
}
