/** NODE-8: the platform lines Lambda writes around every invocation (START, END, REPORT), in Text or JSON format. */
import { isoNow } from './isoTime';
import type { InvokeMetrics, LogLine } from './outcome';

function fixed2(n: number): string {
  return n.toFixed(2);
}

export function startLine(requestId: string, json: boolean, time = isoNow()): LogLine {
  const text = json
    ? JSON.stringify({ time, type: 'platform.start', record: { requestId, version: '$LATEST' } })
    : `START RequestId: ${requestId} Version: $LATEST`;
  return { time, stream: 'platform', text };
}

export function endLine(
  requestId: string,
  json: boolean,
  status: string,
  durationMs: number,
  time = isoNow(),
): LogLine {
  const text = json
    ? JSON.stringify({
        time,
        type: 'platform.runtimeDone',
        record: { requestId, status, metrics: { durationMs: Number(fixed2(durationMs)) } },
      })
    : `END RequestId: ${requestId}`;
  return { time, stream: 'platform', text };
}

export function reportLine(
  requestId: string,
  json: boolean,
  status: string,
  m: InvokeMetrics,
  time = isoNow(),
): LogLine {
  if (json) {
    const metrics: Record<string, number> = {
      durationMs: Number(fixed2(m.durationMs)),
      billedDurationMs: m.billedDurationMs,
      memorySizeMB: m.memorySizeMB,
      maxMemoryUsedMB: m.maxMemoryUsedMB,
    };
    if (m.initDurationMs !== undefined) metrics.initDurationMs = Number(fixed2(m.initDurationMs));
    return {
      time,
      stream: 'platform',
      text: JSON.stringify({ time, type: 'platform.report', record: { requestId, metrics, status } }),
    };
  }
  let text =
    `REPORT RequestId: ${requestId}\tDuration: ${fixed2(m.durationMs)} ms\tBilled Duration: ${m.billedDurationMs} ms` +
    `\tMemory Size: ${m.memorySizeMB} MB\tMax Memory Used: ${m.maxMemoryUsedMB} MB`;
  if (m.initDurationMs !== undefined) text += `\tInit Duration: ${fixed2(m.initDurationMs)} ms`;
  if (status === 'timeout' || status === 'error') text += `\tStatus: ${status}`;
  return { time, stream: 'platform', text };
}

/** A runtime message in the log stream (timeouts, crashes), as Lambda prints it: `<time> <requestId> <message>`. */
export function runtimeLine(requestId: string, message: string, time = isoNow()): LogLine {
  return { time, stream: 'platform', text: `${time} ${requestId} ${message}` };
}
