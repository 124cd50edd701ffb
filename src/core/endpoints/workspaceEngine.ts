/**
 * What a front (the CLI) needs of a workspace's engine. Two implementations: LocalWorkspaceEngine, over a LocalAccount
 * this process opened, and RemoteWorkspaceEngine, over the endpoint of the process that holds the workspace's engine
 * (a VS Code window). The endpoint serves a LocalWorkspaceEngine, so both answer every call the same way.
 */
import type { AwsEndpointInfo } from './aws/awsEndpoint';
import type { InvocationMode, SyncRequestOptions } from '../account/localAccount';
import type { FunctionConfig } from '../discovery/functionConfig';
import type { InjectedFaults } from '../invoke/engineContext';
import type { QueueSummary } from '../services/localServices';
import type { HttpExchange, InvocationRecord } from '../invoke/invocationRecord';
import type { SendMessageInput, SqsMessage } from '../services/sqsQueue';

/** DURABLE-3: what completes a pending callback: a result (JSON text), an error object, or a heartbeat. */
export type CallbackOutcome =
  { action: 'succeed'; result: string } | { action: 'fail'; error: Record<string, unknown> } | { action: 'heartbeat' };
export interface SendResult {
  message: SqsMessage;
  /** With `deliver`: the records the event source mappings produced until they were idle. */
  records: InvocationRecord[];
}

export interface RedriveResult {
  moved: number;
  /** The queues the messages went to, by name, once each. */
  to: string[];
  /** With `deliver`: the records the event source mappings produced until they were idle. */
  records: InvocationRecord[];
}

export interface WorkspaceEngine {
  /** The functions the engine runs (its discovery of the workspace). */
  functions(): Promise<FunctionConfig[]>;
  /**
   * Invokes a function the way its event source would (LocalAccount.invoke): the records once sync is answered,
   * async is done with its retries and deliveries, or a batch's mappings are idle. Bad input: AccountRequestError.
   * `source`, `http` and `responseStream` (sync only) are the HTTP front's; an engine in another process passes the
   * first two on and tells `responseStream` nothing (the front then sends the streamed body once it is complete).
   */
  invoke(
    functionName: string,
    payloadJson: string,
    mode: InvocationMode,
    options?: SyncRequestOptions & { faults?: InjectedFaults },
  ): Promise<InvocationRecord[]>;
  /** Adds the response the HTTP front's client got to the record of the request that invoked the function. */
  setHttpResponse(recordId: string, response: NonNullable<HttpExchange['response']>): Promise<void>;
  /** The engine's local AWS endpoint (handlers' SDK calls, scripts with `--endpoint-url`): address and key. */
  awsEndpoint(): Promise<AwsEndpointInfo>;
  /** Every queue (DLQs included) with its counts. */
  listQueues(): Promise<QueueSummary[]>;
  /** A queue's messages, without receiving them. */
  peek(queue: string): Promise<SqsMessage[]>;
  send(queue: string, message: SendMessageInput, options: { deliver: boolean }): Promise<SendResult>;
  /** Deletes every message of the queue; resolves with how many there were. */
  purge(queue: string): Promise<number>;
  /** SQS-3: moves a dead-letter queue's messages back to their source queue, or to `to`. */
  redrive(deadLetterQueue: string, options: { to?: string; deliver: boolean }): Promise<RedriveResult>;
  /** ASYNC-9: invokes a function with one queued message; resolves with its record once the engine is idle. */
  replay(queue: string, messageId: string, functionName: string, mode: 'sync' | 'async'): Promise<InvocationRecord>;
  /**
   * NODE-5: called by a front that is about to close the engine it opened: the errors its environments threw after a
   * response, added to the records of those attempts (LocalAccount.takeErrorsAfterResponse); resolves with the records
   * changed. An attached engine keeps its environments (the next invocation carries such an error): none.
   */
  errorsAfterResponse(): Promise<InvocationRecord[]>;
  /** DURABLE-11: the durable executions of a function (or of every function), oldest first, as the Lambda API lists them. */
  executions(functionName?: string): Promise<Array<Record<string, unknown>>>;
  /** An execution by ARN, id or name, as GetDurableExecution answers it (with its input and result). */
  execution(ref: string): Promise<Record<string, unknown>>;
  /** An execution's history events, oldest first, with their data. */
  executionHistory(ref: string): Promise<Array<Record<string, unknown>>>;
  /** Stops an execution (no change when it has ended); resolves with when it stopped (epoch ms). */
  stopExecution(ref: string, error?: Record<string, unknown>): Promise<number>;
  /** DURABLE-3: completes a callback (a result, JSON text, or an error) or sends its heartbeat. */
  sendCallback(callbackId: string, outcome: CallbackOutcome): Promise<void>;
  /** Runs the engine's clock until nothing is pending or in flight. */
  runUntilIdle(): Promise<void>;
  /** The records of the engine's history with these ids (unknown ids are left out). */
  records(ids: readonly string[]): Promise<InvocationRecord[]>;
  /** Calls `listener` with every record the engine saves from now on, created or changed (what a run is doing). */
  onRecord(listener: (record: InvocationRecord) => void): Promise<{ dispose(): void }>;
}
