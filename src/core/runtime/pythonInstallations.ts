/**
 * RUNTIME-2: the Python installations of this machine, by version: `python3.12` on PATH, pyenv, asdf, mise and uv
 * installs, and the Windows installer's folders. The runtime's interpreter is chosen in runtimeHosts.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { executableVersion } from './executableVersion';
import { compareVersions } from './npmRegistry';

export type PythonSource = 'configured' | 'virtualenv' | 'PATH' | 'pyenv' | 'asdf' | 'mise' | 'uv' | 'python.org';

export interface PythonInstallation {
  executable: string;
  /** `3.12.1`, or undefined when the interpreter does not answer `--version`. */
  version?: string;
  source: PythonSource;
}

export interface PythonLookup {
  env: NodeJS.ProcessEnv;
  home: string;
  platform: NodeJS.Platform;
}

/** `3.12.1` is a Python 3.12. */
export const minorOf = (version: string): string => version.split('.').slice(0, 2).join('.');

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function children(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Install folders of a manager whose name carries the version, newest first. */
function installs(parent: string, pattern: RegExp, wanted: string): { dir: string; version: string }[] {
  return children(parent)
    .map((name) => ({ name, m: pattern.exec(name) }))
    .filter(({ m }) => m && minorOf(m[1]) === wanted)
    .map(({ name, m }) => ({ dir: path.join(parent, name), version: m![1] }))
    .sort((a, b) => compareVersions(b.version, a.version));
}

/** The Python `wanted` (`3.14`), looked for on PATH, then in the version managers' folders. */
export async function findPythonInstallation(
  wanted: string,
  lookup: PythonLookup,
): Promise<PythonInstallation | undefined> {
  const { env, home, platform } = lookup;
  const win = platform === 'win32';
  const sep = win ? ';' : ':';
  for (const dir of (env.PATH ?? env.Path ?? '').split(sep).filter(Boolean)) {
    const file = path.join(dir, win ? `python${wanted}.exe` : `python${wanted}`);
    if (!isFile(file)) continue;
    // A pyenv shim of a version that is not selected does not run: it is not an installation.
    const version = await executableVersion(file, env);
    if (version && minorOf(version) === wanted) return { executable: file, version, source: 'PATH' };
  }
  const bin = (dir: string) => (win ? path.join(dir, 'python.exe') : path.join(dir, 'bin', `python${wanted}`));
  const dataHome = env.XDG_DATA_HOME ?? path.join(home, '.local', 'share');
  const layouts: { source: PythonSource; parent: string; pattern: RegExp }[] = [
    {
      source: 'pyenv',
      parent: path.join(env.PYENV_ROOT ?? path.join(home, '.pyenv'), 'versions'),
      pattern: /^(\d+\.\d+\.\d+)$/,
    },
    {
      source: 'asdf',
      parent: path.join(env.ASDF_DATA_DIR ?? path.join(home, '.asdf'), 'installs', 'python'),
      pattern: /^(\d+\.\d+\.\d+)$/,
    },
    {
      source: 'mise',
      parent: path.join(env.MISE_DATA_DIR ?? path.join(dataHome, 'mise'), 'installs', 'python'),
      pattern: /^(\d+\.\d+\.\d+)$/,
    },
    {
      source: 'uv',
      parent: path.join(env.UV_PYTHON_INSTALL_DIR ?? path.join(dataHome, 'uv', 'python')),
      pattern: /^cpython-(\d+\.\d+\.\d+)-/,
    },
  ];
  for (const layout of layouts)
    for (const { dir, version } of installs(layout.parent, layout.pattern, wanted)) {
      const executable = bin(dir);
      if (isFile(executable)) return { executable, version, source: layout.source };
    }
  if (win && env.LOCALAPPDATA) {
    const executable = path.join(
      env.LOCALAPPDATA,
      'Programs',
      'Python',
      `Python${wanted.replace('.', '')}`,
      'python.exe',
    );
    if (isFile(executable))
      return { executable, version: await executableVersion(executable, env), source: 'python.org' };
  }
  return undefined;
}
