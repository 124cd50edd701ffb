/**
 * What `require('typescript')` gives the bundles (scripts/build.mjs maps it here): the discovery parser, bundled once
 * into dist/vendor/typescript.js (3.5 MB), compiled with a V8 code cache kept in the temp folder. Compiling it costs
 * 200–350 ms on every start of the language server or the CLI; from the cache, a third of that. The cache is V8's: it
 * is checked against the script and this Node.js, and rewritten when V8 rejects it. Run from source, `typescript` is
 * the package itself and this file is not used.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import Module from 'node:module';

function cacheFileFor(file: string): string {
  const stat = fs.statSync(file);
  const key = `typescript-${stat.size}-${Math.round(stat.mtimeMs)}-${process.version}-${process.arch}.v8cache`;
  return path.join(os.tmpdir(), 'lambda-trigger-runner', 'v8-cache', key);
}

function load(): unknown {
  const file = path.join(__dirname, 'vendor', 'typescript.js');
  const source = fs.readFileSync(file, 'utf8');
  let cacheFile: string | undefined;
  let cachedData: Buffer | undefined;
  try {
    cacheFile = cacheFileFor(file);
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined; // no cache yet: compiled from source, and the cache written once warm
  }
  const wrapped = (Module as unknown as { wrap(code: string): string }).wrap(source);
  const script = new vm.Script(wrapped, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const module = { exports: {} as unknown };
  const fn = script.runInThisContext() as (...args: unknown[]) => void;
  fn.call(module.exports, module.exports, require, module, file, path.dirname(file));
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    const target = cacheFile;
    let written = false;
    const write = (): void => {
      if (written) return;
      written = true;
      try {
        fs.mkdirSync(path.dirname(target), { recursive: true });
        const temp = `${target}.${process.pid}.tmp`;
        fs.writeFileSync(temp, script.createCachedData());
        fs.renameSync(temp, target);
      } catch {
        // A read-only temp folder: the next start compiles from source again.
      }
    };
    // Written once warm, so that it holds the functions the first parses compiled too (or as a short CLI run ends).
    setTimeout(write, 1000).unref();
    process.once('exit', write);
  }
  return module.exports;
}

module.exports = load();
