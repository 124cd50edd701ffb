import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT_FUNCTION_ERROR, EXIT_OK, UsageError, type CliCommand, type CliIO } from '../command';
import { AccountRequestError, pollTriggersOf, type InvocationMode } from '../../core/account/localAccount';
import { functionNamed, functionWithDefaults, type FunctionConfig } from '../../core/discovery/functionConfig';
import { EventInputError } from '../../core/events/eventErrors';
import { parseEventJson, readEventFile } from '../../core/events/eventJson';
import { payloadTooDeepMessage } from '../../core/runtime/payloadLimits';
import { parseParameterAssignments } from '../../core/events/templateParameters';
import type { InjectedFaults } from '../../core/invoke/engineContext';
import { MAX_FOLLOW_DELIVERIES, MIN_FOLLOW_DELIVERIES, parseFollowDeliveries } from '../../core/invoke/followHorizon';
import type { InvocationRecord } from '../../core/invoke/invocationRecord';
import {
  InvalidFunctionSpecError,
  NODE_RUNTIMES,
  PYTHON_RUNTIMES,
  resolveFunctionSpec,
  type RuntimeId,
} from '../../core/runtime';
import { eventForTrigger, triggerPayload, type TriggerEvent } from '../../core/events/triggerEvents';
import type { AwsLocation } from '../../core/awsLocation';
import { cliCatalogue } from './events';
import {
  formatErrorsAfterResponse,
  formatInvocationRecord,
  formatStartedRecords,
  formatStories,
  MAX_LOG_LINES,
  MAX_PART_CHARS,
  MAX_PART_LINES,
} from './invocationReport';
import { InvokeProgress, progressWanted, type ProgressOptions } from './invokeProgress';
import {
  bootstrapDirOf,
  discoverFunctions,
  openWorkspaceEngine,
  workspaceSettingsOf,
  unknownNameMessage,
  AWS_CREDENTIAL_OPTIONS,
  AWS_CREDENTIAL_USAGE,
  withAwsCredentialFlags,
  workspaceRootOf,
} from './workspaceAccount';

const RUNTIMES = [...NODE_RUNTIMES, ...PYTHON_RUNTIMES];

const USAGE = `Usage: lambda-trigger invoke <function name | path/to/file.export>
         [--event <template id> [--param name=value]... [--records N] [--body text]... | --payload <file|->]
         [--mode sync|async|batch] [--fault <fault>]... [--time-scale X] [--follow N] [--root <dir>] [--ephemeral]
         [--repeat N] [--json | --full]
         [--runtime <id>] [--timeout <s>] [--memory <MB>] [--env K=V]... [--aws-profile <name> | --aws-credentials]

Invokes a function the way its event source would and prints the invocation record: every attempt (request id,
cold or warm start, duration, billed duration, memory, init, result or error, logs), the batches of a poll-based
source (records, reported failures, bisects, checkpoints, redrives) and every destination or DLQ delivery.

A function NAME is looked up in the workspace (--root); path/to/file.export (relative to the current directory)
runs that handler on its own, with a throwaway store. With --root, a plain handler the workspace lists (\`lambda-trigger
list\`) is found by its path there (plain-handlers/invoice.handler) as well as by its name
(plain-handlers-invoice-handler), and runs as that workspace function.

While a VS Code window (or another process) holds the workspace's engine, the invocation runs in that engine,
through its endpoint (<root>/.lambda-trigger/endpoint): the output and exit code are the same, and the records are
that engine's, so the window's Invocations panel shows them. A handler path, --ephemeral and --runtime, --timeout,
--memory or --env run on a throwaway store of this run's own instead, and say so on stderr. When the process holding
the store serves no endpoint, the run uses a throwaway store and says so on stderr.

On a terminal, a run that takes longer than a second says on stderr what it is doing ("OrdersQueue: receive 3 of
OrderProcessorFunction"), on one line that is erased before the report. Nothing is shown when stderr is a pipe or a
file, or when CI is set.

  --event <id>         render the event from a template of the catalogue (\`lambda-trigger events\` lists them)
  --param name=value   a template parameter (repeatable); see \`lambda-trigger render <id> --help-params\`
  --records N          poll-based templates: N records in the batch
  --body text          poll-based templates: one record per --body (repeatable)
  --payload <file|->   the event as JSON from a file or stdin (default: the event the function's first
                       configured trigger sends, shaped by it; {} for a function without a trigger)
  --mode <m>           sync (RequestResponse), async (Event: retries, destinations, DLQ) or batch (through the
                       function's SQS, Kinesis, DynamoDB Streams, Kafka or MQ trigger). Default: the template's
                       invocation model with --event, else the model of the function's only trigger, else sync
  --fault <fault>      inject a fault (repeatable; sync and async only):
                         deliver-twice      run the handler a second time with the same event and request id
                                            (async only: Lambda delivers at least once), to test idempotency
                         throttle[=N]       answer N attempts (default 1) with 429; async events back off and
                                            retry without using up MaximumRetryAttempts
                         system-error[=N]   the same with a 5xx service error
                         zero-concurrency   behave as if reserved concurrency were 0: nothing runs, the event
                                            goes to the DLQ / on-failure destination
  --time-scale X       simulated seconds per wall second for retries and visibility timeouts (default: instant);
                       a live engine runs at its own time scale (its window's lambdaTrigger.timeScale): said on stderr
  --follow N           follow a failing event that AWS would retry for hours or days (an SQS queue without a
                       redrive policy, a stream batch with MaximumRetryAttempts -1) for N receives or attempts
                       (default: the lambdaTrigger.followDeliveries setting, else 5); then the run stops, leaves it
                       in its queue or stream and says what AWS would do next. The next batch invocation of the
                       function follows it again (an SQS event whose messages are still queued follows those).
                       A live engine follows as far as its window's setting says
  --root <dir>         workspace folder (default: the current directory); the store is <root>/.lambda-trigger/store
  --ephemeral          use a temporary store instead of the workspace's or a live engine (nothing is kept)
  --repeat N           invoke N times in a row (the first start is cold, the rest warm)
  --json               print the InvocationRecord (an array when there are several), whole
  --full               print every result, body, error and log line of the text report whole; without it, a part
                       longer than ${MAX_PART_CHARS} characters or ${MAX_PART_LINES} lines is cut, and a log longer than ${MAX_LOG_LINES.head + MAX_LOG_LINES.tail} lines keeps its
                       first ${MAX_LOG_LINES.head} and last ${MAX_LOG_LINES.tail}, each cut saying what it left out
  --runtime <id>       ${RUNTIMES.join(', ')}
  --timeout <s>        function timeout, 1..900 seconds
  --memory <MB>        memory size, 128..10240
  --env K=V            an environment variable of the function (repeatable)
${AWS_CREDENTIAL_USAGE}
A handler's AWS SDK calls to SQS, SNS, EventBridge, Kinesis and Lambda reach the local services (its
AWS_ENDPOINT_URL_<SERVICE> variables point at the run's local AWS endpoint): a message it sends is received by the
queue's consumer, a function it invokes runs here, and the run follows that work before it ends.

Exit codes: 0 success, 1 function error (the final status is failed or rejected), 2 bad usage or bad input,
75 the live engine cannot be used right now: it closed before answering (its window closed or re-opened the
account; run again), did not answer, or speaks another protocol version (use the CLI of the same version as the
extension, dist/cli.js in its folder).`;

const NODE_EXTENSIONS = ['', '.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];
const MODES: readonly InvocationMode[] = ['sync', 'async', 'batch'];

export interface InvokeCommandOptions {
  /** Directory with the bundled bootstraps; default: LAMBDA_TRIGGER_BOOTSTRAP_DIR, else `runtime/` beside the CLI bundle. */
  bootstrapDir?: string;
  /** Looks a function up by name before discovery does; the `path/to/file.export` form is used when it returns undefined. */
  resolveFunction?: (ref: string, io: CliIO) => Promise<FunctionConfig | undefined> | FunctionConfig | undefined;
  /** When the progress line appears on a terminal's stderr, and how often it is redrawn (tests show it at once). */
  progress?: ProgressOptions;
}

interface Overrides {
  runtime?: RuntimeId;
  /** Seconds. */
  timeout?: number;
  /** MB. */
  memorySize?: number;
  environment: Record<string, string>;
}

/** `dir/file.export` relative to cwd: the code root is the file's directory, as a deployed package would be. */
export function functionFromHandlerPath(ref: string, cwd: string, overrides: Overrides): FunctionConfig {
  const abs = path.resolve(cwd, ref);
  const codeRoot = path.dirname(abs);
  const handler = path.basename(abs);
  const dot = handler.indexOf('.');
  if (dot <= 0 || dot === handler.length - 1)
    throw new UsageError(`"${ref}" is not a handler: expected path/to/file.export (for example src/app.handler)`);
  const moduleBase = path.join(codeRoot, handler.slice(0, dot));
  let runtime = overrides.runtime;
  const isPython = fs.existsSync(moduleBase + '.py');
  const isNode = NODE_EXTENSIONS.some(
    (ext) => fs.existsSync(moduleBase + ext) && fs.statSync(moduleBase + ext).isFile(),
  );
  if (!runtime) {
    if (isNode) runtime = 'nodejs20.x';
    else if (isPython) runtime = 'python3.12';
    else
      throw new UsageError(`no handler file for "${ref}": looked for ${moduleBase}{.js,.mjs,.cjs,.ts,.mts,.cts,.py}`);
  }
  const name =
    path
      .basename(moduleBase)
      .replace(/[^A-Za-z0-9_-]/g, '-')
      .slice(0, 140) || 'function';
  return functionWithDefaults({
    name,
    handler: runtime.startsWith('python') ? handler.replace(/\.(?=[^.]*\.)/g, '/') : handler,
    runtime,
    codeRoot,
  });
}

/** The command line's values win over the definition's; their origin says so. */
function withOverrides(fn: FunctionConfig, o: Overrides): FunctionConfig {
  const cli = { source: 'cli' } as const;
  const origins = { ...fn.origins };
  if (o.runtime) origins.runtime = cli;
  if (o.timeout !== undefined) origins.timeout = cli;
  if (o.memorySize !== undefined) origins.memorySize = cli;
  for (const k of Object.keys(o.environment)) origins[`environment.${k}`] = cli;
  return {
    ...fn,
    ...(o.runtime ? { runtime: o.runtime } : {}),
    ...(o.timeout !== undefined ? { timeout: o.timeout } : {}),
    ...(o.memorySize !== undefined ? { memorySize: o.memorySize } : {}),
    environment: { ...fn.environment, ...o.environment },
    origins,
  };
}

function parseIntOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number, got "${value}"`);
  return Number(value);
}

function parseTimeScale(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (/^(inf|infinity)$/i.test(value)) return Number.POSITIVE_INFINITY;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0))
    throw new UsageError(`--time-scale must be a positive number or "infinity", got "${value}"`);
  return n;
}

function parseFollow(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = parseFollowDeliveries(value);
  if (n === undefined)
    throw new UsageError(
      `--follow must be a whole number of receives or attempts from ${MIN_FOLLOW_DELIVERIES} to ${MAX_FOLLOW_DELIVERIES}, got "${value}"`,
    );
  return n;
}

const FAULTS = ['deliver-twice', 'throttle[=N]', 'system-error[=N]', 'zero-concurrency'];

/** `--fault` values (ASYNC-1, ASYNC-5, ASYNC-6); repeating a counted fault adds up. */
export function parseFaults(values: readonly string[]): InjectedFaults | undefined {
  if (values.length === 0) return undefined;
  const faults: InjectedFaults = {};
  for (const value of values) {
    const m = /^(deliver-twice|throttle|system-error|zero-concurrency)(?:=(.*))?$/.exec(value);
    const bad = (why: string): UsageError =>
      new UsageError(`--fault "${value}" ${why}; expected one of ${FAULTS.join(', ')}`);
    if (!m) throw bad('is not a fault');
    const [, name, count] = m;
    if (name === 'deliver-twice' || name === 'zero-concurrency') {
      if (count !== undefined) throw bad('takes no count');
      if (name === 'deliver-twice') faults.deliverTwice = true;
      else faults.zeroConcurrency = true;
      continue;
    }
    if (count !== undefined && !/^[1-9]\d{0,3}$/.test(count)) throw bad('needs a count from 1 to 9999');
    const n = count === undefined ? 1 : Number(count);
    if (name === 'throttle') faults.throttle = (faults.throttle ?? 0) + n;
    else faults.systemError = (faults.systemError ?? 0) + n;
  }
  return faults;
}

/** Lambda function names never contain a dot; a handler path always does (NODE-1, PY-1). */
const isHandlerPath = (ref: string): boolean => ref.includes('.') || ref.includes('/') || ref.includes(path.sep);

interface EventChoice {
  payload: string;
  /** The template's invocation model, when the event came from one. */
  templateMode?: InvocationMode;
}

async function readEvent(
  values: { event?: string; param?: string[]; records?: string; body?: string[]; payload?: string },
  io: CliIO,
  /** Parameter defaults from the function's own trigger for this template (bucket, queue, route), typed. */
  triggerDefaults: Record<string, unknown> = {},
): Promise<EventChoice> {
  if (values.event !== undefined && values.payload !== undefined)
    throw new UsageError('give either --event <template id> or --payload <file|->, not both');
  if (values.event === undefined) {
    for (const flag of ['param', 'records', 'body'] as const)
      if (values[flag] !== undefined) throw new UsageError(`--${flag} only applies with --event <template id>`);
    let payload = '{}';
    let where = 'the default payload';
    try {
      if (values.payload === '-') {
        payload = await io.readStdin();
        where = 'stdin';
      } else if (values.payload !== undefined) {
        where = path.resolve(io.cwd, values.payload);
        payload = readEventFile(where);
      }
      // A byte-order mark is not part of the JSON (stdin keeps it until here).
      parseEventJson(payload, where);
    } catch (err) {
      if (err instanceof EventInputError) throw new UsageError(err.message);
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
      throw new UsageError(`cannot read payload file ${where}: ${reason}`);
    }
    if (payload.charCodeAt(0) === 0xfeff) payload = payload.slice(1);
    const tooDeep = payloadTooDeepMessage(payload);
    if (tooDeep) throw new UsageError(`${where}: ${tooDeep}`);
    return { payload };
  }
  const catalogue = cliCatalogue(io);
  try {
    const def = catalogue.require(values.event);
    let records: number | undefined;
    if (values.records !== undefined) {
      if (!/^\d+$/.test(values.records) || Number(values.records) < 1)
        throw new UsageError(`--records expects a positive integer, got ${JSON.stringify(values.records)}`);
      records = Number(values.records);
    }
    const event = catalogue.render(
      def.id,
      { ...triggerDefaults, ...parseParameterAssignments(values.param ?? []) },
      {
        records,
        items: values.body,
        paramsAreText: true,
      },
    );
    return { payload: JSON.stringify(event), templateMode: def.invocation === 'poll' ? 'batch' : def.invocation };
  } catch (e) {
    if (e instanceof EventInputError) throw new UsageError(`--event ${values.event}: ${e.message}`);
    throw e;
  }
}

/** The events the function's configured triggers send, shaped by them and by the account's location. */
function triggerEventsOf(fn: FunctionConfig, io: CliIO, location: AwsLocation): TriggerEvent[] {
  const catalogue = cliCatalogue(io);
  return fn.triggers.flatMap((t) => eventForTrigger(t, catalogue, { function: fn, location }) ?? []);
}

/** A template's parameters as the function's own trigger fixes them (bucket, queue, route), typed. */
function triggerDefaultsFor(
  fn: FunctionConfig,
  templateId: string,
  io: CliIO,
  location: AwsLocation,
): Record<string, unknown> | undefined {
  return triggerEventsOf(fn, io, location).find((e) => e.templateId === templateId)?.params;
}

/** With no --event and no --payload: the event the function's first configured trigger sends. */
function defaultTriggerEvent(fn: FunctionConfig, io: CliIO, location: AwsLocation): EventChoice | undefined {
  const [event] = triggerEventsOf(fn, io, location);
  if (!event) return undefined;
  const catalogue = cliCatalogue(io);
  const invocation = catalogue.require(event.templateId).invocation;
  return {
    payload: JSON.stringify(triggerPayload(event, catalogue)),
    templateMode: invocation === 'poll' ? 'batch' : invocation,
  };
}

/** The event source's invocation model: the template's, else the function's only trigger's, else sync. */
function defaultMode(fn: FunctionConfig, event: EventChoice): InvocationMode {
  if (event.templateMode) return event.templateMode;
  const triggers = fn.triggers.filter((t) => t.enabled);
  if (triggers.length === 1) return triggers[0].invocation === 'poll' ? 'batch' : triggers[0].invocation;
  return 'sync';
}

/** One invocation's function (with this run's overrides), payload and mode. */
interface InvocationPlan {
  fn: FunctionConfig;
  payload: string;
  mode: InvocationMode;
  /** The functions of a store this run opens itself, `fn` among them as overridden. */
  functions: FunctionConfig[];
}

/** Exit 1 when the final status is a function failure (or Lambda refused to run it). */
const failed = (r: InvocationRecord): boolean => r.status === 'failed' || r.status === 'rejected';

export function createInvokeCommand(options: InvokeCommandOptions = {}): CliCommand {
  return {
    name: 'invoke',
    summary: 'Invoke a function as its event source would (sync, async or batch) and print the invocation record',
    usage: USAGE,
    async run(args: readonly string[], io: CliIO): Promise<number> {
      let parsed;
      try {
        parsed = parseArgs({
          args: [...args],
          options: {
            event: { type: 'string', short: 'e' },
            param: { type: 'string', multiple: true, short: 'p' },
            records: { type: 'string', short: 'n' },
            body: { type: 'string', multiple: true },
            payload: { type: 'string' },
            mode: { type: 'string' },
            fault: { type: 'string', multiple: true },
            'time-scale': { type: 'string' },
            follow: { type: 'string' },
            root: { type: 'string' },
            ephemeral: { type: 'boolean' },
            repeat: { type: 'string' },
            json: { type: 'boolean' },
            full: { type: 'boolean' },
            runtime: { type: 'string' },
            timeout: { type: 'string' },
            memory: { type: 'string' },
            env: { type: 'string', multiple: true },
            ...AWS_CREDENTIAL_OPTIONS,
          },
          strict: true,
          allowPositionals: true,
        });
      } catch (err) {
        throw new UsageError(`${(err as Error).message}\n\n${USAGE}`);
      }
      const { values, positionals } = parsed;
      if (positionals.length !== 1) throw new UsageError(`expected one function name or handler path\n\n${USAGE}`);
      const repeat = parseIntOption('repeat', values.repeat) ?? 1;
      if (values.json && values.full) throw new UsageError('--full is for the text report; --json prints everything');
      // NO_COLOR (no-color.org): a terminal that asks for none gets none.
      const colours = io.stdoutIsTTY === true && !io.env.NO_COLOR;
      const report = values.full
        ? { full: true, colours }
        : { wholeRecordHint: 'add --full to print them, or --json for the whole record', colours };
      if (repeat < 1 || repeat > 10000) throw new UsageError('--repeat must be from 1 to 10000');
      const mode = values.mode as InvocationMode | undefined;
      if (mode !== undefined && !MODES.includes(mode))
        throw new UsageError(`--mode must be one of ${MODES.join(', ')}, got "${values.mode}"`);
      const faults = parseFaults(values.fault ?? []);
      const timeScale = parseTimeScale(values['time-scale']);
      const follow = parseFollow(values.follow);
      const runtime = values.runtime as RuntimeId | undefined;
      if (runtime && !RUNTIMES.includes(runtime))
        throw new UsageError(`--runtime must be one of ${RUNTIMES.join(', ')}`);
      const environment: Record<string, string> = {};
      for (const kv of values.env ?? []) {
        const eq = kv.indexOf('=');
        if (eq <= 0) throw new UsageError(`--env expects K=V, got "${kv}"`);
        environment[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
      const overrides: Overrides = {
        runtime,
        timeout: parseIntOption('timeout', values.timeout),
        memorySize: parseIntOption('memory', values.memory),
        environment,
      };
      const root = workspaceRootOf(io, values.root);
      const credentials = withAwsCredentialFlags(workspaceSettingsOf(root, io), values, io);
      const settings = credentials.settings;
      const initialEvent = await readEvent(values, io);

      // The function: a resolver's, a workspace function by name (or, with --root, by the path `list` shows it
      // under), else a handler path run on its own.
      const ref = positionals[0];
      const resolved = await options.resolveFunction?.(ref, io);
      let discovered: FunctionConfig[] | undefined;
      let name = ref;
      if (!resolved && values.root !== undefined && isHandlerPath(ref)) {
        discovered = await discoverFunctions(root, io, settings);
        const label = ref.split(path.sep).join('/').replace(/^\.\//, '');
        const listed = discovered.find((f) => f.name === ref || f.displayName === label);
        if (listed) name = listed.name;
      }
      const lone =
        resolved ?? (name === ref && isHandlerPath(ref) ? functionFromHandlerPath(ref, io.cwd, overrides) : undefined);
      const overridden = ['runtime', 'timeout', 'memory', 'env'].filter((o) => values[o as keyof typeof values]);
      const ownStore = lone
        ? `${ref} is ${resolved ? 'a function given to this run' : 'a handler run on its own'}`
        : values.ephemeral
          ? '--ephemeral asks for a store of its own'
          : overridden.length > 0
            ? `${overridden.map((o) => `--${o}`).join(', ')} change${overridden.length === 1 ? 's' : ''} the function for this run only`
            : undefined;

      /** What this run invokes, checked against the functions of the engine it runs on. */
      const plan = async (functions: FunctionConfig[]): Promise<InvocationPlan> => {
        const found = functionNamed(functions, lone?.name ?? name);
        if (!found)
          throw new UsageError(
            unknownNameMessage(
              'function',
              ref,
              functions.map((f) => f.name),
              root,
            ),
          );
        const fn = withOverrides(found, overrides);
        // The template the function's own trigger sends takes that trigger's values as defaults, as the editor does.
        const configured = values.event ? triggerDefaultsFor(fn, values.event, io, settings.location) : undefined;
        const event = configured
          ? await readEvent(values, io, configured)
          : values.event === undefined && values.payload === undefined
            ? (defaultTriggerEvent(fn, io, settings.location) ?? initialEvent)
            : initialEvent;
        try {
          resolveFunctionSpec(fn, { location: settings.location, logFormat: settings.logFormat });
        } catch (err) {
          if (err instanceof InvalidFunctionSpecError) throw new UsageError(`${fn.name}: ${err.message}`);
          throw err;
        }
        const chosenMode = mode ?? defaultMode(fn, event);
        if (chosenMode === 'batch' && pollTriggersOf(fn).length === 0)
          throw new UsageError(
            `${fn.name} has no poll-based trigger (SQS, Kinesis, DynamoDB Streams, Kafka or MQ), so it cannot be invoked with --mode batch; use --mode sync or async`,
          );
        if (faults && chosenMode === 'batch')
          throw new UsageError(
            '--fault applies to sync and async invocations, not to batches; add --mode async or sync',
          );
        if (faults?.deliverTwice && chosenMode === 'sync')
          throw new UsageError(
            '--fault deliver-twice is an asynchronous fault (Lambda delivers async events at least once); add --mode async',
          );
        return {
          fn,
          payload: event.payload,
          mode: chosenMode,
          functions: functions.map((f) => (f === found ? fn : f)),
        };
      };

      // A store this run opens itself is only opened once the invocation is known to be valid.
      let local: InvocationPlan | undefined;
      const opened = await openWorkspaceEngine({
        command: 'invoke',
        io,
        root,
        settings,
        bootstrapDir: bootstrapDirOf(io, options.bootstrapDir),
        functions: async () => {
          local = await plan(lone ? [lone] : (discovered ?? (await discoverFunctions(root, io, settings))));
          return local.functions;
        },
        ...(ownStore ? { ownStore } : {}),
        // A lone handler belongs to no workspace store.
        ephemeral: (lone !== undefined && !resolved) || values.ephemeral === true,
        // A handler named by its path runs where it is; its file still has to lie inside its code root.
        ...(lone ? { confineCodeToWorkspace: false } : {}),
        whenHeld: 'throwaway',
        ...(timeScale !== undefined ? { timeScale } : {}),
        ...(follow !== undefined ? { followDeliveries: follow } : {}),
        ...(credentials.flag ? { awsCredentialsFlag: credentials.flag } : {}),
      });
      const records: InvocationRecord[] = [];
      /** Every record the engine saved during the run, last version of each. */
      const seen = new Map<string, InvocationRecord>();
      let fnName: string;
      let progress: InvokeProgress | undefined;
      let following: { dispose(): void } | undefined;
      try {
        const chosen = opened.attachedTo || !local ? await plan(await opened.engine.functions()) : local;
        fnName = chosen.fn.name;
        if (progressWanted(io)) progress = new InvokeProgress(io, `${fnName}: invoking`, options.progress);
        // Progress and what the invocation set going elsewhere are a courtesy: an engine that cannot tell what it
        // does still runs the invocation.
        following = await opened.engine
          .onRecord((r) => {
            seen.set(r.id, r);
            progress?.update(r);
          })
          .catch(() => undefined);
        /** The last invocation's records, printed while the next one runs (--repeat). */
        let unprinted: InvocationRecord[] = [];
        const printRecords = (): void => {
          progress?.interrupt();
          if (!values.json) for (const r of unprinted) io.stdout(formatInvocationRecord(r, report));
          unprinted = [];
        };
        for (let i = 0; i < repeat; i++) {
          const next = opened.engine.invoke(chosen.fn.name, chosen.payload, chosen.mode, faults ? { faults } : {});
          if (unprinted.length > 0 && !values.json) {
            next.catch(() => undefined); // awaited below; not unhandled meanwhile
            // The request is on its way to the handler once the engine's turn has run: print the last records then.
            await new Promise<void>((resolve) => setImmediate(resolve));
            printRecords();
          }
          unprinted = await next;
          records.push(...unprinted);
        }
        printRecords();
        // NODE-5: before this run ends the environments, what a handler threw after its response is reported.
        for (const changed of await opened.engine.errorsAfterResponse()) {
          const i = records.findIndex((r) => r.id === changed.id);
          if (i >= 0) records[i] = changed;
          if (!values.json) io.stdout(formatErrorsAfterResponse(changed, report));
        }
      } catch (err) {
        if (err instanceof AccountRequestError) throw new UsageError(err.message);
        throw err;
      } finally {
        following?.dispose();
        progress?.stop();
        await opened.close();
      }
      // RUNTIME-2: a function that ran on another Node.js or Python than its runtime's says so on stderr too.
      const mismatches = new Set(records.flatMap((r) => r.attempts.flatMap((a) => a.runtime?.mismatch ?? [])));
      for (const m of mismatches) io.stderr(`lambda-trigger invoke: ${m}\n`);
      // What the invoked records set going in other functions: records of their stories made during the run.
      const invoked = new Set(records.map((r) => r.id));
      const started = [...seen.values()].filter(
        (r) => !invoked.has(r.id) && r.storyId !== undefined && invoked.has(r.storyId),
      );
      if (values.json) io.stdout(JSON.stringify(records.length === 1 ? records[0] : records, null, 2) + '\n');
      else if (records.length === 0) io.stdout(`${fnName}: no invocation (nothing reached the function)\n`);
      else io.stdout(formatStartedRecords(started, report) + formatStories([...records, ...started]));
      return records.some(failed) ? EXIT_FUNCTION_ERROR : EXIT_OK;
    },
  };
}

export const invokeCommand: CliCommand = createInvokeCommand();
