/**
 * The Queues view's commands: peek a message, send one, purge a queue, redrive a DLQ to its source (SQS-3) and
 * replay a message to any function (ASYNC-9 DLQs hold the original event). Everything goes through the engine,
 * so whatever runs produces InvocationRecords shown in the panel like any other invocation.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { resourceName } from '../core/services/functionResources';
import type { LocalAccount } from '../core/account/localAccount';
import type { FunctionConfig } from '../core/discovery/functionConfig';
import type { InvocationRecord } from '../core/invoke/invocationRecord';
import { engine } from './lazyModules';
import { commandTable } from '../shared/commandTable';
import { registerCommand } from './commandRegistration';
import { untrustedReason, type InvocationRunner } from './invocationRunner';
import { isJson, prettyBody, type QueueNode, type QueuesView } from './views/queuesView';

/** Read-only documents: a content provider's documents cannot be edited or saved. */
const messageScheme = 'lambda-trigger-message';

type QueueItem = Extract<QueueNode, { kind: 'queue' }>;
type MessageItem = Extract<QueueNode, { kind: 'message' }>;

export interface QueueCommandsContext {
  runner: InvocationRunner;
  view: QueuesView;
  showRecords(records: InvocationRecord[]): void;
}

export class QueueCommands implements vscode.TextDocumentContentProvider {
  private readonly documents = new Map<string, string>();

  constructor(private readonly ctx: QueueCommandsContext) {}

  register(): vscode.Disposable[] {
    const guarded =
      <A extends unknown[]>(f: (...args: A) => Promise<unknown>) =>
      (...args: A) =>
        f(...args).catch((err: unknown) => {
          void vscode.window.showErrorMessage(`Lambda: ${err instanceof Error ? err.message : String(err)}`);
          return undefined;
        });
    return [
      vscode.workspace.registerTextDocumentContentProvider(messageScheme, this),
      registerCommand(
        commandTable.refreshQueues,
        guarded(() => this.refresh()),
      ),
      registerCommand(
        commandTable.peekMessage,
        guarded((node: MessageItem) => this.peek(node)),
      ),
      registerCommand(
        commandTable.sendMessage,
        guarded((node: QueueItem, body?: unknown) => this.send(node, typeof body === 'string' ? body : undefined)),
      ),
      registerCommand(
        commandTable.purgeQueue,
        guarded((node: QueueItem) => this.purge(node)),
      ),
      registerCommand(
        commandTable.redriveDeadLetterQueue,
        guarded((node: QueueItem) => this.redrive(node)),
      ),
      registerCommand(
        commandTable.replayMessage,
        guarded((node: MessageItem, functionName?: unknown, mode?: unknown) =>
          this.replay(
            node,
            typeof functionName === 'string' ? functionName : undefined,
            mode === 'sync' || mode === 'async' ? mode : undefined,
          ),
        ),
      ),
    ];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.documents.get(uri.toString()) ?? '';
  }

  async refresh(): Promise<void> {
    if (!this.ctx.runner.executionAllowed) {
      void vscode.window.showInformationMessage(
        'Lambda: the Queues view needs a trusted workspace: the local account that holds the queues only opens when handlers may run.',
      );
    } else {
      await this.ctx.runner.loadHistory();
    }
    this.ctx.view.refresh();
  }

  /** Opens the body as a read-only document (pretty JSON when it is JSON); receiving nothing (SQS-3 counts stay). */
  async peek(node: MessageItem): Promise<vscode.TextDocument> {
    const { message } = node;
    const json = isJson(message.body);
    const uri = vscode.Uri.from({
      scheme: messageScheme,
      path: `/${node.queueName}/${message.messageId}.${json ? 'json' : 'txt'}`,
    });
    this.documents.set(uri.toString(), prettyBody(message.body));
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: true });
    return document;
  }

  async send(node: QueueItem, givenBody?: string): Promise<InvocationRecord[] | undefined> {
    const account = this.trustedAccount(node);
    const body =
      givenBody ??
      (await vscode.window.showInputBox({
        title: `Send a message to ${node.queue.name}`,
        prompt: 'The message body (any text; JSON for most handlers)',
        placeHolder: '{"orderId": "ord_1"}',
        validateInput: (text) =>
          text.length === 0
            ? 'SQS messages need a body.'
            : Buffer.byteLength(text) > engine().MAX_SQS_MESSAGE_BYTES
              ? `SQS allows ${engine().MAX_SQS_MESSAGE_BYTES} bytes.`
              : undefined,
      }));
    if (body === undefined) return undefined;
    let groupId: string | undefined;
    if (node.queue.fifo) {
      groupId = await vscode.window.showInputBox({
        title: `${node.queue.name} is a FIFO queue`,
        prompt: 'MessageGroupId (messages of a group are delivered in order)',
        value: 'default',
        validateInput: (text) => (text ? undefined : 'FIFO queues need a message group.'),
      });
      if (groupId === undefined) return undefined;
    }
    // A mapping reading the queue delivers the message: wait for it so the records can be shown.
    return this.runAndShow(account, `Lambda: sending a message to ${node.queue.name}…`, async () => {
      const sent = await account.services.sendMessage(node.queue.name, {
        body,
        ...(groupId !== undefined ? { messageGroupId: groupId, messageDeduplicationId: randomUUID() } : {}),
      });
      return `Sent message ${sent.messageId} to ${node.queue.name}.`;
    });
  }

  async purge(node: QueueItem): Promise<number | undefined> {
    const account = this.trustedAccount(node);
    const count = account.services.queueMessages(node.queue.name).length;
    const answer = await vscode.window.showWarningMessage(
      `Purge ${node.queue.name}?`,
      {
        modal: true,
        detail: `The ${count} message(s) in the queue are deleted, including messages in flight. This cannot be undone.`,
      },
      'Purge',
    );
    if (answer !== 'Purge') return undefined;
    const purged = await account.services.purgeQueue(node.queue.name);
    this.ctx.view.refresh();
    void vscode.window.showInformationMessage(`Lambda: purged ${purged} message(s) from ${node.queue.name}.`);
    return purged;
  }

  /**
   * SQS-3: moves every message of a dead-letter queue back to the queue its redrive policy moved it from, as new
   * messages; the source's mapping then receives them again, and the records of those batches are shown.
   */
  async redrive(node: QueueItem): Promise<{ moved: number; records: InvocationRecord[] } | undefined> {
    if (node.queue.deadLetterQueueOf.length === 0)
      throw new Error(
        `${node.queue.name} is not the dead-letter queue of a queue's redrive policy; replay its messages to a function instead.`,
      );
    const account = this.trustedAccount(node);
    let moved = 0;
    const records = await this.runAndShow(
      account,
      `Lambda: redriving ${node.queue.name} to ${node.queue.deadLetterQueueOf.join(', ')}…`,
      async () => {
        moved = await account.services.redriveDeadLetterQueue(node.queue.name);
        return `Moved ${moved} message(s) from ${node.queue.name} back to ${node.queue.deadLetterQueueOf.join(', ')}.`;
      },
    );
    return records ? { moved, records } : undefined;
  }

  /** Replays a message to a function the user picks, sync or async (default async, as a DLQ's event came). */
  async replay(
    node: MessageItem,
    functionName?: string,
    givenMode?: 'sync' | 'async',
  ): Promise<InvocationRecord[] | undefined> {
    const account = this.trustedAccount(node);
    let name = functionName;
    if (name === undefined) {
      // Functions that own the queue (as their DLQ or their trigger's queue) come first.
      const relation = (fn: FunctionConfig): string | undefined => {
        if (fn.deadLetterQueue?.type === 'sqs' && resourceName(fn.deadLetterQueue) === node.queueName)
          return 'this is its dead-letter queue';
        return fn.triggers.some((t) => t.kind === 'sqs' && resourceName(t.queue) === node.queueName)
          ? 'reads this queue'
          : undefined;
      };
      const items = account
        .functions()
        .map((fn) => ({ label: fn.name, related: relation(fn), description: relation(fn) ?? fn.runtime }))
        .sort((a, b) => Number(!!b.related) - Number(!!a.related) || a.label.localeCompare(b.label));
      const picked = await vscode.window.showQuickPick(items, {
        title: `Replay message ${node.message.messageId} to…`,
        placeHolder: 'A JSON body is the event; any other body is wrapped in an SQS event',
      });
      name = picked?.label;
    }
    if (name === undefined) return undefined;
    let mode = givenMode;
    if (mode === undefined) {
      const picked = await vscode.window.showQuickPick(
        [
          {
            label: 'Asynchronously',
            description: 'Event',
            detail: 'Lambda queues it: retries, destinations and DLQ apply.',
            mode: 'async' as const,
          },
          {
            label: 'Synchronously',
            description: 'RequestResponse',
            detail: 'One attempt; the result or error comes straight back.',
            mode: 'sync' as const,
          },
        ],
        { title: `Replay to ${name} how?` },
      );
      mode = picked?.mode;
    }
    if (mode === undefined) return undefined;
    const target = name;
    const chosenMode = mode;
    const replayed: string[] = [];
    const records = await this.runAndShow(account, `Lambda: replaying to ${target} (${chosenMode})…`, async () => {
      const record = await account.engine.replayMessage(node.queueName, node.message.messageId, target, chosenMode);
      replayed.push(record.id);
      return undefined;
    });
    if (!records) return undefined;
    // The replay's own record first (async records are snapshots until the clock is idle: take the final one).
    const own = replayed.map((id) => account.engine.record(id)).filter((r): r is InvocationRecord => !!r);
    return [...own, ...records.filter((r) => !replayed.includes(r.id))];
  }

  private trustedAccount(node: QueueNode): LocalAccount {
    if (!this.ctx.runner.executionAllowed) throw new Error(untrustedReason);
    return this.ctx.view.accountOf(node);
  }

  /**
   * Runs `action`, lets the virtual clock run until mappings and async retries are idle, then shows the records
   * that appeared (in the panel) and refreshes the view.
   */
  private async runAndShow(
    account: LocalAccount,
    title: string,
    action: () => Promise<string | undefined>,
  ): Promise<InvocationRecord[]> {
    const before = new Set(account.engine.records().map((r) => r.id));
    const { message, records } = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title },
      async () => {
        const said = await action();
        await account.engine.runUntilIdle();
        return { message: said, records: account.engine.records().filter((r) => !before.has(r.id)) };
      },
    );
    this.ctx.view.refresh();
    if (records.length > 0) this.ctx.showRecords(records);
    if (message) void vscode.window.showInformationMessage(`Lambda: ${message}`);
    return records;
  }
}
