/**
 * The WorkspaceEngine of another process: a client of the engine endpoint that process serves (engineEndpoint.ts),
 * found through the workspace's descriptor. Bad input comes back as AccountRequestError, as it does from a
 * LocalWorkspaceEngine; an engine that goes away or speaks another protocol version as EngineUnavailableError.
 */
import type { AwsEndpointInfo } from './aws/awsEndpoint';
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { AccountRequestError, type InvocationMode, type SyncRequestOptions } from '../account/localAccount';
import type { FunctionConfig } from '../discovery/functionConfig';
import type { InjectedFaults } from '../invoke/engineContext';
import type { QueueSummary } from '../services/localServices';
import type { HttpExchange, InvocationRecord } from '../invoke/invocationRecord';
import type { SendMessageInput, SqsMessage } from '../services/sqsQueue';
import { EngineProtocolError, EngineUnavailableError } from './endpointErrors';
import { readDescriptor, type EndpointDescriptor } from './endpointLocation';
import {
  DEFAULT_MAX_LINE_BYTES,
  describeHolder,
  ENGINE_PROTOCOL_VERSION,
  functionsRequest,
  handshakeAnswerShape,
  invokeRequest,
  httpResponseRequest,
  awsEndpointRequest,
  listQueuesRequest,
  peekRequest,
  protocolMajor,
  purgeRequest,
  listExecutionsRequest,
  getExecutionRequest,
  executionHistoryRequest,
  stopExecutionRequest,
  sendCallbackRequest,
  recordNotification,
  recordsRequest,
  redriveRequest,
  replayRequest,
  runUntilIdleRequest,
  sendRequest,
  serverMessageShape,
  subscribeRecordsRequest,
  type EngineErrorBody,
  type EngineHolder,
  type EngineRequestType,
  type HelloMessage,
  type RequestMessage,
  type WelcomeMessage,
} from './engineProtocol';
import { JsonLineChannel } from './jsonLineChannel';
import type { CallbackOutcome, RedriveResult, SendResult, WorkspaceEngine } from './workspaceEngine';

export interface ConnectOptions {
  /** Who is asking, as the engine's log says: "the lambda-trigger CLI". */
  client: string;
  /** The client's package version. */
  version: string;
  /** Default 3 s. */
  connectTimeoutMs?: number;
  /** How long the engine has to answer the hello (default 10 s). */
  handshakeTimeoutMs?: number;
  /** Bound on one line from the engine (default DEFAULT_MAX_LINE_BYTES). */
  maxLineBytes?: number;
}

const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Connects to the live engine serving `workspaceRoot`. Undefined when none does: no descriptor, or one whose
 * socket refuses connections (its process was killed; whoever opens the store next removes it). Throws
 * EngineUnavailableError when an engine is there but does not answer, or speaks another major protocol version.
 */
export async function connectToWorkspaceEngine(
  workspaceRoot: string,
  options: ConnectOptions,
): Promise<RemoteWorkspaceEngine | undefined> {
  const reading = readDescriptor(workspaceRoot);
  if (!reading.found || !('descriptor' in reading)) return undefined;
  const descriptor = reading.descriptor;
  const socket = await connectSocket(descriptor, options.connectTimeoutMs ?? 3000);
  if (!socket) return undefined;
  try {
    return await handshake(socket, descriptor, options);
  } catch (err) {
    socket.destroy();
    throw err;
  }
}

/** Resolves with the connected socket, or undefined when nothing listens there any more (stale). */
function connectSocket(descriptor: EndpointDescriptor, timeoutMs: number): Promise<net.Socket | undefined> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(descriptor.socket);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new EngineUnavailableError(
          `The engine of ${describeHolder(descriptor)} did not accept a connection on ${descriptor.socket} within ${timeoutMs} ms.`,
        ),
      );
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      // Until the channel takes the socket over (and records its errors), an error must not go unhandled.
      socket.on('error', () => undefined);
      resolve(socket);
    });
    socket.once('error', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(undefined);
    });
  });
}

function handshake(
  socket: net.Socket,
  descriptor: EndpointDescriptor,
  options: ConnectOptions,
): Promise<RemoteWorkspaceEngine> {
  const timeoutMs = options.handshakeTimeoutMs ?? 10_000;
  const who = describeHolder(descriptor);
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(
      () =>
        settle(() => reject(new EngineUnavailableError(`The engine of ${who} did not answer within ${timeoutMs} ms.`))),
      timeoutMs,
    );
    const engine = new RemoteWorkspaceEngine(socket, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, descriptor, {
      welcomed: () => settle(() => resolve(engine)),
      failed: (err) => settle(() => reject(err)),
    });
    engine.sendHello({
      type: 'hello',
      protocol: ENGINE_PROTOCOL_VERSION,
      client: options.client,
      version: options.version,
      pid: process.pid,
    });
  });
}

interface PendingRequest {
  method: string;
  resolve(result: unknown): void;
  reject(err: Error): void;
}

interface HandshakeListener {
  welcomed(holder: EngineHolder): void;
  failed(err: Error): void;
}

export class RemoteWorkspaceEngine implements WorkspaceEngine {
  private readonly channel: JsonLineChannel;
  private readonly pending = new Map<number, PendingRequest>();
  private readonly notifications = new EventEmitter();
  private nextId = 1;
  private welcomed: EngineHolder | undefined;
  private subscribed: Promise<unknown> | undefined;
  private closedError: Error | undefined;
  private readonly closed: Promise<void>;

  /** Use connectToWorkspaceEngine. */
  constructor(
    socket: net.Socket,
    maxLineBytes: number,
    private readonly descriptor: EndpointDescriptor,
    private handshakeListener: HandshakeListener | undefined,
  ) {
    let markClosed!: () => void;
    this.closed = new Promise((resolve) => (markClosed = resolve));
    this.channel = new JsonLineChannel(socket, maxLineBytes, {
      message: (value) => this.receive(value),
      malformed: (reason) => this.broken(`sent a line that is not JSON (${reason})`),
      oversize: (max) => this.broken(`sent a line longer than ${max} bytes`),
      closed: (error) => {
        const reason = new EngineUnavailableError(
          `The engine of ${describeHolder(this.holder)} closed the connection${error ? ` (${error.message})` : ''}`,
        );
        this.closedError ??= reason;
        this.handshakeListener?.failed(reason);
        this.handshakeListener = undefined;
        for (const [id, p] of this.pending) {
          this.pending.delete(id);
          p.reject(
            new EngineUnavailableError(
              `${reason.message} before answering ${p.method}; run the command again once it is back (what it had started goes on there).`,
            ),
          );
        }
        markClosed();
      },
    });
  }

  /** Who holds the engine (from the welcome; from the descriptor until then). */
  get holder(): EngineHolder | Pick<EngineHolder, 'owner' | 'pid' | 'version'> {
    return this.welcomed ?? this.descriptor;
  }

  /** The holder as the welcome described it. */
  get engineHolder(): EngineHolder {
    if (!this.welcomed) throw new Error('Not connected.');
    return this.welcomed;
  }

  sendHello(hello: HelloMessage): void {
    this.channel.send(hello);
  }

  functions(): Promise<FunctionConfig[]> {
    return this.request(functionsRequest, {});
  }

  invoke(
    functionName: string,
    payloadJson: string,
    mode: InvocationMode,
    options: SyncRequestOptions & { faults?: InjectedFaults } = {},
  ): Promise<InvocationRecord[]> {
    // A streamed response reaches this process with the record, whole (the protocol carries no chunks).
    return this.request(invokeRequest, {
      functionName,
      payloadJson,
      mode,
      ...(options.faults ? { faults: options.faults } : {}),
      ...(options.source ? { source: options.source } : {}),
      ...(options.http ? { http: options.http } : {}),
    });
  }

  async setHttpResponse(recordId: string, response: NonNullable<HttpExchange['response']>): Promise<void> {
    await this.request(httpResponseRequest, { recordId, response });
  }

  awsEndpoint(): Promise<AwsEndpointInfo> {
    return this.request(awsEndpointRequest, {});
  }

  listQueues(): Promise<QueueSummary[]> {
    return this.request(listQueuesRequest, {});
  }

  peek(queue: string): Promise<SqsMessage[]> {
    return this.request(peekRequest, { queue });
  }

  send(queue: string, message: SendMessageInput, options: { deliver: boolean }): Promise<SendResult> {
    return this.request(sendRequest, { queue, message, deliver: options.deliver });
  }

  executions(functionName?: string): Promise<Array<Record<string, unknown>>> {
    return this.request(listExecutionsRequest, functionName !== undefined ? { functionName } : {});
  }

  execution(ref: string): Promise<Record<string, unknown>> {
    return this.request(getExecutionRequest, { execution: ref });
  }

  executionHistory(ref: string): Promise<Array<Record<string, unknown>>> {
    return this.request(executionHistoryRequest, { execution: ref });
  }

  async stopExecution(ref: string, error?: Record<string, unknown>): Promise<number> {
    return (await this.request(stopExecutionRequest, { execution: ref, ...(error ? { error } : {}) })).stopTimestamp;
  }

  async sendCallback(callbackId: string, outcome: CallbackOutcome): Promise<void> {
    await this.request(sendCallbackRequest, { callbackId, ...outcome });
  }

  async purge(queue: string): Promise<number> {
    return (await this.request(purgeRequest, { queue })).purged;
  }

  redrive(deadLetterQueue: string, options: { to?: string; deliver: boolean }): Promise<RedriveResult> {
    return this.request(redriveRequest, {
      queue: deadLetterQueue,
      ...(options.to !== undefined ? { to: options.to } : {}),
      deliver: options.deliver,
    });
  }

  replay(queue: string, messageId: string, functionName: string, mode: 'sync' | 'async'): Promise<InvocationRecord> {
    return this.request(replayRequest, { queue, messageId, functionName, mode });
  }

  errorsAfterResponse(): Promise<InvocationRecord[]> {
    // The window keeps its environments: the next invocation carries what they throw after a response.
    return Promise.resolve([]);
  }

  async runUntilIdle(): Promise<void> {
    await this.request(runUntilIdleRequest, {});
  }

  records(ids: readonly string[]): Promise<InvocationRecord[]> {
    return this.request(recordsRequest, { ids: [...ids] });
  }

  /** Calls `listener` with every record the engine saves from now on (created or changed). */
  async onRecord(listener: (record: InvocationRecord) => void): Promise<{ dispose(): void }> {
    this.notifications.on(recordNotification.method, listener);
    try {
      await (this.subscribed ??= this.request(subscribeRecordsRequest, {}));
    } catch (err) {
      this.notifications.off(recordNotification.method, listener);
      throw err;
    }
    return { dispose: () => this.notifications.off(recordNotification.method, listener) };
  }

  /** Closes the connection; what was asked goes on in the engine. */
  async close(): Promise<void> {
    this.channel.end();
    const timer = setTimeout(() => this.channel.destroy(), 1000);
    try {
      await this.closed;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends one request and checks the shape of its result. */
  request<P, R>(type: EngineRequestType<P, R>, params: P): Promise<R> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { method: type.method, resolve, reject });
      this.channel.send({
        type: 'request',
        id,
        method: type.method,
        params: params as Record<string, unknown>,
      } satisfies RequestMessage);
    }).then((result) => {
      try {
        return type.result(result, `the result of ${type.method}`);
      } catch (err) {
        throw new EngineProtocolError(
          `The engine of ${describeHolder(this.holder)} answered ${type.method} with something else: ${errorMessage(err)}.`,
        );
      }
    });
  }

  private receive(value: unknown): void {
    if (!this.welcomed) {
      this.receiveHandshake(value);
      return;
    }
    let message;
    try {
      message = serverMessageShape(value, 'the message');
    } catch (err) {
      this.broken(`sent a message this client does not understand (${errorMessage(err)})`);
      return;
    }
    if (message.type === 'notification') {
      if (message.method !== recordNotification.method) return;
      try {
        this.notifications.emit(message.method, recordNotification.params(message.params, 'the record'));
      } catch {
        // A record this client cannot read is not pushed on; the requests go on.
      }
      return;
    }
    if (message.id === null) {
      this.broken(`could not read a request: ${message.error?.message ?? 'no reason given'}`);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.error) pending.reject(this.errorOf(pending.method, message.error));
    else pending.resolve(message.result);
  }

  private receiveHandshake(value: unknown): void {
    const listener = this.handshakeListener;
    this.handshakeListener = undefined;
    const ours = `this lambda-trigger speaks protocol ${ENGINE_PROTOCOL_VERSION}`;
    let answer;
    try {
      answer = handshakeAnswerShape(value, 'the answer to hello');
    } catch (err) {
      this.failHandshake(
        listener,
        new EngineProtocolError(
          `The endpoint of ${describeHolder(this.descriptor)} did not answer with a welcome (${errorMessage(err)}); ${ours}.`,
        ),
      );
      return;
    }
    if (answer.type === 'refused') {
      const advice =
        answer.reason === 'protocolVersion'
          ? ' Use the lambda-trigger of the same version as the extension that holds the engine (its dist/cli.js), or close that window to let this one open the store.'
          : '';
      this.failHandshake(listener, new EngineProtocolError(`${answer.message}${advice}`));
      return;
    }
    const welcome: WelcomeMessage = answer;
    if (protocolMajor(welcome.protocol) !== protocolMajor(ENGINE_PROTOCOL_VERSION)) {
      this.failHandshake(
        listener,
        new EngineProtocolError(
          `The engine of ${describeHolder(welcome.engine)} (version ${welcome.engine.version}) speaks protocol ${welcome.protocol}; ${ours}.`,
        ),
      );
      return;
    }
    this.welcomed = welcome.engine;
    listener?.welcomed(welcome.engine);
  }

  private failHandshake(listener: HandshakeListener | undefined, err: Error): void {
    this.closedError = err;
    listener?.failed(err);
    this.channel.destroy();
  }

  /** The engine sent something this client cannot read: nothing it says can be trusted any more. */
  private broken(what: string): void {
    const err = new EngineProtocolError(`The engine of ${describeHolder(this.holder)} ${what}.`);
    this.closedError = err;
    this.handshakeListener?.failed(err);
    this.handshakeListener = undefined;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(err);
    }
    this.channel.destroy();
  }

  private errorOf(method: string, error: EngineErrorBody): Error {
    const who = describeHolder(this.holder);
    switch (error.kind) {
      case 'badRequest':
        return new AccountRequestError(error.message);
      case 'engineClosed':
        return new EngineUnavailableError(
          `${error.message} ${method} may have started there; run the command again once the engine is back.`,
        );
      case 'badMessage':
      case 'unknownMethod':
        return new EngineProtocolError(`The engine of ${who} refused ${method}: ${error.message}`);
      case 'engineFailed':
        return new Error(`The engine of ${who} failed: ${error.message}`);
    }
  }
}
