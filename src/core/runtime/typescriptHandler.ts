/**
 * TypeScript handlers (NODE-2 runner convenience): transpiled on load with esbuild, bundled with the project's own
 * .ts imports and tsconfig `paths` resolved, packages left external, inline source maps so that stack traces point at
 * .ts lines. A module Node.js would load as ESM (`.mts`, or `.ts` under `"type": "module"`) is compiled to ESM, so
 * that top-level `await` works as in the Node.js runtimes; the rest to CommonJS. The output is cached on disk, keyed
 * by the mtimes of every input file.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FunctionErrorPayload } from './outcome';
import { loadEsbuild } from './packedEsbuild';

export interface CompiledHandler {
  /** The output, loaded in the child under the original .ts file's name (CommonJS) or URL (ESM, by a load hook). */
  compiledFile: string;
}

export type CompiledModule = 'cjs' | 'esm';

interface CacheEntry {
  inputs: Record<string, number>;
  compiledFile: string;
}

export function defaultTypeScriptCacheDir(): string {
  return path.join(os.tmpdir(), 'lambda-trigger-runner', 'ts-cache');
}

export class TypeScriptCompileError extends Error {
  constructor(readonly payload: FunctionErrorPayload) {
    super(payload.errorMessage);
  }
}

export class TypeScriptCompiler {
  private readonly memory = new Map<string, CacheEntry>();
  /** Concurrent cold starts of one file share one build. */
  private readonly inFlight = new Map<string, Promise<CompiledHandler>>();

  constructor(private readonly cacheDir = defaultTypeScriptCacheDir()) {}

  compile(file: string, module: CompiledModule = 'cjs'): Promise<CompiledHandler> {
    const id = `${module}:${file}`;
    const running = this.inFlight.get(id);
    if (running) return running;
    const p = this.compileOnce(file, module).finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, p);
    return p;
  }

  private key(file: string, module: CompiledModule): string {
    return createHash('sha1')
      .update(module === 'cjs' ? file : `${module}:${file}`)
      .digest('hex')
      .slice(0, 16);
  }

  private fresh(entry: CacheEntry | undefined): boolean {
    if (!entry || !fs.existsSync(entry.compiledFile)) return false;
    for (const [f, mtime] of Object.entries(entry.inputs)) {
      try {
        if (fs.statSync(f).mtimeMs !== mtime) return false;
      } catch {
        return false;
      }
    }
    return true;
  }

  private async compileOnce(file: string, module: CompiledModule): Promise<CompiledHandler> {
    const key = this.key(file, module);
    const manifest = path.join(this.cacheDir, `${key}.json`);
    let entry = this.memory.get(key);
    if (!entry) {
      try {
        entry = JSON.parse(fs.readFileSync(manifest, 'utf8')) as CacheEntry;
      } catch {
        entry = undefined;
      }
    }
    if (entry && this.fresh(entry)) {
      this.memory.set(key, entry);
      return { compiledFile: entry.compiledFile };
    }
    const esbuild = await loadEsbuild();
    let result: import('esbuild').BuildResult<{ write: false; metafile: true }>;
    try {
      result = await esbuild.build({
        entryPoints: [file],
        // Written nowhere; placing the virtual output beside the source keeps source-map paths relative to it.
        outfile: file.replace(/\.[cm]?ts$/, '.lambda-trigger.js'),
        write: false,
        bundle: true,
        packages: 'external',
        platform: 'node',
        format: module,
        target: `node${process.versions.node.split('.')[0]}`,
        sourcemap: 'inline',
        sourcesContent: false,
        metafile: true,
        logLevel: 'silent',
        keepNames: true,
        ...(module === 'cjs'
          ? {
              // import.meta.url has no CommonJS equivalent by default; give it the .ts file's URL.
              define: { 'import.meta.url': '__lambdaTriggerImportMetaUrl' },
              banner: { js: 'var __lambdaTriggerImportMetaUrl = require("url").pathToFileURL(__filename).href;' },
            }
          : {
              // A CommonJS file bundled into ESM still calls require: give it one that resolves from the .ts file.
              banner: {
                js: 'import { createRequire as __lambdaTriggerCreateRequire } from "node:module"; const require = __lambdaTriggerCreateRequire(import.meta.url);',
              },
            }),
      });
    } catch (e) {
      throw new TypeScriptCompileError(compileErrorPayload(e));
    }
    const inputs: Record<string, number> = {};
    const cwd = process.cwd();
    for (const rel of Object.keys(result.metafile.inputs)) {
      const abs = path.resolve(cwd, rel);
      try {
        inputs[abs] = fs.statSync(abs).mtimeMs;
      } catch {
        // Virtual or vanished input: it will not be checked.
      }
    }
    fs.mkdirSync(this.cacheDir, { recursive: true });
    const compiledFile = path.join(
      this.cacheDir,
      `${key}.${Date.now().toString(36)}.${module === 'esm' ? 'mjs' : 'js'}`,
    );
    fs.writeFileSync(compiledFile, result.outputFiles[0].text);
    const fresh: CacheEntry = { inputs, compiledFile };
    fs.writeFileSync(manifest, JSON.stringify(fresh));
    if (entry && entry.compiledFile !== compiledFile) fs.rm(entry.compiledFile, { force: true }, () => undefined);
    this.memory.set(key, fresh);
    return { compiledFile };
  }
}

/** NODE-3: a TypeScript syntax error is reported like a JavaScript one. */
function compileErrorPayload(e: unknown): FunctionErrorPayload {
  const errors = (
    e as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }
  ).errors;
  const first = errors?.[0];
  if (!first) return { errorType: 'Runtime.UserCodeSyntaxError', errorMessage: String(e), trace: [] };
  const where = first.location
    ? `${path.resolve(first.location.file)}:${first.location.line}:${first.location.column + 1}`
    : '';
  const isResolve = /Could not resolve/.test(first.text);
  const errorType = isResolve ? 'Runtime.ImportModuleError' : 'Runtime.UserCodeSyntaxError';
  const message = isResolve ? `Error: ${first.text}` : `SyntaxError: ${first.text}`;
  return {
    errorType,
    errorMessage: message,
    trace: [`${errorType}: ${message}`, ...(where ? [`    at ${where}`] : [])],
  };
}
