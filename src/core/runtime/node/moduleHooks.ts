/**
 * Module hooks of an execution environment, registered by the bootstrap with `module.register` and run in Node.js's
 * module loader thread. Bundled on its own to dist/runtime/node-module-hooks.mjs (ESM).
 *
 * - NODE-2: an ES module TypeScript handler is imported under its own `.ts` URL and its compiled JavaScript is served
 *   in its place, so that `import.meta.url`, package imports from its folder, stack traces and breakpoints all refer
 *   to the `.ts` file (its inline source map maps the lines).
 * - RUNTIME-3: a package an ES module imports that is not in the project is looked for in the runtime's preinstalled
 *   packages, after the project's node_modules, as Lambda's runtimes provide the AWS SDK.
 */
import { readFile } from 'node:fs/promises';
import type { LoadHook, ResolveHook } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface ModuleHooksData {
  /** `file:` URL of a TypeScript module → its compiled JavaScript (a file path). */
  compiled: Record<string, string>;
  /** node_modules directories searched for a bare import the project does not have. */
  fallbackNodeModules: string[];
}

let data: ModuleHooksData = { compiled: {}, fallbackNodeModules: [] };

export function initialize(given: ModuleHooksData): void {
  data = given;
}

const isBare = (specifier: string): boolean =>
  !/^(?:\.{1,2}\/|\/|[a-zA-Z][a-zA-Z\d+.-]*:)/.test(specifier) && !specifier.startsWith('#');

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND' || !isBare(specifier)) throw err;
    for (const dir of data.fallbackNodeModules) {
      try {
        return await nextResolve(specifier, { ...context, parentURL: pathToFileURL(path.join(dir, 'noop.js')).href });
      } catch {
        // Not there either.
      }
    }
    throw err;
  }
};

export const load: LoadHook = async (url, context, nextLoad) => {
  const compiled = data.compiled[url];
  if (compiled) return { format: 'module', source: await readFile(compiled, 'utf8'), shortCircuit: true };
  return nextLoad(url, context);
};
