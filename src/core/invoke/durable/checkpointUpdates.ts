/**
 * A checkpoint's updates: checked as a whole first (DURABLE-7: nothing of a refused batch applies), then applied to
 * the operation log through each type's state machine (DURABLE-3), with the history events they make.
 */
import { MAX_EXECUTION_TIMEOUT_SECONDS } from '../../discovery/durableConfig';
import type { DurableExecution } from './durableExecution';
import {
  invalidParameter,
  OPERATION_ACTIONS,
  OPERATION_TYPES,
  type ErrorObject,
  type Operation,
  type OperationAction,
  type OperationStatus,
  type OperationType,
  type OperationUpdate,
} from './durableWire';
import { errorOf, recordEvent, resultOf } from './executionHistory';

/** The service keeps at most this much of one operation's payload (a bigger child-context result is replayed). */
export const MAX_OPERATION_PAYLOAD_BYTES = 256 * 1024;
/** An ErrorObject may be at most this big. */
export const MAX_ERROR_BYTES = 32 * 1024;
/** Updates per checkpoint request (the SDKs batch at most 250). */
export const MAX_UPDATES = 250;

const ALLOWED_ACTIONS: Record<OperationType, readonly OperationAction[]> = {
  STEP: ['START', 'SUCCEED', 'FAIL', 'RETRY'],
  CONTEXT: ['START', 'SUCCEED', 'FAIL'],
  WAIT: ['START', 'CANCEL'],
  CALLBACK: ['START', 'CANCEL'],
  CHAINED_INVOKE: ['START', 'CANCEL'],
  EXECUTION: ['SUCCEED', 'FAIL'],
};

/** Reads the request's `Updates` (absent: none) into typed updates, refusing anything that is not one. */
export function parseUpdates(raw: unknown): OperationUpdate[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalidParameter('Updates must be a list of operation updates.');
  if (raw.length > MAX_UPDATES)
    throw invalidParameter(`A checkpoint takes at most ${MAX_UPDATES} updates; this one has ${raw.length}.`);
  return raw.map((u: unknown, i) => {
    if (typeof u !== 'object' || u === null || Array.isArray(u))
      throw invalidParameter(`Updates[${i}] must be an object.`);
    const update = u as Record<string, unknown>;
    if (typeof update.Id !== 'string' || update.Id === '') throw invalidParameter(`Updates[${i}].Id is required.`);
    if (!OPERATION_TYPES.includes(update.Type as OperationType))
      throw invalidParameter(
        `Updates[${i}].Type must be one of ${OPERATION_TYPES.join(', ')} (got ${JSON.stringify(update.Type)}).`,
      );
    if (!OPERATION_ACTIONS.includes(update.Action as OperationAction))
      throw invalidParameter(
        `Updates[${i}].Action must be one of ${OPERATION_ACTIONS.join(', ')} (got ${JSON.stringify(update.Action)}).`,
      );
    for (const field of ['ParentId', 'Name', 'SubType', 'Payload'] as const)
      if (update[field] !== undefined && typeof update[field] !== 'string')
        throw invalidParameter(`Updates[${i}].${field} must be a string.`);
    return update as unknown as OperationUpdate;
  });
}

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * DURABLE-7: refuses the batch (InvalidParameterValueException) when any update breaks a rule, before anything
 * changes: one EXECUTION update at most and last; parents that are contexts; an id twice only as a STEP or CONTEXT
 * START followed by its end; each type's actions; each action only from the states that allow it; sizes.
 */
export function checkUpdates(execution: DurableExecution, updates: readonly OperationUpdate[]): void {
  const existing = new Map(execution.operations.map((op) => [op.Id, op]));
  /** What each id is after the updates so far in this batch. */
  const inBatch = new Map<string, { type: OperationType; status: OperationStatus; actions: OperationAction[] }>();
  updates.forEach((u, i) => {
    const where = `Updates[${i}] (${u.Type} ${u.Action} ${u.Id})`;
    if (u.Type === 'EXECUTION' && i !== updates.length - 1)
      throw invalidParameter(`${where}: an EXECUTION update must be the last of its checkpoint.`);
    if (!ALLOWED_ACTIONS[u.Type].includes(u.Action))
      throw invalidParameter(
        `${where}: a ${u.Type} operation takes ${ALLOWED_ACTIONS[u.Type].join(', ')}, not ${u.Action}.`,
      );
    if (u.Type === 'EXECUTION') return;
    if (u.ParentId !== undefined) {
      const parent = existing.get(u.ParentId);
      const parentInBatch = inBatch.get(u.ParentId);
      if (!(parent?.Type === 'CONTEXT' || parentInBatch?.type === 'CONTEXT'))
        throw invalidParameter(`${where}: its ParentId ${u.ParentId} is not a CONTEXT operation of this execution.`);
    }
    const before = existing.get(u.Id);
    const batch = inBatch.get(u.Id);
    if (batch) {
      const allowedTwice =
        (u.Type === 'STEP' || u.Type === 'CONTEXT') &&
        batch.actions.length === 1 &&
        batch.actions[0] === 'START' &&
        u.Action !== 'START';
      if (!allowedTwice)
        throw invalidParameter(
          `${where}: an operation appears twice in one checkpoint only as a STEP or CONTEXT START followed by its end.`,
        );
    }
    const type = batch?.type ?? before?.Type;
    if (type !== undefined && type !== u.Type)
      throw invalidParameter(`${where}: operation ${u.Id} is a ${type}, not a ${u.Type}.`);
    const status = batch?.status ?? before?.Status;
    const isNew = status === undefined;
    const refuse = (allowed: string): never => {
      throw invalidParameter(`${where}: ${u.Action} is allowed ${allowed}; the operation is ${status ?? 'new'}.`);
    };
    switch (u.Action) {
      case 'START':
        if (u.Type === 'STEP') {
          if (!(isNew || status === 'READY')) refuse('on a new or READY step');
        } else if (!isNew) refuse('only on a new operation');
        break;
      case 'SUCCEED':
      case 'FAIL':
        if (!(isNew || status === 'STARTED' || (u.Type === 'STEP' && status === 'READY')))
          refuse(u.Type === 'STEP' ? 'on a new, STARTED or READY step' : 'on a new or STARTED context');
        break;
      case 'RETRY':
        if (!(isNew || status === 'STARTED' || status === 'READY')) refuse('on a new, STARTED or READY step');
        if (!u.StepOptions) throw invalidParameter(`${where}: RETRY needs StepOptions.`);
        break;
      case 'CANCEL':
        if (status !== 'STARTED') refuse('only while the operation is STARTED');
        break;
    }
    checkContent(u, where);
    const next = statusAfter(u);
    inBatch.set(u.Id, {
      type: u.Type,
      status: next,
      actions: [...(batch?.actions ?? []), u.Action],
    });
  });
  const last = updates[updates.length - 1];
  if (last?.Type === 'EXECUTION') checkErrorSize(last.Error, `Updates[${updates.length - 1}]`);
}

function checkContent(u: OperationUpdate, where: string): void {
  if (u.Action === 'SUCCEED' && u.Error !== undefined)
    throw invalidParameter(`${where}: SUCCEED carries a Payload, not an Error.`);
  if (u.Action === 'FAIL' && u.Payload !== undefined)
    throw invalidParameter(`${where}: FAIL carries an Error, not a Payload.`);
  if (u.Action === 'RETRY' && u.Payload !== undefined && u.Error !== undefined)
    throw invalidParameter(`${where}: RETRY carries an Error or a Payload, not both.`);
  if (u.Payload !== undefined && bytes(u.Payload) > MAX_OPERATION_PAYLOAD_BYTES)
    throw invalidParameter(
      `${where}: the Payload is ${bytes(u.Payload)} bytes; an operation keeps at most ${MAX_OPERATION_PAYLOAD_BYTES}.`,
    );
  checkErrorSize(u.Error, where);
  if (u.Type === 'WAIT' && u.Action === 'START') {
    const seconds = u.WaitOptions?.WaitSeconds;
    if (!Number.isInteger(seconds) || seconds! < 1 || seconds! > MAX_EXECUTION_TIMEOUT_SECONDS)
      throw invalidParameter(
        `${where}: WaitOptions.WaitSeconds must be a whole number from 1 to ${MAX_EXECUTION_TIMEOUT_SECONDS}.`,
      );
  }
  if (u.Type === 'STEP' && u.Action === 'RETRY') {
    const delay = u.StepOptions?.NextAttemptDelaySeconds;
    if (delay !== undefined && (!Number.isInteger(delay) || delay < 0 || delay > MAX_EXECUTION_TIMEOUT_SECONDS))
      throw invalidParameter(
        `${where}: StepOptions.NextAttemptDelaySeconds must be a whole number from 0 to ${MAX_EXECUTION_TIMEOUT_SECONDS}.`,
      );
  }
  if (u.Type === 'CALLBACK' && u.Action === 'START')
    for (const field of ['TimeoutSeconds', 'HeartbeatTimeoutSeconds'] as const) {
      const value = u.CallbackOptions?.[field];
      if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > MAX_EXECUTION_TIMEOUT_SECONDS))
        throw invalidParameter(
          `${where}: CallbackOptions.${field} must be a whole number from 0 (none) to ${MAX_EXECUTION_TIMEOUT_SECONDS}.`,
        );
    }
  if (u.Type === 'CHAINED_INVOKE' && u.Action === 'START') {
    const name = u.ChainedInvokeOptions?.FunctionName;
    if (typeof name !== 'string' || name === '')
      throw invalidParameter(`${where}: ChainedInvokeOptions.FunctionName is required.`);
  }
}

function checkErrorSize(error: ErrorObject | undefined, where: string): void {
  if (error === undefined) return;
  if (typeof error !== 'object' || error === null || Array.isArray(error))
    throw invalidParameter(`${where}: Error must be an ErrorObject.`);
  const size = bytes(JSON.stringify(error));
  if (size > MAX_ERROR_BYTES)
    throw invalidParameter(`${where}: the Error is ${size} bytes; an error object may be at most ${MAX_ERROR_BYTES}.`);
}

function statusAfter(u: OperationUpdate): OperationStatus {
  switch (u.Action) {
    case 'START':
      return 'STARTED';
    case 'SUCCEED':
      return 'SUCCEEDED';
    case 'FAIL':
      return 'FAILED';
    case 'RETRY':
      return 'PENDING';
    case 'CANCEL':
      return 'CANCELLED';
  }
}

/** What applying a checked batch did beyond the log itself. */
export interface AppliedUpdates {
  /** Ids of the operations that changed, in order. */
  changed: string[];
  /** The EXECUTION update (the SDK's large-result path): the execution ends with it. */
  executionEnd?: { status: 'SUCCEEDED'; result?: string } | { status: 'FAILED'; error?: ErrorObject };
  /** CHAINED_INVOKE operations started by this batch (the service invokes their targets). */
  chainedStarts: Array<{ operationId: string; functionName: string; payload: string; tenantId?: string }>;
}

/** DURABLE-3: applies a checked batch at simulated time `now`. `callbackIdOf` mints a callback's id. */
export function applyUpdates(
  execution: DurableExecution,
  updates: readonly OperationUpdate[],
  now: number,
  callbackIdOf: (operationId: string) => string,
): AppliedUpdates {
  const applied: AppliedUpdates = { changed: [], chainedStarts: [] };
  const byId = new Map(execution.operations.map((op) => [op.Id, op]));
  const touch = (id: string): void => {
    if (!applied.changed.includes(id)) applied.changed.push(id);
  };
  for (const u of updates) {
    if (u.Type === 'EXECUTION') {
      applied.executionEnd =
        u.Action === 'SUCCEED'
          ? { status: 'SUCCEEDED', ...(u.Payload !== undefined ? { result: u.Payload } : {}) }
          : { status: 'FAILED', ...(u.Error !== undefined ? { error: u.Error } : {}) };
      continue;
    }
    let op = byId.get(u.Id);
    if (!op) {
      op = {
        Id: u.Id,
        ...(u.ParentId !== undefined ? { ParentId: u.ParentId } : {}),
        ...(u.Name !== undefined ? { Name: u.Name } : {}),
        Type: u.Type,
        ...(u.SubType !== undefined ? { SubType: u.SubType } : {}),
        StartTimestamp: now,
        Status: 'STARTED',
      };
      execution.operations.push(op);
      byId.set(op.Id, op);
    }
    touch(op.Id);
    const end = (status: OperationStatus): void => {
      op.Status = status;
      op.EndTimestamp = now;
    };
    switch (u.Type) {
      case 'STEP':
        applyStep(execution, op, u, now, end);
        break;
      case 'CONTEXT':
        if (u.ContextOptions?.ReplayChildren !== undefined)
          op.ContextDetails = { ...op.ContextDetails, ReplayChildren: u.ContextOptions.ReplayChildren };
        if (u.Action === 'START') {
          op.Status = 'STARTED';
          recordEvent(execution, now, 'ContextStarted', op, {});
        } else if (u.Action === 'SUCCEED') {
          end('SUCCEEDED');
          op.ContextDetails = { ...op.ContextDetails, ...(u.Payload !== undefined ? { Result: u.Payload } : {}) };
          recordEvent(execution, now, 'ContextSucceeded', op, { Result: resultOf(u.Payload) });
        } else {
          end('FAILED');
          op.ContextDetails = { ...op.ContextDetails, ...(u.Error !== undefined ? { Error: u.Error } : {}) };
          recordEvent(execution, now, 'ContextFailed', op, { Error: errorOf(u.Error) });
        }
        break;
      case 'WAIT':
        if (u.Action === 'START') {
          const seconds = u.WaitOptions!.WaitSeconds!;
          op.WaitDetails = { ScheduledEndTimestamp: now + seconds * 1000 };
          recordEvent(execution, now, 'WaitStarted', op, {
            Duration: seconds,
            ScheduledEndTimestamp: op.WaitDetails.ScheduledEndTimestamp,
          });
        } else {
          end('CANCELLED');
          recordEvent(execution, now, 'WaitCancelled', op, { Error: errorOf(u.Error) });
        }
        break;
      case 'CALLBACK':
        if (u.Action === 'START') {
          const callbackId = callbackIdOf(op.Id);
          op.CallbackDetails = { CallbackId: callbackId };
          // 0 or absent: no timeout (the Python SDK always sends both, 0 meaning none).
          const timeout = u.CallbackOptions?.TimeoutSeconds || undefined;
          const heartbeat = u.CallbackOptions?.HeartbeatTimeoutSeconds || undefined;
          execution.callbackTimers[op.Id] = {
            ...(timeout ? { timeoutAt: now + timeout * 1000 } : {}),
            ...(heartbeat ? { heartbeatSeconds: heartbeat, heartbeatAt: now + heartbeat * 1000 } : {}),
          };
          recordEvent(execution, now, 'CallbackStarted', op, {
            CallbackId: callbackId,
            Timeout: timeout ?? 0,
            HeartbeatTimeout: heartbeat ?? 0,
            ...(u.Payload !== undefined ? { Input: resultOf(u.Payload) } : {}),
          });
        } else {
          end('CANCELLED');
          delete execution.callbackTimers[op.Id];
        }
        break;
      case 'CHAINED_INVOKE':
        if (u.Action === 'START') {
          const functionName = u.ChainedInvokeOptions!.FunctionName;
          const tenantId = u.ChainedInvokeOptions?.TenantId;
          applied.chainedStarts.push({
            operationId: op.Id,
            functionName,
            payload: u.Payload ?? '{}',
            ...(tenantId !== undefined ? { tenantId } : {}),
          });
          recordEvent(execution, now, 'ChainedInvokeStarted', op, {
            FunctionName: functionName,
            ...(tenantId !== undefined ? { TenantId: tenantId } : {}),
            Input: resultOf(u.Payload),
            ExecutedVersion: '$LATEST',
          });
        } else {
          end('CANCELLED');
        }
        break;
    }
  }
  return applied;
}

function applyStep(
  execution: DurableExecution,
  op: Operation,
  u: OperationUpdate,
  now: number,
  end: (status: OperationStatus) => void,
): void {
  const completed = op.StepDetails?.Attempt ?? 0;
  const currentAttempt = completed + 1;
  switch (u.Action) {
    case 'START':
      op.Status = 'STARTED';
      recordEvent(execution, now, 'StepStarted', op, {});
      return;
    case 'SUCCEED':
      end('SUCCEEDED');
      op.StepDetails = {
        Attempt: currentAttempt,
        ...(u.Payload !== undefined ? { Result: u.Payload } : {}),
      };
      recordEvent(execution, now, 'StepSucceeded', op, {
        Result: resultOf(u.Payload),
        RetryDetails: { CurrentAttempt: currentAttempt },
      });
      return;
    case 'FAIL':
      end('FAILED');
      op.StepDetails = { Attempt: currentAttempt, ...(u.Error !== undefined ? { Error: u.Error } : {}) };
      recordEvent(execution, now, 'StepFailed', op, {
        Error: errorOf(u.Error),
        RetryDetails: { CurrentAttempt: currentAttempt },
      });
      return;
    case 'RETRY': {
      // The SDK decides retries; the service keeps the attempt's payload or error and schedules the next one.
      const delay = u.StepOptions?.NextAttemptDelaySeconds ?? 1;
      op.Status = 'PENDING';
      delete op.EndTimestamp;
      op.StepDetails = {
        Attempt: currentAttempt,
        NextAttemptTimestamp: now + delay * 1000,
        ...(u.Payload !== undefined ? { Result: u.Payload } : {}),
        ...(u.Error !== undefined ? { Error: u.Error } : {}),
      };
      const retryDetails = { CurrentAttempt: currentAttempt, NextAttemptDelaySeconds: delay };
      if (u.Payload !== undefined)
        recordEvent(execution, now, 'StepSucceeded', op, { Result: resultOf(u.Payload), RetryDetails: retryDetails });
      else recordEvent(execution, now, 'StepFailed', op, { Error: errorOf(u.Error), RetryDetails: retryDetails });
      return;
    }
    case 'CANCEL':
      return;
  }
}
