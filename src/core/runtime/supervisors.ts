/**
 * The environments' supervisors (supervisor.ts), started ahead of need: one spare per engine process waits for the
 * next cold start, so that starting an environment does not wait for a second Node.js to boot. A spare holds nothing
 * open in the engine (unref'd), and it exits by itself when the engine does.
 */
import { spawn, type ChildProcess } from 'node:child_process';

let spare: { script: string; child: ChildProcess } | undefined;

function waiting(script: string): ChildProcess | undefined {
  const child = spare?.script === script ? spare.child : undefined;
  return child && child.pid !== undefined && child.exitCode === null && child.signalCode === null ? child : undefined;
}

function handles(child: ChildProcess): { ref?: () => void; unref?: () => void }[] {
  return child.stdio.filter((s) => s !== null) as unknown as { ref?: () => void; unref?: () => void }[];
}

function start(script: string): ChildProcess {
  // Each runtime process gets its environment in the request: the supervisor needs none of the engine's variables, and
  // some only slow a Node.js start (NODE_EXTRA_CA_CERTS reads a CA file: ~45 ms; NODE_OPTIONS may preload code).
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  if (process.versions.electron) env.ELECTRON_RUN_AS_NODE = '1';
  const child = spawn(process.execPath, [script], {
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
    // Own process group: a kill also reaches processes the handler spawned.
    detached: true,
    windowsHide: true,
  });
  child.on('error', () => undefined); // reported to the environment that takes it, by its own listener
  return child;
}

/** Starts the spare supervisor of `script` unless one waits already. */
export function prepareSupervisor(script: string): void {
  if (waiting(script)) return;
  spare?.child.kill('SIGKILL');
  const child = start(script);
  child.unref();
  for (const h of handles(child)) h.unref?.();
  spare = { script, child };
}

/** A supervisor for a new environment: the spare one if it waits, else a new one (prepareSupervisor starts the next). */
export function takeSupervisor(script: string): ChildProcess {
  let child = waiting(script);
  if (child) {
    spare = undefined;
    child.ref();
    for (const h of handles(child)) h.ref?.();
  } else child = start(script);
  return child;
}
