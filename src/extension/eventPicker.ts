/**
 * Choosing the event to send: the function's configured triggers first, then its saved events, then every
 * template of the catalogue, or a JSON file; a template's parameters can be edited in a quick input first.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { FunctionConfig } from '../core/discovery/functionConfig';
import type { EventCatalogue } from '../core/events/eventCatalogue';
import { decodeEventBytes, parseEventJson } from '../core/events/eventJson';
import type { InvocationModel } from '../core/events/eventTemplate';
import type { SavedEvent } from '../core/events/savedEvents';
import {
  eventForTrigger,
  triggerPayload,
  type TriggerEvent,
  type TriggerEventContext,
} from '../core/events/triggerEvents';
import { payloadTooDeepMessage } from '../core/runtime/payloadLimits';
import { serviceTitle } from './views/serviceTitles';

/** An event ready to send, and where it came from (shown in titles and remembered as the function's last event). */
export interface ChosenEvent {
  payloadJson: string;
  /** The template id, when known (its invocation model gives the default mode). */
  templateId?: string;
  invocation?: InvocationModel;
  label: string;
  /** What to remember to send the same event again; absent for one-off payloads (re-runs, replays). */
  memo?: EventMemo;
  /** "Edit first": open the event as a document to change and run from there, instead of running it now. */
  editFirst?: boolean;
}

export type EventMemo =
  { kind: 'template'; templateId: string; params: Record<string, unknown> } | { kind: 'file'; file: string };

type PickItem = vscode.QuickPickItem & { choose?: () => Promise<ChosenEvent | undefined> };

export class EventPicker {
  constructor(
    readonly catalogue: () => EventCatalogue,
    private readonly savedEvents: () => SavedEvent[],
    /** The function and its account's location, which shape the events its triggers send. */
    private readonly triggerContext: (fn: FunctionConfig) => TriggerEventContext,
  ) {}

  /** The events the function's configured triggers send, in template order (those the runner can emulate). */
  triggerEvents(fn: FunctionConfig): Array<{ index: number; event: TriggerEvent }> {
    const catalogue = this.catalogue();
    const context = this.triggerContext(fn);
    return fn.triggers.flatMap((trigger, index) => {
      const event = eventForTrigger(trigger, catalogue, context);
      return event ? [{ index, event }] : [];
    });
  }

  /** The event one trigger sends: its template rendered, or what its target's Input or InputPath hands on. */
  fromTrigger(event: TriggerEvent): ChosenEvent {
    if (!event.delivered) return this.fromTemplate(event.templateId, event.params);
    const template = this.catalogue().require(event.templateId);
    return {
      payloadJson: JSON.stringify(triggerPayload(event, this.catalogue())),
      templateId: event.templateId,
      invocation: template.invocation,
      label: `${template.title}, as the target's ${'input' in event.delivered ? 'Input' : 'InputPath'} hands it on`,
    };
  }

  /** Renders a template with parameters into an event. */
  fromTemplate(templateId: string, params: Record<string, unknown> = {}): ChosenEvent {
    const catalogue = this.catalogue();
    const template = catalogue.require(templateId);
    const payload = catalogue.render(templateId, params);
    return {
      payloadJson: JSON.stringify(payload),
      templateId,
      invocation: template.invocation,
      label: template.title,
      memo: { kind: 'template', templateId, params },
    };
  }

  /** Reads a payload file (a saved event or any JSON file); the saved-event marker is stripped by the engine's reader. */
  fromFile(file: string): ChosenEvent {
    const saved = this.savedEvents().find((s) => s.file === file);
    if (saved) {
      const template = saved.eventType ? this.catalogue().get(saved.eventType) : undefined;
      return {
        payloadJson: JSON.stringify(saved.payload),
        ...(saved.eventType ? { templateId: saved.eventType } : {}),
        ...(template ? { invocation: template.invocation } : {}),
        label: `saved event ${saved.name}`,
        memo: { kind: 'file', file },
      };
    }
    const where = vscode.workspace.asRelativePath(file);
    // A byte-order mark is dropped; bytes that are not UTF-8 and JSON errors are said with their place.
    const text = decodeEventBytes(fs.readFileSync(file), where);
    const tooDeep = payloadTooDeepMessage(text);
    if (tooDeep) throw new Error(`${where}: ${tooDeep}`);
    const payload = parseEventJson(text, where);
    const guessed = this.catalogue().guessEventType(payload);
    const template = guessed ? this.catalogue().get(guessed) : undefined;
    return {
      payloadJson: JSON.stringify(payload),
      ...(guessed ? { templateId: guessed } : {}),
      ...(template ? { invocation: template.invocation } : {}),
      label: vscode.workspace.asRelativePath(file),
      memo: { kind: 'file', file },
    };
  }

  fromMemo(memo: EventMemo): ChosenEvent {
    return memo.kind === 'template' ? this.fromTemplate(memo.templateId, memo.params) : this.fromFile(memo.file);
  }

  /** The event the function's first configured trigger sends, if it has one the runner can emulate. */
  defaultFor(fn: FunctionConfig): ChosenEvent | undefined {
    const [first] = this.triggerEvents(fn);
    return first ? this.fromTrigger(first.event) : undefined;
  }

  /**
   * The whole choice: triggers, saved events, templates by service, a file; or, for one service, the function's
   * triggers of it and its templates. Undefined when dismissed.
   */
  async pick(fn: FunctionConfig, options: { service?: string; title?: string } = {}): Promise<ChosenEvent | undefined> {
    const catalogue = this.catalogue();
    const items: PickItem[] = [];
    const triggerItems = this.triggerEvents(fn)
      .filter(({ event }) => !options.service || event.templateId.startsWith(`${options.service}:`))
      .map(({ event }) => ({
        label: `$(symbol-event) ${event.label}`,
        description: 'configured trigger',
        choose: () =>
          event.delivered
            ? Promise.resolve(this.fromTrigger(event))
            : this.editParameters(event.templateId, event.params),
      }));
    if (triggerItems.length)
      items.push({ label: 'Configured triggers', kind: vscode.QuickPickItemKind.Separator }, ...triggerItems);
    if (!options.service) {
      const saved = this.savedEvents().filter((s) => s.functionName === fn.name);
      if (saved.length) {
        items.push(
          { label: 'Saved events', kind: vscode.QuickPickItemKind.Separator },
          ...saved.map((s) => ({
            label: `$(json) ${s.name}`,
            description: s.eventType ?? '',
            choose: () => Promise.resolve(this.fromFile(s.file)),
          })),
        );
      }
    }
    const templates = catalogue.list().filter((t) => !options.service || t.service === options.service);
    let service = '';
    for (const t of [...templates].sort((a, b) => serviceTitle(a.service).localeCompare(serviceTitle(b.service)))) {
      if (t.service !== service) {
        service = t.service;
        items.push({ label: serviceTitle(service), kind: vscode.QuickPickItemKind.Separator });
      }
      items.push({
        label: t.title,
        description: t.id,
        detail: t.description,
        choose: () => this.editParameters(t.id, {}),
      });
    }
    if (!options.service) {
      items.push(
        { label: 'Other', kind: vscode.QuickPickItemKind.Separator },
        { label: '$(file) Choose a JSON file…', choose: () => this.pickFile() },
      );
    }
    if (options.service && templates.length === 1 && triggerItems.length === 0)
      return this.editParameters(templates[0].id, {});
    const chosen = await vscode.window.showQuickPick(items, {
      title: options.title ?? `Invoke ${fn.name} with…`,
      placeHolder: options.service
        ? `Pick an event: the function's triggers of ${serviceTitle(options.service)} first, then its templates`
        : 'Pick an event: configured triggers, saved events or any event source template',
      matchOnDescription: true,
      matchOnDetail: true,
    });
    return chosen?.choose?.();
  }

  private async pickFile(): Promise<ChosenEvent | undefined> {
    const [file] =
      (await vscode.window.showOpenDialog({
        canSelectMany: false,
        filters: { 'Event payload': ['json'] },
        title: 'Event payload',
      })) ?? [];
    return file ? this.fromFile(file.fsPath) : undefined;
  }

  /** A quick input listing the template's parameters; pick one to change it, or send the event as it is. */
  async editParameters(templateId: string, initial: Record<string, unknown>): Promise<ChosenEvent | undefined> {
    const catalogue = this.catalogue();
    const template = catalogue.require(templateId);
    const params: Record<string, unknown> = { ...initial };
    for (;;) {
      const send: PickItem = { label: '$(play) Send this event', description: templateId, alwaysShow: true };
      const edit: PickItem = {
        label: '$(edit) Edit first',
        description: 'open it as a document, change it, run it from there',
        alwaysShow: true,
      };
      const items: Array<PickItem & { param?: string }> = [
        send,
        edit,
        { label: 'Parameters', kind: vscode.QuickPickItemKind.Separator },
        ...template.parameters.map((p) => ({
          label: p.name,
          description: JSON.stringify(params[p.name] ?? p.default) ?? '',
          detail: p.description,
          param: p.name,
        })),
      ];
      const chosen = await vscode.window.showQuickPick(items, {
        title: `${template.title}: parameters`,
        placeHolder: 'Send, edit the whole event first, or pick a parameter to change it',
      });
      if (!chosen) return undefined;
      if (chosen === send) return this.fromTemplate(templateId, params);
      if (chosen === edit) return { ...this.fromTemplate(templateId, params), editFirst: true };
      const param = template.parameters.find((p) => p.name === chosen.param);
      if (!param) continue;
      const current = params[param.name] ?? param.default;
      const value = await vscode.window.showInputBox({
        title: `${templateId}: ${param.name} (${param.type})`,
        prompt: param.description,
        value: typeof current === 'string' ? current : JSON.stringify(current ?? ''),
        validateInput: (text) => {
          try {
            catalogue.render(templateId, { ...textParams(params), [param.name]: text }, { paramsAreText: true });
            return undefined;
          } catch (err) {
            return err instanceof Error ? err.message : String(err);
          }
        },
      });
      if (value === undefined) continue;
      params[param.name] = parseParam(value, param.type);
    }
  }
}

function textParams(params: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

function parseParam(text: string, type: string): unknown {
  if (type === 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
