/** NODE-5: how the panel and the CLI report an execution environment that ended after an earlier response. */
import type { FunctionErrorPayload, LateError } from '../runtime/outcome';

export function describeLateError(late: LateError): string {
  return (
    `after request ${late.requestId} had responded, its execution environment ended with ` +
    `${late.error.errorType}: ${late.error.errorMessage}; this attempt started a new one`
  );
}

/** NODE-5: an attempt's own environment ended with an error after its response, and no later invocation carried it. */
export function describeErrorAfterResponse(error: FunctionErrorPayload): string {
  return `after this attempt had responded, its execution environment ended with ${error.errorType}: ${error.errorMessage}`;
}
