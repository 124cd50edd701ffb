import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT_FUNCTION_ERROR, EXIT_OK, UsageError, type CliCommand, type CliIO } from '../command';
import {
  EnvironmentPool,
  InvalidFunctionSpecError,
  InvokeRequestError,
  NODE_RUNTIMES,
  PYTHON_RUNTIMES,
  type FunctionSpec,
  type InvokeOutcome,
  type RuntimeId,
} from '../../core/runtime';

const USAGE = `Usage: lambda-trigger invoke <function name | path/to/file.export> [--payload <file|->] [--repeat N] [--json]
                             [--runtime <id>] [--timeout <s>] [--memory <MB>] [--env K=V]...

Runs a synchronous invocation (like Invoke with RequestResponse) in a local execution environment and prints the
outcome: result or error, the log lines (START/END/REPORT included) and metrics.

  --payload <file|->  the event as JSON, from a file or stdin (default: {})
  --repeat N          invoke N times in a row in the same pool (the first is a cold start, the rest warm)
  --json              print the outcome as JSON (an array of outcomes with --repeat > 1)
  --runtime <id>      ${[...NODE_RUNTIMES, ...PYTHON_RUNTIMES].join(', ')} (default: from the file's extension)
  --timeout <s>       function timeout, 1..900 seconds (default 3)
  --memory <MB>       memory size, 128..10240 (default 128)
  --env K=V           an environment variable of the function (repeatable)

Exit codes: 0 success, 1 function error, 2 bad usage or bad input.`;

const NODE_EXTENSIONS = ['', '.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];

export interface InvokeCommandOptions {
  /** Directory with the bundled bootstraps; default: LAMBDA_TRIGGER_BOOTSTRAP_DIR, else `runtime/` beside the CLI bundle. */
  bootstrapDir?: string;
  /** Looks a function up by name (discovery); the `path/to/file.export` form is used when it returns undefined. */
  resolveFunction?: (ref: string, io: CliIO) => Promise<FunctionSpec | undefined> | FunctionSpec | undefined;
}

interface Overrides {
  runtime?: RuntimeId;
  timeoutSeconds?: number;
  memorySizeMB?: number;
  environment: Record<string, string>;
}

/** `dir/file.export` relative to cwd: the code root is the file's directory, as a deployed package would be. */
export function functionSpecFromHandlerPath(ref: string, cwd: string, overrides: Overrides): FunctionSpec {
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
  return {
    name,
    handler: runtime.startsWith('python') ? handler.replace(/\.(?=[^.]*\.)/g, '/') : handler,
    runtime,
    codeRoot,
    ...(overrides.timeoutSeconds !== undefined ? { timeoutSeconds: overrides.timeoutSeconds } : {}),
    ...(overrides.memorySizeMB !== undefined ? { memorySizeMB: overrides.memorySizeMB } : {}),
    environment: overrides.environment,
  };
}

function parseIntOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number, got "${value}"`);
  return Number(value);
}

function formatOutcome(o: InvokeOutcome): string {
  const out: string[] = [];
  for (const l of o.logs) out.push(l.text);
  out.push('');
  if (o.functionError) out.push(`Function error (${o.functionError}):`, JSON.stringify(o.error, null, 2));
  else out.push(JSON.stringify(o.result, null, 2));
  out.push(`(${o.coldStart ? 'cold' : 'warm'} start, environment ${o.environmentId})`, '');
  return out.join('\n');
}

export function createInvokeCommand(options: InvokeCommandOptions = {}): CliCommand {
  return {
    name: 'invoke',
    summary: 'Invoke a handler synchronously and print its result, logs and metrics',
    usage: USAGE,
    async run(args: readonly string[], io: CliIO): Promise<number> {
      let parsed;
      try {
        parsed = parseArgs({
          args: [...args],
          options: {
            payload: { type: 'string' },
            repeat: { type: 'string' },
            json: { type: 'boolean' },
            runtime: { type: 'string' },
            timeout: { type: 'string' },
            memory: { type: 'string' },
            env: { type: 'string', multiple: true },
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
      if (repeat < 1 || repeat > 10000) throw new UsageError('--repeat must be from 1 to 10000');
      const runtime = values.runtime as RuntimeId | undefined;
      if (runtime && ![...NODE_RUNTIMES, ...PYTHON_RUNTIMES].includes(runtime))
        throw new UsageError(`--runtime must be one of ${[...NODE_RUNTIMES, ...PYTHON_RUNTIMES].join(', ')}`);
      const environment: Record<string, string> = {};
      for (const kv of values.env ?? []) {
        const eq = kv.indexOf('=');
        if (eq <= 0) throw new UsageError(`--env expects K=V, got "${kv}"`);
        environment[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
      const overrides: Overrides = {
        runtime,
        timeoutSeconds: parseIntOption('timeout', values.timeout),
        memorySizeMB: parseIntOption('memory', values.memory),
        environment,
      };

      let payload = '{}';
      if (values.payload === '-') payload = await io.readStdin();
      else if (values.payload !== undefined) {
        const file = path.resolve(io.cwd, values.payload);
        try {
          payload = fs.readFileSync(file, 'utf8');
        } catch {
          throw new UsageError(`cannot read payload file ${file}`);
        }
      }

      const ref = positionals[0];
      let spec = await options.resolveFunction?.(ref, io);
      if (spec) {
        spec = {
          ...spec,
          ...(runtime ? { runtime } : {}),
          ...(overrides.timeoutSeconds !== undefined ? { timeoutSeconds: overrides.timeoutSeconds } : {}),
          ...(overrides.memorySizeMB !== undefined ? { memorySizeMB: overrides.memorySizeMB } : {}),
          environment: { ...spec.environment, ...environment },
        };
      } else spec = functionSpecFromHandlerPath(ref, io.cwd, overrides);

      const bootstrapDir =
        options.bootstrapDir ?? io.env.LAMBDA_TRIGGER_BOOTSTRAP_DIR ?? path.join(__dirname, 'runtime');
      const pool = new EnvironmentPool({ bootstrapDir, workspaceRoot: io.cwd, maxConcurrency: 1 });
      const outcomes: InvokeOutcome[] = [];
      try {
        for (let i = 0; i < repeat; i++) {
          const o = await pool.invoke(spec, payload);
          outcomes.push(o);
          if (!values.json) io.stdout(formatOutcome(o));
        }
      } catch (err) {
        if (err instanceof InvalidFunctionSpecError) throw new UsageError(err.message);
        if (err instanceof InvokeRequestError) throw new UsageError(`${err.errorType}: ${err.message}`);
        throw err;
      } finally {
        pool.dispose();
      }
      if (values.json) io.stdout(JSON.stringify(repeat === 1 ? outcomes[0] : outcomes, null, 2) + '\n');
      return outcomes.some((o) => o.functionError) ? EXIT_FUNCTION_ERROR : EXIT_OK;
    },
  };
}

export const invokeCommand: CliCommand = createInvokeCommand();
