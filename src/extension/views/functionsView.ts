/**
 * The Functions view: every function the index found, with its configured triggers and its saved events.
 * Each value shown comes from discovery's FunctionConfig; tooltips say where it came from.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeDurableConfig } from '../../core/discovery/durableConfig';
import { describeTrigger } from '../../core/discovery/triggerLabel';
import type { EventTrigger, FunctionConfig } from '../../core/discovery/functionConfig';
import type { SavedEvent } from '../../core/events/savedEvents';
import { commandTable } from '../../shared/commandTable';
import type { WorkspaceFunctions } from '../workspaceFunctions';
import { savedEventTreeItem } from './savedEventItem';

export type FunctionNode =
  | { kind: 'function'; fn: FunctionConfig }
  | { kind: 'trigger'; fn: FunctionConfig; trigger: EventTrigger; index: number }
  | { kind: 'saved'; fn: FunctionConfig; saved: SavedEvent };

const triggerIcons: Partial<Record<EventTrigger['kind'], string>> = {
  sqs: 'inbox',
  kinesis: 'pulse',
  dynamodb: 'database',
  kafka: 'pulse',
  mq: 'inbox',
  s3: 'archive',
  sns: 'broadcast',
  api: 'globe',
  schedule: 'watch',
  eventbridge: 'zap',
  cloudwatchLogs: 'output',
  cognito: 'account',
  iot: 'circuit-board',
  alexa: 'unmute',
  unsupported: 'warning',
};

export class FunctionsView implements vscode.TreeDataProvider<FunctionNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<FunctionNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly functions: WorkspaceFunctions,
    private readonly savedEvents: () => SavedEvent[],
    onSavedEventsChange: vscode.Event<void>,
  ) {
    this.subscriptions = [
      functions.onDidChange(() => this.changed.fire(undefined)),
      onSavedEventsChange(() => this.changed.fire(undefined)),
    ];
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: FunctionNode): Promise<FunctionNode[]> {
    if (!node) {
      await this.functions.ready();
      return this.functions
        .all()
        .map((fn) => ({ kind: 'function' as const, fn }))
        .sort((a, b) => (a.fn.displayName ?? a.fn.name).localeCompare(b.fn.displayName ?? b.fn.name));
    }
    if (node.kind !== 'function') return [];
    const saved = this.savedEvents().filter((s) => s.functionName === node.fn.name);
    return [
      ...node.fn.triggers.map((trigger, index) => ({ kind: 'trigger' as const, fn: node.fn, trigger, index })),
      ...saved.map((s) => ({ kind: 'saved' as const, fn: node.fn, saved: s })),
    ];
  }

  getParent(node: FunctionNode): FunctionNode | undefined {
    return node.kind === 'function' ? undefined : { kind: 'function', fn: node.fn };
  }

  getTreeItem(node: FunctionNode): vscode.TreeItem {
    switch (node.kind) {
      case 'function': {
        const { fn } = node;
        const hasChildren = fn.triggers.length > 0 || this.savedEvents().some((s) => s.functionName === fn.name);
        // A code-only function shows its path; its Lambda name is in the tooltip.
        const item = new vscode.TreeItem(
          fn.displayName ?? fn.name,
          hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
        );
        item.id = `fn:${fn.id}`;
        item.description = `${fn.runtime}${fn.durableConfig ? ' · durable' : ''} · ${fn.handler}`;
        item.iconPath = new vscode.ThemeIcon(fn.handlerFile ? 'symbol-function' : 'warning');
        item.contextValue = `function${fn.runtime.startsWith('python') ? '.python' : '.node'}${fn.triggers.some((t) => t.kind === 'sqs') ? '.sqs' : ''}`;
        item.tooltip = functionTooltip(fn);
        if (fn.handlerFile) item.resourceUri = vscode.Uri.file(fn.handlerFile);
        item.command = fn.handlerFile
          ? { command: commandTable.revealHandler.id, title: commandTable.revealHandler.title, arguments: [node] }
          : undefined;
        return item;
      }
      case 'trigger': {
        const item = new vscode.TreeItem(describeTrigger(node.trigger), vscode.TreeItemCollapsibleState.None);
        item.id = `trigger:${node.fn.id}:${node.index}`;
        item.description = node.trigger.invocation;
        item.iconPath = new vscode.ThemeIcon(triggerIcons[node.trigger.kind] ?? 'symbol-event');
        item.contextValue =
          node.trigger.kind === 'unsupported' ? 'trigger.unsupported' : `trigger.${node.trigger.invocation}`;
        item.tooltip =
          node.trigger.kind === 'unsupported'
            ? `${node.trigger.sourceType}: ${node.trigger.reason}`
            : `Invoke ${node.fn.name} as this ${node.trigger.invocation} source would`;
        return item;
      }
      case 'saved':
        return savedEventTreeItem(node.saved, node.saved.eventType);
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

function functionTooltip(fn: FunctionConfig): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  const origin = (key: string): string => {
    const o = fn.origins[key];
    return o?.file
      ? ` — ${path.basename(o.file)}${o.line ? `:${o.line}` : ''} (${o.source})`
      : o
        ? ` — ${o.source}`
        : '';
  };
  md.appendMarkdown(`**${fn.name}**${fn.displayName ? ` (${fn.displayName})` : ''}\n\n`);
  md.appendText(`handler ${fn.handler}${origin('handler')}\n`);
  md.appendText(`runtime ${fn.runtime}${origin('runtime')}\n`);
  md.appendText(`timeout ${fn.timeout} s${origin('timeout')}\n`);
  md.appendText(`memory ${fn.memorySize} MB${origin('memorySize')}\n`);
  if (fn.durableConfig)
    md.appendText(`durable: ${describeDurableConfig(fn.durableConfig)}${origin('durableConfig')}\n`);
  if (!fn.handlerFile) md.appendText(`\nThe handler does not resolve to a file under ${fn.codeRoot}.`);
  return md;
}
