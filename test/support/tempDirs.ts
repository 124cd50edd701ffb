/**
 * Temporary directories a test run needs until its end (built bootstraps, copies of the examples, code-server's
 * extensions): made under the system's temp directory and removed when the process exits, so that running the tests
 * again and again leaves nothing behind.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const made: string[] = [];

process.on('exit', () => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** A new directory named `<prefix>XXXXXX`, removed with everything in it when this process exits. */
export function tempDirForRun(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
