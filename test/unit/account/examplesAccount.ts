/** A LocalAccount over the functions discovered in examples/, with its durable store in a throwaway temp dir. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalAccount } from '../../../src/core/account/localAccount';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';
import { WorkspaceIndex } from '../../../src/core/discovery/workspaceIndex';
import { buildBootstraps } from '../runtime/bootstrapBuild';

export const examples = path.resolve(__dirname, '../../../examples');

/** The text of one of examples/sam-app/events. */
export const event = (name: string): string => fs.readFileSync(path.join(examples, 'sam-app/events', name), 'utf8');

/** Indexes examples/ and opens a LocalAccount on it; `dispose` closes the account and deletes its store. */
export async function openExamplesAccount(
  storePrefix: string,
): Promise<{ account: LocalAccount; dispose: () => Promise<void> }> {
  const index = new WorkspaceIndex({ root: examples });
  await index.build();
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), storePrefix));
  const removeStore = () => fs.rmSync(storeDir, { recursive: true, force: true });
  let account: LocalAccount;
  try {
    account = await LocalAccount.open({
      workspaceRoot: examples,
      functions: index.functions(),
      bootstrapDir: await buildBootstraps(),
      storeDir,
      location: DEFAULT_LOCATION,
    });
  } catch (err) {
    removeStore();
    throw err;
  }
  return {
    account,
    dispose: async () => {
      await account.dispose();
      removeStore();
    },
  };
}
