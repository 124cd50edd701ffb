/** Extension entry point: wires the views, commands, panel and language client. The only layer importing 'vscode'. */
import * as vscode from 'vscode';
import type { EventCatalogue } from '../core/events/eventCatalogue';
import type { InvocationRecord } from '../core/invoke/invocationRecord';
import { commandTable, executionAllowedContext } from '../shared/commandTable';
import { registerCommand } from './commandRegistration';
import { EventPicker } from './eventPicker';
import { FaultCommands } from './faultCommands';
import { InvocationPanel, invocationPanelViewType, type InvocationPanelModel } from './invocationPanel';
import type { PanelViewState } from '../shared/panelProtocol';
import { InvocationRunner, untrustedReason } from './invocationRunner';
import { InvokeCommands } from './invokeCommands';
import { InvokeMenuContext } from './invokeMenuContext';
import { engine, languageClientLibrary } from './lazyModules';
import { LambdaLanguageClient } from './languageClient';
import { LambdaLogChannel } from './lambdaLogChannel';
import { QueueCommands } from './queueCommands';
import { registerEventCommands } from './eventCommands';
import { EventDocuments } from './eventDocuments';
import { recordActions } from './recordActions';
import { SettingsService } from './settingsService';
import { InvocationStatusBar } from './statusBar';
import { EventSourcesView } from './views/eventSourcesView';
import { FunctionsView } from './views/functionsView';
import { LocalApi } from './localApi';
import { PanelViewStateStore } from './panelViewStateStore';
import { QueuesView, queuesViewId } from './views/queuesView';
import { WorkspaceFunctions } from './workspaceFunctions';
import { WorkspaceSavedEvents } from './workspaceSavedEvents';

/** Set by the bundle's first statement (scripts/build.mjs banner); undefined when not bundled. */
declare const __ltrBundleStart: number | undefined;
/** Its `at` is set by the bundle's last statement (scripts/build.mjs footer). */
declare const __ltrBundleEnd: { at?: number } | undefined;

export interface ActivationTimings {
  /** From the first statement of the bundle to its last: module evaluation, ms. */
  bundleEvaluationMs: number | undefined;
  /** From the bundle's last statement to the call of activate(): VS Code's own work in between, ms. */
  hostUntilActivateMs: number | undefined;
  /** activate() itself, ms. */
  activateMs: number;
}

/** What the integration tests and other extensions can reach. */
export interface LambdaTriggerApi {
  readonly languageClient: LambdaLanguageClient;
  readonly timings: ActivationTimings;
  readonly functions: WorkspaceFunctions;
  readonly runner: InvocationRunner;
  readonly settings: SettingsService;
  readonly invokeCommands: InvokeCommands;
  readonly eventDocuments: EventDocuments;
  /** The context keys of the "Invoke with" menus, as last set. */
  readonly menuContext: InvokeMenuContext;
  /** The records the panel shows (the engine's history), newest first. */
  records(): InvocationRecord[];
  /** The open invocation panel, if any (tests look at the messages it exchanged). */
  panel(): InvocationPanel | undefined;
  /** What the reader had on screen in the panel, as the extension remembers it across closing and reloads. */
  panelViewState(): PanelViewState | undefined;
  readonly views: { functions: FunctionsView; eventSources: EventSourcesView; queues: QueuesView };
  /** The local HTTP API (Start Local API). */
  readonly localApi: LocalApi;
}

export function activate(context: vscode.ExtensionContext): LambdaTriggerApi {
  const activateStart = performance.now();
  const output = vscode.window.createOutputChannel('Lambda Trigger Runner', { log: true });
  const templatesDir = vscode.Uri.joinPath(context.extensionUri, 'event-templates').fsPath;
  const settings = new SettingsService(output);
  const languageClient = new LambdaLanguageClient(context, output, () => ({
    templatesDir,
    ...settings.forDiscovery(),
  }));
  const functions = new WorkspaceFunctions(languageClient, output);
  const savedEvents = new WorkspaceSavedEvents(output);
  const runner = new InvocationRunner(context.extensionUri, functions, settings, output);
  const logs = new LambdaLogChannel();
  const statusBar = new InvocationStatusBar(runner);
  context.subscriptions.push(output, settings, languageClient, functions, savedEvents, runner, logs, statusBar);
  const localApi = new LocalApi({
    engine: (root) => runner.folderEngine(root),
    functions: () => functions.all(),
    rootOf: (fn) => functions.rootOf(fn),
    onDidChangeFunctions: (listener) => {
      const a = functions.onDidChange(listener);
      const b = runner.onDidChangeAccounts(listener);
      return vscode.Disposable.from(a, b);
    },
    settings: (root) => settings.forFolder(root),
    output,
  });
  context.subscriptions.push(localApi, ...localApi.register());
  shutdown = async () => {
    // The local API stops first, so that no request reaches an account while it closes.
    await localApi.close();
    await Promise.all([runner.close(), languageClient.stop(), panelViewState.flushed()]);
  };
  context.subscriptions.push(
    languageClient.onWillStart((connection) => functions.attach(connection)),
    languageClient.onDidStart(() => void functions.refresh()),
    // The server re-indexes with the new globs and ARNs; its indexChanged brings the new function list.
    settings.onDidChange((change) => {
      if (!change.discovery) return;
      languageClient
        .notifyIfRunning(languageClientLibrary().settingsChangedNotification, settings.forDiscovery())
        .catch((err: unknown) => output.error(`Telling the language server about the settings failed: ${String(err)}`));
    }),
  );
  // Menus such as "Invoke with S3 Event" show only on files that hold a handler, configured sources first.
  const menuContext = new InvokeMenuContext(functions);
  context.subscriptions.push(menuContext);

  let catalogue: EventCatalogue | undefined;
  const getCatalogue = (): EventCatalogue => (catalogue ??= engine().loadCatalogue(templatesDir));
  const picker = new EventPicker(
    getCatalogue,
    () => savedEvents.all(),
    // The events a function's triggers send carry its folder's region and account in their ARNs.
    (fn) => {
      const root = functions.rootOf(fn);
      return { function: fn, location: (root ? settings.forFolder(root) : settings.forDiscovery()).location };
    },
  );

  const panelViewState = new PanelViewStateStore(context.storageUri?.fsPath, context.workspaceState, (message) =>
    output.warn(message),
  );
  const panelModel: InvocationPanelModel = {
    records: () => runner.records(),
    onDidChangeRecord: runner.onDidChangeRecord,
    onDidChangeHistory: runner.onDidChangeAccounts,
    executionDisabledReason: () => (vscode.workspace.isTrusted ? undefined : untrustedReason),
    runAction: (action, record) =>
      recordActions(action, record, {
        runner,
        functions,
        invoke: invokeCommands,
        savedEvents,
        catalogue: getCatalogue,
      }),
    execution: (arn) => runner.executionView(arn),
    sendCallback: (arn, callbackId, outcome) => runner.sendCallback(arn, callbackId, outcome),
    viewState: () => panelViewState.get(),
    saveViewState: (state) => panelViewState.save(state),
  };
  const showRecords = (records: InvocationRecord[]): void => {
    for (const record of records) logs.append(record);
    statusBar.show(records);
    InvocationPanel.show(context.extensionUri, panelModel, output, records[records.length - 1]);
  };
  const invokeCommands = new InvokeCommands({ functions, runner, picker, state: context.workspaceState, showRecords });
  const eventDocuments = new EventDocuments({
    picker,
    functions,
    runner,
    invoke: invokeCommands,
    savedEvents,
    showRecords,
  });
  invokeCommands.editFirst = (event, fn) => eventDocuments.open(event, fn);

  const queuesView = new QueuesView(runner, output);
  const functionsView = new FunctionsView(functions, () => savedEvents.all(), savedEvents.onDidChange);
  const eventSourcesView = new EventSourcesView({
    catalogue: () => {
      try {
        return getCatalogue();
      } catch (err) {
        output.error(`The event catalogue could not be loaded: ${String(err)}`);
        return undefined;
      }
    },
    catalogueError: () => undefined,
    savedEvents: () => savedEvents.all(),
    onDidChange: savedEvents.onDidChange,
  });
  context.subscriptions.push(
    functionsView,
    eventSourcesView,
    vscode.window.createTreeView('lambdaTrigger.functions', { treeDataProvider: functionsView, showCollapseAll: true }),
    vscode.window.createTreeView('lambdaTrigger.eventSources', {
      treeDataProvider: eventSourcesView,
      showCollapseAll: true,
    }),
    ...invokeCommands.register(),
    ...new FaultCommands({ invoke: invokeCommands, picker }).register(),
    queuesView,
    vscode.window.createTreeView(queuesViewId, { treeDataProvider: queuesView }),
    ...new QueueCommands({ runner, view: queuesView, showRecords }).register(),
    eventDocuments,
    ...registerEventCommands({ picker, functions, savedEvents, invoke: invokeCommands, documents: eventDocuments }),
    vscode.window.registerWebviewPanelSerializer(invocationPanelViewType, {
      deserializeWebviewPanel: async (panel) => {
        InvocationPanel.restore(panel, context.extensionUri, panelModel, output);
        await runner
          .loadHistory()
          .catch((err: unknown) => output.error(`Loading the invocation history failed: ${String(err)}`));
      },
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      output.info('Workspace trusted: handlers can run now.');
      void vscode.commands.executeCommand('setContext', executionAllowedContext, true);
    }),
  );

  context.subscriptions.push(
    registerCommand(commandTable.showOutput, () => output.show()),
    registerCommand(commandTable.restartServer, async () => {
      await languageClient.restart();
      output.info('Language server restarted.');
    }),
    registerCommand(commandTable.showServerStatus, async () => {
      const client = await languageClient.start();
      const status = await client.sendRequest(languageClientLibrary().serverStatusRequest);
      const message = `Language server ${status.version} (pid ${status.pid}) up ${Math.round(status.uptimeMs / 1000)} s, ${status.functions} functions, ${status.openDocuments} open documents, ${status.indexChangedNotifications} index changes sent (${functions.indexChangesHandled} handled).`;
      output.info(message);
      void vscode.window.showInformationMessage(message);
      return status;
    }),
    registerCommand(commandTable.refresh, async () => {
      savedEvents.refresh();
      await functions.refresh();
    }),
    registerCommand(commandTable.showInvocations, async () => {
      await runner
        .loadHistory()
        .catch((err: unknown) => output.error(`Loading the invocation history failed: ${String(err)}`));
      InvocationPanel.show(context.extensionUri, panelModel, output);
    }),
  );

  startServerAfterActivation(languageClient, output);
  void vscode.commands.executeCommand('setContext', executionAllowedContext, vscode.workspace.isTrusted);
  // typeof first: run unbundled (tests from source), the markers are not declared at all.
  const bundleEnd = typeof __ltrBundleEnd === 'object' ? __ltrBundleEnd?.at : undefined;
  const timings: ActivationTimings = {
    bundleEvaluationMs:
      typeof __ltrBundleStart === 'number' && bundleEnd !== undefined ? bundleEnd - __ltrBundleStart : undefined,
    hostUntilActivateMs: bundleEnd !== undefined ? activateStart - bundleEnd : undefined,
    activateMs: performance.now() - activateStart,
  };
  return {
    languageClient,
    timings,
    functions,
    runner,
    settings,
    invokeCommands,
    eventDocuments,
    menuContext,
    records: () => runner.records(),
    panel: () => InvocationPanel.visible,
    panelViewState: () => panelModel.viewState(),
    views: { functions: functionsView, eventSources: eventSourcesView, queues: queuesView },
    localApi,
  };
}

/**
 * The server starts right after activation, off its critical path: activation already means the workspace holds
 * Lambda code (workspaceContains), and the editor menus ("Invoke with S3 Event" on handler files) need its index
 * before the user opens anything.
 */
function startServerAfterActivation(client: LambdaLanguageClient, output: vscode.LogOutputChannel): void {
  setTimeout(() => {
    if (client.running) return;
    client.start().then(
      () => output.info('Language server started.'),
      (err: unknown) => output.error(`Language server failed to start: ${String(err)}`),
    );
  }, 0);
}

/** Closes what outlives a synchronous dispose: the local accounts (environments, stores) and the server. */
let shutdown: (() => Promise<void>) | undefined;

/**
 * VS Code awaits this promise: it resolves once every local account's store is closed (its lock released), every
 * execution environment's process has exited and the language client has stopped. VS Code disposes the
 * subscriptions at the same time; their dispose() starts the same closes, which both paths share.
 */
export function deactivate(): Promise<void> | undefined {
  const closing = shutdown?.();
  shutdown = undefined;
  return closing;
}
