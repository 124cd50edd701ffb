/**
 * The environments' supervisors (supervisor.ts), started ahead of need: one spare per engine process waits for the
 * next cold start, so that starting an environment does not wait for a second Node.js to boot. The next spare starts
 * once the environment that took one has run its first invocation (booting beside it slows that cold start on a small
 * machine), or as soon as its supervisor answered when cold starts follow each other closely (a burst, or a function
 * retired and invoked again and again): a spare started after init was still booting when the next cold start came,
 * and that cold start waited for it. A spare holds nothing open in the engine (unref'd), and it exits by itself when
 * the engine does.
 * A spare is also told to start the runtime process the last cold start had (preBoot.ts), so that a cold start of the
 * same shape (the usual one: the function whose code just changed, invoked again) finds its process booted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { PreBoot, SupervisorPreBoot, SupervisorRequest } from './protocol';

let spare: { script: string; child: ChildProcess } | undefined;
/** The shape of the last cold start that could have been pre-booted, per supervisor script. */
const lastPreBoot = new Map<string, PreBoot>();
/** When a supervisor was last taken (performance.now()), and how close the next take must follow to count as close. */
let lastTaken = -Infinity;
const CLOSE_FOLLOWING_MS = 1000;

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
  const preBoot = lastPreBoot.get(script);
  if (preBoot) {
    const msg: SupervisorPreBoot = { t: 'preboot', preBoot };
    (child.stdio[4] as Socket).write(JSON.stringify(msg) + '\n');
  }
}

/**
 * A supervisor for a new environment, sent `request`: the spare one if it waits, else a new one. `startNextSpare`
 * says when the environment starts the next spare (prepareSupervisor): when this cold start follows the last one
 * closely, or no spare waited, as soon as its supervisor answered (the spare boots while this environment's runtime
 * process inits), else once its first invocation is done (booting beside it would slow that cold start down).
 */
export function takeSupervisor(
  script: string,
  request: SupervisorRequest,
): { child: ChildProcess; startNextSpare: boolean } {
  const now = performance.now();
  const close = now - lastTaken < CLOSE_FOLLOWING_MS;
  lastTaken = now;
  let child = waiting(script);
  const hadSpare = child !== undefined;
  if (child) {
    spare = undefined;
    child.ref();
    for (const h of handles(child)) h.ref?.();
  } else child = start(script);
  (child.stdio[4] as Socket).write(JSON.stringify(request) + '\n');
  if (request.preBoot) lastPreBoot.set(script, request.preBoot);
  else lastPreBoot.delete(script);
  return { child, startNextSpare: close || !hadSpare };
}

/** The pid of the spare supervisor of `script` waiting for a cold start, if one does. */
export function spareSupervisorPid(script: string): number | undefined {
  return waiting(script)?.pid;
}
