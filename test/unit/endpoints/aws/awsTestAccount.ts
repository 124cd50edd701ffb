/**
 * A local account on a temporary workspace for the AWS endpoint's tests: handler files written into it, its
 * node_modules linked to the project's (so that handlers find the AWS SDK clients the tests use, as a project that
 * installed them would), a throwaway store, and the endpoint's URL and key.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_LOCATION } from '../../../../src/core/awsLocation';
import type { FunctionConfig } from '../../../../src/core/discovery/functionConfig';
import { LocalAccount, type LocalAccountOptions } from '../../../../src/core/account/localAccount';
import type { AwsEndpointInfo } from '../../../../src/core/endpoints/aws/awsEndpoint';
import { buildBootstraps } from '../../runtime/bootstrapBuild';

const repoRoot = path.resolve(__dirname, '../../../..');

export interface AwsTestAccount {
  account: LocalAccount;
  endpoint: AwsEndpointInfo;
  /** The workspace folder (handlers live here). */
  dir: string;
  /** Client options for an AWS SDK v3 client on the endpoint. */
  client: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  dispose(): Promise<void>;
}

/** A temporary workspace with `files` (name → content) and a node_modules link to the project's. */
export function tempWorkspace(prefix: string, files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return dir;
}

export async function openAwsTestAccount(
  prefix: string,
  functions: (dir: string) => FunctionConfig[],
  files: Record<string, string> = {},
  options: Partial<LocalAccountOptions> = {},
): Promise<AwsTestAccount> {
  const dir = tempWorkspace(prefix, files);
  const account = await LocalAccount.open({
    workspaceRoot: dir,
    functions: functions(dir),
    bootstrapDir: await buildBootstraps(),
    storeDir: path.join(dir, '.lambda-trigger', 'store'),
    location: DEFAULT_LOCATION,
    // The SDK reads ~/.aws when it can: handlers must not find the developer's files.
    userEnv: { HOME: dir },
    ...options,
  });
  let endpoint: AwsEndpointInfo;
  try {
    endpoint = await account.awsEndpoint();
  } catch (err) {
    await account.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    account,
    endpoint,
    dir,
    client: {
      endpoint: endpoint.url,
      region: endpoint.region,
      credentials: { accessKeyId: endpoint.accessKeyId, secretAccessKey: endpoint.secretAccessKey },
    },
    async dispose() {
      try {
        await account.dispose();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
