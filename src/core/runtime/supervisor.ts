/**
 * An execution environment's own parent: engine → supervisor → runtime process (the Node.js or Python bootstrap).
 * As in Lambda's sandbox, the process a handler sees as its parent belongs to its environment, so a handler that kills
 * it ends only its environment (SYNC-5), never the engine. The supervisor also ends the environment's whole tree when
 * the engine goes away, SIGKILL included, however busy the handler's own thread is.
 * Bundled to dist/runtime/environment-supervisor.js; started ahead of need (supervisors.ts), it waits for the
 * SupervisorRequest that says what to run. fd 1, 2 and 3 pass straight to the runtime process; fd 4 is the control
 * socket: the request comes in on it, the runtime process's pid, how it exited or why it could not start go out
 * (SupervisorMessage), and its end tells that the engine is gone or ends the environment (it killed the runtime
 * process, and leaves reading /proc for the rest to this process).
 * A spare may also be told, before the request, to start a runtime process (Node.js or Python) at once
 * (SupervisorPreBoot): a request of the same shape takes that process (it is configured over fd 3 by the engine); any
 * other request ends it and starts its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import { lineFramer } from './lineFramer';
import { samePreBoot } from './preBoot';
import { ENVIRONMENT_MARKER_VARIABLE, killProcessTree } from './processTree';
import {
  BOOTSTRAP_ARG_AWAIT_CONFIGURATION,
  type PreBoot,
  type SupervisorMessage,
  type SupervisorPreBoot,
  type SupervisorRequest,
} from './protocol';

const engine = process.ppid;
let marker: { variable: string; value: string } | undefined;
let started = false;
/** The runtime process of the request, once started. */
let runtimeProcess: ChildProcess | undefined;
/** The runtime process started ahead of the request, while it may still be taken (see SupervisorPreBoot). */
let preBooted: { child: ChildProcess; preBoot: PreBoot } | undefined;

const control = new net.Socket({ fd: 4, readable: true, writable: true });
control.setEncoding('utf8');
control.on('error', () => endEnvironment());
control.on('end', () => endEnvironment());
control.on(
  'data',
  lineFramer((line) => {
    if (started) return false;
    const msg = JSON.parse(line) as SupervisorRequest | SupervisorPreBoot;
    if (msg.t === 'preboot') {
      preBoot(msg.preBoot);
      return;
    }
    started = true;
    start(msg);
    return false;
  }),
);

let treeEnded = false;
/**
 * Ends every process of the environment but this one (read from /proc: once is enough, nothing is left to fork). The
 * runtime process is ended first; reading the process table for the rest then gives way to what runs meanwhile (the
 * next cold start, most often): a niceness of 10 (~10% of a core against busy processes, a few ms of work).
 */
function endTree(): void {
  if (treeEnded) return;
  treeEnded = true;
  runtimeProcess?.kill('SIGKILL'); // first, at this process's own priority
  try {
    os.setPriority(10);
  } catch {
    // Not allowed: it ends them at its priority.
  }
  killProcessTree(process.pid, marker);
}

let ending = false;
/** The engine is gone, or asks for the end (it killed the runtime process): nothing may outlive the environment. */
function endEnvironment(): void {
  if (ending) return;
  ending = true;
  endTree();
  process.exit(0);
}

function send(msg: SupervisorMessage, then?: () => void): void {
  if (control.destroyed) return then?.();
  control.write(JSON.stringify(msg) + '\n', () => then?.());
}

/**
 * A runtime process on this supervisor's fd 1, 2 and 3. fd 4 is replaced by a pipe closed at once: the runtime process
 * never holds the control socket.
 */
function spawnRuntime(command: string, args: string[], cwd: string, env: Record<string, string>): ChildProcess {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 1, 2, 3, 'pipe'], windowsHide: true });
  child.stdio[4]?.destroy();
  return child;
}

/** Starts the runtime process `shape` describes, waiting for its configuration (fd 3 stays open for the request). */
function preBoot(shape: PreBoot): void {
  if (preBooted) return;
  try {
    // Any folder that exists: the configuration sets the code root.
    const child = spawnRuntime(shape.command, [...shape.args, BOOTSTRAP_ARG_AWAIT_CONFIGURATION], __dirname, shape.env);
    child.on('error', () => undefined);
    preBooted = { child, preBoot: shape };
  } catch {
    // The request starts its own process.
  }
}

/** The pre-booted process, if `request` may take it: alive and of the request's shape. Otherwise it is ended. */
function takePreBooted(request: SupervisorRequest): ChildProcess | undefined {
  const candidate = preBooted;
  preBooted = undefined;
  if (!candidate) return undefined;
  const { child } = candidate;
  if (
    child.pid !== undefined &&
    child.exitCode === null &&
    child.signalCode === null &&
    samePreBoot(candidate.preBoot, request.preBoot)
  )
    return child;
  child.kill('SIGKILL');
  return undefined;
}

function start(request: SupervisorRequest): void {
  const value = request.env[ENVIRONMENT_MARKER_VARIABLE];
  if (value !== undefined) marker = { variable: ENVIRONMENT_MARKER_VARIABLE, value };
  let child: ChildProcess | undefined = takePreBooted(request);
  const wasPreBooted = child !== undefined;
  try {
    child ??= spawnRuntime(request.command, request.args, request.cwd, request.env);
  } catch (e) {
    const error = e as NodeJS.ErrnoException;
    send({ t: 'spawnError', code: error.code, message: error.message }, () => process.exit(0));
    return;
  }
  const runtime = child;
  runtimeProcess = runtime;
  fs.closeSync(3);
  if (runtime.pid !== undefined) send({ t: 'pid', pid: runtime.pid, ...(wasPreBooted ? { preBooted: true } : {}) });
  runtime.on('error', (e: NodeJS.ErrnoException) => {
    if (runtime.pid === undefined) send({ t: 'spawnError', code: e.code, message: e.message }, () => process.exit(0));
  });
  // A pre-booted process was taken alive (takePreBooted), and no event can come in between: its exit is heard here.
  runtime.on('exit', (code, signal) => {
    // What the runtime process left behind (its group, detached children) ends with it.
    endTree();
    send({ t: 'exit', code, signal }, () => process.exit(0));
  });
}

// The control socket's end is the usual sign; a changed parent (re-parented to init) the backstop.
setInterval(() => {
  if (process.ppid !== engine) endEnvironment();
}, 500).unref();
