/**
 * The WorkspaceEngine of a workspace folder in this window: each call goes to the folder's current local account
 * (opened on first use, re-opened when its functions or settings change), so a front that outlives one account,
 * such as the local HTTP API, always talks to the account the window shows. Work that runs handlers counts as
 * running (the status bar says so, and no account is re-opened under it).
 */
import type { InvocationMode, LocalAccount, SyncRequestOptions } from '../core/account/localAccount';
import type { FunctionConfig } from '../core/discovery/functionConfig';
import type { AwsEndpointInfo } from '../core/endpoints/aws/awsEndpoint';
import type { LocalWorkspaceEngine } from '../core/endpoints/localWorkspaceEngine';
import { engine } from './lazyModules';
import type { RedriveResult, SendResult, WorkspaceEngine } from '../core/endpoints/workspaceEngine';
import type { InjectedFaults } from '../core/invoke/engineContext';
import type { HttpExchange, InvocationRecord } from '../core/invoke/invocationRecord';
import type { QueueSummary } from '../core/services/localServices';
import type { SendMessageInput, SqsMessage } from '../core/services/sqsQueue';

/** What the engine needs of the window's runner. */
export interface FolderAccountAccess {
  /** The folder's account as it is now, without running anything. */
  account(root: string): Promise<LocalAccount>;
  /** Runs `work` on the folder's account, counted as a running invocation. */
  run<T>(root: string, work: (account: LocalAccount) => PromiseLike<T>): Promise<T>;
  /** Every record any of the window's accounts saves from now on. */
  onRecord(listener: (record: InvocationRecord) => void): { dispose(): void };
}

export class FolderEngine implements WorkspaceEngine {
  constructor(
    private readonly access: FolderAccountAccess,
    readonly root: string,
  ) {}

  private looking<T>(work: (engine: LocalWorkspaceEngine) => Promise<T>): Promise<T> {
    return this.access.account(this.root).then((account) => work(new (engine().LocalWorkspaceEngine)(account)));
  }

  private running<T>(work: (engine: LocalWorkspaceEngine) => Promise<T>): Promise<T> {
    return this.access.run(this.root, (account) => work(new (engine().LocalWorkspaceEngine)(account)));
  }

  functions(): Promise<FunctionConfig[]> {
    return this.looking((e) => e.functions());
  }

  invoke(
    functionName: string,
    payloadJson: string,
    mode: InvocationMode,
    options?: SyncRequestOptions & { faults?: InjectedFaults },
  ): Promise<InvocationRecord[]> {
    return this.running((e) => e.invoke(functionName, payloadJson, mode, options));
  }

  setHttpResponse(recordId: string, response: NonNullable<HttpExchange['response']>): Promise<void> {
    return this.looking((e) => e.setHttpResponse(recordId, response));
  }

  awsEndpoint(): Promise<AwsEndpointInfo> {
    return this.looking((e) => e.awsEndpoint());
  }

  listQueues(): Promise<QueueSummary[]> {
    return this.looking((e) => e.listQueues());
  }

  peek(queue: string): Promise<SqsMessage[]> {
    return this.looking((e) => e.peek(queue));
  }

  send(queue: string, message: SendMessageInput, options: { deliver: boolean }): Promise<SendResult> {
    return this.running((e) => e.send(queue, message, options));
  }

  executions(functionName?: string): Promise<Array<Record<string, unknown>>> {
    return this.looking((e) => e.executions(functionName));
  }

  execution(ref: string): Promise<Record<string, unknown>> {
    return this.looking((e) => e.execution(ref));
  }

  executionHistory(ref: string): Promise<Array<Record<string, unknown>>> {
    return this.looking((e) => e.executionHistory(ref));
  }

  stopExecution(ref: string, error?: Record<string, unknown>): Promise<number> {
    return this.looking((e) => e.stopExecution(ref, error));
  }

  sendCallback(callbackId: string, outcome: Parameters<WorkspaceEngine['sendCallback']>[1]): Promise<void> {
    return this.looking((e) => e.sendCallback(callbackId, outcome));
  }

  purge(queue: string): Promise<number> {
    return this.looking((e) => e.purge(queue));
  }

  redrive(deadLetterQueue: string, options: { to?: string; deliver: boolean }): Promise<RedriveResult> {
    return this.running((e) => e.redrive(deadLetterQueue, options));
  }

  replay(queue: string, messageId: string, functionName: string, mode: 'sync' | 'async'): Promise<InvocationRecord> {
    return this.running((e) => e.replay(queue, messageId, functionName, mode));
  }

  errorsAfterResponse(): Promise<InvocationRecord[]> {
    return this.looking((e) => e.errorsAfterResponse());
  }

  runUntilIdle(): Promise<void> {
    return this.running((e) => e.runUntilIdle());
  }

  records(ids: readonly string[]): Promise<InvocationRecord[]> {
    return this.looking((e) => e.records(ids));
  }

  onRecord(listener: (record: InvocationRecord) => void): Promise<{ dispose(): void }> {
    return Promise.resolve(this.access.onRecord(listener));
  }
}
