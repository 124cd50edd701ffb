/** NODE-5: how the panel and the CLI report an execution environment that ended after an earlier response. */
import type { LateError } from '../runtime/outcome';

export function describeLateError(late: LateError): string {
  return (
    `after request ${late.requestId} had responded, its execution environment ended with ` +
    `${late.error.errorType}: ${late.error.errorMessage}; this attempt started a new one`
  );
}
