/** Whether a process id is gone: signal 0 answers ESRCH (no process, not even a zombie, has it). */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
