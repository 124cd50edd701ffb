/**
 * DURABLE-10: an execution's history, as GetDurableExecutionHistory answers it: one event per change, numbered from
 * 1 in the order the service made the changes; payloads wrapped as `{Payload}` (results, inputs) or
 * `{Payload: ErrorObject}` (errors), left out when the caller does not ask for execution data.
 */
import type { DurableExecution } from './durableExecution';
import type { ErrorObject, HistoryEvent, Operation } from './durableWire';

export const resultOf = (payload: string | undefined): { Payload?: string } =>
  payload === undefined ? {} : { Payload: payload };
export const errorOf = (error: ErrorObject | undefined): { Payload?: ErrorObject } =>
  error === undefined ? {} : { Payload: error };

/** Appends the event `type` (about `op`, when it concerns one) with its details. */
export function recordEvent(
  execution: DurableExecution,
  timestamp: number,
  type: string,
  op: Pick<Operation, 'Id' | 'Name' | 'ParentId' | 'SubType'> | undefined,
  details: Record<string, unknown>,
): HistoryEvent {
  const event: HistoryEvent = {
    EventType: type,
    ...(op?.SubType !== undefined ? { SubType: op.SubType } : {}),
    EventId: execution.history.length + 1,
    ...(op ? { Id: op.Id } : {}),
    ...(op?.Name !== undefined ? { Name: op.Name } : {}),
    ...(op?.ParentId !== undefined ? { ParentId: op.ParentId } : {}),
    EventTimestamp: timestamp,
    [`${type}Details`]: details,
  };
  execution.history.push(event);
  return event;
}

const PAYLOAD_FIELDS = new Set(['Result', 'Error', 'Input']);

/** The event without its payloads (IncludeExecutionData=false): `Result`, `Error` and `Input` keep no `Payload`. */
export function withoutData(event: HistoryEvent): HistoryEvent {
  const copy: HistoryEvent = { ...event };
  for (const key of Object.keys(copy)) {
    if (!key.endsWith('Details')) continue;
    const details = { ...copy[key as `${string}Details`] };
    for (const field of Object.keys(details))
      if (PAYLOAD_FIELDS.has(field) && typeof details[field] === 'object' && details[field] !== null) {
        const rest: Record<string, unknown> = { ...(details[field] as Record<string, unknown>) };
        delete rest.Payload;
        details[field] = rest;
      }
    copy[key as `${string}Details`] = details;
  }
  return copy;
}
