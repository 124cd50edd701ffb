/**
 * The HTTP front on a LocalWorkspaceEngine over a temporary copy of a workspace (real discovery, real execution
 * environments), for tests and the benchmark.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalAccount } from '../../../src/core/account/localAccount';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';
import { WorkspaceIndex } from '../../../src/core/discovery/workspaceIndex';
import { HttpFront, type HttpFrontOptions } from '../../../src/core/endpoints/httpFront';
import { LocalWorkspaceEngine } from '../../../src/core/endpoints/localWorkspaceEngine';
import { buildBootstraps } from '../runtime/bootstrapBuild';

export const httpApp = path.resolve(__dirname, '../../fixtures/endpoints/http-app');

export interface ServedWorkspace {
  root: string;
  account: LocalAccount;
  engine: LocalWorkspaceEngine;
  front: HttpFront;
  dispose(): Promise<void>;
}

/** Copies `source`, discovers its functions, opens an account on a temp store and starts the front on port 0. */
export async function serveWorkspace(
  source: string,
  options: HttpFrontOptions = {},
  bootstrap: { minify?: boolean } = {},
  /** Runs on the copy before discovery (a test writes its env.json there). */
  prepare?: (root: string) => void,
): Promise<ServedWorkspace> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ltr-http-'));
  fs.cpSync(source, root, { recursive: true });
  prepare?.(root);
  const index = new WorkspaceIndex({ root });
  await index.build();
  const account = await LocalAccount.open({
    workspaceRoot: root,
    functions: index.functions(),
    bootstrapDir: await buildBootstraps(bootstrap),
    storeDir: path.join(root, '.lambda-trigger', 'store'),
    location: DEFAULT_LOCATION,
  });
  const engine = new LocalWorkspaceEngine(account);
  let front: HttpFront;
  try {
    front = await HttpFront.start(engine, options);
  } catch (err) {
    await account.dispose();
    throw err;
  }
  return {
    root,
    account,
    engine,
    front,
    dispose: async () => {
      try {
        await front.close();
        await account.dispose();
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
