/**
 * Controller of the invocation panel (webview): strict CSP with a crypto nonce, typed and validated messages, and
 * a "ready" handshake answered with the whole history every time. A panel in a background tab loses its page, and
 * messages posted meanwhile are dropped; when it is shown again (or restored after a reload by the serializer) the
 * page loads anew, says "ready", and gets the engine's history as it is now, with the reader's view state.
 */
import * as vscode from 'vscode';
import type { ExecutionView } from '../core/invoke/durable/executionView';
import type { InvocationRecord } from '../core/invoke/invocationRecord';
import { panelHtml } from './panelHtml';
import {
  parseFromPanel,
  type CallbackOutcome,
  type FromPanel,
  type PanelViewState,
  type RecordAction,
  type ToPanel,
} from '../shared/panelProtocol';

export const invocationPanelViewType = 'lambdaTrigger.invocations';

/** Where the panel's records come from (the engine's invocation history) and what its buttons do. */
export interface InvocationPanelModel {
  records(): InvocationRecord[];
  onDidChangeRecord: vscode.Event<InvocationRecord>;
  /** The whole history changed at once: an account opened (its stored history arrived) or re-opened. */
  onDidChangeHistory: vscode.Event<void>;
  executionDisabledReason(): string | undefined;
  runAction(action: RecordAction, record: InvocationRecord): Promise<void>;
  /** DURABLE-13: a durable execution as it is now, or why it cannot be shown. */
  execution(arn: string): { view: ExecutionView } | { problem: string };
  /** DURABLE-3: completes (or heartbeats) a pending callback of an execution. */
  sendCallback(arn: string, callbackId: string, outcome: CallbackOutcome): Promise<void>;
  /** What the reader had on screen, kept across closing the panel and reloading the window. */
  viewState(): PanelViewState | undefined;
  saveViewState(state: PanelViewState): void;
}

export class InvocationPanel implements vscode.Disposable {
  private static current: InvocationPanel | undefined;
  private ready = false;
  /** A record the extension asked to show that the page has not been told about yet (it was not loaded). */
  private pendingSelect: string | undefined;
  /** The durable execution the page shows: its view follows every change of its records. */
  private watchedExecution: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly handled = new vscode.EventEmitter<FromPanel>();
  /** Every validated message from the webview (tests and telemetry-free diagnostics listen here). */
  readonly onDidReceiveMessage = this.handled.event;
  private readonly posted = new vscode.EventEmitter<ToPanel>();
  /** Every message posted to a loaded page. */
  readonly onDidPostMessage = this.posted.event;

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly model: InvocationPanelModel,
    private readonly output: vscode.LogOutputChannel,
  ) {
    panel.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')] };
    panel.webview.html = this.html();
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'lambda.svg');
    this.disposables.push(
      this.handled,
      this.posted,
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      model.onDidChangeRecord((record) => {
        this.send({ type: 'record', record, select: false });
        if (record.execution && record.execution.arn === this.watchedExecution)
          this.sendExecution(record.execution.arn);
      }),
      // A panel restored after a reload says "ready" before the accounts have opened: their history follows.
      model.onDidChangeHistory(() => {
        if (this.ready) this.sendHistory();
      }),
      panel.onDidChangeViewState(() => {
        // A panel moved to a background tab loses its page; the next "ready" brings everything back.
        if (!panel.visible) this.ready = false;
      }),
    );
  }

  /** Shows the panel (creating it if needed) and selects `record` when given. */
  static show(
    extensionUri: vscode.Uri,
    model: InvocationPanelModel,
    output: vscode.LogOutputChannel,
    record?: InvocationRecord,
  ): InvocationPanel {
    let current = InvocationPanel.current;
    if (!current) {
      const panel = vscode.window.createWebviewPanel(
        invocationPanelViewType,
        'Lambda Invocations',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        {
          enableScripts: true,
          localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')],
        },
      );
      current = InvocationPanel.current = new InvocationPanel(panel, extensionUri, model, output);
      current.pendingSelect = record?.id;
    } else {
      current.panel.reveal(undefined, true);
      if (record) current.select(record);
    }
    return current;
  }

  /** True once the webview has loaded and sent its "ready" handshake. */
  get isReady(): boolean {
    return this.ready;
  }

  static get visible(): InvocationPanel | undefined {
    return InvocationPanel.current;
  }

  /** Restores a panel VS Code kept across a reload. */
  static restore(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    model: InvocationPanelModel,
    output: vscode.LogOutputChannel,
  ): void {
    InvocationPanel.current?.dispose();
    InvocationPanel.current = new InvocationPanel(panel, extensionUri, model, output);
  }

  /** Selects a record: now when the page is live, else with the history its next "ready" gets. */
  private select(record: InvocationRecord): void {
    this.pendingSelect = record.id;
    if (!this.ready) return;
    void this.panel.webview
      .postMessage({ type: 'record', record, select: true } satisfies ToPanel)
      .then((delivered) => {
        if (delivered && this.pendingSelect === record.id) this.pendingSelect = undefined;
      });
  }

  /** The answer to every "ready": the engine's history as it is now, the view state, the frame paths. */
  private sendHistory(): void {
    const selectedId = this.pendingSelect;
    this.pendingSelect = undefined;
    const viewState = this.model.viewState();
    this.send({
      type: 'history',
      records: this.model.records(),
      ...(selectedId ? { selectedId } : {}),
      ...(viewState ? { viewState } : {}),
      paths: {
        workspace: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
        runner: [vscode.Uri.joinPath(this.extensionUri, 'dist').fsPath],
      },
    });
    const reason = this.model.executionDisabledReason();
    if (reason) this.send({ type: 'executionDisabled', reason });
  }

  /** Posts to a loaded page; before "ready" nothing is sent, as the handshake brings the whole history. */
  private send(message: ToPanel): void {
    if (!this.ready) return;
    void this.panel.webview.postMessage(message);
    this.posted.fire(message);
  }

  /** DURABLE-13: the execution's view as it is now (or why there is none). */
  private sendExecution(arn: string): void {
    const found = this.model.execution(arn);
    this.send({ type: 'execution', arn, ...found });
  }

  private async completeCallback(arn: string, callbackId: string, outcome: CallbackOutcome): Promise<void> {
    try {
      await this.model.sendCallback(arn, callbackId, outcome);
      this.send({ type: 'callbackResult', callbackId });
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      this.output.error(`Completing callback ${callbackId} failed: ${text}`);
      this.send({ type: 'callbackResult', callbackId, problem: text });
    }
    this.sendExecution(arn);
  }

  private receive(raw: unknown): void {
    const message = parseFromPanel(raw);
    if (!message) {
      this.output.warn(`Ignored a malformed message from the invocation panel: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    this.handled.fire(message);
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.sendHistory();
        return;
      case 'viewState':
        this.model.saveViewState(message.state);
        return;
      case 'openSource':
        void this.openSource(message.file, message.line, message.column);
        return;
      case 'execution':
        this.watchedExecution = message.arn;
        this.sendExecution(message.arn);
        return;
      case 'callback':
        void this.completeCallback(message.arn, message.callbackId, message.outcome);
        return;
      case 'action': {
        const record = this.model.records().find((r) => r.id === message.recordId);
        if (!record) return;
        this.model.runAction(message.action, record).catch((err: unknown) => {
          const text = err instanceof Error ? err.message : String(err);
          this.output.error(`${message.action} failed: ${text}`);
          void vscode.window.showErrorMessage(`Lambda: ${text}`);
        });
        return;
      }
    }
  }

  /** Opens a stack frame's file, only when it lies inside a workspace folder (handler output is untrusted). */
  private async openSource(file: string, line: number, column: number): Promise<void> {
    const uri = vscode.Uri.file(file);
    if (!vscode.workspace.getWorkspaceFolder(uri)) {
      void vscode.window.showWarningMessage(`Not opening ${file}: it is outside the workspace.`);
      return;
    }
    const position = new vscode.Position(Math.max(0, line - 1), Math.max(0, column - 1));
    await vscode.window.showTextDocument(uri, {
      selection: new vscode.Range(position, position),
      viewColumn: vscode.ViewColumn.One,
    });
  }

  private html(): string {
    const webview = this.panel.webview;
    return panelHtml({
      cspSource: webview.cspSource,
      media: (file) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', file)).toString(),
    });
  }

  dispose(): void {
    if (InvocationPanel.current === this) InvocationPanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
