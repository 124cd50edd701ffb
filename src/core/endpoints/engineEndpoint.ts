/**
 * The engine endpoint: while a process holds a workspace's LocalAccount it serves it on a local socket
 * (endpointLocation.ts), so that another front (the CLI) works on the same engine instead of opening the store a
 * second time (ARCHITECTURE: one engine per workspace). It speaks engineProtocol.ts. Every message is checked before
 * use; a client that sends garbage gets an error answer and the endpoint stays up for the others; a client that goes
 * away mid-request does not stop what it asked for.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { AccountRequestError, type LocalAccount } from '../account/localAccount';
import {
  DEFAULT_MAX_LINE_BYTES,
  describeHolder,
  ENGINE_PROTOCOL_VERSION,
  functionsRequest,
  helloShape,
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
  requestShape,
  runUntilIdleRequest,
  sendRequest,
  subscribeRecordsRequest,
  type EngineErrorBody,
  type EngineHolder,
  type EngineNotificationType,
  type EngineRequestType,
  type HelloMessage,
  type NotificationMessage,
  type RefusedMessage,
  type ResponseMessage,
  type WelcomeMessage,
} from './engineProtocol';
import {
  descriptorPathOf,
  endpointDirOf,
  ensurePrivateDirectory,
  placeSocket,
  removeEndpointFiles,
  writeDescriptor,
  type PlacementOptions,
  type SocketPlacement,
} from './endpointLocation';
import { JsonLineChannel } from './jsonLineChannel';
import { LocalWorkspaceEngine } from './localWorkspaceEngine';
import { MessageShapeError } from './messageShape';

export interface EngineEndpointOptions {
  workspaceRoot: string;
  /** Who holds the engine, as clients tell their users: "Visual Studio Code (the Lambda Trigger Runner extension)". */
  owner: string;
  /** The holder's package version (told to clients, so a version mismatch can name both). */
  version: string;
  /** Bound on one incoming line (default DEFAULT_MAX_LINE_BYTES). */
  maxLineBytes?: number;
  /** A client that has not said hello by then is disconnected (default 10 s). */
  handshakeTimeoutMs?: number;
  /** Record notifications a subscriber may leave unread before it is disconnected (default 64 MB). */
  maxUnreadBytes?: number;
  placement?: PlacementOptions;
  /** Where the endpoint reports what it refused or cut off (the extension's output channel). */
  log?: (message: string) => void;
}

type Handler = (params: Record<string, unknown>, connection: EndpointConnection) => Promise<unknown>;

const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class EngineEndpoint {
  private readonly connections = new Set<EndpointConnection>();
  private readonly handlers = new Map<string, Handler>();
  private active = 0;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: net.Server,
    private readonly placement: SocketPlacement,
    readonly engine: LocalWorkspaceEngine,
    private readonly options: EngineEndpointOptions,
  ) {
    this.registerHandlers();
    server.on('connection', (socket) => this.accept(socket));
    server.on('error', (err) => this.log(`The engine endpoint at ${this.socket} failed: ${err.message}`));
  }

  /** Serves `account` for its workspace; resolves once clients can connect and the descriptor says where. */
  static async serve(account: LocalAccount, options: EngineEndpointOptions): Promise<EngineEndpoint> {
    const root = options.workspaceRoot;
    ensurePrivateDirectory(endpointDirOf(root));
    // This process holds the workspace's store, so anything an earlier holder left here is stale.
    removeEndpointFiles(root);
    const placement = placeSocket(root, options.placement);
    const server = net.createServer();
    server.maxConnections = 64;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(placement.socket, () => {
          server.off('error', reject);
          resolve();
        });
      });
      if (process.platform !== 'win32') fs.chmodSync(placement.socket, 0o600);
      const endpoint = new EngineEndpoint(server, placement, new LocalWorkspaceEngine(account), options);
      writeDescriptor(root, {
        protocol: ENGINE_PROTOCOL_VERSION,
        socket: placement.socket,
        pid: process.pid,
        owner: options.owner,
        version: options.version,
        since: new Date().toISOString(),
      });
      return endpoint;
    } catch (err) {
      server.close();
      removeOwnSocket(placement);
      throw err;
    }
  }

  /** Who holds the engine, as the welcome tells clients (the time scale as it is now). */
  get holder(): EngineHolder {
    const scale = this.engine.account.engine.clock.scale;
    return {
      owner: this.options.owner,
      pid: process.pid,
      version: this.options.version,
      workspaceRoot: this.options.workspaceRoot,
      timeScale: Number.isFinite(scale) ? scale : 'instant',
    };
  }

  /** The socket path (or pipe name) clients connect to. */
  get socket(): string {
    return this.placement.socket;
  }

  get descriptorFile(): string {
    return descriptorPathOf(this.options.workspaceRoot);
  }

  /** Requests being answered right now (the window does not re-open an account while there are any). */
  get activeRequests(): number {
    return this.active;
  }

  /**
   * Stops serving: pending requests are answered `engineClosed`, clients are disconnected, the socket and the
   * descriptor are removed. Call it before disposing the account.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const connection of this.connections) connection.shutdown();
      await closed;
      try {
        const described = (JSON.parse(fs.readFileSync(this.descriptorFile, 'utf8')) as { socket?: unknown }).socket;
        if (described === this.socket) fs.rmSync(this.descriptorFile, { force: true });
      } catch {
        // Already gone, or someone else's: left alone.
      }
      removeOwnSocket(this.placement);
    })();
    return this.closing;
  }

  log(message: string): void {
    this.options.log?.(message);
  }

  private accept(socket: net.Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    const connection = new EndpointConnection(socket, this, {
      maxLineBytes: this.options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
      handshakeTimeoutMs: this.options.handshakeTimeoutMs ?? 10_000,
      maxUnreadBytes: this.options.maxUnreadBytes ?? 64 * 1024 * 1024,
    });
    this.connections.add(connection);
    connection.onClosed(() => this.connections.delete(connection));
  }

  /** Answers one request: its parameters checked, its errors said as the protocol's kinds. */
  async answer(method: string, params: Record<string, unknown>, connection: EndpointConnection): Promise<unknown> {
    const handler = this.handlers.get(method);
    if (!handler)
      throw new EndpointRequestError(
        'unknownMethod',
        `Unknown method "${method}" (this engine speaks protocol ${ENGINE_PROTOCOL_VERSION}: ${[...this.handlers.keys()].join(', ')}).`,
      );
    this.active++;
    try {
      return await handler(params, connection);
    } catch (err) {
      if (err instanceof EndpointRequestError) throw err;
      if (err instanceof MessageShapeError) throw new EndpointRequestError('badRequest', `${method}: ${err.message}`);
      if (err instanceof AccountRequestError) throw new EndpointRequestError('badRequest', err.message);
      if (this.closing)
        throw new EndpointRequestError(
          'engineClosed',
          `${method} was cut short: the engine closed (${errorMessage(err)}).`,
        );
      throw new EndpointRequestError('engineFailed', `${method} failed in the engine: ${errorMessage(err)}`);
    } finally {
      this.active--;
    }
  }

  private registerHandlers(): void {
    const engine = this.engine;
    const on = <P, R>(type: EngineRequestType<P, R>, run: (params: P, connection: EndpointConnection) => Promise<R>) =>
      this.handlers.set(type.method, (raw, connection) => run(type.params(raw, 'params'), connection));
    on(functionsRequest, () => engine.functions());
    on(invokeRequest, (p) =>
      engine.invoke(p.functionName, p.payloadJson, p.mode, {
        ...(p.faults ? { faults: p.faults } : {}),
        ...(p.source ? { source: p.source } : {}),
        ...(p.http ? { http: p.http } : {}),
      }),
    );
    on(httpResponseRequest, async (p) => {
      await engine.setHttpResponse(p.recordId, p.response);
      return {};
    });
    on(awsEndpointRequest, () => engine.awsEndpoint());
    on(listQueuesRequest, () => engine.listQueues());
    on(peekRequest, (p) => engine.peek(p.queue));
    on(sendRequest, (p) => engine.send(p.queue, p.message, { deliver: p.deliver }));
    on(purgeRequest, async (p) => ({ purged: await engine.purge(p.queue) }));
    on(redriveRequest, (p) => engine.redrive(p.queue, { ...(p.to ? { to: p.to } : {}), deliver: p.deliver }));
    on(replayRequest, (p) => engine.replay(p.queue, p.messageId, p.functionName, p.mode));
    on(listExecutionsRequest, (p) => engine.executions(p.functionName));
    on(getExecutionRequest, (p) => engine.execution(p.execution));
    on(executionHistoryRequest, (p) => engine.executionHistory(p.execution));
    on(stopExecutionRequest, async (p) => ({ stopTimestamp: await engine.stopExecution(p.execution, p.error) }));
    on(sendCallbackRequest, async (p) => {
      await engine.sendCallback(
        p.callbackId,
        p.action === 'succeed'
          ? { action: 'succeed', result: p.result ?? '' }
          : p.action === 'fail'
            ? { action: 'fail', error: p.error ?? {} }
            : { action: 'heartbeat' },
      );
      return {};
    });
    on(runUntilIdleRequest, async () => {
      await engine.runUntilIdle();
      return {};
    });
    on(recordsRequest, (p) => engine.records(p.ids));
    on(subscribeRecordsRequest, (_p, connection) => {
      connection.subscribeRecords();
      return Promise.resolve({});
    });
  }
}

/** A request that ends in one of the protocol's error kinds. */
class EndpointRequestError extends Error {
  constructor(
    readonly kind: EngineErrorBody['kind'],
    message: string,
  ) {
    super(message);
  }
}

interface ConnectionLimits {
  maxLineBytes: number;
  handshakeTimeoutMs: number;
  maxUnreadBytes: number;
}

/** One client: the handshake, then its requests, each answered (or refused) on its own. */
class EndpointConnection {
  private readonly channel: JsonLineChannel;
  private state: 'handshake' | 'ready' | 'closed' = 'handshake';
  private client = 'a client';
  private readonly pending = new Set<number>();
  private readonly disposables: Array<{ dispose(): void }> = [];
  private readonly closedListeners: Array<() => void> = [];
  private handshakeTimer: NodeJS.Timeout | undefined;
  private destroyTimer: NodeJS.Timeout | undefined;

  constructor(
    socket: net.Socket,
    private readonly endpoint: EngineEndpoint,
    private readonly limits: ConnectionLimits,
  ) {
    this.channel = new JsonLineChannel(socket, limits.maxLineBytes, {
      message: (value) => this.receive(value),
      malformed: (reason) => this.refuseLine(reason, null),
      oversize: (max) => {
        this.endpoint.log(`${this.client} sent a line longer than ${max} bytes; disconnected.`);
        this.refuseLine(`a message line is longer than ${max} bytes; the connection is closed`, null);
        this.channel.end();
      },
      closed: () => this.closed(),
    });
    this.handshakeTimer = setTimeout(() => {
      if (this.state !== 'handshake') return;
      this.refuse('badHello', `No hello within ${limits.handshakeTimeoutMs} ms.`);
    }, limits.handshakeTimeoutMs);
  }

  onClosed(listener: () => void): void {
    this.closedListeners.push(listener);
  }

  /** From now on every saved record is pushed to this client, in its current state. */
  subscribeRecords(): void {
    if (this.disposables.length > 0) return;
    this.disposables.push(
      this.endpoint.engine.account.engine.onRecord((record) => this.notify(recordNotification, record)),
    );
  }

  /** The endpoint is closing: pending requests are answered `engineClosed`, then the client is let go. */
  shutdown(): void {
    for (const id of this.pending)
      this.respond(id, {
        error: {
          kind: 'engineClosed',
          message: `The engine of ${describeHolder(this.endpoint.holder)} closed before answering.`,
        },
      });
    this.pending.clear();
    this.state = 'closed';
    this.channel.end();
    // A client that does not close its side is cut off, so closing the endpoint never waits on it.
    this.destroyTimer = setTimeout(() => this.channel.destroy(), 1000);
    this.destroyTimer.unref();
  }

  private receive(value: unknown): void {
    if (this.state === 'closed') return;
    if (this.state === 'handshake') {
      this.handshake(value);
      return;
    }
    let message;
    try {
      message = requestShape(value, 'the message');
    } catch (err) {
      this.refuseLine(errorMessage(err), idOf(value));
      return;
    }
    const { id, method, params } = message;
    this.pending.add(id);
    this.endpoint.answer(method, params, this).then(
      (result) => {
        if (this.pending.delete(id)) this.respond(id, { result });
      },
      (err: unknown) => {
        const error =
          err instanceof EndpointRequestError
            ? { kind: err.kind, message: err.message }
            : { kind: 'engineFailed' as const, message: errorMessage(err) };
        if (this.pending.delete(id)) this.respond(id, { error });
      },
    );
  }

  private handshake(value: unknown): void {
    clearTimeout(this.handshakeTimer);
    let hello: HelloMessage;
    try {
      hello = helloShape(value, 'the hello');
    } catch (err) {
      this.refuse('badHello', `The first message must be a hello: ${errorMessage(err)}.`);
      return;
    }
    this.client = `${hello.client} ${hello.version} (process ${hello.pid})`;
    const ours = protocolMajor(ENGINE_PROTOCOL_VERSION);
    if (protocolMajor(hello.protocol) !== ours) {
      const holder = this.endpoint.holder;
      this.endpoint.log(`Refused ${this.client}: it speaks protocol ${hello.protocol}.`);
      this.refuse(
        'protocolVersion',
        `The engine of ${describeHolder(holder)} (version ${holder.version}) speaks protocol ` +
          `${ENGINE_PROTOCOL_VERSION}; ${hello.client} ${hello.version} speaks protocol ${hello.protocol}.`,
      );
      return;
    }
    this.state = 'ready';
    this.channel.send({
      type: 'welcome',
      protocol: ENGINE_PROTOCOL_VERSION,
      engine: this.endpoint.holder,
    } satisfies WelcomeMessage);
  }

  private refuse(reason: RefusedMessage['reason'], message: string): void {
    this.channel.send({
      type: 'refused',
      protocol: ENGINE_PROTOCOL_VERSION,
      version: this.endpoint.holder.version,
      reason,
      message,
    } satisfies RefusedMessage);
    this.state = 'closed';
    this.channel.end();
  }

  /** A line that is not a request of this protocol: said to the client, which may go on. */
  private refuseLine(reason: string, id: number | null): void {
    if (this.state === 'handshake') {
      this.refuse('badHello', `The first message must be a hello: ${reason}.`);
      return;
    }
    this.respond(id, {
      error: { kind: 'badMessage', message: `Not a request of protocol ${ENGINE_PROTOCOL_VERSION}: ${reason}.` },
    });
  }

  private respond(id: number | null, body: Pick<ResponseMessage, 'result' | 'error'>): void {
    this.channel.send({ type: 'response', id, ...body } satisfies ResponseMessage);
  }

  private notify<P>(type: EngineNotificationType<P>, params: P): void {
    if (!this.channel.writable) return;
    if (this.channel.bufferedBytes > this.limits.maxUnreadBytes) {
      this.endpoint.log(`${this.client} does not read its record notifications; disconnected.`);
      this.channel.destroy();
      return;
    }
    this.channel.send({ type: 'notification', method: type.method, params } satisfies NotificationMessage);
  }

  private closed(): void {
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.destroyTimer);
    this.state = 'closed';
    // What the client asked for goes on; only its answers are dropped.
    this.pending.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
    for (const listener of this.closedListeners.splice(0)) listener();
  }
}

/** Removes the socket this process made (closing the server may have unlinked it already) and its private directory. */
function removeOwnSocket(placement: SocketPlacement): void {
  if (process.platform === 'win32') return;
  fs.rmSync(placement.socket, { force: true });
  if (placement.privateDir) {
    try {
      fs.rmdirSync(placement.privateDir);
    } catch {
      // Not empty: something else was put there; it stays.
    }
  }
}

/** The id of a line that is not a valid request, when it has a readable one (so the client can match the error). */
function idOf(value: unknown): number | null {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof value === 'object' && typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : null;
}
