/**
 * Ending an execution environment with everything it started: its process group, every descendant (a handler's
 * detached children, which call setsid and leave the group, too) and any process that still carries the environment's
 * marker variable in its environment (grandchildren orphaned by a parent that exited). Linux reads /proc; elsewhere
 * only the process group is reached. Used by the engine and by each environment's supervisor (supervisor.ts).
 */
import * as fs from 'node:fs';

/** The variable whose value is unique to one environment (newLogStreamName) and inherited by what it spawns. */
export const ENVIRONMENT_MARKER_VARIABLE = 'AWS_LAMBDA_LOG_STREAM_NAME';

interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
  /** Clock ticks after boot at which it started. */
  start: number;
}

/** Every process /proc lists, or undefined where there is no /proc. */
function listProcesses(): ProcessEntry[] | undefined {
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return undefined;
  }
  const entries: ProcessEntry[] = [];
  for (const name of names) {
    const first = name.charCodeAt(0);
    if (first < 48 || first > 57) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid pgrp ... starttime (22nd): comm may hold spaces and parentheses, so read after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    entries.push({ pid: Number(name), ppid: Number(fields[1]), pgid: Number(fields[2]), start: Number(fields[19]) });
  }
  return entries;
}

/** True when /proc says `pid` has exited and only waits to be reaped (Linux; elsewhere false). */
export function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The state follows comm, which may hold spaces and parentheses: read it after the last ')'.
    const state = stat.charAt(stat.lastIndexOf(')') + 2);
    return state === 'Z' || state === 'X';
  } catch {
    return false;
  }
}

function carriesMarker(pid: number, marker: string): boolean {
  try {
    return ('\0' + fs.readFileSync(`/proc/${pid}/environ`, 'latin1')).includes(`\0${marker}\0`);
  } catch {
    return false; // another user's process, or gone
  }
}

/** The processes to end: `root`'s group and descendants, and the marked ones with theirs. Never this process. */
function processesOf(entries: ProcessEntry[], root: number, marker: string | undefined): Set<number> {
  const children = new Map<number, number[]>();
  for (const e of entries) {
    const list = children.get(e.ppid);
    if (list) list.push(e.pid);
    else children.set(e.ppid, [e.pid]);
  }
  const found = new Set<number>();
  const stack = [root];
  // What the environment started is younger than its root: older processes' environments need not be read.
  const since = entries.find((e) => e.pid === root)?.start ?? 0;
  for (const e of entries) {
    if (e.pgid === root) stack.push(e.pid);
    else if (marker !== undefined && e.start >= since && e.pid !== process.pid && carriesMarker(e.pid, marker))
      stack.push(e.pid);
  }
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    if (found.has(pid) || pid === process.pid) continue;
    found.add(pid);
    for (const child of children.get(pid) ?? []) stack.push(child);
  }
  return found;
}

function signal(pid: number): boolean {
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/**
 * SIGKILLs `root` (a process group leader), its group, its descendants and every process whose environment holds
 * `markerVariable=markerValue`. The tree is read before anything is killed (a killed parent's children are
 * re-parented), and read again while it still finds new processes (one may have forked meanwhile). Synchronous.
 */
export function killProcessTree(root: number, marker?: { variable: string; value: string }): void {
  const markerText = marker ? `${marker.variable}=${marker.value}` : undefined;
  const killed = new Set<number>();
  for (let round = 0; round < 4; round++) {
    const entries = process.platform === 'linux' ? listProcesses() : undefined;
    if (!entries) break;
    let fresh = 0;
    for (const pid of processesOf(entries, root, markerText)) {
      if (killed.has(pid)) continue;
      killed.add(pid);
      if (signal(pid)) fresh++;
    }
    if (fresh === 0) break;
  }
  // The group, as a whole: all there is where /proc is missing. Never this process's own group.
  if (root !== process.pid) signal(-root);
}
