/**
 * A throwaway store: a temp folder the account's store lives in for one run (the CLI's --ephemeral), or while the
 * workspace's store cannot be written (both fronts fall back to one). Its owner removes it when the account closes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeErrorOf } from './durableStore';

/** A new temp folder for a store, empty or with the files of the store at `copyOf` (its lock left out). */
export function createThrowawayStore(copyOf?: string): string {
  const parent = os.tmpdir();
  let dir: string | undefined;
  try {
    dir = fs.mkdtempSync(path.join(parent, 'lambda-trigger-store-'));
    if (copyOf) {
      for (const name of fs.readdirSync(copyOf))
        if (/^(snapshot|segment)-\d+\.jsonl$/.test(name))
          fs.copyFileSync(path.join(copyOf, name), path.join(dir, name));
    }
    return dir;
  } catch (e) {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    throw writeErrorOf(dir ?? parent, copyOf ? 'copy the workspace store' : 'create a throwaway store', e);
  }
}
