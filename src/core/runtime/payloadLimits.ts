/**
 * SYNC-6: Lambda's payload limits and the errors of going over them. The numbers and texts live here only: the Node.js
 * bootstrap imports them, the Python bootstrap gets the response limit on its command line, and both report an
 * oversize response by its size, which the environment turns into Lambda's error.
 */
import type { FunctionErrorPayload } from './outcome';

/** A synchronous request: 6 MB. */
export const SYNC_REQUEST_LIMIT_BYTES = 6_291_456;

/** A function's response: 6 MB and the 100 bytes more Lambda accepts (the number its error names). */
export const RESPONSE_LIMIT_BYTES = 6_291_556;

/** The function error of a response over the limit, as Lambda words it (no size of its own). */
export function responseTooLargeError(): FunctionErrorPayload {
  return {
    errorMessage: `Response payload size exceeded maximum allowed payload size (${RESPONSE_LIMIT_BYTES} bytes).`,
    errorType: 'Function.ResponseSizeTooLarge',
  };
}

/** `RequestEntityTooLargeException`'s message for a request over `limitBytes`, as Lambda's Invoke API words it. */
export function requestTooLargeMessage(limitBytes: number): string {
  return `Request must be smaller than ${limitBytes} bytes for the InvokeFunction operation`;
}
