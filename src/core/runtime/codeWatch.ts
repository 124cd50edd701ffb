/**
 * Watches a workspace for changes to functions' code, so that a long-running front (`lambda-trigger serve`) runs
 * the new code on the next invocation instead of the module its warm environments loaded.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Folders whose changes are no function's code: the runner's own state, version control. */
const IGNORED = /(^|[\\/])(\.lambda-trigger|\.git)([\\/]|$)/;

/** The names of the functions whose code root holds one of `files` (absolute paths); none for the runner's state. */
export function functionsHolding(functions: readonly WatchedFunction[], files: readonly string[]): string[] {
  const code = files.filter((file) => !IGNORED.test(file));
  const names = functions
    .filter((fn) => code.some((file) => file === fn.codeRoot || file.startsWith(fn.codeRoot + path.sep)))
    .map((fn) => fn.name);
  return [...new Set(names)];
}

export interface WatchedFunction {
  name: string;
  /** Absolute directory the function's code lives in. */
  codeRoot: string;
}

/**
 * Calls `onChange` with the names of the functions whose code root holds a file that changed (changes within
 * `settleMs` are gathered into one call). Where the platform cannot watch a tree, returns a watcher that does nothing
 * and says why in `problem`.
 */
export function watchFunctionCode(
  root: string,
  functions: () => readonly WatchedFunction[],
  onChange: (functionNames: string[]) => void,
  settleMs = 50,
): { dispose(): void; problem?: string } {
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    const files = [...changed];
    changed.clear();
    const names = functionsHolding(functions(), files);
    if (names.length > 0) onChange(names);
  };
  let watcher: fs.FSWatcher;
  try {
    watcher = fs.watch(root, { recursive: true, persistent: false }, (_event, name) => {
      if (!name || IGNORED.test(name.toString())) return;
      changed.add(path.join(root, name.toString()));
      timer ??= setTimeout(flush, settleMs);
    });
  } catch (err) {
    return {
      dispose: () => undefined,
      problem: `code changes are not watched (${err instanceof Error ? err.message : String(err)}); restart to run changed code`,
    };
  }
  watcher.on('error', () => watcher.close());
  return {
    dispose: () => {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
