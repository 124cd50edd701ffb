/**
 * An execution environment's own parent: engine → supervisor → runtime process (the Node.js or Python bootstrap).
 * As in Lambda's sandbox, the process a handler sees as its parent belongs to its environment, so a handler that kills
 * it ends only its environment (SYNC-5), never the engine. The supervisor also ends the environment's whole tree when
 * the engine goes away, SIGKILL included, however busy the handler's own thread is.
 * Bundled to dist/runtime/environment-supervisor.js. Usage (from executionEnvironment.ts):
 *   node environment-supervisor.js [--drop-env NAME] -- <command> <args...>
 * fd 1, 2 and 3 pass straight to the runtime process; fd 4 is the supervisor's control socket: it says the runtime
 * process's pid, how it exited, or why it could not start (SupervisorMessage), and its end tells that the engine is gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { ENVIRONMENT_MARKER_VARIABLE, killProcessTree } from './processTree';
import type { SupervisorMessage } from './protocol';

const argv = process.argv.slice(2);
const separator = argv.indexOf('--');
const own = argv.slice(0, separator);
const [command, ...args] = argv.slice(separator + 1);
const env = { ...process.env };
for (let i = own.indexOf('--drop-env'); i >= 0; i = own.indexOf('--drop-env', i + 1)) delete env[own[i + 1]];
const markerValue = process.env[ENVIRONMENT_MARKER_VARIABLE];
const marker = markerValue !== undefined ? { variable: ENVIRONMENT_MARKER_VARIABLE, value: markerValue } : undefined;
const engine = process.ppid;

const control = new net.Socket({ fd: 4, readable: true, writable: true });
control.on('error', () => endEnvironment());
control.on('end', () => endEnvironment());
control.resume();

let ending = false;
/** The engine is gone: nothing may outlive it. */
function endEnvironment(): void {
  if (ending) return;
  ending = true;
  killProcessTree(process.pid, marker);
  process.exit(0);
}

function send(msg: SupervisorMessage, then?: () => void): void {
  if (control.destroyed) return then?.();
  control.write(JSON.stringify(msg) + '\n', () => then?.());
}

function start(): void {
  let child: ChildProcess;
  try {
    // fd 4 is replaced by a pipe closed at once: the runtime process never holds the control socket.
    child = spawn(command, args, { env, stdio: ['ignore', 1, 2, 3, 'pipe'], windowsHide: true });
  } catch (e) {
    const error = e as NodeJS.ErrnoException;
    send({ t: 'spawnError', code: error.code, message: error.message }, () => process.exit(0));
    return;
  }
  child.stdio[4]?.destroy();
  fs.closeSync(3);
  if (child.pid !== undefined) send({ t: 'pid', pid: child.pid });
  child.on('error', (e: NodeJS.ErrnoException) => {
    if (child.pid === undefined) send({ t: 'spawnError', code: e.code, message: e.message }, () => process.exit(0));
  });
  child.on('exit', (code, signal) => {
    // What the runtime process left behind (its group, detached children) ends with it.
    killProcessTree(process.pid, marker);
    send({ t: 'exit', code, signal }, () => process.exit(0));
  });
}

start();

// The control socket's end is the usual sign; a changed parent (re-parented to init) the backstop.
setInterval(() => {
  if (process.ppid !== engine) endEnvironment();
}, 500).unref();
