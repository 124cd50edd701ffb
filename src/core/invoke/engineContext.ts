/** What the invocation modes (sync, async, mappings) need from the engine that hosts them. */
import type { DurableStore } from '../store/durableStore';
import type { FunctionConcurrency } from './functionAttempt';
import type { FunctionInvoker, LambdaFunctionSettings } from './functionSettings';
import type { InvocationHistory } from './invocationHistory';
import type { DeliveryKind, DeliveryRecord, InvocationRecord, RecordSource } from './invocationRecord';
import type { AwsLocation } from '../resourceArn';
import type { MessageAttributeValue, SqsQueue } from './sqsQueue';
import type { VirtualClock } from './virtualClock';

export interface DeliveryInput {
  kind: DeliveryKind;
  condition: string;
  body: string;
  attributes?: Record<string, MessageAttributeValue & { StringValue: string }>;
  /** The function the delivery is about (EventBridge resources, S3 object keys). */
  functionName: string;
  /** ASYNC-8: picks the EventBridge detail-type. */
  success: boolean;
  /** The record the delivery belongs to (a function target's record points back to it). */
  recordId?: string;
  /** S3 object key prefix (default `aws/lambda/async/<function>`); mappings use `aws/lambda/<mapping>/<shard>`. */
  s3KeyPrefix?: string;
}

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
}

export interface EngineContext {
  readonly clock: VirtualClock;
  readonly store: DurableStore;
  readonly invoker: FunctionInvoker;
  readonly location: AwsLocation;
  readonly history: InvocationHistory;
  readonly concurrency: FunctionConcurrency;
  functionSettings(name: string): LambdaFunctionSettings;
  queue(arnOrName: string): SqsQueue;
  /** Delivers to a local target and returns the delivery as recorded (errors are recorded, never thrown). */
  deliver(targetArn: string, input: DeliveryInput): DeliveryRecord;
  /** Queues an async event (ASYNC-1) in the current store transaction. */
  enqueueAsync(functionName: string, payloadJson: string, options?: AsyncInvokeOptions): InvocationRecord;
  /** Tells the SQS mappings of a queue that messages may be waiting. */
  queueChanged(queue: SqsQueue): void;
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
