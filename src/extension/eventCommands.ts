/** Commands on events: preview a template, save it as a function's saved event, rename or delete saved events. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { suggestEventName, uniqueName } from '../core/events/eventNames';
import {
  createSavedEvent,
  deleteSavedEvent,
  listSavedEvents,
  renameSavedEvent,
  type SavedEvent,
} from '../core/events/savedEvents';
import { commandTable } from '../shared/commandTable';
import { registerCommand } from './commandRegistration';
import type { EventDocuments } from './eventDocuments';
import type { EventPicker } from './eventPicker';
import type { InvokeCommands } from './invokeCommands';
import type { EventSourceNode } from './views/eventSourcesView';
import type { FunctionNode } from './views/functionsView';
import type { WorkspaceFunctions } from './workspaceFunctions';
import type { WorkspaceSavedEvents } from './workspaceSavedEvents';

export interface EventCommandContext {
  picker: EventPicker;
  functions: WorkspaceFunctions;
  savedEvents: WorkspaceSavedEvents;
  invoke: InvokeCommands;
  documents: EventDocuments;
}

type SavedNode = Extract<FunctionNode, { kind: 'saved' }> | Extract<EventSourceNode, { kind: 'saved' }>;

/** The workspace folder a saved event lives in (its path is <root>/lambda-events/<Function>/<name>.json). */
function rootOfSaved(saved: SavedEvent): string {
  return path.resolve(path.dirname(saved.file), '..', '..');
}

export function registerEventCommands(ctx: EventCommandContext): vscode.Disposable[] {
  const guard =
    (f: (...args: never[]) => Promise<unknown>) =>
    (...args: never[]) =>
      f(...args).catch(
        (err: unknown) =>
          void vscode.window.showErrorMessage(`Lambda: ${err instanceof Error ? err.message : String(err)}`),
      );
  return [
    registerCommand(
      commandTable.previewEvent,
      guard(async (node: EventSourceNode) => {
        if (node?.kind !== 'event') return;
        // A real document of the event, validated by its schema, with lenses to invoke, send or save it.
        await ctx.documents.open(ctx.picker.fromTemplate(node.template.id));
      }),
    ),
    registerCommand(
      commandTable.saveEvent,
      guard(async (node: EventSourceNode) => {
        if (node?.kind !== 'event') return;
        const event = await ctx.picker.editParameters(node.template.id, {});
        if (!event) return;
        const fn = await ctx.invoke.resolveFunction(undefined);
        if (!fn) return;
        const root = ctx.functions.rootOf(fn);
        if (!root) throw new Error(`${fn.name} is not in an open workspace folder.`);
        const payload = JSON.parse(event.payloadJson) as unknown;
        const suggested = uniqueName(suggestEventName(node.template.id, payload), listSavedEvents(root, fn.name));
        const name = await vscode.window.showInputBox({
          title: `Save the ${node.template.title} event for ${fn.name}`,
          prompt: 'Event name',
          value: suggested,
        });
        if (!name) return;
        const saved = createSavedEvent(root, fn.name, name, payload, node.template.id);
        ctx.savedEvents.refresh();
        await vscode.window.showTextDocument(vscode.Uri.file(saved.file));
      }),
    ),
    registerCommand(
      commandTable.invokeSavedEvent,
      guard(async (node: SavedNode) => {
        if (node?.kind !== 'saved') return;
        const fn = ctx.functions.all().find((f) => f.name === node.saved.functionName);
        if (!fn) throw new Error(`No function named ${node.saved.functionName} for this saved event.`);
        await ctx.invoke.run(fn, ctx.picker.fromFile(node.saved.file));
      }),
    ),
    registerCommand(
      commandTable.renameSavedEvent,
      guard(async (node: SavedNode) => {
        if (node?.kind !== 'saved') return;
        const to = await vscode.window.showInputBox({ title: `Rename ${node.saved.name}`, value: node.saved.name });
        if (!to || to === node.saved.name) return;
        renameSavedEvent(rootOfSaved(node.saved), node.saved.functionName, node.saved.name, to);
        ctx.savedEvents.refresh();
      }),
    ),
    registerCommand(
      commandTable.deleteSavedEvent,
      guard(async (node: SavedNode) => {
        if (node?.kind !== 'saved') return;
        const answer = await vscode.window.showWarningMessage(
          `Delete the saved event ${node.saved.functionName}/${node.saved.name}?`,
          { modal: true },
          'Delete',
        );
        if (answer !== 'Delete') return;
        deleteSavedEvent(rootOfSaved(node.saved), node.saved.functionName, node.saved.name);
        ctx.savedEvents.refresh();
      }),
    ),
    registerCommand(
      commandTable.revealHandler,
      guard(async (node: FunctionNode) => {
        const fn = node?.fn;
        if (!fn?.handlerFile) return;
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(fn.handlerFile));
        const line = handlerLine(doc.getText(), fn.exportName);
        const position = new vscode.Position(line, 0);
        await vscode.window.showTextDocument(doc, { selection: new vscode.Range(position, position) });
      }),
    ),
  ];
}

/** The 0-based line that defines or exports `name` (best effort: the first line that mentions it as a definition). */
export function handlerLine(text: string, name: string): number {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const definition = new RegExp(
    `(def|function|const|let|var|exports\\.|module\\.exports\\.)\\s*${escaped}\\b|\\b${escaped}\\s*[:=]`,
  );
  const lines = text.split('\n');
  const index = lines.findIndex((l) => definition.test(l));
  return index >= 0 ? index : 0;
}
