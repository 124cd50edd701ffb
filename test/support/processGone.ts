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
