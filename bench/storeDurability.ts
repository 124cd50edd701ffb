/**
 * Store durability under SIGKILL (a check, not a benchmark: not run by `npm run bench`): writers are killed at random
 * points over many rounds and the store reopened after each; prints the events they had confirmed on disk and how
 * many of those were lost (must be 0; exits 1 otherwise). The unit suite runs a few rounds of the same
 * (test/unit/invoke/durability.test.ts).
 *   npx tsx bench/storeDurability.ts [rounds, default 200]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { killWriterRounds } from '../test/fixtures/store/killWriters';

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 200);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-store-durability-'));
  try {
    const result = await killWriterRounds(path.join(dir, 'store'), rounds);
    console.log(
      `${result.rounds} writers killed; ${result.confirmed} events confirmed on disk, ${result.lost.length} lost; ` +
        `${result.kept} events in the store; ${result.files.length} files at the end: ${result.files.join(' ')}`,
    );
    if (result.lost.length > 0) {
      console.error(`lost: ${result.lost.join(' ')}`);
      process.exitCode = 1;
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
