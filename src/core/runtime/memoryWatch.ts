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

/** Polls RSS while an invocation runs; calls `onExceeded` once when it passes the limit. */
export class MemoryWatch {
  peakBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private fired = false;

  constructor(
    private readonly pid: number,
    private readonly limitBytes: number,
    private readonly onExceeded: () => void,
    intervalMs = 25,
  ) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    readRss(this.pid, (rss) => {
      if (rss === undefined || this.timer === undefined) return;
      if (rss > this.peakBytes) this.peakBytes = rss;
      if (rss > this.limitBytes && !this.fired) {
        this.fired = true;
        this.onExceeded();
      }
    });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
