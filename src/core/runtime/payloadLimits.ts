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

/**
 * SYNC-6 / ASYNC-2, the runner's own limit (Lambda documents none): how deeply a payload's arrays and objects may nest. Deeper JSON
 * parses, but writing it back (the store, the Python runtime's json module) overflows the stack; 512 levels leave
 * Python's default recursion limit room to spare.
 */
export const MAX_PAYLOAD_DEPTH = 512;

/**
 * How deeply the arrays and objects of JSON text nest (0 for a scalar); counts without recursing. Strings are jumped
 * over with indexOf (most of an event is strings: a 7 KB SQS batch is scanned in about 5 microseconds, not 24).
 */
export function jsonNestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const end = closingQuote(text, i);
      if (end < 0) return deepest; // an unterminated string: nothing after it counts
      i = end;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest) deepest = depth;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/** The index of the quote that closes the string opened at `open` (one not escaped by a backslash), or -1. */
function closingQuote(text: string, open: number): number {
  let quote = text.indexOf('"', open + 1);
  while (quote >= 0) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = text.indexOf('"', quote + 1);
  }
  return -1;
}

/** Why a payload nests too deeply to run, or undefined when it does not. */
export function payloadTooDeepMessage(text: string): string | undefined {
  const depth = jsonNestingDepth(text);
  if (depth <= MAX_PAYLOAD_DEPTH) return undefined;
  return `The payload nests ${depth} levels deep; at most ${MAX_PAYLOAD_DEPTH} levels of arrays and objects can be run`;
}
