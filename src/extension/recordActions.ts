/** What the invocation panel's buttons do with a record: re-run, replay to another function, save, copy, export. */
import * as vscode from 'vscode';
import type { EventCatalogue } from '../core/events/eventCatalogue';
import { suggestEventName, uniqueName } from '../core/events/eventNames';
import { createSavedEvent, listSavedEvents } from '../core/events/savedEvents';
import type { InvocationRecord } from '../core/invoke/invocationRecord';
import type { RecordAction } from '../shared/panelProtocol';
import type { InvocationRunner } from './invocationRunner';
import type { InvokeCommands } from './invokeCommands';
import type { WorkspaceFunctions } from './workspaceFunctions';
import type { WorkspaceSavedEvents } from './workspaceSavedEvents';

export interface RecordActionContext {
  runner: InvocationRunner;
  functions: WorkspaceFunctions;
  invoke: InvokeCommands;
  savedEvents: WorkspaceSavedEvents;
  catalogue(): EventCatalogue;
}

export async function recordActions(
  action: RecordAction,
  record: InvocationRecord,
  ctx: RecordActionContext,
): Promise<void> {
  const payloadJson = JSON.stringify(record.event);
  const fnOf = (name: string) => {
    const fn = ctx.functions.all().find((f) => f.name === name);
    if (!fn) throw new Error(`The function ${name} is no longer in the workspace.`);
    return fn;
  };
  switch (action) {
    case 'rerun': {
      const fn = fnOf(record.functionName);
      await ctx.invoke.run(fn, { payloadJson, label: 'the same event' }, record.mode);
      return;
    }
    case 'replay': {
      const fn = await ctx.invoke.resolveFunction(undefined);
      if (!fn) return;
      await ctx.invoke.run(fn, { payloadJson, label: `the event of ${record.functionName}` }, record.mode);
      return;
    }
    case 'saveEvent': {
      const fn = fnOf(record.functionName);
      const root = ctx.functions.rootOf(fn);
      if (!root) throw new Error(`${fn.name} is not in an open workspace folder.`);
      const typeId = ctx.catalogue().guessEventType(record.event);
      const name = await vscode.window.showInputBox({
        title: `Save this event for ${fn.name}`,
        prompt: 'Event name',
        value: uniqueName(suggestEventName(typeId, record.event), listSavedEvents(root, fn.name)),
      });
      if (!name) return;
      const saved = createSavedEvent(root, fn.name, name, record.event, typeId);
      ctx.savedEvents.refresh();
      await vscode.window.showTextDocument(vscode.Uri.file(saved.file));
      return;
    }
    case 'copy':
      await vscode.env.clipboard.writeText(JSON.stringify(record, null, 2));
      void vscode.window.setStatusBarMessage('Invocation record copied as JSON', 3000);
      return;
    case 'export': {
      const target = await vscode.window.showSaveDialog({
        title: 'Export the invocation record',
        filters: { JSON: ['json'] },
        defaultUri: vscode.Uri.joinPath(
          vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file('.'),
          `${record.functionName}-${record.id}.json`,
        ),
      });
      if (!target) return;
      await vscode.workspace.fs.writeFile(target, Buffer.from(`${JSON.stringify(record, null, 2)}\n`));
      return;
    }
  }
}
