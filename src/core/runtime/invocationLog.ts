/**
 * The log stream of one invocation: console lines and raw output in arrival order, raw output split into lines,
 * and a cap so that a handler printing megabytes cannot exhaust the engine's memory.
 */
import { isoNow, isoWall } from './isoTime';
import type { LogLevel, LogLine } from './outcome';

/** Default cap on captured output per invocation. */
export const DEFAULT_MAX_LOG_BYTES = 4 * 1024 * 1024;
/** At most one line per this many bytes of the cap is kept (131,072 lines for 4 MB). */
const MIN_LINE_COST = 32;

export class InvocationLog {
  readonly lines: LogLine[] = [];
  private bytes = 0;
  private truncated = false;
  private readonly partial: Record<'stdout' | 'stderr', { text: string; at: number } | undefined> = {
    stdout: undefined,
    stderr: undefined,
  };

  constructor(private readonly maxBytes = DEFAULT_MAX_LOG_BYTES) {}

  platform(line: LogLine): void {
    this.flushPartials();
    this.lines.push(line);
  }

  console(text: string, level: LogLevel | undefined, at: number): void {
    this.flushPartials();
    if (!this.admit(text.length)) return;
    this.lines.push({ time: isoWall(at), stream: 'console', ...(level ? { level } : {}), text });
  }

  /** Raw bytes written to stdout/stderr: complete lines become log lines, the rest waits for its newline. */
  raw(stream: 'stdout' | 'stderr', text: string, at: number): void {
    const held = this.partial[stream];
    let buf = held ? held.text + text : text;
    const since = held ? held.at : at;
    let nl = buf.indexOf('\n');
    let first = true;
    while (nl !== -1) {
      this.pushRaw(stream, buf.slice(0, nl), first ? since : at);
      first = false;
      buf = buf.slice(nl + 1);
      nl = buf.indexOf('\n');
    }
    this.partial[stream] = buf.length > 0 ? { text: buf, at: first ? since : at } : undefined;
    // A partial line that never ends is still bounded.
    if (buf.length > 64 * 1024) this.flushPartials();
  }

  /** Appends another log's lines (init output shown in the first invocation). */
  append(other: InvocationLog): void {
    other.flushPartials();
    for (const l of other.lines) this.lines.push(l);
    this.bytes += other.bytes;
  }

  flushPartials(): void {
    for (const s of ['stdout', 'stderr'] as const) {
      const p = this.partial[s];
      if (p) {
        this.partial[s] = undefined;
        this.pushRaw(s, p.text, p.at);
      }
    }
  }

  /** NODE-8: the child dropped output over the cap (it counts newlines, this log does not): note it here too. */
  markTruncated(): void {
    this.flushPartials();
    if (!this.truncated) this.truncate();
  }

  private pushRaw(stream: 'stdout' | 'stderr', text: string, at: number): void {
    if (!this.admit(text.length)) return;
    this.lines.push({ time: isoWall(at), stream, text });
  }

  private admit(len: number): boolean {
    if (this.truncated) return false;
    this.bytes += len;
    // Each kept line costs the engine an object besides its text: a flood of empty lines is bounded too.
    if (this.bytes <= this.maxBytes && this.lines.length < this.maxBytes / MIN_LINE_COST) return true;
    this.truncate();
    return false;
  }

  private truncate(): void {
    this.truncated = true;
    this.lines.push({
      time: isoNow(),
      stream: 'platform',
      text: `[lambda-trigger] log output truncated after ${this.maxBytes} bytes for this invocation`,
    });
  }
}
