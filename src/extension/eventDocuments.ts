/**
 * Events are documents: a template, a trigger's event or a saved event opens as a JSON editor document (the
 * language server validates it against its event type's schema), with code lenses on its first line: "Invoke
 * <Function>" in the function's mode, "Invoke another function…", "Send to <queue/topic/bus/stream>" when the
 * event is a message of a local resource, and "Save as…". What runs is what the editor shows, saved or not.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeResource, eventResourceOf, localResourceName } from '../core/account/eventResource';
import type { FunctionConfig } from '../core/discovery/functionConfig';
import type { InvocationRecord } from '../core/invoke/invocationRecord';
import { resolveEventFileType } from '../core/events/eventFileType';
import { parseEventJson } from '../core/events/eventJson';
import { payloadTooDeepMessage } from '../core/runtime/payloadLimits';
import { suggestEventName, uniqueName } from '../core/events/eventNames';
import { createSavedEvent, listSavedEvents, SAVED_EVENTS_DIR } from '../core/events/savedEvents';
import { EVENT_TYPE_MARKER, stripEventTypeMarker } from '../core/events/eventTypeDetection';
import type { TriggerEvent } from '../core/events/triggerEvents';
import { commandTable } from '../shared/commandTable';
import { registerCommand } from './commandRegistration';
import type { ChosenEvent, EventPicker } from './eventPicker';
import type { InvocationRunner } from './invocationRunner';
import { defaultMode, type InvokeCommands } from './invokeCommands';
import type { WorkspaceFunctions } from './workspaceFunctions';
import type { WorkspaceSavedEvents } from './workspaceSavedEvents';

export interface EventDocumentsContext {
  picker: EventPicker;
  functions: WorkspaceFunctions;
  runner: InvocationRunner;
  invoke: InvokeCommands;
  savedEvents: WorkspaceSavedEvents;
  showRecords(records: InvocationRecord[]): void;
}

/** What an event document holds, read from its text as it is now. */
export interface EventDocumentContent {
  /** The payload the handler gets (the `$eventType` marker taken out). */
  payload: unknown;
  /** The event type: the marker, the file's place (`events/sqs/receive-message.json`), or a guess from content. */
  typeId?: string;
}

const selector: vscode.DocumentSelector = [
  { language: 'json', scheme: 'file' },
  { language: 'json', scheme: 'untitled' },
];

export class EventDocuments implements vscode.CodeLensProvider, vscode.Disposable {
  /** The picker the documents' events come from (templates, triggers). */
  get picker(): EventPicker {
    return this.ctx.picker;
  }

  /** The function each opened event document was opened for, by URI. */
  private readonly functionOf = new Map<string, string>();
  /** The function last invoked from a document, by event type. */
  private readonly lastFunctionFor = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly ctx: EventDocumentsContext) {
    this.subscriptions = [
      this.changed,
      vscode.languages.registerCodeLensProvider(selector, this),
      ctx.functions.onDidChange(() => this.changed.fire()),
      // "Send to <resource>" names a resource of an open account: an account opening brings the lens.
      ctx.runner.onDidChangeAccounts(() => this.changed.fire()),
      vscode.workspace.onDidCloseTextDocument((doc) => this.functionOf.delete(doc.uri.toString())),
      registerCommand(commandTable.invokeEventDocument, (uri?: vscode.Uri, functionName?: string) =>
        this.guard(() => this.invokeDocument(uri, functionName)),
      ),
      registerCommand(commandTable.invokeEventDocumentWith, (uri?: vscode.Uri) =>
        this.guard(() => this.invokeDocumentWithAnother(uri)),
      ),
      registerCommand(commandTable.sendEventDocument, (uri?: vscode.Uri) => this.guard(() => this.send(uri))),
      registerCommand(commandTable.saveEventDocumentAs, (uri?: vscode.Uri) => this.guard(() => this.saveAs(uri))),
    ];
  }

  private async guard<T>(work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (err) {
      void vscode.window.showErrorMessage(`Lambda: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }

  /**
   * Opens an event as an untitled JSON document with its `$eventType` marker (so it is validated), for `fn` when
   * given: its lenses then invoke that function.
   */
  async open(event: ChosenEvent, fn?: FunctionConfig): Promise<vscode.TextEditor> {
    const payload = JSON.parse(event.payloadJson) as unknown;
    const marked =
      event.templateId && payload !== null && typeof payload === 'object' && !Array.isArray(payload)
        ? { [EVENT_TYPE_MARKER]: event.templateId, ...(payload as Record<string, unknown>) }
        : payload;
    const doc = await vscode.workspace.openTextDocument({
      language: 'json',
      content: `${JSON.stringify(marked, null, 2)}\n`,
    });
    if (fn) this.functionOf.set(doc.uri.toString(), fn.name);
    this.changed.fire();
    // Beside the code, not in the panel's group: the panel showing a result must not hide the event.
    return vscode.window.showTextDocument(doc, {
      preview: false,
      viewColumn: vscode.window.activeTextEditor?.viewColumn ?? vscode.ViewColumn.One,
    });
  }

  /** The event in a document: parsed as it is now; a JSON error says where. Undefined when it is no event. */
  content(doc: vscode.TextDocument): EventDocumentContent | undefined {
    let parsed: unknown;
    try {
      parsed = this.parse(doc);
    } catch {
      // Still an event document when its place or its opener says so; the lens runs and reports the error.
      const typeId = resolveEventFileType(doc.uri.toString(), undefined, this.ctx.picker.catalogue())?.typeId;
      return typeId || this.isOwnDocument(doc) ? { payload: undefined, ...(typeId ? { typeId } : {}) } : undefined;
    }
    const type = resolveEventFileType(doc.uri.toString(), parsed, this.ctx.picker.catalogue());
    if (!type && !this.isOwnDocument(doc)) return undefined;
    return { payload: stripEventTypeMarker(parsed), ...(type ? { typeId: type.typeId } : {}) };
  }

  /** The document's event; JSON errors and a nesting deeper than the runner takes (SYNC-6) are errors naming it. */
  private parse(doc: vscode.TextDocument): unknown {
    const text = doc.getText();
    const tooDeep = payloadTooDeepMessage(text);
    if (tooDeep) throw new Error(`${this.label(doc)}: ${tooDeep}`);
    return parseEventJson(text, this.label(doc));
  }

  /** Opened by the extension, or a saved event (`lambda-events/<Function>/<name>.json`). */
  private isOwnDocument(doc: vscode.TextDocument): boolean {
    return this.functionOf.has(doc.uri.toString()) || savedEventFunction(doc.uri) !== undefined;
  }

  /**
   * The function a document's "Invoke" lens runs: the one it was opened for (or last invoked with it), its
   * saved-event folder's; else among the functions whose trigger sends this type of event, the one whose trigger
   * reads the queue, stream, topic or bucket the event names, else the one last invoked with this type of event,
   * else the first of the document's folder by name. "Invoke another function…" is always there for the others.
   */
  functionFor(doc: vscode.TextDocument, typeId: string | undefined, payload?: unknown): FunctionConfig | undefined {
    const all = this.ctx.functions.all();
    const byName = (name: string | undefined) => (name ? all.find((f) => f.name === name) : undefined);
    const named = byName(this.functionOf.get(doc.uri.toString())) ?? byName(savedEventFunction(doc.uri));
    if (named) return named;
    if (!typeId) return undefined;
    const triggered = all
      .map((fn) => ({ fn, events: this.ctx.picker.triggerEvents(fn).filter((e) => e.event.templateId === typeId) }))
      .filter((c) => c.events.length > 0);
    if (triggered.length <= 1) return triggered[0]?.fn;
    const source = sourceNameOf(payload);
    const reading = source
      ? triggered.filter((c) =>
          c.events.some((e) => {
            const own = sourceNameOf(triggerPayloadOf(this.ctx.picker, e.event));
            return own !== undefined && localResourceName(source, [own]) !== undefined;
          }),
        )
      : [];
    if (reading.length >= 1) return reading[0].fn;
    const last = byName(this.lastFunctionFor.get(typeId));
    if (last && triggered.some((c) => c.fn === last)) return last;
    const root = this.rootOf(doc);
    const inFolder = triggered.filter((c) => this.ctx.functions.rootOf(c.fn) === root);
    return (inFolder.length > 0 ? inFolder : triggered)
      .map((c) => c.fn)
      .sort((a, b) => a.name.localeCompare(b.name))[0];
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.ctx.runner.executionAllowed) return [];
    const content = this.content(doc);
    if (!content) return [];
    const top = new vscode.Range(0, 0, 0, 0);
    const lenses: vscode.CodeLens[] = [];
    const fn = this.functionFor(doc, content.typeId, content.payload);
    if (fn) {
      const mode = defaultMode(fn, this.chosen(doc, content));
      lenses.push(
        new vscode.CodeLens(top, {
          title: `$(play) Invoke ${fn.name} (${mode})`,
          command: commandTable.invokeEventDocument.id,
          arguments: [doc.uri, fn.name],
          tooltip: `Run ${fn.name} with this event as the editor shows it, ${mode === 'batch' ? 'as a batch through its event source mapping' : mode === 'async' ? 'asynchronously, as its source invokes it' : 'synchronously'}`,
        }),
      );
    }
    const named = eventResourceOf(content.payload);
    const root = this.rootOf(doc);
    const account = root ? this.ctx.runner.openAccountAt(root) : undefined;
    const resource = named ? account?.localResource(named) : undefined;
    // Not open yet (a new window): open it, as the Queues view does; its opening refreshes these lenses.
    if (named && root && !account && this.ctx.runner.executionAllowed)
      void this.ctx.runner.loadHistory().catch(() => undefined);
    if (resource) {
      lenses.push(
        new vscode.CodeLens(top, {
          title: `$(send) Send to ${resource.name}`,
          command: commandTable.sendEventDocument.id,
          arguments: [doc.uri],
          tooltip: `Put this event's messages on the ${describeResource(resource)}; whatever reads it runs`,
        }),
      );
    }
    lenses.push(
      new vscode.CodeLens(top, {
        title: '$(save) Save as…',
        command: commandTable.saveEventDocumentAs.id,
        arguments: [doc.uri],
        tooltip: `Save this event for a function under ${SAVED_EVENTS_DIR}/`,
      }),
    );
    // Last, as the line may be cut at the panel's width: the others matter more.
    lenses.push(
      new vscode.CodeLens(top, {
        title: fn ? 'Invoke another function…' : '$(play) Invoke a function…',
        command: commandTable.invokeEventDocumentWith.id,
        arguments: [doc.uri],
      }),
    );
    return lenses;
  }

  private label(doc: vscode.TextDocument): string {
    return doc.isUntitled ? doc.uri.path : vscode.workspace.asRelativePath(doc.uri);
  }

  /** The workspace folder of a document; an untitled one belongs to the first folder. */
  private rootOf(doc: vscode.TextDocument): string | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(doc.uri) ?? vscode.workspace.workspaceFolders?.[0];
    return folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined;
  }

  /** The event as the invoke commands take it; a saved, unmodified file is remembered as the function's last. */
  private chosen(doc: vscode.TextDocument, content: EventDocumentContent): ChosenEvent {
    const template = content.typeId ? this.ctx.picker.catalogue().get(content.typeId) : undefined;
    return {
      payloadJson: JSON.stringify(content.payload ?? null),
      ...(content.typeId ? { templateId: content.typeId } : {}),
      ...(template ? { invocation: template.invocation } : {}),
      label: doc.isUntitled ? 'the event in the editor' : path.basename(doc.uri.fsPath),
      ...(!doc.isUntitled && !doc.isDirty ? { memo: { kind: 'file' as const, file: doc.uri.fsPath } } : {}),
    };
  }

  /** The document a command is about (a lens passes it; the palette means the active editor), read now. */
  private async document(uri: vscode.Uri | undefined): Promise<{ doc: vscode.TextDocument; event: ChosenEvent }> {
    const doc = uri
      ? await vscode.workspace.openTextDocument(uri)
      : (vscode.window.activeTextEditor?.document ??
        (() => {
          throw new Error('Open an event document (a JSON event) first.');
        })());
    // A JSON error is said with its line and column, a payload nested too deeply with its depth; nothing runs.
    const parsed = this.parse(doc);
    const type = resolveEventFileType(doc.uri.toString(), parsed, this.ctx.picker.catalogue());
    const content = { payload: stripEventTypeMarker(parsed), ...(type ? { typeId: type.typeId } : {}) };
    return { doc, event: this.chosen(doc, content) };
  }

  async invokeDocument(uri: vscode.Uri | undefined, functionName?: string) {
    const { doc, event } = await this.document(uri);
    const fn =
      (functionName ? this.ctx.functions.all().find((f) => f.name === functionName) : undefined) ??
      this.functionFor(doc, event.templateId, JSON.parse(event.payloadJson)) ??
      (await this.pickFunction(`Invoke which function with ${event.label}?`));
    if (!fn) return undefined;
    this.remember(event, fn);
    return this.ctx.invoke.run(fn, event);
  }

  async invokeDocumentWithAnother(uri: vscode.Uri | undefined) {
    const { doc, event } = await this.document(uri);
    const fn = await this.pickFunction(`Invoke which function with ${event.label}?`);
    if (!fn) return undefined;
    // The document's lens invokes this one from now on.
    this.functionOf.set(doc.uri.toString(), fn.name);
    this.remember(event, fn);
    this.changed.fire();
    return this.ctx.invoke.run(fn, event);
  }

  private remember(event: ChosenEvent, fn: FunctionConfig): void {
    if (event.templateId) this.lastFunctionFor.set(event.templateId, fn.name);
  }

  private async pickFunction(title: string): Promise<FunctionConfig | undefined> {
    await this.ctx.functions.ready();
    const picked = await vscode.window.showQuickPick(
      this.ctx.functions.all().map((fn) => ({
        label: fn.name,
        description: `${fn.runtime} · ${fn.handler}`,
        detail: vscode.workspace.asRelativePath(fn.definedIn),
        fn,
      })),
      { title, placeHolder: 'Pick a function' },
    );
    return picked?.fn;
  }

  async send(uri: vscode.Uri | undefined) {
    const { doc, event } = await this.document(uri);
    const root = this.rootOf(doc);
    if (!root) throw new Error('Open a folder to send events to its queues, topics, buses and streams.');
    const named = eventResourceOf(JSON.parse(event.payloadJson));
    // The local name a deployed one stands for (shop-dev-OrdersQueue-AbC123 is OrdersQueue here).
    const local = named ? (this.ctx.runner.openAccountAt(root)?.localResource(named) ?? named) : undefined;
    const { resource, records } = await this.ctx.runner.sendToResource(
      root,
      event.payloadJson,
      `Lambda: sending ${event.label} to ${local ? describeResource(local) : 'its resource'}…`,
    );
    if (records.length > 0) this.ctx.showRecords(records);
    else
      void vscode.window.showInformationMessage(
        `Lambda: sent to ${describeResource(resource)}; nothing reads it, so no function ran.`,
      );
    return records;
  }

  /** Saves the event for a function under lambda-events/, named from its content, and opens the saved file. */
  async saveAs(uri: vscode.Uri | undefined) {
    const { doc, event } = await this.document(uri);
    const fn =
      this.functionFor(doc, event.templateId) ?? (await this.pickFunction('Save this event for which function?'));
    if (!fn) return undefined;
    const root = this.ctx.functions.rootOf(fn);
    if (!root) throw new Error(`${fn.name} is not in an open workspace folder.`);
    const payload = JSON.parse(event.payloadJson) as unknown;
    const suggested = uniqueName(suggestEventName(event.templateId, payload), listSavedEvents(root, fn.name));
    const name = await vscode.window.showInputBox({
      title: `Save this event for ${fn.name}`,
      prompt: `Saved under ${SAVED_EVENTS_DIR}/${fn.name}/`,
      value: suggested,
      valueSelection: [0, suggested.length],
    });
    if (!name) return undefined;
    const saved = createSavedEvent(root, fn.name, name, payload, event.templateId);
    this.ctx.savedEvents.refresh();
    // As an editor's Save As does: the saved file takes the untitled document's place.
    const column = vscode.window.visibleTextEditors.find((e) => e.document === doc)?.viewColumn;
    if (doc.isUntitled) {
      await vscode.window.showTextDocument(doc, { preview: false, ...(column ? { viewColumn: column } : {}) });
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    await vscode.window.showTextDocument(vscode.Uri.file(saved.file), {
      preview: false,
      ...(column ? { viewColumn: column } : {}),
    });
    return saved;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

/** The function of a saved event's file: `<root>/lambda-events/<Function>/<name>.json`. */
function savedEventFunction(uri: vscode.Uri): string | undefined {
  if (uri.scheme !== 'file') return undefined;
  const parts = uri.fsPath.split(/[\\/]/);
  const n = parts.length;
  return n >= 3 && parts[n - 3] === SAVED_EVENTS_DIR && parts[n - 1].endsWith('.json') ? parts[n - 2] : undefined;
}

/** The queue, stream, topic or bucket an event names (`OrdersQueue`, an S3 event's bucket). */
function sourceNameOf(payload: unknown): string | undefined {
  const resource = eventResourceOf(payload);
  if (resource) return resource.name;
  const records = (payload as { Records?: Array<{ s3?: { bucket?: { name?: unknown } } }> } | undefined)?.Records;
  const bucket = Array.isArray(records) ? records[0]?.s3?.bucket?.name : undefined;
  return typeof bucket === 'string' ? bucket : undefined;
}

/** The event a function's trigger sends, as a payload (undefined when it cannot be rendered). */
function triggerPayloadOf(picker: EventPicker, event: TriggerEvent): unknown {
  try {
    return JSON.parse(picker.fromTrigger(event).payloadJson);
  } catch {
    return undefined;
  }
}
