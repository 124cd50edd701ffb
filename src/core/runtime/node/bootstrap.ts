/**
 * The Node.js bootstrap: the program that runs inside an execution environment (one child process). It loads the
 * handler (init), then runs invocations sent by the engine over fd 3 (see ../protocol.ts), one at a time.
 * Bundled to dist/runtime/node-bootstrap.js. It only ever talks to the engine through the channel.
 */
import * as fs from 'node:fs';
import type * as Inspector from 'node:inspector';
import Module, { createRequire, findSourceMap } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { handlerFileOutsideCodeRoot } from '../../codeBoundary';
import type { FunctionErrorPayload } from '../outcome';
import { RESPONSE_LIMIT_BYTES } from '../payloadLimits';
import {
  BOOTSTRAP_ARG_COMPILED,
  BOOTSTRAP_ARG_DEBUG,
  BOOTSTRAP_ARG_DEBUG_WAIT,
  BOOTSTRAP_ARG_AWAIT_CONFIGURATION,
  BOOTSTRAP_ARG_MAX_LOG_BYTES,
  type ConfigureMessage,
  type EngineMessage,
  type InvokeMessage,
} from '../protocol';
import { ChildChannel } from './childChannel';
import { toErrorPayload, wrappedErrorPayload } from './errorPayload';
import { HandlerNameError, resolveNodeHandler } from './handlerResolution';
import { installLogCapture, type LogCapture } from './logCapture';
import type { ModuleHooksData } from './moduleHooks';
import {
  createResponseStream,
  installAwslambdaGlobal,
  isStreamingHandler,
  type ResponseStream,
} from './responseStream';

type Handler = (...args: unknown[]) => unknown;

const env = process.env;
/**
 * What the environment says, read once the process has its environment: at start, or, for a process started ahead
 * of need (BOOTSTRAP_ARG_AWAIT_CONFIGURATION), once the engine's configuration has set it (configure).
 */
let taskRoot = '';
let handlerString = '';
let argv: string[] = [];
let compiledFile: string | undefined;
/**
 * NODE-4: from nodejs24.x on, Lambda runs only handlers that return (or resolve to) their result: a callback handler
 * fails at init, and the context has no succeed, fail, done or callbackWaitsForEmptyEventLoop.
 */
let callbacksRemoved = false;
let logs: LogCapture;
let userRequire: NodeRequire;
const CALLBACK_HANDLER_REMOVED =
  'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to ' +
  'modify this function to use a supported handler signature to use Node.js 24 or later. For more information see ' +
  'https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.';

function readEnvironment(): void {
  taskRoot = env.LAMBDA_TASK_ROOT ?? process.cwd();
  handlerString = env._HANDLER ?? '';
  argv = process.argv.slice(2);
  const compiledArg = argv.indexOf(BOOTSTRAP_ARG_COMPILED);
  compiledFile = compiledArg >= 0 ? argv[compiledArg + 1] : undefined;
  const maxLogArg = argv.indexOf(BOOTSTRAP_ARG_MAX_LOG_BYTES);
  const maxLogBytes = maxLogArg >= 0 ? Number(argv[maxLogArg + 1]) : Infinity;
  callbacksRemoved = Number(/^AWS_Lambda_nodejs(\d+)\.x$/.exec(env.AWS_EXECUTION_ENV ?? '')?.[1] ?? 0) >= 24;
  logs = installLogCapture(channel, env, maxLogBytes);
  functionIdentity = {
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
  };
  userRequire = createRequire(path.join(taskRoot, 'index.js'));
}

/**
 * A process started ahead of need becomes the one the engine would have started (preBoot.ts): the environment, the
 * working directory and the bootstrap's arguments it would have had. What Node.js reads at start (NODE_OPTIONS, the
 * locale, ...) was part of the shape it was started with, so it is the same already.
 */
function configure(msg: ConfigureMessage): void {
  // All of it afresh, in the configuration's order: what the handler lists is what a process started with it lists.
  for (const key of Object.keys(env)) delete env[key];
  Object.assign(env, msg.env);
  process.chdir(msg.cwd);
  process.argv.splice(2, process.argv.length - 2, ...msg.args);
}

const channel = new ChildChannel(3, onEngineMessage);
const awaitsConfiguration = process.argv.includes(BOOTSTRAP_ARG_AWAIT_CONFIGURATION);
// Stack traces of transpiled TypeScript (and of a bundled handler with its map) point at the source lines. On while
// the handler loads, so that its maps are read; off afterwards where there is none (usesSourceMaps).
process.setSourceMapsEnabled(true);
/** The handler's own file once loaded (for a directory or package, the file it resolved to). */
let handlerFile: string | undefined;

let handler: Handler | undefined;
let current: Invocation | undefined;
/** NODE-5: the last invocation's request id, under which an error after its response is logged. */
let lastRequestId: string | undefined;
let initDone = false;

interface Invocation {
  msg: InvokeMessage;
  completed: boolean;
  /** NODE-4: a callback result waiting for the event loop to drain. */
  deferred?: { err: unknown; result: unknown };
  context: Record<string, unknown>;
  stream?: ResponseStream;
}

function maxRssKb(): number {
  return process.resourceUsage().maxRSS;
}

function sendError(inv: Invocation, error: FunctionErrorPayload, fatal = false): void {
  channel.send({ t: 'result', id: inv.msg.id, error, maxRssKb: maxRssKb(), ...(fatal ? { fatal } : {}) });
}

/** NODE-4: only the first completion counts. */
function complete(inv: Invocation, err: unknown, result: unknown): void {
  if (inv.completed) return;
  inv.completed = true;
  if (current === inv) current = undefined;
  channel.setKeepsAlive(true);
  logs.newLog(); // NODE-8: what follows the response is the engine's next log, with its own cap
  if (err !== null && err !== undefined) {
    const error = toErrorPayload(err);
    // SYNC-3: the runtime logs the error it answers with, under the request id, as Lambda's Node.js runtime does.
    console.error(
      'Invoke Error',
      `\t${JSON.stringify({ errorType: error.errorType, errorMessage: error.errorMessage, stack: error.trace ?? [] })}`,
    );
    logs.requestId = undefined;
    sendError(inv, error);
    return;
  }
  logs.requestId = undefined;
  if (inv.stream) {
    channel.send({ t: 'result', id: inv.msg.id, streamed: true, maxRssKb: maxRssKb() });
    return;
  }
  let body: string | undefined;
  try {
    body = JSON.stringify(result === undefined ? null : result);
  } catch (e) {
    // Circular structures and BigInt cannot be serialised: a clear error instead of a crash.
    sendError(inv, {
      errorType: 'Runtime.JSONStringifyError',
      errorMessage: `Unable to stringify response body: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
      trace: [],
    });
    return;
  }
  if (body === undefined) {
    sendError(inv, {
      errorType: 'Runtime.JSONStringifyError',
      errorMessage: `Unable to stringify response body: a ${typeof result} is not JSON`,
      trace: [],
    });
    return;
  }
  const size = Buffer.byteLength(body);
  if (size > RESPONSE_LIMIT_BYTES) {
    // SYNC-6: an oversize response is a function error; the environment words it as Lambda does.
    channel.send({ t: 'result', id: inv.msg.id, oversize: size, maxRssKb: maxRssKb() });
    return;
  }
  channel.sendRaw(
    `{"t":"result","id":${JSON.stringify(inv.msg.id)},"size":${size},"maxRssKb":${maxRssKb()},"body":${body}}`,
  );
}

/** NODE-6: the environment's constant part of the context, read once (each process.env read is a call into C++). */
let functionIdentity: Record<string, string | undefined> = {};

function buildContext(inv: Invocation): Record<string, unknown> {
  const msg = inv.msg;
  let waits = true;
  const context: Record<string, unknown> = {
    functionName: functionIdentity.functionName,
    functionVersion: functionIdentity.functionVersion,
    invokedFunctionArn: msg.arn,
    memoryLimitInMB: functionIdentity.memoryLimitInMB,
    awsRequestId: msg.id,
    logGroupName: functionIdentity.logGroupName,
    logStreamName: functionIdentity.logStreamName,
    identity: msg.identity,
    clientContext: msg.clientContext,
    getRemainingTimeInMillis: () => Math.max(0, msg.deadline - Date.now()),
  };
  if (callbacksRemoved) return context;
  // NODE-4: succeed/fail/done complete at once, whatever callbackWaitsForEmptyEventLoop says.
  context.succeed = (result: unknown) => complete(inv, null, result);
  context.fail = (err: unknown) => complete(inv, err ?? 'handled', undefined);
  context.done = (err: unknown, result: unknown) => complete(inv, err, result);
  Object.defineProperty(context, 'callbackWaitsForEmptyEventLoop', {
    get: () => waits,
    set: (v: unknown) => {
      waits = Boolean(v);
    },
    enumerable: true,
  });
  return context;
}

/** Starts an invocation: its context, request id and log allowance; undefined when one is already running. */
function beginInvocation(msg: InvokeMessage): Invocation | undefined {
  const inv: Invocation = { msg, completed: false, context: {} };
  if (current && !current.completed) {
    sendError(inv, { errorType: 'Runtime.InvalidState', errorMessage: 'An invocation is already running' });
    return undefined;
  }
  current = inv;
  lastRequestId = msg.id;
  logs.requestId = msg.id;
  logs.newLog();
  env._X_AMZN_TRACE_ID = msg.traceId;
  inv.context = buildContext(inv);
  // NODE-4: the channel must not keep the loop alive, or "the event loop drained" could never be observed.
  channel.setKeepsAlive(false);
  return inv;
}

/**
 * SYNC-3: the runtime that calls the handler, as Lambda's does (`this.handler(...)` in `Runtime.handleOnce...`). Each
 * invocation starts in a job of its own (a promise reaction run from the tick queue, see onEngineMessage), so that a
 * handler's stack trace ends where Lambda's ends, at the runtime's frame and the tick queue: started from the channel's
 * read it would also carry the channel's frames under minified names, formatted into every error payload and 'Invoke
 * Error' line. The class takes its name from a property key, which minification keeps; so do the method names.
 */
const { Runtime } = {
  Runtime: class {
    handler: Handler = () => undefined;

    handleOnceNonStreaming(msg: InvokeMessage): void {
      const inv = beginInvocation(msg);
      if (!inv) return;
      try {
        if (callbacksRemoved) {
          // NODE-4: no callback argument; whatever the handler returns (or throws) is awaited.
          Promise.resolve(this.handler(msg.event, inv.context)).then(
            (v) => complete(inv, null, v),
            (e: unknown) => complete(inv, e ?? new Error('Promise rejected with no reason'), undefined),
          );
          return;
        }
        const callback = (err: unknown, result: unknown): void => {
          if (inv.completed || inv.deferred) return;
          if (inv.context.callbackWaitsForEmptyEventLoop) inv.deferred = { err, result };
          else complete(inv, err, result);
        };
        const ret = this.handler(msg.event, inv.context, callback);
        if (ret !== null && typeof ret === 'object' && typeof (ret as Promise<unknown>).then === 'function') {
          (ret as Promise<unknown>).then(
            (v) => complete(inv, null, v),
            (e: unknown) => complete(inv, e ?? new Error('Promise rejected with no reason'), undefined),
          );
        }
      } catch (e) {
        complete(inv, e ?? 'undefined', undefined);
      }
    }

    handleOnceStreaming(msg: InvokeMessage): void {
      const inv = beginInvocation(msg);
      if (!inv) return;
      try {
        const stream = createResponseStream({
          chunk: (data) => channel.send({ t: 'chunk', id: msg.id, data: data.toString('base64') }),
          prelude: () => undefined,
        });
        inv.stream = stream;
        Promise.resolve(this.handler(msg.event, stream, inv.context)).then(
          () => {
            if (!stream.writableFinished) {
              stream.once('finish', () => complete(inv, null, undefined));
              if (!stream.writableEnded) stream.end();
            } else complete(inv, null, undefined);
          },
          (e: unknown) => complete(inv, e ?? 'undefined', undefined),
        );
      } catch (e) {
        complete(inv, e ?? 'undefined', undefined);
      }
    }
  },
};
const runtime = new Runtime();
/** Bound once: a bound function adds no frame of its own to a stack trace. */
const handleOnceNonStreaming = runtime.handleOnceNonStreaming.bind(runtime);
const handleOnceStreaming = runtime.handleOnceStreaming.bind(runtime);
/** The method that runs the loaded handler: a streaming handler's or the other (decided once, at init). */
let handleOnce = handleOnceNonStreaming;

// NODE-4: the event loop drained: deliver a waiting callback result, or null for a handler that never completed.
process.on('beforeExit', () => {
  const inv = current;
  if (!inv || inv.completed) return;
  if (inv.deferred) complete(inv, inv.deferred.err, inv.deferred.result);
  else complete(inv, null, null);
});

function onFatal(error: FunctionErrorPayload): void {
  const inv = current;
  if (!initDone) {
    channel.send({ t: 'initError', error });
  } else if (inv && !inv.completed) {
    inv.completed = true;
    sendError(inv, error, true);
  } else if (lastRequestId !== undefined) {
    // NODE-5: after the response: the engine reports it with the function's next invocation.
    channel.send({ t: 'lateError', id: lastRequestId, error });
  } else {
    process.stderr.write(`${error.errorType}: ${error.errorMessage}\n`);
  }
  // NODE-5: the environment restarts after an uncaught error.
  channel.flush(() => process.exit(129));
}

/** NODE-5: an error after a response is logged under that invocation's request id, as Lambda's runtime does. */
function logUnderLastRequest(): void {
  if (initDone && !current) logs.requestId = lastRequestId;
}

process.on('uncaughtException', (err) => {
  logUnderLastRequest();
  console.error('Uncaught Exception', JSON.stringify(toErrorPayload(err)));
  onFatal(toErrorPayload(err));
});
process.on('unhandledRejection', (reason) => {
  // NODE-5: an unhandled rejection fails the invocation as Runtime.UnhandledPromiseRejection.
  const inner = toErrorPayload(reason);
  const message = reason instanceof Error ? `${inner.errorType}: ${inner.errorMessage}` : String(reason);
  const error: FunctionErrorPayload = {
    errorType: 'Runtime.UnhandledPromiseRejection',
    errorMessage: message,
    trace: [`Runtime.UnhandledPromiseRejection: ${message}`, ...(inner.trace ?? []).filter((l) => /^\s+at /.test(l))],
  };
  logUnderLastRequest();
  console.error('Unhandled Promise Rejection', JSON.stringify(error));
  onFatal(error);
});

function startInvocation(msg: InvokeMessage): void {
  void Promise.resolve(msg).then(handleOnce);
}

function onEngineMessage(msg: EngineMessage): void {
  if (msg.t === 'configure') {
    if (awaitsConfiguration && !configured) {
      configured = true;
      configure(msg);
      start();
    }
    return;
  }
  // SYNC-3: in a promise job run from the tick queue, as Lambda's runtime starts each (its trace ends there). The channel
  // reads outside the tick queue (straight into its buffer), hence the tick first.
  if (msg.t === 'invoke') process.nextTick(startInvocation, msg);
  else if (msg.t === 'shutdown') process.exit(0);
  // NODE-5: a zero-delay timer, then the immediates queued after it: an error thrown there is sent (lateError) first.
  else if (msg.t === 'settle') setTimeout(() => setImmediate(() => channel.send({ t: 'settled' })), 0);
}

function isModuleNotFound(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND';
}

function classifyLoadError(e: unknown): FunctionErrorPayload {
  if (e instanceof HandlerNameError) return { errorType: e.name, errorMessage: e.message, trace: [] };
  // NODE-3: syntax errors and missing modules get Lambda's Runtime.* names; anything else thrown at init is itself.
  if (e instanceof SyntaxError) return wrappedErrorPayload('Runtime.UserCodeSyntaxError', e);
  if (isModuleNotFound(e)) return wrappedErrorPayload('Runtime.ImportModuleError', e);
  return toErrorPayload(e);
}

/** The module hooks, bundled beside this file (moduleHooks.ts). */
export const MODULE_HOOKS_FILE = 'node-module-hooks.mjs';
let hooksRegistered = false;

/**
 * NODE-2 / RUNTIME-3: registers the ES module hooks: `compiled` serves TypeScript modules under their own URL, and
 * NODE_PATH (the runtime's preinstalled packages) is searched by ES module imports as by require.
 */
function registerModuleHooks(compiled: Record<string, string>): void {
  const fallbackNodeModules = (env.NODE_PATH ?? '').split(path.delimiter).filter(Boolean);
  if (hooksRegistered || (Object.keys(compiled).length === 0 && fallbackNodeModules.length === 0)) return;
  const register = (Module as unknown as { register?: (url: string, options: { data: ModuleHooksData }) => void })
    .register;
  if (!register) {
    if (Object.keys(compiled).length === 0) return; // plain ESM still loads; only the preinstalled fallback is missing
    throw new Error(`Node.js ${process.version} cannot load ES module TypeScript handlers: it needs 18.19 or later`);
  }
  register(pathToFileURL(path.join(__dirname, MODULE_HOOKS_FILE)).href, { data: { compiled, fallbackNodeModules } });
  hooksRegistered = true;
}

function loadCompiled(originalFile: string, compiled: string): unknown {
  // Compiled under the original file name: relative requires, __dirname and source maps all refer to the .ts file.
  const code = fs.readFileSync(compiled, 'utf8');
  const ModuleCtor = Module as unknown as {
    new (id: string, parent?: unknown): NodeJS.Module & { _compile(code: string, file: string): void; paths: string[] };
    _nodeModulePaths(dir: string): string[];
  };
  const m = new ModuleCtor(originalFile);
  m.filename = originalFile;
  m.paths = ModuleCtor._nodeModulePaths(path.dirname(originalFile));
  m._compile(code, originalFile);
  m.loaded = true;
  return m.exports;
}

/** Names that lead from any object to Object or Function, never to the module's code. */
const INHERITED_PATHS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * NODE-1 / NODE-3: only the module's own exports (and their own properties) are handlers, so `index.constructor` or
 * `index.__proto__.constructor` is Runtime.HandlerNotFound instead of running Object or Function.
 */
function ownExport(value: unknown, key: string): unknown {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
  if (INHERITED_PATHS.has(key) || !Object.prototype.hasOwnProperty.call(value, key)) return undefined;
  return (value as Record<string, unknown>)[key];
}

async function loadHandler(): Promise<Handler> {
  const resolved = resolveNodeHandler(taskRoot, handlerString);
  handlerFile = resolved.file;
  let mod: unknown;
  if (resolved.format === 'ts') {
    if (!compiledFile || !resolved.file) throw new Error(`TypeScript handler ${resolved.file ?? ''} was not compiled`);
    if (resolved.typescriptModule === 'esm') {
      // NODE-2: an ES module, top-level await included, imported under its .ts URL (the hooks serve the output).
      const url = pathToFileURL(resolved.file).href;
      registerModuleHooks({ [url]: compiledFile });
      mod = await import(url);
    } else mod = loadCompiled(resolved.file, compiledFile);
  } else if (resolved.file && resolved.format === 'esm') {
    registerModuleHooks({});
    mod = await import(pathToFileURL(resolved.file).href);
  } else if (resolved.file) {
    mod = userRequire(resolved.file);
  } else {
    // NODE-2: nothing matched by extension: a directory with index.js, or a package under node_modules.
    let target: string;
    try {
      target = userRequire.resolve(path.resolve(taskRoot, resolved.moduleName));
      // A directory's index.js is the handler's file: it too stays inside the code root (real paths compared).
      const outside = handlerFileOutsideCodeRoot(target, taskRoot);
      if (outside)
        throw Object.assign(new Error(`Cannot run ${handlerString}: ${outside}`), { name: 'Runtime.HandlerNotFound' });
    } catch (e) {
      if ((e as Error).name === 'Runtime.HandlerNotFound') throw e;
      try {
        target = userRequire.resolve(resolved.moduleName, { paths: [taskRoot] });
      } catch {
        const err = new Error(`Cannot find module '${resolved.moduleName}'\nRequire stack:\n- ${__filename}`);
        (err as Error & { code: string }).code = 'MODULE_NOT_FOUND';
        throw err;
      }
    }
    handlerFile = target;
    mod = userRequire(target);
  }
  let value: unknown = mod;
  for (const key of resolved.exportPath) value = ownExport(value, key);
  // NODE-3: Runtime.HandlerNotFound.
  if (value === undefined)
    throw Object.assign(new Error(`${handlerString} is undefined or not exported`), {
      name: 'Runtime.HandlerNotFound',
    });
  if (typeof value !== 'function')
    throw Object.assign(new Error(`${handlerString} is not a function`), { name: 'Runtime.HandlerNotFound' });
  return value as Handler;
}

async function startDebugger(): Promise<void> {
  // Loaded only to debug: it costs every other cold start several milliseconds.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const inspector = require('node:inspector') as typeof Inspector;
  inspector.open(0, '127.0.0.1', false);
  const url = inspector.url() ?? '';
  const port = Number(/:(\d+)\//.exec(url)?.[1] ?? 0);
  channel.send({ t: 'debug', host: '127.0.0.1', port, url });
  if (argv.includes(BOOTSTRAP_ARG_DEBUG_WAIT)) {
    // Give the channel a chance to flush the port before blocking in waitForDebugger.
    await new Promise<void>((resolve) => channel.flush(resolve));
    inspector.waitForDebugger();
  }
}

async function init(): Promise<void> {
  installAwslambdaGlobal((_stream, prelude) => {
    const inv = current;
    if (inv)
      channel.send({
        t: 'prelude',
        id: inv.msg.id,
        prelude,
        contentType: 'application/vnd.awslambda.http-integration-response',
      });
  });
  if (argv.includes(BOOTSTRAP_ARG_DEBUG)) await startDebugger();
  try {
    handler = await loadHandler();
    runtime.handler = handler;
    if (isStreamingHandler(handler)) handleOnce = handleOnceStreaming;
    if (callbacksRemoved && handler.length >= 3 && !isStreamingHandler(handler))
      throw Object.assign(new Error(CALLBACK_HANDLER_REMOVED), { name: 'Runtime.CallbackHandlerDeprecated' });
  } catch (e) {
    const error = classifyLoadError(e);
    initDone = false;
    channel.send({ t: 'initError', error });
    channel.flush(() => process.exit(1));
    return;
  }
  initDone = true;
  // Every error's stack trace is mapped frame by frame while source maps are on, which costs more than the rest of a
  // failing invocation: they stay on only for code that has a map.
  if (!usesSourceMaps()) process.setSourceMapsEnabled(false);
  channel.send({ t: 'ready' });
}

/** Compiled TypeScript, a handler file that came with its source map, or source maps asked for in NODE_OPTIONS. */
function usesSourceMaps(): boolean {
  if (compiledFile || /--enable-source-maps\b/.test(env.NODE_OPTIONS ?? '')) return true;
  if (!handlerFile) return false;
  return findSourceMap(handlerFile) !== undefined || findSourceMap(pathToFileURL(handlerFile).href) !== undefined;
}

let configured = false;
function start(): void {
  readEnvironment();
  void init();
}
if (!awaitsConfiguration) start();
