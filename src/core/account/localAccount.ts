/**
 * A local AWS account: the workspace's functions (from discovery) running in execution environments (runtime)
 * under the invocation engine's semantics, with its queues, topics, buses and history in a durable store.
 * The CLI and the extension both use it, so both fronts produce the same InvocationRecords.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FunctionConfig } from '../discovery/functionConfig';
import type { FunctionInvoker } from '../invoke/functionSettings';
import { InvocationEngine } from '../invoke/invocationEngine';
import type { InvocationRecord } from '../invoke/invocationRecord';
import { DEFAULT_LOCATION, type AwsLocation } from '../invoke/resourceArn';
import { VirtualClock } from '../invoke/virtualClock';
import { EnvironmentPool, type FunctionSpec, type InvokeOutcome, type RuntimeId } from '../runtime';
import { DurableStore } from '../store/durableStore';
import { toEngineConfiguration } from './engineConfiguration';

export interface LocalAccountOptions {
  workspaceRoot: string;
  functions: readonly FunctionConfig[];
  /** dist/runtime: the Node and Python bootstraps. */
  bootstrapDir: string;
  /** Default `<workspaceRoot>/.lambda-trigger/store`. */
  storeDir?: string;
  location?: AwsLocation;
  /** Simulated seconds per wall second; Infinity (default) runs retries and visibility timeouts at once. */
  timeScale?: number;
  pythonInterpreter?: string;
  /** Node executable for the children (the extension host passes its own). */
  nodeExecutable?: string;
  logFormat?: 'Text' | 'JSON';
}

export type InvocationMode = 'sync' | 'async' | 'batch';

/** Thrown for requests the account cannot even start: unknown function, unsupported runtime, bad payload. */
export class AccountRequestError extends Error {
  override readonly name = 'AccountRequestError';
}

/** Runs a function by name through the environment pool (the engine's runtime port). */
class PoolInvoker implements FunctionInvoker {
  constructor(
    private readonly pool: EnvironmentPool,
    private readonly specs: ReadonlyMap<string, FunctionSpec>,
  ) {}

  invoke(
    functionName: string,
    payloadJson: string,
    opts: { requestId: string; signal?: AbortSignal },
  ): Promise<InvokeOutcome> {
    const spec = this.specs.get(functionName);
    if (!spec) return Promise.reject(new AccountRequestError(`No function named "${functionName}" in this workspace.`));
    return this.pool.invoke(spec, payloadJson, opts);
  }
}

export function functionSpecOf(
  fn: FunctionConfig,
  location: AwsLocation,
  options: Pick<LocalAccountOptions, 'pythonInterpreter' | 'logFormat'> = {},
): FunctionSpec {
  return {
    name: fn.name,
    handler: fn.handler,
    runtime: fn.runtime as RuntimeId,
    codeRoot: fn.codeRoot,
    timeoutSeconds: fn.timeout,
    memorySizeMB: fn.memorySize,
    environment: fn.environment,
    region: location.region,
    accountId: location.accountId,
    ...(options.logFormat ? { logFormat: options.logFormat } : {}),
    ...(options.pythonInterpreter ? { pythonInterpreter: options.pythonInterpreter } : {}),
  };
}

export class LocalAccount {
  private constructor(
    readonly engine: InvocationEngine,
    readonly pool: EnvironmentPool,
    private readonly functionsByName: ReadonlyMap<string, FunctionConfig>,
    readonly location: AwsLocation,
  ) {}

  static async open(options: LocalAccountOptions): Promise<LocalAccount> {
    const location = options.location ?? DEFAULT_LOCATION;
    const byName = new Map<string, FunctionConfig>();
    for (const fn of options.functions) if (!byName.has(fn.name)) byName.set(fn.name, fn);
    const specs = new Map([...byName.values()].map((fn) => [fn.name, functionSpecOf(fn, location, options)]));
    const storeDir = options.storeDir ?? path.join(options.workspaceRoot, '.lambda-trigger', 'store');
    fs.mkdirSync(storeDir, { recursive: true });
    const store = await DurableStore.open(storeDir);
    const pool = new EnvironmentPool({
      bootstrapDir: options.bootstrapDir,
      workspaceRoot: options.workspaceRoot,
      ...(options.pythonInterpreter ? { pythonInterpreter: options.pythonInterpreter } : {}),
      ...(options.nodeExecutable ? { nodeExecutable: options.nodeExecutable } : {}),
    });
    try {
      const engine = new InvocationEngine({
        invoker: new PoolInvoker(pool, specs),
        store,
        configuration: toEngineConfiguration([...byName.values()], { workspaceRoot: options.workspaceRoot, location }),
        clock: new VirtualClock({ scale: options.timeScale ?? Number.POSITIVE_INFINITY }),
        location,
      });
      return new LocalAccount(engine, pool, byName, location);
    } catch (err) {
      pool.dispose();
      await store.close();
      throw err;
    }
  }

  functions(): FunctionConfig[] {
    return [...this.functionsByName.values()];
  }

  function(name: string): FunctionConfig {
    const fn = this.functionsByName.get(name);
    if (!fn) {
      const known = [...this.functionsByName.keys()];
      throw new AccountRequestError(
        `No function named "${name}". Known functions: ${known.length ? known.join(', ') : '(none)'}.`,
      );
    }
    return fn;
  }

  /**
   * Invokes `functionName` with `payload` the way its event source would: `sync` waits for the result, `async`
   * queues the event and waits until its retries, destinations and DLQ deliveries are done, `batch` sends the
   * records of an SQS event to the function's queue and waits until its mapping has drained it.
   */
  async invoke(
    functionName: string,
    payloadJson: string,
    mode: InvocationMode,
    options: { signal?: AbortSignal } = {},
  ): Promise<InvocationRecord[]> {
    const fn = this.function(functionName);
    switch (mode) {
      case 'sync':
        return [await this.engine.invokeSync(fn.name, payloadJson, options.signal ? { signal: options.signal } : {})];
      case 'async': {
        const queued = await this.engine.invokeAsync(fn.name, payloadJson);
        await this.engine.runUntilIdle();
        return [this.engine.record(queued.id) ?? queued];
      }
      case 'batch':
        return this.sendBatch(fn, payloadJson);
    }
  }

  private async sendBatch(fn: FunctionConfig, payloadJson: string): Promise<InvocationRecord[]> {
    const sqs = fn.triggers.find((t) => t.kind === 'sqs' && t.enabled);
    if (!sqs || sqs.kind !== 'sqs') {
      throw new AccountRequestError(
        `${fn.name} has no SQS trigger to send a batch through. Add an SQS event to its template (or lambda-trigger.json), or invoke it synchronously.`,
      );
    }
    const queueName = this.engine.listQueues().find((q) => q.name === (sqs.queue.name ?? sqs.queue.logicalId))?.name;
    if (!queueName) throw new AccountRequestError(`The queue of ${fn.name}'s SQS trigger is not configured locally.`);
    const messages = sqsMessagesOf(payloadJson);
    const before = new Set(this.engine.records().map((r) => r.id));
    await this.engine.sendMessages(queueName, messages);
    await this.engine.runUntilIdle();
    return this.engine.records().filter((r) => !before.has(r.id) && r.functionName === fn.name);
  }

  async dispose(): Promise<void> {
    this.pool.dispose();
    await this.engine.close();
  }
}

interface SqsEventRecord {
  body?: unknown;
  messageAttributes?: Record<string, { stringValue?: string; binaryValue?: string; dataType?: string }>;
  attributes?: { MessageGroupId?: string; MessageDeduplicationId?: string };
}

/** The messages of an SQS event (`{"Records": [...]}`), or the payload itself as one message body. */
export function sqsMessagesOf(payloadJson: string): Array<{
  body: string;
  messageAttributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
  messageGroupId?: string;
  messageDeduplicationId?: string;
}> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payloadJson);
  } catch (err) {
    throw new AccountRequestError(`The payload is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const records = (parsed as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records)) return [{ body: payloadJson }];
  return (records as SqsEventRecord[]).map((r, i) => {
    if (typeof r?.body !== 'string')
      throw new AccountRequestError(`Records[${i}].body must be a string (the SQS message body).`);
    const attributes = Object.entries(r.messageAttributes ?? {}).map(([name, a]) => [
      name,
      {
        DataType: a.dataType ?? 'String',
        ...(a.stringValue !== undefined ? { StringValue: a.stringValue } : {}),
        ...(a.binaryValue !== undefined ? { BinaryValue: a.binaryValue } : {}),
      },
    ]);
    return {
      body: r.body,
      ...(attributes.length
        ? { messageAttributes: Object.fromEntries(attributes) as Record<string, { DataType: string }> }
        : {}),
      ...(r.attributes?.MessageGroupId ? { messageGroupId: r.attributes.MessageGroupId } : {}),
      ...(r.attributes?.MessageDeduplicationId ? { messageDeduplicationId: r.attributes.MessageDeduplicationId } : {}),
    };
  });
}
