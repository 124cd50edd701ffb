/**
 * Runs invocations for the editor: one LocalAccount (engine + execution environments + durable store) per
 * workspace folder, opened on first use and re-opened when the function index changed. Gated by Workspace Trust.
 * Everything the UI shows comes from the engine's InvocationRecords. While an account is open, its engine endpoint
 * serves it to the lambda-trigger CLI, whose invocations are the engine's records like any other.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LocalAccount, type InvocationMode } from '../core/account/localAccount';
import { EngineEndpoint } from '../core/endpoints/engineEndpoint';
import type { FunctionConfig } from '../core/discovery/functionConfig';
import type { InjectedFaults } from '../core/invoke/engineContext';
import type { InvocationRecord } from '../core/invoke/invocationRecord';
import { packageVersion } from '../shared/version';
import type { WorkspaceFunctions } from './workspaceFunctions';
import { readSettings } from './settings';

export const untrustedReason =
  'This workspace is not trusted, so Lambda Trigger Runner does not run its handlers. You can browse functions and events and edit payloads; trust the workspace to invoke.';

interface AccountEntry {
  account: LocalAccount;
  /** The function ids the account was opened with; a different set means it must be re-opened. */
  fingerprint: string;
  subscription: { dispose(): void };
  /** Serves the account to the CLI; undefined when it could not start (said in the output channel). */
  endpoint: EngineEndpoint | undefined;
}

/** Stops serving the account to other processes first, so no request arrives while it is disposed. */
async function closeEntry(entry: AccountEntry): Promise<void> {
  entry.subscription.dispose();
  try {
    await entry.endpoint?.close();
  } finally {
    await entry.account.dispose();
  }
}

export class InvocationRunner implements vscode.Disposable {
  private readonly accounts = new Map<string, AccountEntry>();
  private opening = new Map<string, Promise<AccountEntry>>();
  private running = 0;
  private readonly recordChanged = new vscode.EventEmitter<InvocationRecord>();
  readonly onDidChangeRecord = this.recordChanged.event;
  private readonly runningChanged = new vscode.EventEmitter<number>();
  readonly onDidChangeRunning = this.runningChanged.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly functions: WorkspaceFunctions,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  get executionAllowed(): boolean {
    return vscode.workspace.isTrusted;
  }

  /** Every record of every open account, newest first (the history the panel shows). */
  records(): InvocationRecord[] {
    return [...this.accounts.values()]
      .flatMap((e) => e.account.engine.records())
      .sort((a, b) => b.start.wall.localeCompare(a.start.wall));
  }

  /** Opens the accounts of every folder so the persisted history is visible before the first invocation. */
  async loadHistory(): Promise<void> {
    if (!this.executionAllowed) return;
    await this.functions.ready();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme === 'file') await this.accountFor(folder.uri.fsPath);
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
    const { account } = await this.accountFor(root);
    this.running++;
    this.runningChanged.fire(this.running);
    try {
      return await vscode.window.withProgress(
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
      );
    } finally {
      this.running--;
      this.runningChanged.fire(this.running);
    }
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
    const { account } = await this.accountFor(root);
    this.running++;
    this.runningChanged.fire(this.running);
    try {
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, () =>
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
      );
    } finally {
      this.running--;
      this.runningChanged.fire(this.running);
    }
  }

  /** The account of a workspace folder, re-opened when the functions changed and nothing is running. */
  private async accountFor(root: string): Promise<AccountEntry> {
    await this.functions.ready();
    const functions = this.functions.all().filter((f) => this.functions.rootOf(f) === root);
    const fingerprint = JSON.stringify(functions);
    const current = this.accounts.get(root);
    const busy = this.running > 0 || (current?.endpoint?.activeRequests ?? 0) > 0;
    if (current && (current.fingerprint === fingerprint || busy)) return current;
    let pending = this.opening.get(root);
    if (!pending) {
      pending = this.open(root, functions, fingerprint, current).finally(() => this.opening.delete(root));
      this.opening.set(root, pending);
    }
    return pending;
  }

  private async open(
    root: string,
    functions: FunctionConfig[],
    fingerprint: string,
    previous: AccountEntry | undefined,
  ): Promise<AccountEntry> {
    if (previous) {
      this.accounts.delete(root);
      await closeEntry(previous);
    }
    const settings = readSettings(vscode.Uri.file(root));
    const owner = `${vscode.env.appName} (the Lambda Trigger Runner extension)`;
    const account = await LocalAccount.open({
      workspaceRoot: root,
      functions,
      bootstrapDir: vscode.Uri.joinPath(this.extensionUri, 'dist', 'runtime').fsPath,
      storeDir: path.join(root, '.lambda-trigger', 'store'),
      storeOwner: owner,
      timeScale: settings.timeScale,
      location: settings.location,
      logFormat: settings.logFormat,
      ...(settings.pythonInterpreter ? { pythonInterpreter: settings.pythonInterpreter } : {}),
    });
    // Every record of the engine, the CLI's through the endpoint included, reaches the panel as it changes.
    const subscription = account.engine.onRecord((record) => this.recordChanged.fire(record));
    let endpoint: EngineEndpoint | undefined;
    try {
      endpoint = await EngineEndpoint.serve(account, {
        workspaceRoot: root,
        owner,
        version: packageVersion,
        log: (message) => this.output.warn(message),
      });
    } catch (err) {
      this.output.warn(
        `The engine endpoint for ${root} did not start, so the lambda-trigger CLI cannot attach to this window: ${String(err)}`,
      );
    }
    const entry = { account, fingerprint, subscription, endpoint };
    this.accounts.set(root, entry);
    this.output.info(
      `Local account opened for ${root}: ${functions.length} functions, time scale ${settings.timeScale}` +
        (endpoint ? `; the lambda-trigger CLI attaches through ${endpoint.socket}.` : '.'),
    );
    return entry;
  }

  /** The local account of the folder holding `fn` (for queue views and replays). */
  async accountOf(fn: FunctionConfig): Promise<LocalAccount> {
    const root = this.functions.rootOf(fn);
    if (!root) throw new Error(`${fn.name} is not in an open workspace folder.`);
    return (await this.accountFor(root)).account;
  }

  openAccounts(): LocalAccount[] {
    return [...this.accounts.values()].map((e) => e.account);
  }

  dispose(): void {
    for (const entry of this.accounts.values()) void closeEntry(entry);
    this.accounts.clear();
    this.recordChanged.dispose();
    this.runningChanged.dispose();
  }
}
