/**
 * DURABLE-12: the target of a CHAINED_INVOKE that is not durable runs synchronously through the engine, and its
 * answer becomes the operation's result or error.
 */
import type { EngineContext } from '../engineContext';
import type { RecordSource } from '../invocationRecord';
import { invokeSync } from '../syncInvocation';
import type { ErrorObject } from './durableWire';

/** The function a CHAINED_INVOKE names: a name, `name:qualifier`, or a (qualified) ARN. */
export const targetFunctionName = (target: string): string =>
  /function:([^:/]+)/.exec(target)?.[1] ?? target.split(':')[0];

export type ChainedOutcome = { status: 'SUCCEEDED'; result?: string } | { status: 'FAILED'; error: ErrorObject };

/** Invokes a plain function with the operation's payload; never rejects (a failure is the outcome's error). */
export async function invokePlainTarget(
  ctx: EngineContext,
  functionName: string,
  payload: string,
  source: RecordSource,
): Promise<ChainedOutcome> {
  try {
    const record = await invokeSync(ctx, functionName, payload, { source });
    const response = record.response;
    if (record.status !== 'rejected' && response && response.StatusCode < 300 && !response.FunctionError)
      return { status: 'SUCCEEDED', ...(response.Payload !== undefined ? { result: response.Payload } : {}) };
    if (response?.FunctionError && response.Payload) {
      const error = JSON.parse(response.Payload) as {
        errorType?: string;
        errorMessage?: string;
        stackTrace?: string[];
      } | null;
      return {
        status: 'FAILED',
        error: {
          ErrorType: error?.errorType ?? response.FunctionError,
          ErrorMessage: error?.errorMessage ?? '',
          ...(error?.stackTrace ? { StackTrace: error.stackTrace } : {}),
        },
      };
    }
    return {
      status: 'FAILED',
      error: {
        ErrorType: response?.errorType ?? 'ServiceException',
        ErrorMessage: response?.errorMessage ?? 'The function could not be invoked.',
      },
    };
  } catch (err) {
    return {
      status: 'FAILED',
      error: { ErrorType: 'ServiceException', ErrorMessage: err instanceof Error ? err.message : String(err) },
    };
  }
}
