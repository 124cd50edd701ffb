/** In-process test double of the runtime port: produces real InvokeOutcome objects from plain functions. */
import type { FunctionInvoker } from '../../../src/core/invoke/engineFunction';
import type { InvokeOutcome } from '../../../src/core/runtime/outcome';

export type FakeHandler = (event: unknown, requestId: string) => unknown;

/** Thrown by a fake handler to simulate SYNC-4. */
export class FakeTimeout extends Error {}

export class FakeInvoker implements FunctionInvoker {
  readonly calls: Array<{ functionName: string; event: unknown; requestId: string }> = [];

  constructor(private readonly handlers: Record<string, FakeHandler>) {}

  async invoke(functionName: string, payloadJson: string, opts: { requestId: string }): Promise<InvokeOutcome> {
    const handler = this.handlers[functionName];
    if (!handler) throw new Error(`no fake handler for ${functionName}`);
    const event = JSON.parse(payloadJson) as unknown;
    this.calls.push({ functionName, event, requestId: opts.requestId });
    const base = {
      requestId: opts.requestId,
      coldStart: this.calls.filter((c) => c.functionName === functionName).length === 1,
      logs: [],
      metrics: { durationMs: 1.5, billedDurationMs: 2, memorySizeMB: 128, maxMemoryUsedMB: 40 },
      startedAt: '2025-01-01T00:00:00.000Z',
      endedAt: '2025-01-01T00:00:00.002Z',
      environmentId: 'env-1',
    };
    try {
      const result = await handler(event, opts.requestId);
      return { ...base, result: result ?? null };
    } catch (error) {
      if (error instanceof FakeTimeout) {
        return {
          ...base,
          functionError: 'Unhandled',
          error: {
            errorType: 'Sandbox.Timedout',
            errorMessage: `RequestId: ${opts.requestId} Error: Task timed out after 3.00 seconds`,
          },
        };
      }
      const e = error as Error;
      return {
        ...base,
        functionError: 'Unhandled',
        error: { errorType: e.name, errorMessage: e.message, trace: [`${e.name}: ${e.message}`] },
      };
    }
  }
}
