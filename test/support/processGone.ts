import * as fs from 'node:fs';
import { isZombie } from '../../src/core/runtime/processTree';

/**
 * Whether a process id has ended: signal 0 answers ESRCH, or the process is a zombie (it exited and waits to be
 * reaped, which is all an orphan becomes where PID 1 does not reap, as in containers without an init).
 */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  return isZombie(pid);
}

/**
 * The fields of /proc/<pid>/stat after the command name: state, ppid, pgrp, session... ([] when gone or where there is
 * no /proc). The name may hold spaces and parentheses, so the fields are read after its last ')'.
 */
export function procStatFields(pid: number): string[] {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return [];
  }
}
