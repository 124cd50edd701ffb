/** Builds an engine over a temporary store for one test. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';
import type { FunctionConfig } from '../../../src/core/discovery/functionConfig';
import { InvocationEngine } from '../../../src/core/invoke/invocationEngine';
import { VirtualClock } from '../../../src/core/invoke/virtualClock';
import { LocalServices } from '../../../src/core/services/localServices';
import type { DeclaredResources } from '../../../src/core/services/resources';
import { DurableStore } from '../../../src/core/store/durableStore';
import { tempDirForRun } from '../../support/tempDirs';
import { FakeInvoker, type FakeHandler } from './fakeInvoker';

export const T0 = Date.UTC(2025, 0, 1, 0, 0, 0);

export interface Harness {
  engine: InvocationEngine;
  services: LocalServices;
  invoker: FakeInvoker;
  dir: string;
  close(): Promise<void>;
}

/** What a test runs: the functions (the model, with their triggers) and any resource declared on its own. */
export interface TestAccount extends DeclaredResources {
  functions: FunctionConfig[];
}

/** An engine and its services over `store`, as a LocalAccount opens them. */
export function openEngine(
  store: DurableStore,
  account: TestAccount,
  invoker: FakeInvoker | InvocationEngine['invoker'],
  clock = new VirtualClock({ start: T0 }),
): { engine: InvocationEngine; services: LocalServices } {
  const { functions, ...resources } = account;
  const services = new LocalServices({ store, clock, location: DEFAULT_LOCATION });
  services.declare(resources);
  const engine = new InvocationEngine({ invoker, services, clock, functions });
  return { engine, services };
}

export async function harness(account: TestAccount, handlers: Record<string, FakeHandler>): Promise<Harness> {
  // Removed by close(), or when the run ends for a test that leaves its harness open (a crash it simulates).
  const dir = tempDirForRun('lt-invoke-');
  const store = await DurableStore.open(path.join(dir, 'store'));
  const invoker = new FakeInvoker(handlers);
  const { engine, services } = openEngine(store, account, invoker);
  return {
    engine,
    services,
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
