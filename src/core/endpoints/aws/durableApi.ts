/**
 * Lambda's durable execution APIs (version 2025-12-01) in REST-JSON, as the durable execution SDKs and the AWS SDK's
 * Lambda client call them: CheckpointDurableExecution and GetDurableExecutionState (the handler's SDK), and
 * GetDurableExecution, GetDurableExecutionHistory, ListDurableExecutionsByFunction, StopDurableExecution and
 * SendDurableExecutionCallback{Success,Failure,Heartbeat} (tools, scripts, other functions). Path labels arrive
 * percent-encoded (an execution ARN's `:` `/` `$` included); timestamps are answered as epoch seconds.
 */
import type { DurableExecution } from '../../invoke/durable/durableExecution';
import {
  DurableServiceError,
  invalidParameter,
  type ErrorObject,
  type HistoryEvent,
  type Operation,
} from '../../invoke/durable/durableWire';
import type { AwsCall, LocalAwsAccount } from './awsApiContext';
import { AwsApiError, jsonBodyOf, type AwsResponse } from './awsProtocol';
import type { LambdaRequest } from './lambdaApi';

const EXECUTION_PATH = /^\/2025-12-01\/durable-executions\/([^/]+)(?:\/(checkpoint|state|history|stop))?\/?$/;
const LIST_PATH = /^\/2025-12-01\/functions\/([^/]+)\/durable-executions\/?$/;
const CALLBACK_PATH = /^\/2025-12-01\/durable-execution-callbacks\/([^/]+)\/(succeed|fail|heartbeat)\/?$/;

/** The durable execution operation a request names, or undefined. */
export function durableOperationOf(method: string, path: string): string | undefined {
  const execution = EXECUTION_PATH.exec(path);
  if (execution) {
    const action = execution[2];
    if (method === 'POST' && action === 'checkpoint') return 'CheckpointDurableExecution';
    if (method === 'GET' && action === 'state') return 'GetDurableExecutionState';
    if (method === 'GET' && action === 'history') return 'GetDurableExecutionHistory';
    if (method === 'POST' && action === 'stop') return 'StopDurableExecution';
    if (method === 'GET' && action === undefined) return 'GetDurableExecution';
    return undefined;
  }
  if (method === 'GET' && LIST_PATH.test(path)) return 'ListDurableExecutionsByFunction';
  const callback = CALLBACK_PATH.exec(path);
  if (method === 'POST' && callback)
    return (
      { succeed: 'SendDurableExecutionCallbackSuccess', fail: 'SendDurableExecutionCallbackFailure' }[
        callback[2] as 'succeed' | 'fail'
      ] ?? 'SendDurableExecutionCallbackHeartbeat'
    );
  return undefined;
}

/** Epoch ms → epoch seconds, as restJson1 bodies carry timestamps. */
const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

export function wireOperation(op: Operation): Record<string, unknown> {
  const wire: Record<string, unknown> = { ...op, StartTimestamp: seconds(op.StartTimestamp) };
  if (op.EndTimestamp !== undefined) wire.EndTimestamp = seconds(op.EndTimestamp);
  if (op.StepDetails?.NextAttemptTimestamp !== undefined)
    wire.StepDetails = { ...op.StepDetails, NextAttemptTimestamp: seconds(op.StepDetails.NextAttemptTimestamp) };
  if (op.WaitDetails?.ScheduledEndTimestamp !== undefined)
    wire.WaitDetails = { ScheduledEndTimestamp: seconds(op.WaitDetails.ScheduledEndTimestamp) };
  return wire;
}

const TIMESTAMP_DETAILS = new Set(['ScheduledEndTimestamp', 'StartTimestamp', 'EndTimestamp']);

export function wireEvent(event: HistoryEvent): Record<string, unknown> {
  const wire: Record<string, unknown> = { ...event, EventTimestamp: seconds(event.EventTimestamp) };
  for (const [key, value] of Object.entries(event) as Array<[string, unknown]>)
    if (key.endsWith('Details') && typeof value === 'object' && value !== null)
      wire[key] = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [
          k,
          TIMESTAMP_DETAILS.has(k) && typeof v === 'number' ? seconds(v) : v,
        ]),
      );
  return wire;
}

/** GetDurableExecution's answer (and the CLI's `executions get --json`). */
export function wireExecution(execution: DurableExecution, includeData: boolean): Record<string, unknown> {
  return {
    DurableExecutionArn: execution.arn,
    DurableExecutionName: execution.name,
    FunctionArn: execution.functionArn,
    StartTimestamp: seconds(execution.startMs),
    Status: execution.status,
    ...(includeData ? { InputPayload: execution.input } : {}),
    ...(includeData && execution.result !== undefined ? { Result: execution.result } : {}),
    ...(execution.error !== undefined
      ? { Error: includeData ? execution.error : { ErrorType: execution.error.ErrorType } }
      : {}),
    ...(execution.endMs !== undefined ? { EndTimestamp: seconds(execution.endMs) } : {}),
    Version: '$LATEST',
    ExecutionDataIncluded: includeData,
    DurableConfig: {
      ExecutionTimeout: execution.executionTimeoutSeconds,
      RetentionPeriodInDays: execution.retentionPeriodInDays,
    },
  };
}

export function wireListEntry(execution: DurableExecution): Record<string, unknown> {
  return {
    DurableExecutionArn: execution.arn,
    DurableExecutionName: execution.name,
    FunctionArn: execution.functionArn,
    Status: execution.status,
    StartTimestamp: seconds(execution.startMs),
    ...(execution.endMs !== undefined ? { EndTimestamp: seconds(execution.endMs) } : {}),
  };
}

/** `true`/`false` of a boolean query parameter; absent is `fallback`. */
function flag(query: URLSearchParams, name: string, fallback: boolean): boolean {
  const value = query.get(name);
  if (value === null || value === '') return fallback;
  if (value === 'true' || value === 'false') return value === 'true';
  throw invalidParameter(`${name} must be true or false (got ${JSON.stringify(value)}).`);
}

/** A timestamp query parameter (ISO 8601, as the SDKs send it, or epoch seconds) in epoch ms. */
function timestamp(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (!Number.isFinite(ms)) throw invalidParameter(`${name} must be a timestamp (got ${JSON.stringify(value)}).`);
  return ms;
}

/** An ErrorObject from a request body (empty: none). */
function errorObjectOf(body: Buffer): ErrorObject | undefined {
  if (body.length === 0) return undefined;
  const value = jsonBodyOf(body);
  for (const field of ['ErrorMessage', 'ErrorType', 'ErrorData'] as const)
    if (value[field] !== undefined && typeof value[field] !== 'string')
      throw invalidParameter(`${field} must be a string.`);
  if (
    value.StackTrace !== undefined &&
    !(Array.isArray(value.StackTrace) && value.StackTrace.every((l) => typeof l === 'string'))
  )
    throw invalidParameter('StackTrace must be a list of strings.');
  return value;
}

export class DurableApi {
  constructor(private readonly account: LocalAwsAccount) {}

  async handle(call: AwsCall, request: LambdaRequest): Promise<AwsResponse> {
    try {
      return await this.answer(call, request);
    } catch (err) {
      if (err instanceof DurableServiceError) throw new AwsApiError(err.code, err.status, err.message);
      throw err;
    }
  }

  private async answer(call: AwsCall, request: LambdaRequest): Promise<AwsResponse> {
    const { durable } = this.account.engine;
    const { store } = this.account.engine;
    const label = (re: RegExp): string => {
      const raw = re.exec(request.path)?.[1] ?? '';
      try {
        return decodeURIComponent(raw);
      } catch {
        throw invalidParameter(`The path segment ${raw} is not valid percent-encoding.`);
      }
    };
    const { query } = request;
    switch (call.operation) {
      case 'CheckpointDurableExecution': {
        const answer = durable.checkpoint(label(EXECUTION_PATH), jsonBodyOf(request.body));
        // DURABLE-8: what the SDK was told is on disk before it hears it.
        await store.flush();
        return json(call, {
          ...(answer.CheckpointToken !== undefined ? { CheckpointToken: answer.CheckpointToken } : {}),
          NewExecutionState: { Operations: answer.NewExecutionState.Operations.map(wireOperation) },
        });
      }
      case 'GetDurableExecutionState': {
        const page = durable.state(
          label(EXECUTION_PATH),
          query.get('CheckpointToken'),
          query.get('Marker'),
          query.get('MaxItems'),
        );
        return json(call, {
          Operations: page.Operations.map(wireOperation),
          ...(page.NextMarker ? { NextMarker: page.NextMarker } : {}),
        });
      }
      case 'GetDurableExecution': {
        const includeData = flag(query, 'IncludeExecutionData', true);
        return json(call, wireExecution(durable.get(label(EXECUTION_PATH)), includeData));
      }
      case 'GetDurableExecutionHistory': {
        const page = durable.history(label(EXECUTION_PATH), {
          includeData: flag(query, 'IncludeExecutionData', true),
          reverse: flag(query, 'ReverseOrder', false),
          marker: query.get('Marker'),
          maxItems: query.get('MaxItems'),
        });
        return json(call, {
          Events: page.Events.map(wireEvent),
          ...(page.NextMarker ? { NextMarker: page.NextMarker } : {}),
        });
      }
      case 'ListDurableExecutionsByFunction': {
        const fn = this.functionOf(label(LIST_PATH));
        const name = query.get('DurableExecutionName');
        const statuses = query
          .getAll('Statuses')
          .flatMap((s) => s.split(','))
          .filter(Boolean);
        const after = timestamp(query, 'StartedAfter');
        const before = timestamp(query, 'StartedBefore');
        const page = durable.list(fn, {
          ...(name ? { name } : {}),
          statuses,
          ...(after !== undefined ? { startedAfter: after } : {}),
          ...(before !== undefined ? { startedBefore: before } : {}),
          reverse: flag(query, 'ReverseOrder', false),
          marker: query.get('Marker'),
          maxItems: query.get('MaxItems'),
        });
        return json(call, {
          DurableExecutions: page.executions.map(wireListEntry),
          ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
        });
      }
      case 'StopDurableExecution': {
        const { stopTimestamp } = durable.stop(label(EXECUTION_PATH), errorObjectOf(request.body));
        await store.flush();
        return json(call, { StopTimestamp: seconds(stopTimestamp) });
      }
      case 'SendDurableExecutionCallbackSuccess':
        durable.callbackSuccess(label(CALLBACK_PATH), request.body);
        await store.flush();
        return json(call, {});
      case 'SendDurableExecutionCallbackFailure':
        durable.callbackFailure(label(CALLBACK_PATH), errorObjectOf(request.body) ?? {});
        await store.flush();
        return json(call, {});
      case 'SendDurableExecutionCallbackHeartbeat':
        durable.callbackHeartbeat(label(CALLBACK_PATH));
        await store.flush();
        return json(call, {});
      default:
        throw new AwsApiError(
          'UnknownOperationException',
          404,
          `The local Lambda does not support ${request.method} ${request.path}.`,
        );
    }
  }

  /** The workspace function a FunctionName (name, `name:qualifier` or ARN) names. */
  private functionOf(asked: string): string {
    const name = /function:([^:]+)/.exec(asked)?.[1] ?? asked.split(':')[0];
    const fn = this.account.functions().find((f) => f.name === name || f.physicalName === name);
    if (!fn) throw new DurableServiceError('ResourceNotFoundException', 404, `Function not found: ${asked}`);
    return fn.name;
  }
}

function json(call: AwsCall, value: unknown): AwsResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': call.requestId },
    body: JSON.stringify(value),
  };
}
