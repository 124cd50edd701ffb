/**
 * DURABLE-4: when things are due for an execution, and what passing them does. Waits, step retries and retried
 * invocations are the service's own work (they may make an instant clock jump); the execution timeout, callback
 * timeouts and the end of retention wait for someone else (they pass when time does, never by themselves).
 */
import { finishCallback, isClosed, markUnseen, type DurableExecution } from './durableExecution';
import type { ErrorObject } from './durableWire';
import { errorOf, recordEvent } from './executionHistory';

const DAY_MS = 86_400_000;

/** When a closed execution is forgotten (DURABLE-11). */
export const retentionEnd = (execution: DurableExecution): number =>
  (execution.endMs ?? execution.startMs) + execution.retentionPeriodInDays * DAY_MS;

/** When a running execution times out. */
export const executionDeadline = (execution: DurableExecution): number =>
  execution.startMs + execution.executionTimeoutSeconds * 1000;

/** The earliest moment of each kind: `active` (the service's own work, if any) and `passive` (deadlines). */
export function dueTimes(execution: DurableExecution): { active?: number; passive: number } {
  if (isClosed(execution)) return { passive: retentionEnd(execution) };
  const active: number[] = [];
  const passive: number[] = [executionDeadline(execution)];
  if (execution.retryInvocationAt !== undefined) active.push(execution.retryInvocationAt);
  for (const op of execution.operations) {
    if (op.Type === 'WAIT' && op.Status === 'STARTED' && op.WaitDetails?.ScheduledEndTimestamp !== undefined)
      active.push(op.WaitDetails.ScheduledEndTimestamp);
    if (op.Type === 'STEP' && op.Status === 'PENDING' && op.StepDetails?.NextAttemptTimestamp !== undefined)
      active.push(op.StepDetails.NextAttemptTimestamp);
  }
  for (const t of Object.values(execution.callbackTimers)) {
    if (t.timeoutAt !== undefined) passive.push(t.timeoutAt);
    if (t.heartbeatAt !== undefined) passive.push(t.heartbeatAt);
  }
  return { ...(active.length > 0 ? { active: Math.min(...active) } : {}), passive: Math.min(...passive) };
}

/**
 * Passes what is due at `now` in a running execution: waits succeed, steps waiting for a retry become READY,
 * callbacks past a timeout time out, a retried invocation is due. True when the handler should run again.
 */
export function passDueTimes(execution: DurableExecution, now: number): boolean {
  let changed = false;
  for (const op of execution.operations) {
    if (op.Type === 'WAIT' && op.Status === 'STARTED' && (op.WaitDetails?.ScheduledEndTimestamp ?? Infinity) <= now) {
      op.Status = 'SUCCEEDED';
      op.EndTimestamp = now;
      const started = execution.history.find((e) => e.EventType === 'WaitStarted' && e.Id === op.Id);
      recordEvent(execution, now, 'WaitSucceeded', op, {
        Duration: (started?.WaitStartedDetails as { Duration?: number } | undefined)?.Duration,
      });
      markUnseen(execution, op.Id);
      changed = true;
    }
    if (op.Type === 'STEP' && op.Status === 'PENDING' && (op.StepDetails?.NextAttemptTimestamp ?? Infinity) <= now) {
      op.Status = 'READY';
      markUnseen(execution, op.Id);
      changed = true;
    }
  }
  for (const [opId, t] of Object.entries(execution.callbackTimers)) {
    const timedOut = (t.timeoutAt ?? Infinity) <= now;
    const heartbeatLost = (t.heartbeatAt ?? Infinity) <= now;
    if (!timedOut && !heartbeatLost) continue;
    const op = execution.operations.find((o) => o.Id === opId);
    delete execution.callbackTimers[opId];
    if (!op || op.Status !== 'STARTED') continue;
    const error: ErrorObject = {
      ErrorType: timedOut ? 'Callback.Timeout' : 'Callback.HeartbeatTimeout',
      ErrorMessage: timedOut ? 'The callback timed out.' : 'The callback missed its heartbeat timeout.',
    };
    finishCallback(now, execution, op, 'TIMED_OUT', { Error: error });
    recordEvent(execution, now, 'CallbackTimedOut', op, { Error: errorOf(error) });
    changed = true;
  }
  if (execution.retryInvocationAt !== undefined && execution.retryInvocationAt <= now) {
    delete execution.retryInvocationAt;
    changed = true;
  }
  return changed;
}
