import { EXIT_OK, parseCommandArgs, UsageError, type CliCommand, type CliIO } from '../command';
import { AccountRequestError } from '../../core/account/localAccount';
import { displayText } from '../../shared/displayText';
import {
  bootstrapDirOf,
  discoverFunctions,
  openWorkspaceEngine,
  workspaceRootOf,
  workspaceSettingsOf,
} from './workspaceAccount';
import type { WorkspaceEngine } from '../../core/endpoints/workspaceEngine';

const USAGE = `Usage: lambda-trigger executions [list] [--function <name>] [--root <dir>] [--json]
       lambda-trigger executions get <execution> [--json]
       lambda-trigger executions history <execution> [--json]
       lambda-trigger executions stop <execution> [--error <json>] [--json]
       lambda-trigger executions callback <callbackId | execution> (--succeed <result> | --fail <json> | --heartbeat) [--json]

The durable executions of the workspace's durable functions (a DurableConfig in the template, durableConfig in
serverless.yml), kept in its durable store (<root>/.lambda-trigger/store). <execution> is an execution's ARN, id or
name. While a VS Code window holds the workspace's engine, these commands work on that engine's executions through
its endpoint; on a store of its own, the run carries the execution on after a callback or a stop until nothing is
left to do but wait for someone else (the time scale of the lambdaTrigger.timeScale setting).

  list        the executions (of one function with --function): name, status, function, start and end
  get         one execution: status, input, result or error, its configuration
  history     its history events in order: steps, waits, callbacks, chained invokes, each invocation
  stop        stop a running execution (its error from --error, an ErrorObject such as {"ErrorMessage":"..."})
  callback    complete a pending callback: --succeed with the result (the text the handler's SDK gets: JSON when
              its callback has a JSON serdes),
              --fail with an ErrorObject ({"ErrorType":"...","ErrorMessage":"..."}), or --heartbeat; an execution
              with exactly one pending callback stands for that callback

  --root <dir>     workspace folder (default: the current directory)
  --json           print JSON (the shapes of Lambda's durable execution API) instead of text

Exit codes: 0 success, 2 bad usage or bad input (an unknown execution or callback, one already completed), 75 the
workspace's store is held by a process that serves no endpoint, or the live engine cannot be used right now.`;

const SUBCOMMANDS = ['list', 'get', 'history', 'stop', 'callback'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

/** JSON text given on the command line, or a UsageError naming the option. */
function jsonOption(option: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`${option} takes JSON text: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function errorObjectOption(option: string, text: string): Record<string, unknown> {
  const value = jsonOption(option, text);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UsageError(`${option} takes an ErrorObject such as {"ErrorType":"Rejected","ErrorMessage":"why"}`);
  return value as Record<string, unknown>;
}

/** A field of an API answer as text (a string as it is, anything else as JSON). */
const text = (value: unknown): string =>
  typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);

const iso = (seconds: unknown): string => (typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : '-');

function formatList(list: Array<Record<string, unknown>>): string {
  if (list.length === 0) return 'No durable executions.\n';
  return list
    .map(
      (e) =>
        `${text(e.DurableExecutionName)}  ${text(e.Status)}  started ${iso(e.StartTimestamp)}${e.EndTimestamp !== undefined ? `  ended ${iso(e.EndTimestamp)}` : ''}\n  ${text(e.DurableExecutionArn)}\n`,
    )
    .join('');
}

function formatExecution(e: Record<string, unknown>): string {
  const config = e.DurableConfig as { ExecutionTimeout?: number; RetentionPeriodInDays?: number } | undefined;
  const lines = [
    `${text(e.DurableExecutionName)}  ${text(e.Status)}`,
    `  arn      ${text(e.DurableExecutionArn)}`,
    `  started  ${iso(e.StartTimestamp)}${e.EndTimestamp !== undefined ? `, ended ${iso(e.EndTimestamp)}` : ''}`,
    `  timeout  ${config?.ExecutionTimeout ?? '-'}s, kept ${config?.RetentionPeriodInDays ?? '-'} days after it ends`,
    `  input    ${displayText(text(e.InputPayload ?? ''))}`,
  ];
  if (e.Result !== undefined) lines.push(`  result   ${displayText(text(e.Result))}`);
  if (e.Error !== undefined) lines.push(`  error    ${displayText(JSON.stringify(e.Error))}`);
  return `${lines.join('\n')}\n`;
}

/** One line per event: number, time, type and what it concerns, then its result or error in brief. */
function formatHistory(events: Array<Record<string, unknown>>): string {
  return events
    .map((e) => {
      const type = text(e.EventType);
      const details = (e[`${type}Details`] ?? {}) as Record<string, unknown>;
      const what = [e.SubType, e.Name]
        .filter((x) => x !== undefined)
        .map(text)
        .join(' ');
      const extra: string[] = [];
      const payload = (field: string): unknown => (details[field] as { Payload?: unknown } | undefined)?.Payload;
      if (payload('Result') !== undefined) extra.push(`result ${JSON.stringify(payload('Result'))}`);
      if (payload('Error') !== undefined) extra.push(`error ${JSON.stringify(payload('Error'))}`);
      if (details.CallbackId !== undefined) extra.push(`callback ${text(details.CallbackId)}`);
      if (details.ScheduledEndTimestamp !== undefined) extra.push(`until ${iso(details.ScheduledEndTimestamp)}`);
      if (details.FunctionName !== undefined) extra.push(`function ${text(details.FunctionName)}`);
      return `${JSON.stringify(e.EventId).padStart(4)}  ${iso(e.EventTimestamp)}  ${type}${what ? ` (${what})` : ''}${
        extra.length ? `  ${displayText(extra.join(', '))}` : ''
      }\n`;
    })
    .join('');
}

/** The callbacks of an execution that nothing has completed yet. */
async function pendingCallbacks(engine: WorkspaceEngine, ref: string): Promise<string[]> {
  const events = await engine.executionHistory(ref);
  const ended = new Set(
    events
      .filter((e) => ['CallbackSucceeded', 'CallbackFailed', 'CallbackTimedOut'].includes(text(e.EventType)))
      .map((e) => e.Id),
  );
  return events
    .filter((e) => e.EventType === 'CallbackStarted' && !ended.has(e.Id))
    .map((e) => text((e.CallbackStartedDetails as { CallbackId?: string }).CallbackId));
}

export const executionsCommand: CliCommand = {
  name: 'executions',
  summary: 'List, inspect, stop durable executions and complete their callbacks',
  usage: USAGE,
  async run(args: readonly string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      {
        args: [...args],
        options: {
          root: { type: 'string' },
          json: { type: 'boolean' },
          function: { type: 'string' },
          error: { type: 'string' },
          succeed: { type: 'string' },
          fail: { type: 'string' },
          heartbeat: { type: 'boolean' },
        },
        strict: true,
        allowPositionals: true,
      },
      USAGE,
    );
    const [first, ...rest] = positionals;
    const sub: Subcommand = first === undefined ? 'list' : (first as Subcommand);
    if (!SUBCOMMANDS.includes(sub))
      throw new UsageError(`unknown subcommand "${first}": use ${SUBCOMMANDS.join(', ')}\n\n${USAGE}`);
    const wanted = sub === 'list' ? 0 : 1;
    if (rest.length !== wanted)
      throw new UsageError(
        `${sub} takes ${wanted === 0 ? 'no argument' : sub === 'callback' ? 'a callback id (or an execution)' : 'an execution (ARN, id or name)'}\n\n${USAGE}`,
      );
    const outcomes = [values.succeed !== undefined, values.fail !== undefined, values.heartbeat === true].filter(
      Boolean,
    ).length;
    if (sub === 'callback' && outcomes !== 1)
      throw new UsageError(
        `callback takes exactly one of --succeed <result>, --fail <json> or --heartbeat\n\n${USAGE}`,
      );
    if (sub !== 'callback' && outcomes > 0)
      throw new UsageError(`--succeed, --fail and --heartbeat go with callback\n\n${USAGE}`);
    if (values.error !== undefined && sub !== 'stop') throw new UsageError(`--error goes with stop\n\n${USAGE}`);
    if (values.function !== undefined && sub !== 'list') throw new UsageError(`--function goes with list\n\n${USAGE}`);
    const failure = values.fail !== undefined ? errorObjectOption('--fail', values.fail) : undefined;
    const stopError = values.error !== undefined ? errorObjectOption('--error', values.error) : undefined;

    const root = workspaceRootOf(io, values.root);
    const settings = workspaceSettingsOf(root, io);
    const opened = await openWorkspaceEngine({
      command: 'executions',
      io,
      root,
      settings,
      bootstrapDir: bootstrapDirOf(io),
      functions: () => discoverFunctions(root, io, settings),
      whenHeld: 'fail',
      readsOnly: sub === 'list' || sub === 'get' || sub === 'history',
    });
    try {
      const { engine } = opened;
      const json = values.json === true;
      const print = (value: unknown, text: string): void =>
        io.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : text);
      // On a store of its own, the execution carries on now (an attached engine does so by itself).
      const carryOn = async (): Promise<void> => {
        if (!opened.attachedTo) await engine.runUntilIdle();
      };
      switch (sub) {
        case 'list': {
          const list = await engine.executions(values.function);
          print(list, formatList(list));
          return EXIT_OK;
        }
        case 'get': {
          const execution = await engine.execution(rest[0]);
          print(execution, formatExecution(execution));
          return EXIT_OK;
        }
        case 'history': {
          const events = await engine.executionHistory(rest[0]);
          print(events, formatHistory(events));
          return EXIT_OK;
        }
        case 'stop': {
          await engine.stopExecution(rest[0], stopError);
          await carryOn();
          const execution = await engine.execution(rest[0]);
          print(execution, formatExecution(execution));
          return EXIT_OK;
        }
        case 'callback': {
          let callbackId = rest[0];
          const execution = await engine.execution(callbackId).catch(() => undefined);
          if (execution) {
            const pending = await pendingCallbacks(engine, callbackId);
            if (pending.length !== 1)
              throw new UsageError(
                `execution ${text(execution.DurableExecutionName)} has ${pending.length === 0 ? 'no pending callback' : `${pending.length} pending callbacks (${pending.join(', ')}): name one`}`,
              );
            callbackId = pending[0];
          }
          const arn = (await engine.executions()).find((e) =>
            // The execution the callback belongs to, to show it afterwards.
            execution ? e.DurableExecutionArn === execution.DurableExecutionArn : false,
          )?.DurableExecutionArn;
          await engine.sendCallback(
            callbackId,
            values.succeed !== undefined
              ? { action: 'succeed', result: values.succeed }
              : failure !== undefined
                ? { action: 'fail', error: failure }
                : { action: 'heartbeat' },
          );
          await carryOn();
          const after = arn !== undefined ? await engine.execution(text(arn)) : undefined;
          print(
            { callbackId, ...(after ? { execution: after } : {}) },
            `${values.heartbeat ? 'heartbeat sent to' : values.fail !== undefined ? 'failed' : 'completed'} callback ${callbackId}\n${after ? formatExecution(after) : ''}`,
          );
          return EXIT_OK;
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

export default executionsCommand;
