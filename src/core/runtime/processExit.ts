/** SYNC-4, SYNC-5, NODE-12: the error payloads for environments that died or were killed during an invocation. */
import type { FunctionErrorPayload } from './outcome';

const SIGNAL_NAMES: Record<string, string> = {
  SIGKILL: 'killed',
  SIGTERM: 'terminated',
  SIGABRT: 'aborted',
  SIGSEGV: 'segmentation fault',
  SIGTRAP: 'trace/breakpoint trap',
  SIGBUS: 'bus error',
  SIGILL: 'illegal instruction',
  SIGFPE: 'floating point exception',
  SIGINT: 'interrupt',
  SIGHUP: 'hangup',
};

/** SYNC-5 wording (Go's exec error strings, as Lambda prints them). */
export function exitReason(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `Runtime exited with error: signal: ${SIGNAL_NAMES[signal] ?? signal}`;
  if (code === 0 || code === null) return 'Runtime exited without providing a reason';
  return `Runtime exited with error: exit status ${code}`;
}

export function exitError(requestId: string, code: number | null, signal: NodeJS.Signals | null): FunctionErrorPayload {
  return { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: ${exitReason(code, signal)}` };
}

/** NODE-12: Lambda reports an out-of-memory kill as `signal: killed`. */
export function outOfMemoryError(requestId: string): FunctionErrorPayload {
  return {
    errorType: 'Runtime.OutOfMemory',
    errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`,
  };
}

/** SYNC-4: `Task timed out after 3.00 seconds`. */
export function timeoutMessage(timeoutSeconds: number): string {
  return `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}

export function timeoutError(requestId: string, timeoutSeconds: number): FunctionErrorPayload {
  return {
    errorType: 'Sandbox.Timedout',
    errorMessage: `RequestId: ${requestId} Error: ${timeoutMessage(timeoutSeconds)}`,
  };
}

/** Heap exhaustion messages printed by V8 (Node) before it aborts. */
export function looksLikeHeapExhaustion(stderrTail: string): boolean {
  return /JavaScript heap out of memory|Reached heap limit|MemoryError/.test(stderrTail);
}
