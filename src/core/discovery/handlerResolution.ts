import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { runtimeFamily, type DiscoveryProblem } from './functionConfig';

/** NODE-2: JavaScript first, in Lambda's order; TypeScript sources are the runner's convenience. */
export const NODE_EXTENSIONS = ['', '.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'] as const;

export interface HandlerResolution {
  /** Absolute file, when one exists. */
  file?: string;
  /** The exported name (Node: first property of the path) or Python function name. */
  exportName: string;
  /** Every absolute path tried, in order, for the "resolves to nothing" diagnostic. */
  tried: string[];
  problem?: { code: DiscoveryProblem['code']; message: string };
}

export type FileExists = (file: string) => boolean;

export const fileExists: FileExists = (file) => {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
};

interface Split {
  modulePath: string;
  exportName: string;
}

/** NODE-1: the module is everything before the first `.` of the last path segment. */
function splitNodeHandler(handler: string): Split | undefined {
  const slash = handler.lastIndexOf('/');
  const dot = handler.indexOf('.', slash + 1);
  if (dot <= slash + 1 || dot === handler.length - 1) return undefined;
  return { modulePath: handler.slice(0, dot), exportName: handler.slice(dot + 1).split('.')[0] };
}

/** PY-1: split at the last `.`; `/` and `.` in the module part are both package separators. */
function splitPythonHandler(handler: string): Split | undefined {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0 || dot === handler.length - 1) return undefined;
  return { modulePath: handler.slice(0, dot).replace(/\./g, '/'), exportName: handler.slice(dot + 1) };
}

/**
 * NODE-2: what the runtime loads when no file matches by extension and the module names a directory: `require`'s
 * choice, its package.json `main` or its index.js, with symlinks followed as `require` follows them.
 */
function directoryIndex(codeRoot: string, split: Split): string | undefined {
  const base = path.resolve(codeRoot, split.modulePath);
  try {
    if (!fs.statSync(base).isDirectory()) return undefined;
    return createRequire(path.join(codeRoot, 'index.js')).resolve(base);
  } catch {
    return undefined;
  }
}

function candidates(codeRoot: string, family: 'node' | 'python', split: Split): string[] {
  const base = path.resolve(codeRoot, split.modulePath);
  if (family === 'node') return NODE_EXTENSIONS.map((ext) => base + ext);
  return [`${base}.py`, path.join(base, '__init__.py')];
}

/** Finds the file a handler string points at under a code root, the way the runtime would. */
export function resolveHandler(
  codeRoot: string,
  handler: string,
  runtime: string | undefined,
  exists: FileExists = fileExists,
): HandlerResolution {
  const family = runtimeFamily(runtime);
  const exportFallback = handler.split('.').pop() ?? handler;
  if (handler.split('/').includes('..') || handler.includes('..')) {
    // NODE-1 / PY-2: Runtime.MalformedHandlerName
    return {
      exportName: exportFallback,
      tried: [],
      problem: {
        code: 'malformed-handler',
        message: `Handler "${handler}" contains "..": Runtime.MalformedHandlerName`,
      },
    };
  }
  const families: Array<'node' | 'python'> =
    family === 'node' ? ['node', 'python'] : family === 'python' ? ['python', 'node'] : ['node', 'python'];
  const tried: string[] = [];
  let first: Split | undefined;
  for (const [i, fam] of families.entries()) {
    const split = fam === 'node' ? splitNodeHandler(handler) : splitPythonHandler(handler);
    if (!split) continue;
    first ??= split;
    for (const candidate of candidates(codeRoot, fam, split)) {
      // The extensionless candidate can be a directory (`src/index` next to `src/index.js`): files only.
      if (i === 0) tried.push(candidate);
      if (!exists(candidate)) continue;
      if (i > 0 && family !== 'other') {
        return {
          file: candidate,
          exportName: split.exportName,
          tried,
          problem: {
            code: 'runtime-mismatch',
            message: `Runtime ${runtime} does not match handler file ${candidate} (a ${fam === 'node' ? 'Node.js' : 'Python'} file)`,
          },
        };
      }
      return { file: candidate, exportName: split.exportName, tried };
    }
  }
  const nodeSplit = family === 'python' ? undefined : splitNodeHandler(handler);
  const index = nodeSplit && directoryIndex(codeRoot, nodeSplit);
  if (index) return { file: index, exportName: nodeSplit.exportName, tried };
  if (!first) {
    return {
      exportName: exportFallback,
      tried,
      problem: {
        code: 'malformed-handler',
        message: `Handler "${handler}" is not of the form <module>.<function>: Runtime.MalformedHandlerName`,
      },
    };
  }
  return {
    exportName: first.exportName,
    tried,
    problem: {
      code: 'handler-not-found',
      message: `Handler "${handler}" resolves to no file; tried ${tried.map((t) => path.relative(codeRoot, t) || t).join(', ')} under ${codeRoot}`,
    },
  };
}

/** True when `file` is inside `root` (or is it). */
export function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

const SOURCE_EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs', '.jsx'];

/**
 * The file a relative module specifier of an `import`/`export ... from` names, as TypeScript and Node resolve it:
 * the path itself, its TypeScript source (`./app.js` written for `./app.ts`), an added extension, or an index file.
 * Undefined for a package or a file that does not exist.
 */
export function resolveModuleSpecifier(
  fromFile: string,
  specifier: string,
  exists: FileExists = fileExists,
): string | undefined {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const base = path.resolve(path.dirname(fromFile), specifier);
  const source = base.replace(/\.(m|c)?js(x?)$/, (_, kind: string | undefined, x: string) => `.${kind ?? ''}ts${x}`);
  const candidates = [
    base,
    source,
    ...SOURCE_EXTENSIONS.map((ext) => base + ext),
    ...SOURCE_EXTENSIONS.map((ext) => path.join(base, `index${ext}`)),
  ];
  return candidates.find((c) => exists(c));
}
