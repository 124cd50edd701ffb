/** What a durable store has appended to its segment files so far (tests that check what reached the disk). */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The text of every segment file in `storeDir`, oldest first, joined. */
export function segmentsText(storeDir: string): string {
  return fs
    .readdirSync(storeDir)
    .filter((f) => f.startsWith('segment-'))
    .sort()
    .map((f) => fs.readFileSync(path.join(storeDir, f), 'utf8'))
    .join('');
}
