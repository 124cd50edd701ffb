/**
 * DURABLE-15: a durable execution started under the debugger stays under it. Each later invocation of its handler
 * (a replay after a wait, a step's retry, a callback or a chained invoke; a new environment each time) starts with
 * the debugger listening, with the options of the first, until the execution ends: breakpoints stop in replays too.
 */
import type { DebugOptions } from '../runtime';

export class DebuggedExecutions {
  /** The debug options of each execution started under the debugger, by execution ARN. */
  private readonly sessions = new Map<string, DebugOptions>();

  constructor(
    /** Whether the execution still runs (an ended one leaves the debugger). */
    private readonly isRunning: (arn: string) => boolean,
  ) {}

  /**
   * The debug options for an invocation of a durable handler with this event: `debug` when the invocation was asked
   * to run under the debugger (its execution then stays there), else its execution's, if it has any.
   */
  optionsFor(payloadJson: string, debug: DebugOptions | undefined): DebugOptions | undefined {
    if (debug === undefined && this.sessions.size === 0) return undefined;
    const arn = executionArnOf(payloadJson);
    if (arn === undefined) return debug;
    for (const known of [...this.sessions.keys()])
      if (known !== arn && !this.isRunning(known)) this.sessions.delete(known);
    if (debug !== undefined) {
      this.sessions.set(arn, debug);
      return debug;
    }
    return this.sessions.get(arn);
  }
}

/** The execution a durable handler's event belongs to (DURABLE-2), or undefined for any other event. */
function executionArnOf(payloadJson: string): string | undefined {
  try {
    const event = JSON.parse(payloadJson) as { DurableExecutionArn?: unknown; CheckpointToken?: unknown } | null;
    return typeof event?.DurableExecutionArn === 'string' && typeof event.CheckpointToken === 'string'
      ? event.DurableExecutionArn
      : undefined;
  } catch {
    return undefined;
  }
}
