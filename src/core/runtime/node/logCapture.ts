/**
 * NODE-8: console calls become Lambda log lines (`<ISO time>\t<requestId>\t<LEVEL>\t<message>`, or JSON records when
 * AWS_LAMBDA_LOG_FORMAT=JSON), and raw process.stdout/stderr writes are forwarded as they are. Everything goes over the
 * one IPC channel, so the engine sees console lines and raw writes in the order the handler produced them.
 *
 * The engine keeps at most `maxBytes` of output per invocation. The capture drops the rest here, before it is encoded
 * or queued on the channel, so that a handler printing 100 MB neither fills its own memory (the channel writes
 * asynchronously) nor makes the engine read it all.
 */
import * as util from 'node:util';
import type { LogLevel } from '../outcome';
import type { OutputMessage, TruncatedMessage } from '../protocol';

const LEVEL_ORDER: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4, FATAL: 5 };

/** Above this many bytes queued on the channel a raw write reports backpressure (returns false, then 'drain'). */
const CHANNEL_HIGH_WATER_MARK = 1024 * 1024;

export interface LogSink {
  send(msg: OutputMessage | TruncatedMessage): void;
  /** Bytes queued on the channel, not yet written. */
  readonly writableLength: number;
  /** Calls `done` once everything queued so far is written. */
  flush(done: () => void): void;
}

export interface LogCapture {
  /** The request id printed on console lines; `undefined` during init, as in Lambda. */
  requestId: string | undefined;
  /** Starts a new output allowance: the engine starts a new log (an invocation starts, or its response is sent). */
  newLog(): void;
}

export function installLogCapture(sink: LogSink, env: NodeJS.ProcessEnv, maxBytes: number): LogCapture {
  let left = maxBytes;
  let dropping = false;
  const state: LogCapture = {
    requestId: undefined,
    newLog: () => {
      left = maxBytes;
      dropping = false;
    },
  };
  const json = env.AWS_LAMBDA_LOG_FORMAT === 'JSON';
  // NODE-8: the log level filters application logs in the JSON format only (default INFO there).
  const min = json ? (LEVEL_ORDER[(env.AWS_LAMBDA_LOG_LEVEL as LogLevel) ?? 'INFO'] ?? LEVEL_ORDER.INFO) : 0;

  const forward = (msg: OutputMessage): void => {
    if (msg.text.length <= left) {
      left -= msg.text.length;
      sink.send(msg);
      return;
    }
    // NODE-8: over the cap. One character more than fits tells the engine its cap is passed; the rest is dropped.
    dropping = true;
    sink.send({ ...msg, text: msg.text.slice(0, left + 1) });
    sink.send({ t: 'truncated', at: msg.at });
  };

  const emit = (level: LogLevel, args: unknown[]): void => {
    if (dropping || LEVEL_ORDER[level] < min) return;
    const now = Date.now();
    const time = new Date(now).toISOString();
    const message = util.format(...args);
    const text = json
      ? JSON.stringify({ timestamp: time, level, requestId: state.requestId, message })
      : `${time}\t${String(state.requestId)}\t${level}\t${message}`;
    forward({ t: 'out', s: 'console', level, text, at: now });
  };

  const methods: [keyof Console, LogLevel][] = [
    ['log', 'INFO'],
    ['info', 'INFO'],
    ['warn', 'WARN'],
    ['error', 'ERROR'],
    ['debug', 'DEBUG'],
    ['trace', 'TRACE'],
  ];
  for (const [method, level] of methods) {
    (console as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => emit(level, args);
  }
  (console as unknown as Record<string, unknown>).fatal = (...args: unknown[]) => emit('FATAL', args);

  let drainPending = false;
  for (const s of ['stdout', 'stderr'] as const) {
    const stream = process[s];
    // Raw writes keep their bytes; the engine splits them into lines per invocation.
    stream.write = (chunk: unknown, encoding?: unknown, cb?: unknown): boolean => {
      if (!dropping) {
        const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
        forward({ t: 'out', s, text, at: Date.now() });
      }
      const done = (typeof encoding === 'function' ? encoding : typeof cb === 'function' ? cb : undefined) as
        (() => void) | undefined;
      if (sink.writableLength < CHANNEL_HIGH_WATER_MARK) {
        if (done) process.nextTick(done);
        return true;
      }
      // Backpressure: a writer that waits (pipe(), 'drain', the write callback) waits for the engine to read.
      sink.flush(() => {
        done?.();
        if (drainPending) {
          drainPending = false;
          process.stdout.emit('drain');
          process.stderr.emit('drain');
        }
      });
      drainPending = true;
      return false;
    };
  }
  return state;
}
