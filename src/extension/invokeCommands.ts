/**
 * The invocation commands behind code lenses, tree items, context menus and the palette. Each resolves the
 * function and the event, picks the invocation model the event source uses, runs it through the engine and shows
 * the resulting InvocationRecord in the panel.
 */
import * as vscode from 'vscode';
import type { InvocationMode } from '../core/account/localAccount';
import type { FunctionConfig } from '../core/discovery/functionConfig';
import type { InjectedFaults } from '../core/invoke/engineContext';
import type { InvocationRecord } from '../core/invoke/invocationRecord';
import { commandTable } from '../shared/commandTable';
import { contextMenuSources, type InvokeMenuSource } from '../shared/invokeMenu';
import { registerCommand } from './commandRegistration';
import type { ChosenEvent, EventMemo, EventPicker } from './eventPicker';
import type { InvocationRunner } from './invocationRunner';
import type { FunctionNode } from './views/functionsView';
import { serviceTitle } from './views/serviceTitles';
import type { WorkspaceFunctions } from './workspaceFunctions';

/** The argument of a handler code lens (src/server/handlerIndex/handlerCodeLenses.ts). */
interface LensArgument {
  functionId?: string;
  functionName?: string;
  handlerFile: string;
  exportName: string;
  triggerIndex?: number;
}

/** Anything a command can be called with: a lens argument, a tree node, a file URI (menus), or nothing. */
export type FunctionTarget = LensArgument | FunctionNode | vscode.Uri | undefined;

/** Poll-based templates and the trigger kind whose event source mapping can carry them as a batch. */
const pollSourceKinds: Record<string, string> = {
  sqs: 'sqs',
  kinesis: 'kinesis',
  dynamodb: 'dynamodb',
  kafka: 'kafka',
  mq: 'mq',
};

export interface InvokeContext {
  functions: WorkspaceFunctions;
  runner: InvocationRunner;
  picker: EventPicker;
  state: vscode.Memento;
  showRecords(records: InvocationRecord[]): void;
}

export class InvokeCommands {
  /** Opens an event as a document ("Edit first" in the event picker); set by the extension. */
  editFirst: ((event: ChosenEvent, fn: FunctionConfig) => Promise<unknown>) | undefined;

  constructor(private readonly ctx: InvokeContext) {}

  register(): vscode.Disposable[] {
    const run =
      (f: (target: FunctionTarget, ...rest: unknown[]) => Promise<unknown>) =>
      (target: FunctionTarget, ...rest: unknown[]) =>
        f(target, ...rest).catch((err: unknown) => {
          void vscode.window.showErrorMessage(`Lambda: ${err instanceof Error ? err.message : String(err)}`);
        });
    return [
      registerCommand(
        commandTable.invoke,
        run((t) => this.invoke(t)),
      ),
      registerCommand(
        commandTable.invokeWith,
        run((t) => this.invokeWith(t)),
      ),
      registerCommand(
        commandTable.invokeAsync,
        run((t) => this.invoke(t, 'async')),
      ),
      registerCommand(
        commandTable.sendBatch,
        run((t) => this.sendBatch(t)),
      ),
      registerCommand(
        commandTable.invokeTrigger,
        run((t) => this.invokeTrigger(t)),
      ),
      registerCommand(
        commandTable.debug,
        run((t) => this.debug(t)),
      ),
      registerCommand(
        commandTable.invokeWithEvent,
        run((t, templateId, params) =>
          this.invokeWithEvent(t, String(templateId), (params as Record<string, unknown> | undefined) ?? {}),
        ),
      ),
      ...contextMenuSources.map((source) =>
        registerCommand(
          source.command,
          run((t) => this.invokeWithSource(t, source)),
        ),
      ),
      registerCommand(
        commandTable.invokeWithPickedEvent,
        run((t) => this.invokeWith(t)),
      ),
    ];
  }

  /** Invoke with the function's last event, else its trigger's event, else a picked one. */
  async invoke(target: FunctionTarget, mode?: InvocationMode): Promise<InvocationRecord[] | undefined> {
    const fn = await this.resolveFunction(target);
    if (!fn) return undefined;
    const event = await this.eventFor(fn);
    return event ? this.run(fn, event, mode) : undefined;
  }

  /** The function's last event, else its trigger's event, else one the user picks. */
  private async eventFor(fn: FunctionConfig): Promise<ChosenEvent | undefined> {
    const memo = this.ctx.state.get<EventMemo>(memoKey(fn));
    if (memo) {
      try {
        return this.ctx.picker.fromMemo(memo);
      } catch {
        // the remembered file is gone: fall back to the default
      }
    }
    return this.ctx.picker.defaultFor(fn) ?? (await this.ctx.picker.pick(fn));
  }

  /** Debug with the same event Invoke would send; the record shows like any other. */
  async debug(target: FunctionTarget): Promise<InvocationRecord[] | undefined> {
    const fn = await this.resolveFunction(target);
    if (!fn) return undefined;
    const event = await this.eventFor(fn);
    if (!event) return undefined;
    if (event.memo) await this.ctx.state.update(memoKey(fn), event.memo);
    const record = await this.ctx.runner.debug(fn, event.payloadJson, `Debugging ${fn.name} ← ${event.label}`);
    this.ctx.showRecords([record]);
    return [record];
  }

  /** "Invoke with…" and "Pick an Event…": the whole picker. */
  async invokeWith(target: FunctionTarget): Promise<InvocationRecord[] | undefined> {
    const fn = await this.resolveFunction(target);
    if (!fn) return undefined;
    const event = await this.ctx.picker.pick(fn);
    return event ? this.run(fn, event) : undefined;
  }

  /**
   * "Invoke with SQS Event" and the other menu sources: a source with a template invokes at once, with the event the
   * function's own trigger of that source sends when it has one; the others open the picker on the source's events,
   * the function's configured triggers of it first.
   */
  async invokeWithSource(target: FunctionTarget, source: InvokeMenuSource): Promise<InvocationRecord[] | undefined> {
    const { picker } = this.ctx;
    const configuredEvents = (f: FunctionConfig) =>
      picker.triggerEvents(f).filter((e) => e.event.templateId.startsWith(`${source.service}:`));
    // In a file of several functions, the one with a trigger of this source is the one meant.
    const fn = await this.resolveFunction(target, (f) => configuredEvents(f).length > 0);
    if (!fn) return undefined;
    if (source.templateId) {
      const [configured] = configuredEvents(fn);
      return this.run(fn, configured ? picker.fromTrigger(configured.event) : picker.fromTemplate(source.templateId));
    }
    const event = await picker.pick(fn, {
      service: source.service,
      title: `Invoke ${fn.name} with ${serviceTitle(source.service)} Event`,
    });
    return event ? this.run(fn, event) : undefined;
  }

  async invokeWithEvent(
    target: FunctionTarget,
    templateId: string,
    params: Record<string, unknown>,
  ): Promise<InvocationRecord[] | undefined> {
    const fn = await this.resolveFunction(target);
    if (!fn) return undefined;
    // A source the function is configured for lends its parameters (bucket, queue...) to the event.
    const configured = this.ctx.picker.triggerEvents(fn).find((e) => e.event.templateId === templateId)?.event;
    return this.run(fn, this.ctx.picker.fromTemplate(templateId, { ...configured?.params, ...params }));
  }

  async sendBatch(target: FunctionTarget): Promise<InvocationRecord[] | undefined> {
    const fn = await this.resolveFunction(target);
    if (!fn) return undefined;
    const event = await this.ctx.picker.pick(fn, {
      title: `Send a batch to ${fn.name} through its event source mapping`,
    });
    return event ? this.run(fn, event, 'batch') : undefined;
  }

  async invokeTrigger(target: FunctionTarget): Promise<InvocationRecord[] | undefined> {
    const fn = await this.resolveFunction(target);
    if (!fn) return undefined;
    const index =
      isNode(target) && target.kind === 'trigger' ? target.index : isLens(target) ? (target.triggerIndex ?? 0) : 0;
    const trigger = fn.triggers[index];
    if (!trigger) throw new Error(`${fn.name} has no trigger number ${index + 1}.`);
    const event = this.ctx.picker.triggerEvents(fn).find((e) => e.index === index)?.event;
    if (!event)
      throw new Error(
        `The runner cannot emulate this trigger of ${fn.name}${trigger.kind === 'unsupported' ? ` (${trigger.reason})` : ''}.`,
      );
    return this.run(fn, this.ctx.picker.fromTrigger(event));
  }

  /** Runs and shows the records; remembers the event as the function's last one. */
  async run(
    fn: FunctionConfig,
    event: ChosenEvent,
    mode?: InvocationMode,
    faults?: InjectedFaults,
  ): Promise<InvocationRecord[]> {
    if (event.editFirst && this.editFirst) {
      // Nothing runs yet: the document's lenses run it once it reads as the user wants.
      await this.editFirst(event, fn);
      return [];
    }
    const chosenMode = mode ?? defaultMode(fn, event);
    if (event.memo) await this.ctx.state.update(memoKey(fn), event.memo);
    const records = await this.ctx.runner.invoke(
      fn,
      event.payloadJson,
      chosenMode,
      `Lambda: ${fn.name} ← ${event.label} (${chosenMode})`,
      faults,
    );
    this.ctx.showRecords(records);
    return records;
  }

  /**
   * Finds the function a command is about; asks when a file holds several handlers or nothing says which, unless
   * exactly one of the file's functions is `preferred`.
   */
  async resolveFunction(
    target: FunctionTarget,
    preferred?: (fn: FunctionConfig) => boolean,
  ): Promise<FunctionConfig | undefined> {
    await this.ctx.functions.ready();
    if (isNode(target)) return target.fn;
    if (isLens(target)) {
      const byId = target.functionId ? this.ctx.functions.byId(target.functionId) : undefined;
      if (byId) return byId;
      const inFile = this.ctx.functions.inFile(target.handlerFile).filter((f) => f.exportName === target.exportName);
      if (inFile[0]) return inFile[0];
      throw new Error(
        `No function runs ${target.exportName} in ${vscode.workspace.asRelativePath(target.handlerFile)}.`,
      );
    }
    const file = target instanceof vscode.Uri ? target.fsPath : vscode.window.activeTextEditor?.document.uri.fsPath;
    const candidates = file ? this.ctx.functions.inFile(file) : [];
    if (target instanceof vscode.Uri && candidates.length === 0) {
      throw new Error(`No Lambda handler was found in ${vscode.workspace.asRelativePath(target)}.`);
    }
    const choices = candidates.length > 0 ? candidates : this.ctx.functions.all();
    if (choices.length === 1) return choices[0];
    const meant = preferred && candidates.length > 1 ? candidates.filter(preferred) : [];
    if (meant.length === 1) return meant[0];
    if (choices.length === 0) throw new Error('No Lambda functions were found in this workspace.');
    const picked = await vscode.window.showQuickPick(
      choices.map((fn) => ({
        label: fn.name,
        description: `${fn.runtime} · ${fn.handler}`,
        detail: vscode.workspace.asRelativePath(fn.definedIn),
        fn,
      })),
      {
        title: 'Which function?',
        placeHolder: candidates.length > 1 ? 'This file holds several handlers' : 'Pick a function',
      },
    );
    return picked?.fn;
  }
}

function memoKey(fn: FunctionConfig): string {
  return `lambdaTrigger.lastEvent:${fn.id}`;
}

/** The invocation model of the event's source; poll events go through the function's mapping when it has one. */
export function defaultMode(fn: FunctionConfig, event: ChosenEvent): InvocationMode {
  if (event.invocation === 'async') return 'async';
  if (event.invocation === 'poll' && event.templateId) {
    const kind = pollSourceKinds[event.templateId.split(':')[0] ?? ''];
    if (kind && fn.triggers.some((t) => t.enabled && t.kind === kind)) return 'batch';
  }
  return 'sync';
}

function isNode(target: FunctionTarget): target is FunctionNode {
  return (
    typeof target === 'object' &&
    target !== null &&
    !(target instanceof vscode.Uri) &&
    'kind' in target &&
    'fn' in target
  );
}

function isLens(target: FunctionTarget): target is LensArgument {
  return (
    typeof target === 'object' &&
    target !== null &&
    !(target instanceof vscode.Uri) &&
    'handlerFile' in target &&
    'exportName' in target
  );
}
