/** NODE-12: the resident memory of an execution environment, read from the outside (Linux /proc; elsewhere unknown). */
import { readFile } from 'node:fs';

const PAGE_SIZE = 4096;

/** Calls back with the child's RSS in bytes, or undefined when it cannot be read. */
export function readRss(pid: number, cb: (bytes: number | undefined) => void): void {
  if (process.platform !== 'linux') {
    cb(undefined);
    return;
  }
  readFile(`/proc/${pid}/statm`, 'utf8', (err, text) => {
    if (err) return cb(undefined);
    const pages = Number(text.split(' ')[1]);
    cb(Number.isFinite(pages) ? pages * PAGE_SIZE : undefined);
  });
}

/**
 * Polls a process's RSS while an invocation runs; calls `onExceeded` once per watch when it passes the limit. One
 * watch serves every invocation of an environment: its timer is made once and re-armed (a warm invocation arms no new
 * timer), and a sample that comes back after its watch ended counts for nothing.
 */
export class MemoryWatch {
  peakBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private pid = 0;
  /** Which watch is on (0: none); a sample is kept only for the watch it was taken in. */
  private watch = 0;
  private watches = 0;
  private fired = false;

  constructor(
    private readonly limitBytes: number,
    private readonly onExceeded: () => void,
    private readonly intervalMs = 25,
  ) {}

  /** Starts watching `pid` from zero (one invocation). */
  start(pid: number): void {
    this.pid = pid;
    this.peakBytes = 0;
    this.fired = false;
    this.watch = ++this.watches;
    if (this.timer) this.timer.refresh();
    else {
      this.timer = setTimeout(() => this.sample(), this.intervalMs);
      this.timer.unref();
    }
  }

  private sample(): void {
    const watch = this.watch;
    if (watch === 0) return; // ended since the timer was armed: it stays unarmed until the next start
    readRss(this.pid, (rss) => {
      if (watch !== this.watch) return;
      if (rss !== undefined) {
        if (rss > this.peakBytes) this.peakBytes = rss;
        if (rss > this.limitBytes && !this.fired) {
          this.fired = true;
          this.onExceeded();
          return;
        }
      }
      if (this.watch === watch) this.timer?.refresh();
    });
  }

  /** Ends the current watch (peakBytes stays readable until the next start). */
  stop(): void {
    this.watch = 0;
  }

  /** Ends the watch and its timer for good (the environment is gone). */
  dispose(): void {
    this.watch = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
