import * as fs from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';

/** Folders never worth scanning: dependencies, build output, SAM/CDK/serverless artefacts, virtualenvs. */
export const DEFAULT_IGNORE_GLOBS = [
  '**/node_modules',
  '**/.git',
  '**/.aws-sam',
  '**/dist',
  '**/build',
  '**/cdk.out/asset.*',
  '**/.serverless',
  '**/__pycache__',
  '**/.venv',
];

export type IgnoreTest = (relativePath: string) => boolean;

/** Globs are matched against paths relative to the workspace root, with `/` separators. */
export function ignoreMatcher(globs: readonly string[] = DEFAULT_IGNORE_GLOBS): IgnoreTest {
  const match = picomatch(globs as string[], { dot: true });
  return (rel) => match(rel) || match(`${rel}/`);
}

/** Longest stretch of synchronous work between two yields to the event loop, ms. */
const YIELD_EVERY_MS = 10;

/**
 * Every file under root not under an ignored folder, synchronous per directory. It yields to the event loop before it
 * starts and then every few milliseconds, so that a language server answers requests while it indexes.
 */
export async function walkWorkspace(root: string, ignored: IgnoreTest, onFile: (file: string) => void): Promise<void> {
  const pending = [root];
  const pause = () => new Promise<void>((resolve) => setImmediate(resolve));
  await pause();
  let lastYield = performance.now();
  while (pending.length > 0) {
    const dir = pending.pop() as string;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable folders are skipped; they cannot hold anything we could run
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(root, full).split(path.sep).join('/');
      if (ignored(rel)) continue;
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile()) onFile(full);
      if (performance.now() - lastYield >= YIELD_EVERY_MS) {
        await pause();
        lastYield = performance.now();
      }
    }
  }
}
