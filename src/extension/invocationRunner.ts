/**
 * Runs invocations for the editor: one LocalAccount (engine + execution environments + durable store) per
 * workspace folder (FolderAccounts), opened on first use and re-opened when its functions or settings changed,
 * never under a running invocation. Gated by Workspace Trust. Everything the UI shows comes from the engine's
 * InvocationRecords. While an account is open, its engine endpoint serves it to the lambda-trigger CLI, whose
 * invocations are the engine's records like any other.
 */
import * as vscode from 'vscode';
import type { InvocationMode, LocalAccount } from '../core/account/localAccount';
import type { EventResource } from '../core/account/eventResource';
import type { EngineEndpoint } from '../core/endpoints/engineEndpoint';
import type { FunctionConfig } from '../core/discovery/functionConfig';
import type { InjectedFaults } from '../core/invoke/engineContext';
import type { InvocationRecord } from '../core/invoke/invocationRecord';
import type { ExecutionView } from '../core/invoke/durable/executionView';
import type { CallbackOutcome } from '../shared/panelProtocol';
import { packageVersion } from '../shared/version';
import { FolderAccounts, type AccountRecipe } from './folderAccounts';
import { FolderEngine } from './folderEngine';
import { engine } from './lazyModules';
import { RuntimeProgressNotifications } from './runtimeProgressNotifications';
import type { SettingsChange, SettingsService } from './settingsService';
import type { WorkspaceFunctions } from './workspaceFunctions';

export const untrustedReason =
  'This workspace is not trusted, so Lambda Trigger Runner does not run its handlers. You can browse functions and events and edit payloads; trust the workspace to invoke.';

export class InvocationRunner implements vscode.Disposable {
  private readonly accounts: FolderAccounts;
  /** The endpoint of each open account: serves it to the CLI run in that folder. */
  private readonly endpoints = new Map<string, EngineEndpoint>();
  private running = 0;
  /** Region or account id changed: re-open once the language server sent the functions with the new ARNs. */
  private reopenWithNextFunctions = false;
  private readonly recordChanged = new vscode.EventEmitter<InvocationRecord>();
  readonly onDidChangeRecord = this.recordChanged.event;
  private readonly runningChanged = new vscode.EventEmitter<number>();
  readonly onDidChangeRunning = this.runningChanged.event;
  private readonly accountsChanged = new vscode.EventEmitter<void>();
  /** An account was opened or re-opened (views that list accounts' queues refresh). */
  readonly onDidChangeAccounts = this.accountsChanged.event;
  private readonly subscriptions: vscode.Disposable[];
  /** Downloads and installs an environment waits for, shown as they happen. */
  private readonly runtimeProgress: RuntimeProgressNotifications;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly functions: WorkspaceFunctions,
    private readonly settings: SettingsService,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.runtimeProgress = new RuntimeProgressNotifications(output);
    this.accounts = new FolderAccounts({
      recipe: (root) => this.recipe(root),
      onOpened: (root, account) => {
        const { timeScale } = this.settings.forFolder(root);
        this.output.info(
          `Local account opened for ${root}: ${account.functions().length} functions, ${account.location.region} ${account.location.accountId}, time scale ${timeScale}.`,
        );
        this.accountsChanged.fire();
        // Every record of the engine, the CLI's through the endpoint included, reaches the panel as it changes.
        const records = account.engine.onRecord((record) => this.recordChanged.fire(record));
        const endpoint = this.serve(root, account);
        return {
          // The endpoint stops first, so no request of the CLI arrives while the account closes.
          dispose: async () => {
            records.dispose();
            const served = await endpoint;
            if (this.endpoints.get(root) === served) this.endpoints.delete(root);
            await served?.close();
          },
        };
      },
      // A request of the CLI is an invocation too: the account is not re-opened under it.
      busy: (root) => (this.endpoints.get(root)?.activeRequests ?? 0) > 0,
      onThrowawayStore: (_root, message) => {
        this.output.warn(message);
        void vscode.window.showWarningMessage(`Lambda Trigger Runner: ${message}`);
      },
      onError: (root, action, err) =>
        this.output.error(
          `${action} the local account of ${root} failed: ${err instanceof Error ? err.message : String(err)}`,
        ),
    });
    // A handler edited, saved or replaced (a build, a branch switch): its warm environments end, so the next
    // invocation runs the new code, as a deployment would.
    const code = vscode.workspace.createFileSystemWatcher('**/*');
    this.subscriptions = [
      code,
      code.onDidChange((uri) => this.codeChanged(uri)),
      code.onDidCreate((uri) => this.codeChanged(uri)),
      code.onDidDelete((uri) => this.codeChanged(uri)),
      settings.onDidChange((change) => this.applySettings(change)),
      functions.onDidChange(() => {
        if (!this.reopenWithNextFunctions) return;
        this.reopenWithNextFunctions = false;
        this.accounts.reopenOutdated();
      }),
    ];
  }

  /** Ends the warm environments of the open accounts' functions whose code root holds the changed file. */
  private codeChanged(uri: vscode.Uri): void {
    if (uri.scheme !== 'file') return;
    for (const { account } of this.accounts.list()) {
      const names = engine().functionsHolding(account.functions(), [uri.fsPath]);
      for (const name of names) account.pool.retire(name);
      if (names.length > 0) this.output.debug(`Code changed in ${uri.fsPath}: ${names.join(', ')} start afresh.`);
    }
  }

  get executionAllowed(): boolean {
    return vscode.workspace.isTrusted;
  }

  /** Every record of every open account, newest first (the history the panel shows). */
  records(): InvocationRecord[] {
    return this.accounts
      .list()
      .flatMap((e) => e.account.engine.records())
      .sort((a, b) => b.start.wall.localeCompare(a.start.wall));
  }

  /** Opens the accounts of every folder so the persisted history is visible before the first invocation. */
  async loadHistory(): Promise<void> {
    if (!this.executionAllowed) return;
    await this.functions.ready();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme === 'file') await this.accounts.get(folder.uri.fsPath);
    }
  }

  /**
   * Invokes a function the way `mode` says (sync, async with retries and destinations, batch through its
   * event source mapping) and resolves with the records it produced. Shows progress with a cancel button.
   * `faults` injects ASYNC-1 / ASYNC-5 / ASYNC-6 faults (sync and async only).
   */
  async invoke(
    fn: FunctionConfig,
    payloadJson: string,
    mode: InvocationMode,
    title: string,
    faults?: InjectedFaults,
  ): Promise<InvocationRecord[]> {
    if (!this.executionAllowed) throw new Error(untrustedReason);
    const root = this.functions.rootOf(fn) ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!root) throw new Error('Open a folder to invoke functions.');
    await this.functions.ready();
    return this.counted(root, (account) =>
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title, cancellable: mode === 'sync' },
        async (progress, token) => {
          progress.report({
            message:
              mode === 'sync'
                ? 'running…'
                : mode === 'async'
                  ? 'queued; retries run on the simulated clock…'
                  : 'polling the queue…',
          });
          const abort = new AbortController();
          const cancel = token.onCancellationRequested(() => abort.abort());
          try {
            return await account.invoke(fn.name, payloadJson, mode, { signal: abort.signal, faults });
          } finally {
            cancel.dispose();
          }
        },
      ),
    );
  }

  /**
   * Debugs one synchronous invocation: a dedicated environment starts with the debugger listening, VS Code's
   * debugger attaches (js-debug for Node with source maps, so breakpoints in .ts files bind; debugpy for Python),
   * and the handler runs once attached. No timeout applies while paused.
   */
  async debug(fn: FunctionConfig, payloadJson: string, title: string): Promise<InvocationRecord> {
    if (!this.executionAllowed) throw new Error(untrustedReason);
    const root = this.functions.rootOf(fn) ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!root) throw new Error('Open a folder to debug functions.');
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(root));
    await this.functions.ready();
    return this.counted(root, (account) =>
      vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, () =>
        account.debug(fn.name, payloadJson, {
          waitForAttach: true,
          onListening: (info) => {
            // The transpiled TypeScript lives in the runtime's cache outside the workspace: let js-debug read its maps.
            const config = {
              ...info.attachConfig,
              resolveSourceMapLocations: null,
            } as unknown as vscode.DebugConfiguration;
            vscode.debug.startDebugging(folder, config).then(
              (started) => {
                if (!started)
                  this.output.error(`The debugger did not attach to ${fn.name} (${info.host}:${info.port}).`);
              },
              (err: unknown) => this.output.error(`Attaching the debugger to ${fn.name} failed: ${String(err)}`),
            );
          },
        }),
      ),
    );
  }

  /** Runs `work` on the folder's account, counted as running (the status bar shows it; no re-open under it). */
  private async counted<T>(root: string, work: (account: LocalAccount) => PromiseLike<T>): Promise<T> {
    this.running++;
    this.runningChanged.fire(this.running);
    try {
      return await this.accounts.use(root, work);
    } finally {
      this.running--;
      this.runningChanged.fire(this.running);
    }
  }

  /** Serves a folder's open account on its engine endpoint; a failure to start is said, never fatal. */
  private async serve(root: string, account: LocalAccount): Promise<EngineEndpoint | undefined> {
    try {
      const endpoint = await engine().EngineEndpoint.serve(account, {
        workspaceRoot: root,
        owner: `${vscode.env.appName} (the Lambda Trigger Runner extension)`,
        version: packageVersion,
        log: (message) => this.output.warn(message),
      });
      this.endpoints.set(root, endpoint);
      this.output.info(`The lambda-trigger CLI run in ${root} attaches to this window through ${endpoint.socket}.`);
      // Scripts and the AWS CLI reach the same simulated services as handlers: say where, and with which key id.
      account.awsEndpoint().then(
        (aws) =>
          this.output.info(
            `The local AWS endpoint of ${root} (SQS, SNS, EventBridge, Kinesis, Lambda) is ${aws.url}, access key ` +
              `${aws.accessKeyId} (its secret is in .lambda-trigger/store/aws-endpoint-key.json).`,
          ),
        (err: unknown) => this.output.warn(`The local AWS endpoint of ${root} did not start: ${String(err)}`),
      );
      return endpoint;
    } catch (err) {
      this.output.warn(
        `The engine endpoint for ${root} did not start, so the lambda-trigger CLI cannot attach to this window: ${String(err)}`,
      );
      return undefined;
    }
  }

  /** How the account of a folder is opened now: its functions and settings; the key says when to re-open. */
  private recipe(root: string): AccountRecipe {
    const functions = this.functions.all().filter((f) => this.functions.rootOf(f) === root);
    const settings = this.settings.forFolder(root);
    // The time scale and the follow horizon are not part of the key: open accounts take them without re-opening.
    const key = JSON.stringify({
      functions,
      location: settings.location,
      logFormat: settings.logFormat,
      pythonInterpreter: settings.pythonInterpreter ?? null,
      pricing: settings.pricing,
      awsCredentials: settings.awsCredentials,
      awsEndpointPort: settings.awsEndpointPort,
    });
    return {
      key,
      open: (throwawayStore) =>
        engine().LocalAccount.open({
          workspaceRoot: root,
          functions,
          bootstrapDir: vscode.Uri.joinPath(this.extensionUri, 'dist', 'runtime').fsPath,
          storeDir: throwawayStore ?? engine().workspaceStoreDir(root),
          storeOwner: `${vscode.env.appName} (the Lambda Trigger Runner extension)`,
          timeScale: settings.timeScale,
          followDeliveries: settings.followDeliveries,
          location: settings.location,
          logFormat: settings.logFormat,
          pricing: settings.pricing,
          awsCredentials: settings.awsCredentials,
          awsEndpointPort: settings.awsEndpointPort,
          ...(settings.pythonInterpreter ? { pythonInterpreter: settings.pythonInterpreter } : {}),
          onRuntimeProgress: this.runtimeProgress.listener,
          onStoreWarning: (message) => void vscode.window.showWarningMessage(message),
        }),
    };
  }

  /**
   * A settings change without a window reload: the time scale and the follow horizon apply to the open accounts at
   * once; a new region, account id, log format or interpreter re-opens the accounts (when no invocation runs, else
   * when the last one ends). Region and account id also change discovery's ARNs, so those wait for the server's new
   * list.
   */
  private applySettings(change: SettingsChange): void {
    if (change.timeScale) {
      for (const { root, account } of this.accounts.list()) {
        const { timeScale } = this.settings.forFolder(root);
        account.engine.setTimeScale(timeScale);
        this.output.info(`Time scale of the local account of ${root}: ${timeScale}.`);
      }
    }
    if (change.followDeliveries) {
      for (const { root, account } of this.accounts.list()) {
        const { followDeliveries } = this.settings.forFolder(root);
        account.engine.setFollowDeliveries(followDeliveries);
        this.output.info(
          `The local account of ${root} follows an event that would be retried for hours for ${followDeliveries} deliveries per run.`,
        );
      }
    }
    if (!change.account) return;
    if (change.discovery && this.functions.serverRunning) this.reopenWithNextFunctions = true;
    else this.accounts.reopenOutdated();
  }

  /** The folder's account when it is open already (code lenses ask; they never open one). */
  openAccountAt(root: string): LocalAccount | undefined {
    return this.accounts.list().find((e) => e.root === root)?.account;
  }

  /**
   * Sends an event to the queue, stream, table, topic or bus it names in the folder's account, and resolves with
   * the records of whatever that resource triggers (its mappings, subscriptions and rules).
   */
  async sendToResource(
    root: string,
    payloadJson: string,
    title: string,
  ): Promise<{ resource: EventResource; records: InvocationRecord[] }> {
    if (!this.executionAllowed) throw new Error(untrustedReason);
    await this.functions.ready();
    return this.counted(root, (account) =>
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, () =>
        account.sendToResource(payloadJson),
      ),
    );
  }

  /**
   * The engine of a workspace folder for a front that outlives its accounts (the local HTTP API): every call goes to
   * the folder's current account; requests that run handlers count as running.
   */
  folderEngine(root: string): FolderEngine {
    const ready = async (): Promise<void> => {
      if (!this.executionAllowed) throw new Error(untrustedReason);
      await this.functions.ready();
    };
    return new FolderEngine(
      {
        account: async (folder) => {
          await ready();
          return this.accounts.get(folder);
        },
        run: async (folder, work) => {
          await ready();
          return this.counted(folder, work);
        },
        onRecord: (listener) => this.onDidChangeRecord(listener),
      },
      root,
    );
  }

  /** The local account of the folder holding `fn` (for queue views and replays). */
  async accountOf(fn: FunctionConfig): Promise<LocalAccount> {
    const root = this.functions.rootOf(fn);
    if (!root) throw new Error(`${fn.name} is not in an open workspace folder.`);
    await this.functions.ready();
    return this.accounts.get(root);
  }

  /** DURABLE-13: a durable execution of one of the open accounts, as the panel shows it. */
  executionView(arn: string): { view: ExecutionView } | { problem: string } {
    for (const account of this.openAccounts()) {
      const execution = account.engine.durable.find(arn);
      if (execution?.arn === arn) return { view: engine().executionView(execution) };
    }
    return {
      problem: 'This execution is not in an open workspace folder (its folder was closed or its store removed).',
    };
  }

  /**
   * DURABLE-3: completes (or heartbeats) a pending callback of an execution, as `SendDurableExecutionCallback*`
   * would; the execution's engine goes on by itself (the handler is invoked again).
   */
  async sendCallback(arn: string, callbackId: string, outcome: CallbackOutcome): Promise<void> {
    if (!this.executionAllowed) throw new Error(untrustedReason);
    const account = this.openAccounts().find((a) => a.engine.durable.find(arn)?.arn === arn);
    if (!account) throw new Error(`The execution ${arn} is not in an open workspace folder.`);
    await new (engine().LocalWorkspaceEngine)(account).sendCallback(callbackId, outcome);
  }

  openAccounts(): LocalAccount[] {
    return this.accounts.list().map((e) => e.account);
  }

  /**
   * Closes every local account: resolves once their execution environments have exited and their stores are
   * closed. deactivate() awaits it; dispose() (the subscriptions) starts the same close, so both can run.
   */
  close(): Promise<void> {
    return this.accounts.close();
  }

  dispose(): void {
    for (const s of this.subscriptions.splice(0)) s.dispose();
    void this.close();
    this.recordChanged.dispose();
    this.runningChanged.dispose();
    this.accountsChanged.dispose();
  }
}
