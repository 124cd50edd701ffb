/**
 * The Event Sources view: every event template grouped by invocation model, then service, then event, with the
 * workspace's saved payloads of that event type under it. Reads the engine's catalogue; shows nothing invented.
 */
import * as vscode from 'vscode';
import type { EventCatalogue, EventTemplateSummary } from '../../core/events/eventCatalogue';
import type { InvocationModel } from '../../core/events/eventTemplate';
import type { SavedEvent } from '../../core/events/savedEvents';
import { commandTable } from '../../shared/commandTable';
import { savedEventTreeItem } from './savedEventItem';
import { serviceTitle } from './serviceTitles';

export type EventSourceNode =
  | { kind: 'model'; model: InvocationModel; count: number }
  | { kind: 'service'; model: InvocationModel; service: string; count: number }
  | { kind: 'event'; template: EventTemplateSummary; saved: SavedEvent[] }
  | { kind: 'saved'; template: EventTemplateSummary; saved: SavedEvent };

const modelLabels: Record<InvocationModel, { label: string; description: string; icon: string }> = {
  sync: { label: 'Synchronous', description: 'the caller waits for the result', icon: 'arrow-swap' },
  async: { label: 'Asynchronous', description: 'queued, retried, destinations and DLQ', icon: 'mail' },
  poll: { label: 'Poll-based', description: 'event source mappings: batches', icon: 'list-unordered' },
};

/** Where the view gets its data: the catalogue and the saved events found in the workspace. */
export interface EventSourcesData {
  catalogue(): EventCatalogue | undefined;
  catalogueError(): string | undefined;
  savedEvents(): SavedEvent[];
  onDidChange: vscode.Event<void>;
}

export class EventSourcesView implements vscode.TreeDataProvider<EventSourceNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<EventSourceNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly data: EventSourcesData) {
    this.subscription = data.onDidChange(() => this.changed.fire(undefined));
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  getChildren(node?: EventSourceNode): EventSourceNode[] {
    const catalogue = this.data.catalogue();
    if (!catalogue) return [];
    const templates = catalogue.list();
    if (!node) {
      return (['sync', 'async', 'poll'] as const)
        .map((model) => ({
          kind: 'model' as const,
          model,
          count: templates.filter((t) => t.invocation === model).length,
        }))
        .filter((n) => n.count > 0);
    }
    switch (node.kind) {
      case 'model': {
        const services = new Map<string, number>();
        for (const t of templates)
          if (t.invocation === node.model) services.set(t.service, (services.get(t.service) ?? 0) + 1);
        return [...services.entries()]
          .map(([service, count]) => ({ kind: 'service' as const, model: node.model, service, count }))
          .sort((a, b) => serviceTitle(a.service).localeCompare(serviceTitle(b.service)));
      }
      case 'service': {
        const saved = this.data.savedEvents();
        return templates
          .filter((t) => t.invocation === node.model && t.service === node.service)
          .map((template) => ({
            kind: 'event' as const,
            template,
            saved: saved.filter((s) => s.eventType === template.id),
          }));
      }
      case 'event':
        return node.saved.map((saved) => ({ kind: 'saved' as const, template: node.template, saved }));
      case 'saved':
        return [];
    }
  }

  getTreeItem(node: EventSourceNode): vscode.TreeItem {
    switch (node.kind) {
      case 'model': {
        const m = modelLabels[node.model];
        const item = new vscode.TreeItem(m.label, vscode.TreeItemCollapsibleState.Expanded);
        item.description = m.description;
        item.iconPath = new vscode.ThemeIcon(m.icon);
        item.id = `model:${node.model}`;
        item.contextValue = 'invocationModel';
        return item;
      }
      case 'service': {
        const item = new vscode.TreeItem(serviceTitle(node.service), vscode.TreeItemCollapsibleState.Collapsed);
        item.description = `${node.count}`;
        item.id = `service:${node.model}:${node.service}`;
        item.iconPath = new vscode.ThemeIcon('symbol-namespace');
        item.contextValue = 'eventService';
        return item;
      }
      case 'event': {
        const t = node.template;
        const item = new vscode.TreeItem(
          t.title,
          node.saved.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
        );
        item.id = `event:${t.id}`;
        item.description = t.id;
        item.tooltip = new vscode.MarkdownString()
          .appendText(`${t.title}\n\n${t.description}\n\n`)
          .appendCodeblock(t.id);
        item.iconPath = new vscode.ThemeIcon(t.batch ? 'layers' : 'symbol-event');
        item.contextValue = 'eventTemplate';
        item.command = {
          command: commandTable.previewEvent.id,
          title: commandTable.previewEvent.title,
          arguments: [node],
        };
        return item;
      }
      case 'saved':
        return savedEventTreeItem(node.saved, node.saved.functionName);
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
