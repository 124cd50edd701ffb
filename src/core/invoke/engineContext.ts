/** What the invocation modes (sync, async, mappings) need from the engine that hosts them. */
import type { AwsLocation } from '../awsLocation';
import type { LocalServices } from '../services/localServices';
import type { DurableStore } from '../store/durableStore';
import type { EngineFunction, FunctionInvoker } from './engineFunction';
import type { FunctionConcurrency } from './functionAttempt';
import type { InvocationHistory } from './invocationHistory';
import type { InvocationRecord, RecordSource } from './invocationRecord';
import type { VirtualClock } from './virtualClock';
import type { DurableExecutions } from './durable/durableExecutions';

/** Faults a user can inject into an event to watch their handler's idempotency hold. */
export interface InjectedFaults {
  /** ASYNC-1: run the handler a second time with the same event and request id. */
  deliverTwice?: boolean;
  /** ASYNC-5: answer this many attempts with 429 before the function runs. */
  throttle?: number;
  /** ASYNC-5: answer this many attempts with a 5xx service error. */
  systemError?: number;
  /** ASYNC-6: behave as if the function's reserved concurrency were 0. */
  zeroConcurrency?: boolean;
}

export interface AsyncInvokeOptions {
  source?: RecordSource;
  faults?: InjectedFaults;
  /**
   * A refused event (ASYNC-2: too large, or not JSON) becomes a `rejected` record with its status code, as a
   * synchronous invocation answers, instead of a LambdaServiceError: for callers that report records (the fronts).
   */
  refusalAsRecord?: boolean;
  /** DURABLE-5: the execution name of a durable function's invocation (`X-Amz-Durable-Execution-Name`). */
  durableExecutionName?: string;
}

export interface EngineContext {
  readonly clock: VirtualClock;
  readonly store: DurableStore;
  readonly invoker: FunctionInvoker;
  readonly location: AwsLocation;
  readonly history: InvocationHistory;
  readonly concurrency: FunctionConcurrency;
  /** The simulated resources: sources of the mappings, targets of destinations and DLQs (one `deliver`). */
  readonly services: LocalServices;
  /**
   * Deliveries of one event a run follows when its source would retry it until it expires (followHorizon.ts); then
   * the mapping stops following it and leaves it in its source.
   */
  readonly followDeliveries: number;
  /** DURABLE-1..14: the executions of durable functions. */
  readonly durable: DurableExecutions;
  /** The function by name; a LambdaServiceError (404) for an unknown one. */
  functionOf(name: string): EngineFunction;
  /** Queues an async event (ASYNC-1) in the current store transaction. */
  enqueueAsync(functionName: string, payloadJson: string, options?: AsyncInvokeOptions): InvocationRecord;
}

export function faultNames(faults: InjectedFaults | undefined): string[] {
  if (!faults) return [];
  const names: string[] = [];
  if (faults.deliverTwice) names.push('deliverTwice');
  if (faults.throttle) names.push(`throttle x${faults.throttle}`);
  if (faults.systemError) names.push(`systemError x${faults.systemError}`);
  if (faults.zeroConcurrency) names.push('zeroConcurrency');
  return names;
}
