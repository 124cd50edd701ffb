/**
 * Where a function's code may come from: its code root inside the workspace, its handler file inside its code root,
 * compared as real paths (symlinks resolved, the workspace's own path included), so that neither a `CodeUri: ../x`
 * nor a link in the code root runs code from elsewhere. Discovery reports what the runtime refuses, in the same words.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The path with every symlink resolved; for a path that does not exist, its nearest existing parent's. */
export function realPath(p: string): string {
  const abs = path.resolve(p);
  try {
    return fs.realpathSync.native(abs);
  } catch {
    const parent = path.dirname(abs);
    return parent === abs ? abs : path.join(realPath(parent), path.basename(abs));
  }
}

/** How a real path is found: realPath itself, or a memo of it for one pass over many functions. */
export type RealPathOf = (p: string) => string;

/**
 * realPath remembered for the paths asked again (discovery asks for the workspace's and a shared code root's real path
 * once per function): its owner makes a new one when a file appears or disappears.
 */
export function realPathMemo(): RealPathOf {
  const known = new Map<string, string>();
  return (p) => {
    let real = known.get(p);
    if (real === undefined) {
      real = realPath(p);
      known.set(p, real);
    }
    return real;
  };
}

/** True when `p` is `root` or below it (both as given: compare real paths to real paths). */
export function isInsidePath(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

const resolvedAs = (p: string, real: string): string =>
  real === path.resolve(p) ? '' : ` (which resolves to ${real})`;

/** Why a code root lies outside the workspace, naming both; undefined when it is inside. */
export function codeRootOutsideWorkspace(
  codeRoot: string,
  workspaceRoot: string,
  realPathOf: RealPathOf = realPath,
): string | undefined {
  const real = realPathOf(codeRoot);
  if (isInsidePath(realPathOf(workspaceRoot), real)) return undefined;
  return `code root ${codeRoot}${resolvedAs(codeRoot, real)} is outside the workspace ${workspaceRoot}`;
}

/** Why a handler's file lies outside its code root (through a symlink, say), naming both; undefined when inside. */
export function handlerFileOutsideCodeRoot(
  file: string,
  codeRoot: string,
  realPathOf: RealPathOf = realPath,
): string | undefined {
  const real = realPathOf(file);
  if (isInsidePath(realPathOf(codeRoot), real)) return undefined;
  return `handler file ${file}${resolvedAs(file, real)} is outside its code root ${codeRoot}`;
}
