/**
 * RUNTIME-2: a version manager's shim (pyenv, asdf, mise: a program in a `shims` folder that picks a Python version and
 * execs it) costs 100–300 ms on every spawn. What it runs is asked once, through the shim itself (the interpreter's
 * `sys.executable` and the variables the shim set, such as pyenv's PATH), and environments then spawn that interpreter
 * directly. It is asked again when what a shim reads to pick may have changed: the shim file, PATH and the managers'
 * variables, and their version files from the code root up, in the home folder and in the managers' own folders; and
 * when the asking was cut short (killed) before the shim could say. The question does not carry the environment's
 * marker variable: it outlives the environment whose cold start asked it, which may be retired before the answer.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ENVIRONMENT_MARKER_VARIABLE } from './processTree';

/** What the shim would run, for a code root and an environment. */
export interface ShimTarget {
  executable: string;
  /** Variables the shim sets or changes for the interpreter (undefined: it removes them). */
  env: Record<string, string | undefined>;
}

/** Variables a version manager reads to pick a version (and where it keeps its files). */
const VERSION_VARIABLES = [
  'PATH',
  'HOME',
  'PYENV_VERSION',
  'PYENV_ROOT',
  'PYENV_DIR',
  'ASDF_PYTHON_VERSION',
  'ASDF_DATA_DIR',
  'ASDF_CONFIG_FILE',
  'ASDF_DEFAULT_TOOL_VERSIONS_FILENAME',
  'MISE_PYTHON_VERSION',
  'MISE_ENV',
  'MISE_DATA_DIR',
  'MISE_CONFIG_DIR',
  'XDG_CONFIG_HOME',
];

/** Version files read from the working directory up. */
const PROJECT_VERSION_FILES = [
  '.python-version',
  '.tool-versions',
  '.mise.toml',
  'mise.toml',
  '.mise.local.toml',
  'mise.local.toml',
  path.join('.config', 'mise.toml'),
  path.join('.config', 'mise', 'config.toml'),
];

/** The managers' global version files. */
function globalVersionFiles(env: Record<string, string | undefined>): string[] {
  const home = env.HOME ?? '';
  const config = env.XDG_CONFIG_HOME ?? path.join(home, '.config');
  return [
    path.join(env.PYENV_ROOT ?? path.join(home, '.pyenv'), 'version'),
    env.ASDF_CONFIG_FILE ?? path.join(home, '.asdfrc'),
    path.join(home, env.ASDF_DEFAULT_TOOL_VERSIONS_FILENAME ?? '.tool-versions'),
    path.join(env.MISE_CONFIG_DIR ?? path.join(config, 'mise'), 'config.toml'),
  ];
}

function stamp(file: string): string {
  try {
    const st = fs.statSync(file);
    return `${st.mtimeMs}:${st.size}:${st.ino}`;
  } catch {
    return '-';
  }
}

/** Everything the shim's choice depends on, as one string: equal strings, equal choices. */
export function shimFingerprint(shim: string, cwd: string, env: Record<string, string | undefined>): string {
  const parts = [shim, stamp(shim), cwd, ...VERSION_VARIABLES.map((v) => `${v}=${env[v] ?? ''}`)];
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    for (const f of PROJECT_VERSION_FILES) parts.push(stamp(path.join(dir, f)));
    if (path.dirname(dir) === dir) break;
  }
  for (const f of globalVersionFiles(env)) parts.push(stamp(f));
  return parts.join('\0');
}

/** A version manager's shim: a program in a folder named `shims` (pyenv, pyenv-win, asdf, mise, rtx all use one). */
export function isVersionManagerShim(executable: string): boolean {
  return path.isAbsolute(executable) && path.basename(path.dirname(executable)) === 'shims';
}

/**
 * Whether `command` is an executable file named by its path, which the system starts itself: not a shim, not a script
 * (`#!`: a wrapper may set variables from where it starts, such as PWD), not a name looked up on PATH.
 */
export function startsDirectly(command: string): boolean {
  if (!path.isAbsolute(command) || isVersionManagerShim(command)) return false;
  let fd: number | undefined;
  try {
    fd = fs.openSync(command, 'r');
    const head = Buffer.alloc(2);
    return fs.readSync(fd, head, 0, 2, 0) === 2 && head.toString('latin1') !== '#!';
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Prints the interpreter and the environment it was given, as JSON. */
const PROBE =
  'import json, os, sys; sys.stdout.write(json.dumps({"executable": sys.executable, "env": dict(os.environ)}))';

/** What asking a shim gave: what it runs, nothing (it failed, or runs no Python), or `interrupted` (it was killed). */
export type ShimAnswer = ShimTarget | undefined | 'interrupted';

/**
 * Asks the shim what it runs, from `cwd` with `env` (less the environment's marker variable, so that ending the
 * environment that asked does not end the question).
 */
export function probeShim(shim: string, cwd: string, spawnEnv: Record<string, string>): Promise<ShimAnswer> {
  const env: Record<string, string> = { ...spawnEnv };
  delete env[ENVIRONMENT_MARKER_VARIABLE];
  return new Promise((resolve) => {
    execFile(shim, ['-c', PROBE], { cwd, env, timeout: 10_000, windowsHide: true }, (err, stdout) => {
      if (err) return resolve(err.signal && !err.killed ? 'interrupted' : undefined);
      try {
        const { executable, env: seen } = JSON.parse(stdout) as {
          executable: unknown;
          env: Record<string, string>;
        };
        if (typeof executable !== 'string' || !path.isAbsolute(executable) || !fs.existsSync(executable))
          return resolve(undefined);
        const changes: Record<string, string | undefined> = {};
        for (const [k, v] of Object.entries(seen)) if (env[k] !== v) changes[k] = v;
        for (const k of Object.keys(env)) if (!(k in seen)) changes[k] = undefined;
        resolve({ executable, env: changes });
      } catch {
        resolve(undefined);
      }
    });
  });
}

interface Known {
  fingerprint: string;
  /** Undefined while the shim is being asked, or when it did not say. */
  target?: ShimTarget;
}

/**
 * What each shim runs, per code root, for as long as its fingerprint holds. Shared by every pool of the process (the
 * CLI's `--repeat`, the extension's accounts).
 */
export class PythonShims {
  private readonly known = new Map<string, Known>();

  /**
   * The command and environment for a spawn of `executable` from `cwd`: the interpreter a shim runs when it is known
   * for what the shim reads now; else the shim itself, while it is asked in the background for the next spawn.
   */
  spawnTarget(
    executable: string,
    cwd: string,
    env: Record<string, string>,
  ): { command: string; env: Record<string, string> } {
    if (!isVersionManagerShim(executable)) return { command: executable, env };
    const key = `${executable}\0${cwd}`;
    const fingerprint = shimFingerprint(executable, cwd, env);
    const known = this.known.get(key);
    if (known?.fingerprint === fingerprint) {
      if (!known.target || !fs.existsSync(known.target.executable)) return { command: executable, env };
      const merged: Record<string, string> = { ...env };
      for (const [k, v] of Object.entries(known.target.env)) {
        if (v === undefined) delete merged[k];
        else merged[k] = v;
      }
      return { command: known.target.executable, env: merged };
    }
    const asking: Known = { fingerprint };
    this.known.set(key, asking);
    void probeShim(executable, cwd, env).then((answer) => {
      if (answer === 'interrupted') {
        // Killed before it could say: the next spawn asks again.
        if (this.known.get(key) === asking) this.known.delete(key);
      } else if (answer) asking.target = answer;
    });
    return { command: executable, env };
  }

  /** Whether what `executable` runs from `cwd` is known (tests wait on it instead of sleeping). */
  isKnown(executable: string, cwd: string): boolean {
    const known = this.known.get(`${executable}\0${cwd}`);
    return known?.target !== undefined;
  }
}

/** The process's one table of shims. */
export const pythonShims = new PythonShims();
