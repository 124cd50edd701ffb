/**
 * Owns the connection to the language server: started lazily when a relevant document or view appears
 * (STYLE.md), stopped cleanly, and never restarted in a loop after repeated crashes.
 */
import * as vscode from 'vscode';
import type {
  CloseAction,
  ErrorAction,
  ErrorHandler,
  LanguageClient,
  LanguageClientOptions,
  NotificationType,
  ServerOptions,
} from 'vscode-languageclient/node';
import type { ServerInitOptions } from '../shared/protocol';
import { languageClientLibrary } from './lazyModules';

/** Documents the server has something to say about: handler code, templates, event payloads. */
export const relevantDocuments: { scheme: string; language: string }[] = [
  { scheme: 'file', language: 'javascript' },
  { scheme: 'file', language: 'typescript' },
  { scheme: 'file', language: 'python' },
  { scheme: 'file', language: 'yaml' },
  { scheme: 'file', language: 'json' },
  // Event documents opened from a template or an invocation, before they are saved.
  { scheme: 'untitled', language: 'json' },
];

const maxRestarts = 4;
const restartWindowMs = 3 * 60_000;

/** Restarts after a crash, but at most `maxRestarts` times in `restartWindowMs`, then gives up with a message. */
class BoundedRestartErrorHandler implements ErrorHandler {
  private readonly crashes: number[] = [];

  constructor(private readonly output: vscode.OutputChannel) {}

  error(): { action: ErrorAction } {
    return { action: languageClientLibrary().ErrorAction.Continue };
  }

  closed(): { action: CloseAction; message?: string } {
    const { CloseAction } = languageClientLibrary();
    const now = Date.now();
    this.crashes.push(now);
    while (this.crashes.length > 0 && now - (this.crashes[0] ?? now) > restartWindowMs) this.crashes.shift();
    if (this.crashes.length > maxRestarts) {
      const message = `The Lambda Trigger Runner language server crashed ${this.crashes.length} times in 3 minutes and will not be restarted. Run "Lambda: Restart Language Server" after fixing the cause (see the output channel).`;
      this.output.appendLine(message);
      return { action: CloseAction.DoNotRestart, message };
    }
    return { action: CloseAction.Restart };
  }
}

/** One connection to the server (one LanguageClient), for the listeners that belong to it. */
export interface ServerConnection {
  readonly client: LanguageClient;
  /** Keeps `disposable` for as long as this connection: it is disposed when the server stops or restarts. */
  register(disposable: vscode.Disposable): void;
}

export class LambdaLanguageClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient> | undefined;
  private stopping: Promise<void> | undefined;
  private disposed = false;
  /** Registrations that live as long as one server connection, so a restart cannot leak them (STYLE.md). */
  private connectionDisposables: vscode.Disposable[] = [];

  private readonly willStart = new vscode.EventEmitter<ServerConnection>();
  /**
   * Fires for each new connection just before it starts, so that its listeners miss no message; they register
   * what belongs to the connection with `register`. Listeners must not start the client themselves.
   */
  readonly onWillStart = this.willStart.event;
  private readonly started = new vscode.EventEmitter<LanguageClient>();
  /** Fires after each (re)start. */
  readonly onDidStart = this.started.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.OutputChannel,
    private readonly initializationOptions: () => ServerInitOptions,
  ) {}

  /** Starts the server once; concurrent callers share the same in-flight start. */
  start(): Promise<LanguageClient> {
    if (this.disposed) return Promise.reject(new Error('The Lambda Trigger Runner language server was shut down.'));
    this.starting ??= this.create().catch((err: unknown) => {
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  get running(): LanguageClient | undefined {
    return this.client?.isRunning() ? this.client : undefined;
  }

  async restart(): Promise<LanguageClient> {
    await this.stop();
    return this.start();
  }

  /** Sends a notification if a server runs (or is starting); a server started later reads the settings at start. */
  async notifyIfRunning<P>(type: NotificationType<P>, params: P): Promise<void> {
    const client = await this.starting?.catch(() => undefined);
    if (client?.isRunning()) await client.sendNotification(type, params);
  }

  /** Stops the server and disposes the connection's listeners; concurrent callers share the same stop. */
  stop(): Promise<void> {
    this.stopping ??= this.stopNow().finally(() => (this.stopping = undefined));
    return this.stopping;
  }

  private async stopNow(): Promise<void> {
    const starting = this.starting;
    this.starting = undefined;
    // A start in flight finishes first, so that its client is stopped too rather than left running.
    const client = this.client ?? (await starting?.catch(() => undefined));
    this.client = undefined;
    for (const d of this.connectionDisposables.splice(0)) d.dispose();
    if (client) await client.dispose(2000);
  }

  dispose(): void {
    this.disposed = true;
    void this.stop();
    this.willStart.dispose();
    this.started.dispose();
  }

  private async create(): Promise<LanguageClient> {
    // The library loads with the first start, not with the extension (lazyModules.ts).
    const { LanguageClient, TransportKind } = languageClientLibrary();
    const module = this.context.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
    };
    for (const d of this.connectionDisposables.splice(0)) d.dispose(); // left over by a start that failed
    const disposables: vscode.Disposable[] = [];
    this.connectionDisposables = disposables;
    // One level of braces: VS Code's globs do not nest them, and a nested group silently matches nothing.
    const watcher = vscode.workspace.createFileSystemWatcher(
      '**/{template.yaml,template.yml,template.json,serverless.yml,serverless.yaml,*.template.json,lambda-trigger.json,.env,env.json,*.js,*.mjs,*.cjs,*.ts,*.mts,*.cts,*.py}',
    );
    disposables.push(watcher);
    const clientOptions: LanguageClientOptions = {
      documentSelector: relevantDocuments,
      outputChannel: this.output,
      errorHandler: new BoundedRestartErrorHandler(this.output),
      synchronize: { fileEvents: watcher },
      initializationOptions: this.initializationOptions(),
    };
    const client = new LanguageClient(
      'lambdaTrigger',
      'Lambda Trigger Runner Language Server',
      serverOptions,
      clientOptions,
    );
    this.willStart.fire({
      client,
      register: (disposable) => {
        // A listener registered after its connection stopped must not outlive it.
        if (this.connectionDisposables === disposables) disposables.push(disposable);
        else disposable.dispose();
      },
    });
    await client.start();
    this.client = client;
    this.started.fire(client);
    return client;
  }
}
