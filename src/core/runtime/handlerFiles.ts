/** The files of a function's code its runtime loads first, found the way the runtime finds them (NODE-2, PY-1). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isNodeRuntime, type RuntimeId } from './functionSpec';
import { HandlerNameError, resolveNodeHandler } from './node/handlerResolution';

const isFile = (p: string): boolean => {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
};

/** PY-1: the module file and the `__init__.py` of each package above it, under the code root (the module first). */
function pythonHandlerFiles(codeRoot: string, handler: string): string[] {
  const dot = handler.lastIndexOf('.');
  if (handler.includes('..') || dot <= 0) return []; // malformed: the bootstrap says so
  const parts = handler.slice(0, dot).replace(/\//g, '.').split('.');
  const packages: string[] = [];
  for (let i = 1; i <= parts.length; i++) {
    const dir = path.join(codeRoot, ...parts.slice(0, i));
    const init = path.join(dir, '__init__.py');
    if (isFile(init)) packages.push(init);
    else if (i === parts.length && isFile(`${dir}.py`)) packages.push(`${dir}.py`);
  }
  // The module itself first: the file discovery names too.
  return packages.reverse();
}

/**
 * The handler's module file (Node.js), or its module and packages (Python), as far as they exist under the code
 * root; a module found nowhere there is the runtime's to look up elsewhere (a package under node_modules, a
 * site-package) or to report missing.
 */
export function handlerFiles(spec: { codeRoot: string; handler: string; runtime: RuntimeId }): string[] {
  if (!isNodeRuntime(spec.runtime)) return pythonHandlerFiles(spec.codeRoot, spec.handler);
  try {
    const file = resolveNodeHandler(spec.codeRoot, spec.handler).file;
    return file ? [file] : [];
  } catch (e) {
    if (e instanceof HandlerNameError) return [];
    throw e;
  }
}
