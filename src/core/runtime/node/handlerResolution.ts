/**
 * NODE-1 / NODE-2: from a handler string to the file that holds it. Pure file-system lookups, shared by the engine
 * (to find TypeScript sources to transpile) and the bootstrap (to load the module).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type ModuleFormat = 'cjs' | 'esm' | 'ts';

export interface ResolvedHandler {
  /** Absolute path of the module file, or undefined when no file matched (then a bare require is tried). */
  file?: string;
  format: ModuleFormat;
  /**
   * TypeScript only: the module system it is compiled to, as Node.js would load its JavaScript: `.mts` is ESM, `.cts`
   * CommonJS, `.ts` ESM under a package.json with `"type": "module"`.
   */
  typescriptModule?: 'esm' | 'cjs';
  /** `dir/file` part, relative to the code root (for messages). */
  moduleName: string;
  /** Property path inside the module (`handler`, or `nested.handler`). */
  exportPath: string[];
}

export class HandlerNameError extends Error {
  override readonly name = 'Runtime.MalformedHandlerName';
}

/** NODE-1: `path/to/file.export[.nested]`; the module is everything before the first `.` of the last segment. */
export function parseNodeHandler(handler: string): { moduleName: string; exportPath: string[] } {
  // NODE-1: a handler may not climb out of the code root.
  if (handler.includes('..')) throw new HandlerNameError(`'..' is not allowed in handler name: ${handler}`);
  if (path.isAbsolute(handler)) throw new HandlerNameError(`Bad handler ${handler}: must be relative to the code root`);
  const slash = handler.lastIndexOf('/');
  const dir = handler.slice(0, slash + 1);
  const last = handler.slice(slash + 1);
  const dot = last.indexOf('.');
  if (dot <= 0 || dot === last.length - 1) throw new HandlerNameError(`Bad handler ${handler}`);
  const exportPath = last.slice(dot + 1).split('.');
  if (exportPath.some((p) => p.length === 0)) throw new HandlerNameError(`Bad handler ${handler}`);
  return { moduleName: dir + last.slice(0, dot), exportPath };
}

/** NODE-2: `.js` is ESM when the nearest package.json says `"type": "module"`. */
export function nearestPackageIsModule(file: string, stopAt?: string): boolean {
  let dir = path.dirname(file);
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { type?: unknown }).type === 'module';
      } catch {
        return false;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir || dir === stopAt) return false;
    dir = parent;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** NODE-2 lookup order: extensionless, .js, .mjs, .cjs; then TypeScript (.ts, .mts, .cts) as a runner convenience. */
export function resolveNodeHandler(codeRoot: string, handler: string): ResolvedHandler {
  const { moduleName, exportPath } = parseNodeHandler(handler);
  const base = path.resolve(codeRoot, moduleName);
  const candidates: [string, () => ModuleFormat][] = [
    ['', () => 'cjs'],
    ['.js', () => (nearestPackageIsModule(base + '.js') ? 'esm' : 'cjs')],
    ['.mjs', () => 'esm'],
    ['.cjs', () => 'cjs'],
    ['.ts', () => 'ts'],
    ['.mts', () => 'ts'],
    ['.cts', () => 'ts'],
  ];
  for (const [ext, format] of candidates) {
    const file = base + ext;
    if (!isFile(file)) continue;
    const resolved: ResolvedHandler = { file, format: format(), moduleName, exportPath };
    if (resolved.format === 'ts')
      resolved.typescriptModule = ext === '.mts' || (ext === '.ts' && nearestPackageIsModule(file)) ? 'esm' : 'cjs';
    return resolved;
  }
  return { moduleName, exportPath, format: 'cjs' };
}
