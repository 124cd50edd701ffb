/**
 * The one line `invoke` keeps redrawing on stderr while a run takes long: what the engine is doing now ("OrdersQueue:
 * receive 3 of OrderProcessorFunction"), from the records it saves. Only on a terminal, and only once a run has
 * taken a second: a pipe, a file or a CI log gets nothing, and the line is erased before the report is printed.
 */
import type { CliIO } from '../command';
import type { InvocationRecord } from '../../core/invoke/invocationRecord';

export interface ProgressOptions {
  /** How long a run goes before the line appears (default 1 s). */
  delayMs?: number;
  /** The line is redrawn at most this often (default 100 ms), and every second for the elapsed time. */
  redrawMs?: number;
}

/** Whether progress can be shown: stderr is a terminal that can redraw a line, and not a CI log. */
export function progressWanted(io: CliIO): boolean {
  return io.stderrIsTTY === true && !io.env.CI && io.env.TERM !== 'dumb';
}

const ERASE = '\r\x1b[2K';

/** The name at the end of an ARN: a queue, stream or broker (`arn:...:stream/ClickStream` gives ClickStream). */
function resourceNameOf(arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  const table = /:table\/([^/]+)/.exec(arn);
  if (table) return table[1];
  return arn.split(/[:/]/).pop();
}

/** What a record says its run is doing, in a few words. */
export function progressText(record: InvocationRecord): string {
  const fn = record.functionName;
  const values = record.configuration.values;
  const tries = record.attempts.length;
  switch (record.source?.type) {
    case 'sqs': {
      const receives = (
        (record.event as { Records?: Array<{ attributes?: Record<string, string> }> } | null)?.Records ?? []
      ).map((r) => Number(r.attributes?.ApproximateReceiveCount ?? 0));
      const receive = receives.length > 0 ? Math.max(...receives) : undefined;
      const queue = resourceNameOf(record.source.arn) ?? 'the queue';
      return receive ? `${queue}: receive ${receive} of ${fn}` : `${queue}: ${fn}`;
    }
    case 'kinesis':
    case 'dynamodb':
    case 'kafka':
    case 'mq': {
      const source =
        typeof values.topic === 'string'
          ? values.topic
          : typeof values.queueName === 'string'
            ? values.queueName
            : (resourceNameOf(record.source.arn) ?? record.source.type);
      return `${source}: ${fn}, attempt ${Math.max(tries, 1)} of the batch`;
    }
    default:
      if (record.mode === 'async') {
        const retries = typeof values.maximumRetryAttempts === 'number' ? values.maximumRetryAttempts : undefined;
        return `${fn}: attempt ${Math.max(tries, 1)}${retries !== undefined ? ` of ${retries + 1}` : ''} (asynchronous)`;
      }
      return `${fn}: running`;
  }
}

/** Seconds as the line shows them: "4 s", "2 min 5 s". */
function elapsedText(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

export class InvokeProgress {
  private readonly started = Date.now();
  private readonly delayMs: number;
  private readonly redrawMs: number;
  private visible = false;
  private text: string;
  private lastDraw = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  private pendingDraw: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly io: CliIO,
    /** What the line says before any record: the function being invoked. */
    initial: string,
    options: ProgressOptions = {},
  ) {
    this.text = initial;
    this.delayMs = options.delayMs ?? 1000;
    this.redrawMs = options.redrawMs ?? 100;
    const show = (): void => {
      this.visible = true;
      this.draw();
      const tick = setInterval(() => this.draw(), 1000);
      tick.unref();
      this.timers.push(tick);
    };
    if (this.delayMs <= 0) show();
    else {
      const timer = setTimeout(show, this.delayMs);
      timer.unref();
      this.timers.push(timer);
    }
  }

  /** A record was created or changed: the line says what it is doing. */
  update(record: InvocationRecord): void {
    if (this.stopped) return;
    this.text = progressText(record);
    if (!this.visible || this.pendingDraw) return;
    const wait = this.lastDraw + this.redrawMs - Date.now();
    if (wait <= 0) this.draw();
    else {
      this.pendingDraw = setTimeout(() => {
        this.pendingDraw = undefined;
        this.draw();
      }, wait);
      this.pendingDraw.unref();
    }
  }

  /** Erases the line so that something else can be printed; the next redraw puts it back. */
  interrupt(): void {
    if (this.visible && !this.stopped) this.io.stderr(ERASE);
  }

  /** Erases the line (the report comes next) and stops redrawing. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    if (this.pendingDraw) clearTimeout(this.pendingDraw);
    if (this.visible) this.io.stderr(ERASE);
  }

  private draw(): void {
    if (this.stopped) return;
    this.lastDraw = Date.now();
    const line = `lambda-trigger invoke: ${this.text}… ${elapsedText(this.lastDraw - this.started)}`;
    const width = (this.io.stderrColumns ?? 80) - 1;
    this.io.stderr(ERASE + (line.length > width ? `${line.slice(0, width - 1)}…` : line));
  }
}
