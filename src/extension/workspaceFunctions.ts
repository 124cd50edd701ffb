/**
 * The workspace's functions as the language server's index knows them, kept current through its
 * `lambdaTrigger/indexChanged` notification. Concurrent refreshes share one request.
 */
import * as vscode from 'vscode';
import type { FunctionConfig } from '../core/discovery/functionConfig';
import type { DiscoveryResult } from '../core/discovery/workspaceIndex';
import { languageClientLibrary } from './lazyModules';
import type { LambdaLanguageClient, ServerConnection } from './languageClient';

export class WorkspaceFunctions implements vscode.Disposable {
  private results: DiscoveryResult[] = [];
  private loaded = false;
  private refreshing: Promise<void> | undefined;
  private handledOnConnection = 0;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly client: LambdaLanguageClient,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  /** Subscribes to the index changes of a server connection before it starts, for the connection's lifetime. */
  attach(connection: ServerConnection): void {
    this.handledOnConnection = 0;
    connection.register(
      connection.client.onNotification(languageClientLibrary().indexChangedNotification, () => {
        this.handledOnConnection++;
        void this.refresh();
      }),
    );
  }

  /** indexChanged notifications handled on the current connection (the server counts those it sent). */
  get indexChangesHandled(): number {
    return this.handledOnConnection;
  }

  /** A language server runs, so a settings change it was told about brings a new function list. */
  get serverRunning(): boolean {
    return this.client.running !== undefined;
  }

  get isLoaded(): boolean {
    return this.loaded;
  }

  /** Every function, the highest-precedence definition of a name first (discovery's order). */
  all(): FunctionConfig[] {
    return this.results.flatMap((r) => r.functions);
  }

  /** The workspace root a function belongs to. */
  rootOf(fn: FunctionConfig): string | undefined {
    return this.results.find((r) => r.functions.some((f) => f.id === fn.id))?.root;
  }

  byId(id: string): FunctionConfig | undefined {
    return this.all().find((f) => f.id === id);
  }

  /** Functions whose handler lives in `file`. */
  inFile(file: string): FunctionConfig[] {
    return this.all().filter((f) => f.handlerFile === file);
  }

  /** Loads the functions from the server (starting it if needed); concurrent callers share the request. */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const client = await this.client.start();
        this.results = await client.sendRequest(languageClientLibrary().functionsRequest);
        this.loaded = true;
        this.changed.fire();
      } catch (err) {
        this.output.error(`Could not load the functions from the language server: ${String(err)}`);
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** Waits for the first load (the server builds its index in the background). */
  async ready(): Promise<void> {
    if (!this.loaded) await this.refresh();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
