/**
 * RUNTIME-3: boto3, which Lambda's Python runtimes include. An interpreter that has it (the project's virtualenv, a
 * pip install) uses its own; for one that lacks it the runner keeps a copy in the runtime cache
 * (`<cacheDir>/python/boto3-<version>`), appended to `sys.path` after the interpreter's own packages. The copy comes
 * from another Python of this machine that has boto3 and its pure-Python dependencies (when that boto3 supports the
 * interpreter's version), else from `pip install --target` with the interpreter's own pip and settings.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { compareVersions } from './npmRegistry';
import { publishDirectory, siblingTemp } from './runtimeCache';
import type { RuntimeHost } from './runtimeHosts';
import { reportProgress, type RuntimeProgressListener } from './runtimeProgress';

/** boto3 and what it imports: all pure Python. */
const PACKAGES = ['boto3', 'botocore', 's3transfer', 'jmespath', 'dateutil', 'urllib3'];
const MODULES = ['six.py'];
const DISTRIBUTIONS = ['boto3', 'botocore', 's3transfer', 'jmespath', 'python_dateutil', 'urllib3', 'six'];
const RETRY_MS = 60_000;

export interface Boto3Options {
  cacheDir: string;
  onProgress?: RuntimeProgressListener;
  env?: NodeJS.ProcessEnv;
  home?: string;
  platform?: NodeJS.Platform;
  /** Directories with site-packages to copy from (default: the Pythons of this machine). */
  sources?: string[];
  /** Kills pip or compileall in flight (the pool is closing). */
  signal?: AbortSignal;
}

export interface PreparedPythonPackages {
  /** A directory to append to sys.path. */
  sysPath?: string;
  notes: string[];
}

interface Boto3Copy {
  dir: string;
  version: string;
  requiresPython?: string;
}

export class Boto3ForPython {
  private readonly has = new Map<string, Promise<boolean>>();
  private readonly filling = new Map<string, Promise<Boto3Copy>>();
  /** A failed attempt per interpreter: tried again on a cold start a minute on, not on every one. */
  private readonly failed = new Map<string, { at: number; why: string }>();

  constructor(private readonly options: Boto3Options) {}

  async prepare(runtime: string, host: RuntimeHost): Promise<PreparedPythonPackages> {
    if (!host.version) return { notes: [] }; // an interpreter that does not run: its own error says so
    if (await this.interpreterHasBoto3(host.executable)) return { notes: [] };
    const cached = this.cachedFor(host.version);
    if (cached) return { sysPath: await compiledFor(host, cached.dir, this.options), notes: [] };
    const key = host.executable;
    const note = (why: string) =>
      `boto3 is not installed for ${host.executable} (Python ${host.version}) and the runner could not provide it: ` +
      `${why}. Lambda's ${runtime} runtime includes boto3; install it for this interpreter (pip install boto3) to ` +
      `import it here.`;
    const failed = this.failed.get(key);
    if (failed && Date.now() - failed.at < RETRY_MS) return { notes: [note(failed.why)] };
    let fill = this.filling.get(key);
    if (!fill) {
      fill = this.fill(runtime, host).finally(() => this.filling.delete(key));
      this.filling.set(key, fill);
    }
    try {
      return { sysPath: await compiledFor(host, (await fill).dir, this.options), notes: [] };
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      this.failed.set(key, { at: Date.now(), why });
      return { notes: [note(why)] };
    }
  }

  private interpreterHasBoto3(python: string): Promise<boolean> {
    let known = this.has.get(python);
    if (!known) {
      known = new Promise((resolve) =>
        execFile(
          python,
          ['-c', "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec('boto3') else 3)"],
          { timeout: 20_000, windowsHide: true, env: this.options.env ?? process.env },
          (err) => resolve(!err),
        ),
      );
      this.has.set(python, known);
    }
    return known;
  }

  private cacheRoot(): string {
    return path.join(this.options.cacheDir, 'python');
  }

  /** The newest copy in the cache that supports Python `version`. */
  private cachedFor(version: string): Boto3Copy | undefined {
    let names: string[];
    try {
      names = fs.readdirSync(this.cacheRoot());
    } catch {
      return undefined;
    }
    return names
      .filter((n) => /^boto3-\d+\.\d+\.\d+$/.test(n))
      .map((n) => describeCopy(path.join(this.cacheRoot(), n)))
      .filter((c): c is Boto3Copy => c !== undefined && supports(c.requiresPython, version))
      .sort((a, b) => compareVersions(b.version, a.version))[0];
  }

  private async fill(runtime: string, host: RuntimeHost): Promise<Boto3Copy> {
    const version = host.version!;
    const task = `boto3-${version}`;
    const started = performance.now();
    const source = this.localSources()
      .map(describeCopy)
      .filter((c): c is Boto3Copy => c !== undefined && supports(c.requiresPython, version))
      .sort((a, b) => compareVersions(b.version, a.version))[0];
    const done = (copy: Boto3Copy, how: string): Boto3Copy => {
      reportProgress(this.options.onProgress, {
        task,
        phase: 'done',
        message: `boto3 ${copy.version} ${how} in ${((performance.now() - started) / 1000).toFixed(1)} s: ${copy.dir}`,
      });
      return copy;
    };
    fs.mkdirSync(this.cacheRoot(), { recursive: true });
    if (source) {
      const final = path.join(this.cacheRoot(), `boto3-${source.version}`);
      reportProgress(this.options.onProgress, {
        task,
        phase: 'start',
        message:
          `Lambda's ${runtime} runtime includes boto3; ${host.executable} has none: copying boto3 ${source.version} ` +
          `and its dependencies from ${source.dir} into the runtime cache`,
      });
      const temp = siblingTemp(final);
      copyPackages(source.dir, temp);
      publishDirectory(temp, final);
      return done({ ...source, dir: final }, 'copied');
    }
    reportProgress(this.options.onProgress, {
      task,
      phase: 'start',
      message:
        `Lambda's ${runtime} runtime includes boto3; ${host.executable} has none and no other Python here has one for ` +
        `Python ${version}: installing it with pip into the runtime cache`,
    });
    const temp = siblingTemp(path.join(this.cacheRoot(), 'boto3'));
    try {
      await pipInstall(host.executable, temp, this.options.env, this.options.signal);
      const copy = describeCopy(temp);
      if (!copy) throw new Error('pip installed no boto3');
      const final = publishDirectory(temp, path.join(this.cacheRoot(), `boto3-${copy.version}`));
      return done({ ...copy, dir: final }, 'installed with pip');
    } catch (err) {
      fs.rmSync(temp, { recursive: true, force: true });
      reportProgress(this.options.onProgress, {
        task,
        phase: 'failed',
        message: `Could not provide boto3 for Python ${version}: ${err instanceof Error ? err.message : String(err)}`,
      });
      throw err;
    }
  }

  /** The site-packages directories of this machine's Pythons (pyenv, asdf, mise, uv, system, user). */
  private localSources(): string[] {
    if (this.options.sources) return this.options.sources;
    const home = this.options.home ?? os.homedir();
    const env = this.options.env ?? process.env;
    const win = (this.options.platform ?? process.platform) === 'win32';
    const dataHome = env.XDG_DATA_HOME ?? path.join(home, '.local', 'share');
    const installRoots = [
      path.join(env.PYENV_ROOT ?? path.join(home, '.pyenv'), 'versions'),
      path.join(env.ASDF_DATA_DIR ?? path.join(home, '.asdf'), 'installs', 'python'),
      path.join(env.MISE_DATA_DIR ?? path.join(dataHome, 'mise'), 'installs', 'python'),
      path.join(dataHome, 'uv', 'python'),
      ...(win && env.LOCALAPPDATA ? [path.join(env.LOCALAPPDATA, 'Programs', 'Python')] : []),
    ];
    const found: string[] = [];
    for (const root of installRoots)
      for (const install of children(root)) {
        if (win) found.push(path.join(root, install, 'Lib', 'site-packages'));
        for (const lib of children(path.join(root, install, 'lib')))
          if (/^python3\.\d+$/.test(lib)) found.push(path.join(root, install, 'lib', lib, 'site-packages'));
      }
    for (const lib of ['/usr/lib', '/usr/local/lib', path.join(home, '.local', 'lib')])
      for (const py of children(lib))
        if (/^python3(\.\d+)?$/.test(py))
          found.push(path.join(lib, py, 'site-packages'), path.join(lib, py, 'dist-packages'));
    return found.filter(isDirectory);
  }
}

function children(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** A directory with boto3 and everything it needs: its version and the Python versions it supports. */
function describeCopy(dir: string): Boto3Copy | undefined {
  if (!PACKAGES.every((p) => fs.existsSync(path.join(dir, p, '__init__.py')))) return undefined;
  if (!MODULES.every((m) => fs.existsSync(path.join(dir, m)))) return undefined;
  const info = children(dir).find((n) => /^boto3-\d+\.\d+\.\d+\.dist-info$/.test(n));
  if (!info) return undefined;
  const version = /^boto3-(.+)\.dist-info$/.exec(info)![1];
  let requiresPython: string | undefined;
  try {
    requiresPython = /^Requires-Python:\s*(.+)$/m.exec(fs.readFileSync(path.join(dir, info, 'METADATA'), 'utf8'))?.[1];
  } catch {
    // No metadata: no constraint known.
  }
  return { dir, version, ...(requiresPython ? { requiresPython: requiresPython.trim() } : {}) };
}

/** Whether a `Requires-Python` (`>= 3.10`, `>=3.9, <4`) admits `version`; only lower and upper bounds are read. */
export function supports(requiresPython: string | undefined, version: string): boolean {
  if (!requiresPython) return true;
  for (const clause of requiresPython.split(',')) {
    const m = /^\s*(>=|>|<=|<|==|!=)\s*([\d.]+)\*?\s*$/.exec(clause);
    if (!m) continue;
    const cmp = compareVersions(version, m[2]);
    const ok =
      m[1] === '>=' ? cmp >= 0 : m[1] === '>' ? cmp > 0 : m[1] === '<=' ? cmp <= 0 : m[1] === '<' ? cmp < 0 : true;
    if (!ok) return false;
  }
  return true;
}

function copyPackages(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  const skip = (src: string) => !src.includes(`${path.sep}__pycache__`);
  for (const p of PACKAGES) fs.cpSync(path.join(from, p), path.join(to, p), { recursive: true, filter: skip });
  for (const m of MODULES) fs.copyFileSync(path.join(from, m), path.join(to, m));
  for (const info of children(from))
    if (DISTRIBUTIONS.some((d) => info.startsWith(`${d}-`) && info.endsWith('.dist-info')))
      fs.cpSync(path.join(from, info), path.join(to, info), { recursive: true });
}

/**
 * Byte-compiles a copy for an interpreter version once (its `.pyc` files are tagged by version): environments run
 * with PYTHONDONTWRITEBYTECODE, so without them every cold start would compile botocore again (twice the import time).
 */
async function compiledFor(
  host: RuntimeHost,
  dir: string,
  { env, signal }: Pick<Boto3Options, 'env' | 'signal'>,
): Promise<string> {
  const marker = path.join(dir, `.compiled-${(host.version ?? '').split('.').slice(0, 2).join('.')}`);
  if (fs.existsSync(marker)) return dir;
  await new Promise<void>((resolve) =>
    execFile(
      host.executable,
      ['-m', 'compileall', '-q', dir],
      { timeout: 5 * 60_000, windowsHide: true, env: env ?? process.env, ...(signal ? { signal } : {}) },
      (err) => {
        if (!err) fs.writeFileSync(marker, '');
        resolve(); // not compiled: slower imports, nothing worse
      },
    ),
  );
  return dir;
}

function pipInstall(
  python: string,
  target: string,
  env: NodeJS.ProcessEnv = process.env,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(
      python,
      [
        '-m',
        'pip',
        'install',
        '--target',
        target,
        '--disable-pip-version-check',
        '--no-input',
        '--no-compile',
        '--timeout',
        '15',
        '--retries',
        '0',
        'boto3',
      ],
      { timeout: 5 * 60_000, windowsHide: true, env, maxBuffer: 16 * 1024 * 1024, ...(signal ? { signal } : {}) },
      (err, _stdout, stderr) => {
        if (!err) return resolve();
        const last = stderr.trim().split('\n').filter(Boolean).slice(-2).join(' ');
        reject(new Error(`pip install boto3 failed: ${last || err.message}`));
      },
    ),
  );
}
