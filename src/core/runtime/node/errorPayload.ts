/** SYNC-3: how a thrown value becomes Lambda's Node.js error payload. */
import type { FunctionErrorPayload } from '../outcome';

export function toErrorPayload(err: unknown): FunctionErrorPayload {
  if (err instanceof Error || (err !== null && typeof err === 'object' && 'message' in err && 'stack' in err)) {
    const e = err as Error;
    let name: string;
    let message: string;
    let stack: string;
    try {
      name = String(e.name ?? 'Error');
      message = String(e.message ?? '');
      stack = typeof e.stack === 'string' ? e.stack : '';
    } catch {
      return { errorType: 'Error', errorMessage: 'Error object could not be read', trace: [] };
    }
    return { errorType: name, errorMessage: message, trace: stack ? stack.split('\n') : [] };
  }
  // SYNC-3: a thrown non-Error value v becomes {errorType: typeof v, errorMessage: String(v), trace: []}.
  let text: string;
  try {
    text = String(err);
  } catch {
    text = Object.prototype.toString.call(err);
  }
  return { errorType: typeof err, errorMessage: text, trace: [] };
}

/** NODE-3: init failures are wrapped in a Runtime.* error whose message is the original error's string form. */
export function wrappedErrorPayload(errorType: string, err: unknown): FunctionErrorPayload {
  const inner = toErrorPayload(err);
  const message = err instanceof Error ? `${inner.errorType}: ${inner.errorMessage}` : inner.errorMessage;
  const innerTrace = inner.trace ?? [];
  return {
    errorType,
    errorMessage: message,
    trace: [`${errorType}: ${message}`, ...innerTrace.filter((l) => /^\s+at /.test(l))],
  };
}
