/**
 * STREAM-5: tumbling windows. Windows are fixed, back to back and aligned to multiples of their length (epoch
 * based); a record belongs to the window of its arrival time. Each invocation carries the window and the state
 * the previous invocation returned; the window ends with a final invocation without records.
 * isWindowTerminatedEarly (state above 1 MB) is always false here: the runner does not cut windows short.
 */

export function windowStartOf(arrivalMs: number, windowMs: number): number {
  return Math.floor(arrivalMs / windowMs) * windowMs;
}

/** AWS writes window bounds without milliseconds: `2020-07-30T17:00:00Z`. */
function windowTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

export interface TumblingWindowFields {
  window: { start: string; end: string };
  state: unknown;
  shardId: string;
  eventSourceARN: string;
  isFinalInvokeForWindow: boolean;
  isWindowTerminatedEarly: boolean;
}

/** STREAM-5: the fields a tumbling-window invocation adds to the event. */
export function tumblingWindowFields(input: {
  windowStart: number;
  windowMs: number;
  state: unknown;
  shardId: string;
  eventSourceArn: string;
  final: boolean;
}): TumblingWindowFields {
  return {
    window: { start: windowTime(input.windowStart), end: windowTime(input.windowStart + input.windowMs) },
    state: input.state,
    shardId: input.shardId,
    eventSourceARN: input.eventSourceArn,
    isFinalInvokeForWindow: input.final,
    isWindowTerminatedEarly: false,
  };
}
