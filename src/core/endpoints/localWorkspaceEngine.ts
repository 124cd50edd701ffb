/**
 * The WorkspaceEngine of a LocalAccount this process holds: what the CLI uses on a store it opened itself, and what
 * the engine endpoint serves to other processes.
 */
import type { AwsEndpointInfo } from './aws/awsEndpoint';
import {
  AccountRequestError,
  type InvocationMode,
  type LocalAccount,
  type SyncRequestOptions,
} from '../account/localAccount';
import type { FunctionConfig } from '../discovery/functionConfig';
import type { InjectedFaults } from '../invoke/engineContext';
import type { QueueSummary } from '../services/localServices';
import type { HttpExchange, InvocationRecord } from '../invoke/invocationRecord';
import type { SendMessageInput, SqsMessage } from '../services/sqsQueue';
import type { CallbackOutcome, RedriveResult, SendResult, WorkspaceEngine } from './workspaceEngine';
import type { DurableExecution } from '../invoke/durable/durableExecution';
import { DurableServiceError, type ErrorObject } from '../invoke/durable/durableWire';
import { wireEvent, wireExecution, wireListEntry } from './aws/durableApi';

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class LocalWorkspaceEngine implements WorkspaceEngine {
  constructor(readonly account: LocalAccount) {}

  private get engine() {
    return this.account.engine;
  }

  private get services() {
    return this.account.services;
  }

  functions(): Promise<FunctionConfig[]> {
    return Promise.resolve(this.account.functions());
  }

  invoke(
    functionName: string,
    payloadJson: string,
    mode: InvocationMode,
    options: SyncRequestOptions & { faults?: InjectedFaults } = {},
  ): Promise<InvocationRecord[]> {
    return this.account.invoke(functionName, payloadJson, mode, options);
  }

  setHttpResponse(recordId: string, response: NonNullable<HttpExchange['response']>): Promise<void> {
    return this.engine.setHttpResponse(recordId, response);
  }

  awsEndpoint(): Promise<AwsEndpointInfo> {
    return this.account.awsEndpoint();
  }

  listQueues(): Promise<QueueSummary[]> {
    return Promise.resolve(this.services.listQueues());
  }

  peek(queue: string): Promise<SqsMessage[]> {
    // Through a promise, so that an unknown queue is a rejection like every other failure here.
    return Promise.resolve().then(() => this.services.queueMessages(this.queueNamed(queue).name));
  }

  async send(queue: string, input: SendMessageInput, options: { deliver: boolean }): Promise<SendResult> {
    const { name, arn } = this.queueNamed(queue);
    const before = this.recordIds();
    // Waiting for the delivery is a run: it follows again what earlier runs stopped following in that queue.
    if (options.deliver) this.engine.followAgain({ sourceArn: arn });
    let sent: SqsMessage;
    try {
      sent = await this.services.sendMessage(name, input);
    } catch (err) {
      throw new AccountRequestError(`cannot send to ${name}: ${message(err)}`);
    }
    return { message: sent, records: options.deliver ? await this.delivered(before) : [] };
  }

  async purge(queue: string): Promise<number> {
    return this.services.purgeQueue(this.queueNamed(queue).name);
  }

  async redrive(deadLetterQueue: string, options: { to?: string; deliver: boolean }): Promise<RedriveResult> {
    const dlq = this.queueNamed(deadLetterQueue).name;
    const to = options.to === undefined ? undefined : this.queueNamed(options.to).name;
    const targets = [...new Set(this.services.queueMessages(dlq).map((m) => to ?? m.deadLetterQueueSourceArn))];
    const before = this.recordIds();
    let moved: number;
    try {
      moved = await this.services.redriveDeadLetterQueue(dlq, to);
    } catch (err) {
      throw new AccountRequestError(`cannot redrive ${dlq}: ${message(err)}`);
    }
    return {
      moved,
      to: targets.map((t) => (t ? t.split(':').pop()! : '?')),
      records: options.deliver ? await this.delivered(before) : [],
    };
  }

  async replay(
    queue: string,
    messageId: string,
    functionName: string,
    mode: 'sync' | 'async',
  ): Promise<InvocationRecord> {
    const name = this.queueNamed(queue).name;
    const fn = this.account.function(functionName);
    if (!this.services.queueMessages(name).some((m) => m.messageId === messageId))
      throw new AccountRequestError(`Message ${messageId} is not in queue ${name}.`);
    const queued = await this.engine.replayMessage(name, messageId, fn.name, mode);
    await this.engine.runUntilIdle();
    return this.engine.record(queued.id) ?? queued;
  }

  errorsAfterResponse(): Promise<InvocationRecord[]> {
    return this.account.takeErrorsAfterResponse();
  }

  executions(functionName?: string): Promise<Array<Record<string, unknown>>> {
    return Promise.resolve().then(() => {
      const { durable } = this.engine;
      const list =
        functionName === undefined
          ? durable.all()
          : durable.list(this.account.function(functionName).name, { maxItems: '1000' }).executions;
      return list.map(wireListEntry);
    });
  }

  execution(ref: string): Promise<Record<string, unknown>> {
    return Promise.resolve().then(() => wireExecution(this.executionNamed(ref), true));
  }

  executionHistory(ref: string): Promise<Array<Record<string, unknown>>> {
    return Promise.resolve().then(() => this.executionNamed(ref).history.map(wireEvent));
  }

  async stopExecution(ref: string, error?: Record<string, unknown>): Promise<number> {
    const execution = this.executionNamed(ref);
    const { stopTimestamp } = this.durableCall(() =>
      this.engine.durable.stop(execution.arn, error as ErrorObject | undefined),
    );
    await this.engine.store.flush();
    return stopTimestamp;
  }

  async sendCallback(callbackId: string, outcome: CallbackOutcome): Promise<void> {
    const { durable } = this.engine;
    this.durableCall(() => {
      if (outcome.action === 'succeed') durable.callbackSuccess(callbackId, Buffer.from(outcome.result, 'utf8'));
      else if (outcome.action === 'fail') durable.callbackFailure(callbackId, outcome.error);
      else durable.callbackHeartbeat(callbackId);
    });
    await this.engine.store.flush();
  }

  /** An execution by ARN, id or name; an unknown one is bad input that names the ones there are. */
  private executionNamed(ref: string): DurableExecution {
    const found = this.engine.durable.find(ref);
    if (found) return found;
    const names = this.engine.durable.all().map((e) => e.name);
    throw new AccountRequestError(
      `No durable execution "${ref}" in this workspace (it has ${names.length ? names.join(', ') : 'none'}).`,
    );
  }

  /** The service's refusals (an unknown callback, one already completed) are the caller's mistake, said as such. */
  private durableCall<T>(call: () => T): T {
    try {
      return call();
    } catch (err) {
      if (err instanceof DurableServiceError) throw new AccountRequestError(err.message);
      throw err;
    }
  }

  runUntilIdle(): Promise<void> {
    return this.engine.runUntilIdle();
  }

  records(ids: readonly string[]): Promise<InvocationRecord[]> {
    return Promise.resolve(ids.flatMap((id) => this.engine.record(id) ?? []));
  }

  onRecord(listener: (record: InvocationRecord) => void): Promise<{ dispose(): void }> {
    return Promise.resolve(this.engine.onRecord(listener));
  }

  private queueNamed(nameOrArn: string): QueueSummary {
    const queues = this.services.listQueues();
    const queue = queues.find((q) => q.name === nameOrArn || q.arn === nameOrArn);
    if (!queue)
      throw new AccountRequestError(
        `No queue named "${nameOrArn}". Known queues: ${queues.map((q) => q.name).join(', ') || '(none)'}.`,
      );
    return queue;
  }

  private recordIds(): Set<string> {
    return new Set(this.engine.records().map((r) => r.id));
  }

  /** Runs the mappings until idle and returns the records they produced since `before`. */
  private async delivered(before: ReadonlySet<string>): Promise<InvocationRecord[]> {
    await this.engine.runUntilIdle();
    return this.engine.records().filter((r) => !before.has(r.id));
  }
}
