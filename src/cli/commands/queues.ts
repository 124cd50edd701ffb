import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT_FUNCTION_ERROR, EXIT_OK, parseCommandArgs, UsageError, type CliCommand, type CliIO } from '../command';
import { AccountRequestError } from '../../core/account/localAccount';
import { functionNamed } from '../../core/discovery/functionConfig';
import type { QueueSummary } from '../../core/services/localServices';
import type { InvocationRecord } from '../../core/invoke/invocationRecord';
import type { SqsMessage } from '../../core/services/sqsQueue';
import { formatInvocationRecord } from './invocationReport';
import {
  bootstrapDirOf,
  discoverFunctions,
  openWorkspaceEngine,
  workspaceSettingsOf,
  unknownNameMessage,
  workspaceRootOf,
} from './workspaceAccount';

const USAGE = `Usage: lambda-trigger queues [--root <dir>] [--json]
       lambda-trigger queues peek <queue> [--json]
       lambda-trigger queues send <queue> (--body <text> | --file <f>) [--run] [--json]
       lambda-trigger queues purge <queue>
       lambda-trigger queues redrive <dead-letter queue> [--to <queue>] [--run] [--json]
       lambda-trigger queues replay <queue> <messageId> --function <name> [--mode sync|async] [--json]

The local SQS queues of the workspace, kept in its durable store (<root>/.lambda-trigger/store): the queues its
triggers, DLQs and destinations name, with what \`invoke\` left in them.

While a VS Code window (or another process) holds the workspace's engine, these commands work on that engine's
queues through its endpoint (<root>/.lambda-trigger/endpoint). Its event source mappings are running: a message
sent or redriven to a queue that a function reads is delivered at once, with or without --run; --run waits for that
delivery and prints its records. On a store of its own (no live engine), the mappings run only with --run.

  (no subcommand)  list the queues: visible and in-flight messages, and whose dead-letter queue each one is
  peek             print a queue's messages (id, receive count, body, attributes) without receiving them
  send             send one message; --run lets the queue's event source mapping deliver it and prints the records
  purge            delete every message of the queue
  redrive          move every message of a dead-letter queue back to its source queue (the queue whose redrive
                   policy moved it there), or to --to;
                   --run lets the mapping deliver them again
  replay           invoke --function with one message (a DLQ of an async function holds the original event; any other
                   body is wrapped in an SQS event), sync or async (default async)

  --root <dir>     workspace folder (default: the current directory)
  --json           print JSON instead of text

Exit codes: 0 success, 1 the replayed or delivered invocation failed, 2 bad usage or bad input, 75 the workspace's
store is held by a process that serves no endpoint, or the live engine cannot be used right now (it closed before
answering, did not answer, or speaks another protocol version: use the CLI of the same version as the extension).`;

const SUBCOMMANDS = ['list', 'peek', 'send', 'purge', 'redrive', 'replay'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

interface QueuesValues {
  root?: string;
  json?: boolean;
  body?: string;
  file?: string;
  to?: string;
  run?: boolean;
  function?: string;
  mode?: string;
}

/** Positional arguments each subcommand takes (after its name). */
const ARITY: Record<Subcommand, string[]> = {
  list: [],
  peek: ['<queue>'],
  send: ['<queue>'],
  purge: ['<queue>'],
  redrive: ['<dead-letter queue>'],
  replay: ['<queue>', '<messageId>'],
};

function requireQueue(queues: QueueSummary[], name: string, root: string): QueueSummary {
  const queue = queues.find((q) => q.name === name || q.arn === name);
  if (!queue)
    throw new UsageError(
      unknownNameMessage(
        'queue',
        name,
        queues.map((q) => q.name),
        root,
      ),
    );
  return queue;
}

function formatQueues(queues: QueueSummary[]): string {
  if (queues.length === 0) return 'No local queues in this workspace.\n';
  const width = Math.max(5, ...queues.map((q) => q.name.length));
  const lines = [`${'QUEUE'.padEnd(width)}  VISIBLE  IN FLIGHT  DEAD-LETTER QUEUE OF`];
  for (const q of queues)
    lines.push(
      `${q.name.padEnd(width)}  ${String(q.visible).padStart(7)}  ${String(q.inFlight).padStart(9)}  ${q.deadLetterQueueOf.join(', ') || '-'}`,
    );
  return lines.join('\n') + '\n';
}

function formatMessage(m: SqsMessage): string {
  const lines = [`${m.messageId}  received ${m.receiveCount} time(s)${m.groupId ? `  group ${m.groupId}` : ''}`];
  if (m.deadLetterQueueSourceArn) lines.push(`  from: ${m.deadLetterQueueSourceArn}`);
  lines.push(`  body: ${m.body}`);
  for (const [name, a] of Object.entries(m.messageAttributes))
    lines.push(`  attribute ${name} (${a.DataType}): ${a.StringValue ?? a.BinaryValue ?? ''}`);
  return lines.join('\n') + '\n';
}

function printRecords(io: CliIO, records: InvocationRecord[], json: boolean): number {
  if (!json) for (const r of records) io.stdout(formatInvocationRecord(r));
  return records.some((r) => r.status === 'failed' || r.status === 'rejected') ? EXIT_FUNCTION_ERROR : EXIT_OK;
}

export const queuesCommand: CliCommand = {
  name: 'queues',
  summary: 'List, peek, send to, purge, redrive and replay the local SQS queues and DLQs',
  usage: USAGE,
  async run(args: readonly string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      {
        args: [...args],
        options: {
          root: { type: 'string' },
          json: { type: 'boolean' },
          body: { type: 'string' },
          file: { type: 'string' },
          to: { type: 'string' },
          run: { type: 'boolean' },
          function: { type: 'string' },
          mode: { type: 'string' },
        },
        strict: true,
        allowPositionals: true,
      },
      USAGE,
    );
    const sub = (positionals[0] ?? 'list') as Subcommand;
    if (!SUBCOMMANDS.includes(sub))
      throw new UsageError(`unknown subcommand "${positionals[0]}"; expected one of ${SUBCOMMANDS.join(', ')}`);
    const rest = positionals.slice(1);
    if (rest.length !== ARITY[sub].length)
      throw new UsageError(
        `queues ${sub} expects ${ARITY[sub].length ? ARITY[sub].join(' ') : 'no arguments'}, got ${rest.length ? rest.map((a) => `"${a}"`).join(' ') : 'none'}`,
      );
    const allowed: Record<Subcommand, Array<keyof QueuesValues>> = {
      list: [],
      peek: [],
      send: ['body', 'file', 'run'],
      purge: [],
      redrive: ['to', 'run'],
      replay: ['function', 'mode'],
    };
    for (const flag of ['body', 'file', 'to', 'run', 'function', 'mode'] as const)
      if (values[flag] !== undefined && !allowed[sub].includes(flag))
        throw new UsageError(`--${flag} does not apply to queues ${sub}`);

    let body: string | undefined;
    if (sub === 'send') {
      if ((values.body === undefined) === (values.file === undefined))
        throw new UsageError('queues send needs exactly one of --body <text> or --file <f>');
      if (values.file !== undefined) {
        const file = path.resolve(io.cwd, values.file);
        try {
          body = fs.readFileSync(file, 'utf8');
        } catch (err) {
          const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
          throw new UsageError(`cannot read message file ${file}: ${reason}`);
        }
      } else body = values.body;
      if (!body) throw new UsageError('the message body is empty; SQS needs at least one character');
    }
    if (sub === 'replay') {
      if (!values.function) throw new UsageError('queues replay needs --function <name>');
      if (values.mode !== undefined && values.mode !== 'sync' && values.mode !== 'async')
        throw new UsageError(`--mode must be sync or async, got "${values.mode}"`);
    }

    const root = workspaceRootOf(io, values.root);
    const settings = workspaceSettingsOf(root, io);
    // On a store of its own, mappings stay off unless asked to run: peeking or moving messages must not deliver them.
    // (A live engine's mappings are running: what is sent or redriven there is delivered at once.)
    const runMappings = sub === 'replay' || values.run === true;
    const opened = await openWorkspaceEngine({
      command: 'queues',
      io,
      root,
      settings,
      bootstrapDir: bootstrapDirOf(io),
      functions: () => discoverFunctions(root, io, settings),
      whenHeld: 'fail',
      readsOnly: sub === 'list' || sub === 'peek',
      eventSourceMappings: runMappings,
    });
    try {
      const engine = opened.engine;
      const json = values.json === true;
      const queueNamed = async (name: string): Promise<QueueSummary> =>
        requireQueue(await engine.listQueues(), name, root);
      switch (sub) {
        case 'list': {
          const queues = (await engine.listQueues()).sort((a, b) => a.name.localeCompare(b.name));
          io.stdout(json ? `${JSON.stringify(queues, null, 2)}\n` : formatQueues(queues));
          return EXIT_OK;
        }
        case 'peek': {
          const queue = await queueNamed(rest[0]);
          const messages = await engine.peek(queue.name);
          if (json) io.stdout(`${JSON.stringify(messages, null, 2)}\n`);
          else {
            io.stdout(`${queue.name}: ${messages.length} message(s)\n`);
            for (const m of messages) io.stdout(formatMessage(m));
          }
          return EXIT_OK;
        }
        case 'send': {
          const queue = await queueNamed(rest[0]);
          const { message: sent, records } = await engine.send(
            queue.name,
            {
              body: body!,
              ...(queue.fifo ? { messageGroupId: 'cli', messageDeduplicationId: `cli-${Date.now()}` } : {}),
            },
            { deliver: values.run === true },
          );
          if (json) io.stdout(`${JSON.stringify({ messageId: sent.messageId, records }, null, 2)}\n`);
          else io.stdout(`sent ${sent.messageId} to ${queue.name}\n`);
          return printRecords(io, records, json);
        }
        case 'purge': {
          const queue = await queueNamed(rest[0]);
          const n = await engine.purge(queue.name);
          io.stdout(
            json
              ? `${JSON.stringify({ queue: queue.name, purged: n })}\n`
              : `purged ${n} message(s) from ${queue.name}\n`,
          );
          return EXIT_OK;
        }
        case 'redrive': {
          const dlq = await queueNamed(rest[0]);
          const to = values.to !== undefined ? (await queueNamed(values.to)).name : undefined;
          const {
            moved,
            to: names,
            records,
          } = await engine.redrive(dlq.name, {
            ...(to !== undefined ? { to } : {}),
            deliver: values.run === true,
          });
          if (json) io.stdout(`${JSON.stringify({ queue: dlq.name, moved, to: names, records }, null, 2)}\n`);
          else io.stdout(`moved ${moved} message(s) from ${dlq.name}${moved ? ` to ${names.join(', ')}` : ''}\n`);
          return printRecords(io, records, json);
        }
        case 'replay': {
          const functions = await engine.functions();
          if (!functionNamed(functions, values.function!))
            throw new UsageError(
              unknownNameMessage(
                'function',
                values.function!,
                functions.map((f) => f.name),
                root,
              ),
            );
          const queue = await queueNamed(rest[0]);
          const messages = await engine.peek(queue.name);
          if (!messages.some((m) => m.messageId === rest[1]))
            throw new UsageError(
              unknownNameMessage(
                'message',
                rest[1],
                messages.map((m) => m.messageId),
                queue.name,
              ),
            );
          const mode = (values.mode ?? 'async') as 'sync' | 'async';
          const record = await engine.replay(queue.name, rest[1], values.function!, mode);
          if (json) io.stdout(`${JSON.stringify(record, null, 2)}\n`);
          return printRecords(io, [record], json);
        }
      }
    } catch (err) {
      if (err instanceof AccountRequestError) throw new UsageError(err.message);
      throw err;
    } finally {
      await opened.close();
    }
  },
};

export default queuesCommand;
