/**
 * RUNTIME-3: the packages a handler's module graph imports (`import`, `require`, a dynamic `import('literal')`),
 * read by esbuild from the handler and every project file it imports, as the bundler of a deployment would. Kept per
 * handler file and read again when one of its files changes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadEsbuild } from './packedEsbuild';

interface Scan {
  inputs: Record<string, number>;
  packages: string[];
}

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`; undefined for relative, absolute and node: imports. */
export function packageNameOf(specifier: string): string | undefined {
  if (/^(?:\.{1,2}\/|\/|[a-zA-Z][a-zA-Z\d+.-]*:)/.test(specifier) || specifier.startsWith('#')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export class HandlerImports {
  private readonly scans = new Map<string, Scan>();

  /** The package names `entry` imports, directly or through the project files it imports. */
  async packagesOf(entry: string): Promise<string[]> {
    const known = this.scans.get(entry);
    if (known && Object.entries(known.inputs).every(([f, mtime]) => mtimeOf(f) === mtime)) return known.packages;
    const esbuild = await loadEsbuild();
    let metafile: import('esbuild').Metafile;
    try {
      ({ metafile } = await esbuild.build({
        entryPoints: [entry],
        bundle: true,
        write: false,
        metafile: true,
        packages: 'external',
        platform: 'node',
        // ESM output accepts everything a handler may contain (top-level await included); nothing is run.
        format: 'esm',
        outdir: path.dirname(entry),
        logLevel: 'silent',
      }));
    } catch {
      // A file that does not build is reported when the environment loads it; it imports nothing we can know.
      return [];
    }
    const packages = new Set<string>();
    const inputs: Record<string, number> = {};
    for (const [rel, input] of Object.entries(metafile.inputs)) {
      const abs = path.resolve(rel);
      const mtime = mtimeOf(abs);
      if (mtime !== undefined) inputs[abs] = mtime;
      for (const imported of input.imports) {
        const name = imported.external ? packageNameOf(imported.path) : undefined;
        if (name) packages.add(name);
      }
    }
    const scan = { inputs, packages: [...packages].sort() };
    this.scans.set(entry, scan);
    return scan.packages;
  }
}

function mtimeOf(file: string): number | undefined {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Node.js's own lookup, by directory: a `node_modules/<name>` in `fromDir` or any directory above it. */
export function packageResolvableFrom(fromDir: string, name: string): boolean {
  let dir = path.resolve(fromDir);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'node_modules', name, 'package.json'))) return true;
    const parent = path.dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}
