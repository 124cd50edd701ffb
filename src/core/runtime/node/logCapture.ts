/**
 * NODE-8: console calls become Lambda log lines (`<ISO time>\t<requestId>\t<LEVEL>\t<message>`, or JSON records when
 * AWS_LAMBDA_LOG_FORMAT=JSON), and raw process.stdout/stderr writes are forwarded as they are. Everything goes over the
 * one IPC channel, so the engine sees console lines and raw writes in the order the handler produced them.
 */
import * as util from 'node:util';
import type { LogLevel } from '../outcome';
import type { OutputMessage } from '../protocol';

const LEVEL_ORDER: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4, FATAL: 5 };

export interface LogCapture {
  /** The request id printed on console lines; `undefined` during init, as in Lambda. */
  requestId: string | undefined;
}

export function installLogCapture(send: (msg: OutputMessage) => void, env: NodeJS.ProcessEnv): LogCapture {
  const state: LogCapture = { requestId: undefined };
  const json = env.AWS_LAMBDA_LOG_FORMAT === 'JSON';
  // NODE-8: the log level filters application logs in the JSON format only (default INFO there).
  const min = json ? (LEVEL_ORDER[(env.AWS_LAMBDA_LOG_LEVEL as LogLevel) ?? 'INFO'] ?? LEVEL_ORDER.INFO) : 0;

  const emit = (level: LogLevel, args: unknown[]): void => {
    if (LEVEL_ORDER[level] < min) return;
    const now = Date.now();
    const time = new Date(now).toISOString();
    const message = util.format(...args);
    const text = json
      ? JSON.stringify({ timestamp: time, level, requestId: state.requestId, message })
      : `${time}\t${String(state.requestId)}\t${level}\t${message}`;
    send({ t: 'out', s: 'console', level, text, at: now });
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

  for (const s of ['stdout', 'stderr'] as const) {
    const stream = process[s];
    // Raw writes keep their bytes; the engine splits them into lines per invocation.
    stream.write = (chunk: unknown, encoding?: unknown, cb?: unknown): boolean => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      send({ t: 'out', s, text, at: Date.now() });
      const done = typeof encoding === 'function' ? encoding : cb;
      if (typeof done === 'function') process.nextTick(done);
      return true;
    };
  }
  return state;
}
