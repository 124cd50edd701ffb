/** Builds an engine over a temporary store for one test. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InvocationEngine } from '../../../src/core/invoke/invocationEngine';
import type { EngineConfiguration } from '../../../src/core/invoke/functionSettings';
import { VirtualClock } from '../../../src/core/invoke/virtualClock';
import { DurableStore } from '../../../src/core/store/durableStore';
import { FakeInvoker, type FakeHandler } from './fakeInvoker';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';

export const T0 = Date.UTC(2025, 0, 1, 0, 0, 0);

export interface Harness {
  engine: InvocationEngine;
  invoker: FakeInvoker;
  dir: string;
  close(): Promise<void>;
}

export async function harness(
  configuration: EngineConfiguration,
  handlers: Record<string, FakeHandler>,
): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-invoke-'));
  const store = await DurableStore.open(path.join(dir, 'store'));
  const invoker = new FakeInvoker(handlers);
  const engine = new InvocationEngine({
    location: DEFAULT_LOCATION,
    invoker,
    store,
    configuration,
    clock: new VirtualClock({ start: T0 }),
  });
  return {
    engine,
    invoker,
    dir,
    close: async () => {
      await engine.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Simulated offset (ms since T0) of an ISO time. */
export function offset(iso: string): number {
  return Date.parse(iso) - T0;
}
