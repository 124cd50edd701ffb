/** Which Python runs a function: the configured interpreter, else the workspace's virtualenv, else python3 on PATH. */
import * as fs from 'node:fs';
import * as path from 'node:path';

const VENV_DIRS = ['.venv', 'venv', '.env', 'env'];

function venvPython(dir: string): string | undefined {
  for (const v of VENV_DIRS) {
    const candidates =
      process.platform === 'win32'
        ? [path.join(dir, v, 'Scripts', 'python.exe')]
        : [path.join(dir, v, 'bin', 'python3'), path.join(dir, v, 'bin', 'python')];
    for (const c of candidates) if (fs.existsSync(c)) return c;
  }
  return undefined;
}

/** Looks for a virtualenv in the code root and its parents, up to (and including) `stopAt` when given. */
export function detectPythonInterpreter(codeRoot: string, stopAt?: string): string | undefined {
  let dir = path.resolve(codeRoot);
  for (;;) {
    const found = venvPython(dir);
    if (found) return found;
    const parent = path.dirname(dir);
    if (parent === dir || (stopAt !== undefined && path.resolve(stopAt) === dir)) return undefined;
    dir = parent;
  }
}

export function resolvePythonInterpreter(codeRoot: string, configured?: string, workspaceRoot?: string): string {
  if (configured) return configured;
  return detectPythonInterpreter(codeRoot, workspaceRoot) ?? (process.platform === 'win32' ? 'python' : 'python3');
}
