/**
 * Ending an execution environment with everything it started: its process group, every descendant (a handler's
 * detached children, which call setsid and leave the group, too) and any process that still carries the environment's
 * marker variable in its environment (grandchildren orphaned by a parent that exited). Linux reads /proc; elsewhere
 * only the process group is reached. Used by the engine and by each environment's supervisor (supervisor.ts).
 */
import * as fs from 'node:fs';

/**
 * The flag /proc's `stat` sets on a kernel thread (PF_KTHREAD): none of them is an environment's, and each shows an
 * empty environment. Read from the flags, not from the parent: in a container, pid 2 may be an ordinary process (a
 * subreaper that orphans are re-parented to), not the kernel's kthreadd.
 */
const PF_KTHREAD = 0x00200000;
/** Readings of the process table at most: later ones read only the processes younger than the root. */
const MAX_ROUNDS = 20;

/** The variable whose value is unique to one environment (newLogStreamName) and inherited by what it spawns. */
export const ENVIRONMENT_MARKER_VARIABLE = 'AWS_LAMBDA_LOG_STREAM_NAME';

interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
  /** Clock ticks after boot at which it started. */
  start: number;
  /** Exited, waiting to be reaped: it can neither fork nor be ended. */
  zombie: boolean;
  /** A kernel thread. */
  kernel: boolean;
}

/** One buffer for every /proc read: a `stat` line or an environment fits in it or is read on in steps. */
let procBuffer = Buffer.allocUnsafe(16 * 1024);

/**
 * A /proc file's text: open, read, close (a readFileSync would also stat the file and read once more to see its end,
 * and with hundreds of processes each of those calls shows).
 */
function readProcFile(file: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined; // exited meanwhile, or another user's
  }
  try {
    let length = 0;
    for (;;) {
      const n = fs.readSync(fd, procBuffer, length, procBuffer.length - length, null);
      length += n;
      if (n === 0 || length < procBuffer.length) break;
      const larger = Buffer.allocUnsafe(procBuffer.length * 2);
      procBuffer.copy(larger, 0, 0, length);
      procBuffer = larger;
    }
    return procBuffer.toString('latin1', 0, length);
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The entries of the processes /proc lists, but those in `known` that started before `since` (older than the root of
 * the tree, they cannot belong to it); undefined where there is no /proc.
 */
function listProcesses(known: ReadonlyMap<number, ProcessEntry>, since = Infinity): ProcessEntry[] | undefined {
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
    const pid = Number(name);
    if ((known.get(pid)?.start ?? Infinity) < since) continue;
    const stat = readProcFile(`/proc/${name}/stat`);
    if (stat === undefined) continue; // exited meanwhile
    // pid (comm) state ppid pgrp ... starttime (22nd): comm may hold spaces and parentheses, so read after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const zombie = fields[0] === 'Z' || fields[0] === 'X';
    const kernel = (Number(fields[6]) & PF_KTHREAD) !== 0;
    entries.push({ pid, ppid: Number(fields[1]), pgid: Number(fields[2]), start: Number(fields[19]), zombie, kernel });
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

/**
 * Whether `pid`'s environment holds `marker`; undefined when it shows none: a process in the middle of an exec (its
 * old memory gone, the new one not set up).
 */
function carriesMarker(pid: number, marker: string): boolean | undefined {
  const environ = readProcFile(`/proc/${pid}/environ`);
  if (environ === undefined) return false; // gone, or another user's: nothing this process could end
  if (environ === '') return undefined;
  return ('\0' + environ).includes(`\0${marker}\0`);
}

/**
 * Of the processes newly listed (`fresh`), those to end (`found`): `root` (first round), its group, the children of
 * processes already ended (`members`) and the marked ones younger than `root` (started at `since` or later), each with
 * what descends from it among them. Never this process. `unsure`: how many younger ones showed no environment.
 */
function processesOf(
  fresh: ProcessEntry[],
  root: number,
  marker: string | undefined,
  since: number,
  members: ReadonlySet<number>,
): { found: Set<number>; unsure: number } {
  const children = new Map<number, number[]>();
  for (const e of fresh) {
    const list = children.get(e.ppid);
    if (list) list.push(e.pid);
    else children.set(e.ppid, [e.pid]);
  }
  const found = new Set<number>();
  const stack = members.size === 0 ? [root] : [];
  let unsure = 0;
  for (const e of fresh) {
    if (members.has(e.pid)) continue; // ended already (its children are still looked at)
    if (e.pgid === root || members.has(e.ppid)) stack.push(e.pid);
    // What the environment started is younger than its root: older processes' environments need not be read.
    else if (marker !== undefined && e.start >= since && !e.zombie && !e.kernel && e.pid !== process.pid) {
      const marked = carriesMarker(e.pid, marker);
      if (marked) stack.push(e.pid);
      else if (marked === undefined) unsure++;
    }
  }
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    if (found.has(pid) || pid === process.pid) continue;
    found.add(pid);
    for (const child of children.get(pid) ?? []) stack.push(child);
  }
  return { found, unsure };
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
 * re-parented), and read again while it still finds new processes (one may have forked meanwhile) or a younger process
 * showed no environment (in the middle of an exec). Synchronous.
 */
export function killProcessTree(root: number, marker?: { variable: string; value: string }): void {
  const markerText = marker ? `${marker.variable}=${marker.value}` : undefined;
  /**
   * Every process listed so far. A later round reads again only those younger than the root: what a member forked
   * meanwhile, and any whose environment could not be read (one in the middle of an exec shows none).
   */
  const known = new Map<number, ProcessEntry>();
  const members = new Set<number>();
  let since: number | undefined;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const fresh = process.platform === 'linux' ? listProcesses(known, since) : undefined;
    if (!fresh) break;
    for (const e of fresh) known.set(e.pid, e);
    // Read in the first round, kept after: a killed root may be gone from the next listing.
    since ??= known.get(root)?.start ?? 0;
    let signalled = 0;
    const { found, unsure } = processesOf(fresh, root, markerText, since, members);
    for (const pid of found) {
      if (members.has(pid)) continue;
      members.add(pid);
      if (signal(pid)) signalled++;
    }
    // Another round while one may have forked, or one showed no environment yet (it is read again).
    if (signalled === 0 && unsure === 0) break;
  }
  // The group, as a whole: all there is where /proc is missing. Never this process's own group.
  if (root !== process.pid) signal(-root);
}
