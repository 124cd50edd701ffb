/**
 * The "Queues and DLQs" view: the local SQS queues of every open account (triggers' queues, redrive DLQs,
 * function DLQs, destinations), with their messages. Everything comes from the engine's queues; the view never
 * receives a message, so looking does not change receive counts (SQS-3).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { resourceName } from '../../core/services/functionResources';
import type { LocalAccount } from '../../core/account/localAccount';
import type { QueueSummary } from '../../core/services/localServices';
import type { SqsMessage } from '../../core/services/sqsQueue';
import { commandTable } from '../../shared/commandTable';
import type { InvocationRunner } from '../invocationRunner';

export const queuesViewId = 'lambdaTrigger.queues';

/** Which account a node belongs to: its store directory (accounts are re-opened when functions change). */
export type QueueNode =
  | { kind: 'queue'; storeDir: string; queue: QueueSummary; deadLetterQueueOfFunctions: string[] }
  | { kind: 'message'; storeDir: string; queueName: string; message: SqsMessage; inFlight: boolean };

const PREVIEW_LENGTH = 60;

export class QueuesView implements vscode.TreeDataProvider<QueueNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<QueueNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];
  private refreshPending = false;
  private historyLoaded: Promise<void> | undefined;

  constructor(
    private readonly runner: InvocationRunner,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.subscriptions = [
      this.runner.onDidChangeRecord(() => this.refreshSoon()),
      this.runner.onDidChangeAccounts(() => this.refreshSoon()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.refresh()),
      this.changed,
    ];
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** Records change many times per invocation; one tree refresh per turn of the event loop is enough. */
  private refreshSoon(): void {
    if (this.refreshPending) return;
    this.refreshPending = true;
    setImmediate(() => {
      this.refreshPending = false;
      this.refresh();
    });
  }

  /** Opens the accounts (trusted only) so queues an earlier session filled show before the next invocation. */
  loadAccounts(): Promise<void> {
    this.historyLoaded ??= this.runner
      .loadHistory()
      .catch((err: unknown) => this.output.error(`Opening the local accounts failed: ${String(err)}`));
    return this.historyLoaded;
  }

  /** The open account a node belongs to. */
  accountOf(node: QueueNode): LocalAccount {
    const account = this.runner.openAccounts().find((a) => a.engine.store.directory === node.storeDir);
    if (!account) throw new Error('That local account was closed or re-opened; refresh the Queues view.');
    return account;
  }

  async getChildren(node?: QueueNode): Promise<QueueNode[]> {
    if (!node) {
      // Untrusted: no account opens, so there is nothing to list (the view's welcome text says why).
      if (!this.runner.executionAllowed) return [];
      if (this.runner.openAccounts().length === 0) await this.loadAccounts();
      return this.runner.openAccounts().flatMap((account) => {
        const storeDir = account.engine.store.directory;
        const functionDlqs = functionDeadLetterQueues(account);
        return account.services
          .listQueues()
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((queue) => ({
            kind: 'queue' as const,
            storeDir,
            queue,
            deadLetterQueueOfFunctions: functionDlqs.get(queue.name) ?? [],
          }));
      });
    }
    if (node.kind !== 'queue') return [];
    const account = this.accountOf(node);
    const now = account.engine.clock.now();
    return account.services
      .queueMessages(node.queue.name)
      .sort((a, b) => a.sentAt - b.sentAt)
      .map((message) => ({
        kind: 'message' as const,
        storeDir: node.storeDir,
        queueName: node.queue.name,
        message,
        inFlight: message.visibleAt > now,
      }));
  }

  getTreeItem(node: QueueNode): vscode.TreeItem {
    return node.kind === 'queue' ? this.queueItem(node) : messageItem(node);
  }

  private queueItem(node: Extract<QueueNode, { kind: 'queue' }>): vscode.TreeItem {
    const { queue } = node;
    const item = new vscode.TreeItem(
      queue.name,
      queue.total > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    item.id = `${node.storeDir}|${queue.name}`;
    item.description = queueDescription(node);
    const isRedriveDlq = queue.deadLetterQueueOf.length > 0;
    const isDlq = isRedriveDlq || node.deadLetterQueueOfFunctions.length > 0;
    // `queue.dlq`: a redrive policy points here (SQS-3), so "Redrive to source" applies.
    item.contextValue = isRedriveDlq ? 'queue.dlq' : isDlq ? 'queue.functionDlq' : 'queue';
    item.iconPath = new vscode.ThemeIcon(isDlq && queue.total > 0 ? 'warning' : 'inbox');
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**${queue.name}**${queue.fifo ? ' (FIFO)' : ''}\n\n`);
    tooltip.appendText(`${queue.arn}\n\n`);
    tooltip.appendText(`${queue.visible} visible, ${queue.inFlight} in flight, ${queue.total} in all.\n`);
    if (isRedriveDlq)
      tooltip.appendText(`\nDead-letter queue of ${queue.deadLetterQueueOf.join(', ')} (its redrive policy).`);
    if (node.deadLetterQueueOfFunctions.length > 0)
      tooltip.appendText(
        `\nDead-letter queue of the function(s) ${node.deadLetterQueueOfFunctions.join(', ')}: it holds their failed events; replay a message to run it again.`,
      );
    if (this.runner.openAccounts().length > 1) tooltip.appendText(`\nWorkspace: ${workspaceOf(node.storeDir)}`);
    item.tooltip = tooltip;
    return item;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

function queueDescription(node: Extract<QueueNode, { kind: 'queue' }>): string {
  const { queue } = node;
  const parts = [`${queue.visible} visible`];
  if (queue.inFlight > 0) parts.push(`${queue.inFlight} in flight`);
  const dlqOf = [...queue.deadLetterQueueOf, ...node.deadLetterQueueOfFunctions];
  if (dlqOf.length > 0) parts.push(`DLQ of ${dlqOf.join(', ')}`);
  if (queue.fifo) parts.push('FIFO');
  return parts.join(' · ');
}

function messageItem(node: Extract<QueueNode, { kind: 'message' }>): vscode.TreeItem {
  const { message } = node;
  const item = new vscode.TreeItem(message.messageId, vscode.TreeItemCollapsibleState.None);
  item.id = `${node.storeDir}|${node.queueName}|${message.messageId}`;
  const preview = message.body.replace(/\s+/g, ' ');
  item.description = [
    `received ${message.receiveCount}×`,
    ...(node.inFlight ? ['in flight'] : []),
    preview.length > PREVIEW_LENGTH ? `${preview.slice(0, PREVIEW_LENGTH)}…` : preview,
  ].join(' · ');
  item.contextValue = 'message';
  item.iconPath = new vscode.ThemeIcon('mail');
  item.tooltip = messageTooltip(node);
  item.command = { command: commandTable.peekMessage.id, title: commandTable.peekMessage.title, arguments: [node] };
  return item;
}

function messageTooltip(node: Extract<QueueNode, { kind: 'message' }>): vscode.MarkdownString {
  const { message } = node;
  const tooltip = new vscode.MarkdownString();
  tooltip.appendMarkdown(`**${message.messageId}** in ${node.queueName}\n\n`);
  tooltip.appendCodeblock(prettyBody(message.body), isJson(message.body) ? 'json' : 'text');
  const attributes: Record<string, unknown> = {
    ApproximateReceiveCount: message.receiveCount,
    SentTimestamp: new Date(message.sentAt).toISOString(),
    ...(message.firstReceiveAt !== undefined
      ? { ApproximateFirstReceiveTimestamp: new Date(message.firstReceiveAt).toISOString() }
      : {}),
    ...(message.groupId ? { MessageGroupId: message.groupId } : {}),
    ...(message.deduplicationId ? { MessageDeduplicationId: message.deduplicationId } : {}),
    ...(message.deadLetterQueueSourceArn ? { DeadLetterQueueSourceArn: message.deadLetterQueueSourceArn } : {}),
  };
  tooltip.appendMarkdown('\n**Attributes**\n');
  tooltip.appendCodeblock(JSON.stringify(attributes, null, 2), 'json');
  if (Object.keys(message.messageAttributes).length > 0) {
    tooltip.appendMarkdown('\n**Message attributes**\n');
    tooltip.appendCodeblock(JSON.stringify(message.messageAttributes, null, 2), 'json');
  }
  return tooltip;
}

export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export function prettyBody(body: string): string {
  return isJson(body) ? JSON.stringify(JSON.parse(body), null, 2) : body;
}

/** Queues the functions of an account name as their DLQ (ASYNC-9), by queue name. */
function functionDeadLetterQueues(account: LocalAccount): Map<string, string[]> {
  const byQueue = new Map<string, string[]>();
  for (const fn of account.functions()) {
    const target = fn.deadLetterQueue;
    const name = target?.type === 'sqs' ? resourceName(target) : undefined;
    if (name) byQueue.set(name, [...(byQueue.get(name) ?? []), fn.name]);
  }
  return byQueue;
}

/** `<root>/.lambda-trigger/store` -> the folder's name. */
function workspaceOf(storeDir: string): string {
  return path.basename(path.dirname(path.dirname(storeDir)));
}
