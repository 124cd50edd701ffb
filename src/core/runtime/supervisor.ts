/**
 * An execution environment's own parent: engine → supervisor → runtime process (the Node.js or Python bootstrap).
 * As in Lambda's sandbox, the process a handler sees as its parent belongs to its environment, so a handler that kills
 * it ends only its environment (SYNC-5), never the engine. The supervisor also ends the environment's whole tree when
 * the engine goes away, SIGKILL included, however busy the handler's own thread is.
 * Bundled to dist/runtime/environment-supervisor.js; started ahead of need (supervisors.ts), it waits for the
 * SupervisorRequest that says what to run. fd 1, 2 and 3 pass straight to the runtime process; fd 4 is the control
 * socket: the request comes in on it, the runtime process's pid, how it exited or why it could not start go out
 * (SupervisorMessage), and its end tells that the engine is gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { lineFramer } from './lineFramer';
import { ENVIRONMENT_MARKER_VARIABLE, killProcessTree } from './processTree';
import type { SupervisorMessage, SupervisorRequest } from './protocol';

const engine = process.ppid;
let marker: { variable: string; value: string } | undefined;
let started = false;

const control = new net.Socket({ fd: 4, readable: true, writable: true });
control.setEncoding('utf8');
control.on('error', () => endEnvironment());
control.on('end', () => endEnvironment());
control.on(
  'data',
  lineFramer((line) => {
    if (started) return false;
    started = true;
    start(JSON.parse(line) as SupervisorRequest);
    return false;
  }),
);

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

function start(request: SupervisorRequest): void {
  const value = request.env[ENVIRONMENT_MARKER_VARIABLE];
  if (value !== undefined) marker = { variable: ENVIRONMENT_MARKER_VARIABLE, value };
  let child: ChildProcess;
  try {
    // fd 4 is replaced by a pipe closed at once: the runtime process never holds the control socket.
    child = spawn(request.command, request.args, {
      cwd: request.cwd,
      env: request.env,
      stdio: ['ignore', 1, 2, 3, 'pipe'],
      windowsHide: true,
    });
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

// The control socket's end is the usual sign; a changed parent (re-parented to init) the backstop.
setInterval(() => {
  if (process.ppid !== engine) endEnvironment();
}, 500).unref();
