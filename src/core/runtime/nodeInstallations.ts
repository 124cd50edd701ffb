/**
 * RUNTIME-2: the Node.js installations of this machine, by major version: this process, PATH (`node`, `node22`),
 * version managers (nvm, fnm, volta, asdf, mise, n) and the runner's own cache of downloaded versions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { executableVersion } from './executableVersion';
import { compareVersions } from './npmRegistry';

export type NodeSource =
  'this process' | 'configured' | 'PATH' | 'nvm' | 'fnm' | 'volta' | 'asdf' | 'mise' | 'n' | 'runtime cache';

export interface NodeInstallation {
  executable: string;
  /** `22.11.0` */
  version: string;
  source: NodeSource;
  /** The executable is Electron (VS Code's extension host): it runs as Node.js with ELECTRON_RUN_AS_NODE=1. */
  electron?: boolean;
}

export interface NodeLookup {
  env: NodeJS.ProcessEnv;
  home: string;
  platform: NodeJS.Platform;
  /** The runner's cache: downloaded versions are in `<cacheDir>/node/<version>`. */
  cacheDir: string;
  /** This process: its executable and Node.js version (Electron's Node.js in VS Code). */
  self: { executable: string; version: string; electron: boolean };
  /** A Node.js executable the user configured: the default, checked like the others. */
  configured?: string;
}

export const majorOf = (version: string): number => Number.parseInt(version, 10);

/** The binary inside a Node.js installation directory (`bin/node`, or `node.exe` on Windows). */
export function nodeBinaryIn(dir: string, platform: NodeJS.Platform): string {
  return platform === 'win32' ? path.join(dir, 'node.exe') : path.join(dir, 'bin', 'node');
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Version directories (`v22.11.0`, `22.11.0`, `node-v22.11.0`) of a manager's install folder, newest first. */
function versionDirs(parent: string, major: number): { dir: string; version: string }[] {
  let names: string[];
  try {
    names = fs.readdirSync(parent);
  } catch {
    return [];
  }
  const found: { dir: string; version: string }[] = [];
  for (const name of names) {
    const m = /^(?:node-)?v?(\d+\.\d+\.\d+)$/.exec(name);
    if (m && majorOf(m[1]) === major) found.push({ dir: path.join(parent, name), version: m[1] });
  }
  return found.sort((a, b) => compareVersions(b.version, a.version));
}

/** Where each version manager keeps its Node.js versions, and where the binary is inside one. */
function managerLayouts(lookup: NodeLookup): { source: NodeSource; parent: string; binary: (dir: string) => string }[] {
  const { env, home, platform } = lookup;
  const win = platform === 'win32';
  const std = (dir: string) => nodeBinaryIn(dir, platform);
  const dataHome = env.XDG_DATA_HOME ?? path.join(home, '.local', 'share');
  const layouts: { source: NodeSource; parent: string; binary: (dir: string) => string }[] = [];
  const nvm = env.NVM_DIR ?? path.join(home, '.nvm');
  layouts.push({ source: 'nvm', parent: path.join(nvm, 'versions', 'node'), binary: std });
  if (win && env.NVM_HOME)
    layouts.push({ source: 'nvm', parent: env.NVM_HOME, binary: (d) => path.join(d, 'node.exe') });
  const fnmDirs = [
    env.FNM_DIR,
    path.join(dataHome, 'fnm'),
    path.join(home, '.fnm'),
    path.join(home, 'Library', 'Application Support', 'fnm'),
    env.APPDATA ? path.join(env.APPDATA, 'fnm') : undefined,
  ];
  for (const dir of fnmDirs)
    if (dir)
      layouts.push({
        source: 'fnm',
        parent: path.join(dir, 'node-versions'),
        binary: (d) => std(path.join(d, 'installation')),
      });
  const volta =
    env.VOLTA_HOME ?? (win && env.LOCALAPPDATA ? path.join(env.LOCALAPPDATA, 'Volta') : path.join(home, '.volta'));
  layouts.push({ source: 'volta', parent: path.join(volta, 'tools', 'image', 'node'), binary: std });
  const asdf = env.ASDF_DATA_DIR ?? path.join(home, '.asdf');
  layouts.push({ source: 'asdf', parent: path.join(asdf, 'installs', 'nodejs'), binary: std });
  const mise = env.MISE_DATA_DIR ?? path.join(dataHome, 'mise');
  layouts.push({ source: 'mise', parent: path.join(mise, 'installs', 'node'), binary: std });
  const n = env.N_PREFIX ?? '/usr/local';
  layouts.push({ source: 'n', parent: path.join(n, 'n', 'versions', 'node'), binary: std });
  return layouts;
}

/** Executables named `names` in the directories of PATH, in PATH order. */
function onPath(lookup: NodeLookup, names: string[]): string[] {
  const sep = lookup.platform === 'win32' ? ';' : ':';
  const dirs = (lookup.env.PATH ?? lookup.env.Path ?? '').split(sep).filter(Boolean);
  const exts = lookup.platform === 'win32' ? ['.exe'] : [''];
  const found: string[] = [];
  for (const dir of dirs)
    for (const name of names)
      for (const ext of exts) {
        const file = path.join(dir, name + ext);
        if (isFile(file) && !found.includes(file)) found.push(file);
      }
  return found;
}

/** The Node.js of major version `major`, looked for in order: this process, configured, PATH, managers, cache. */
export async function findNodeInstallation(major: number, lookup: NodeLookup): Promise<NodeInstallation | undefined> {
  const { self } = lookup;
  if (lookup.configured) {
    const version = await executableVersion(lookup.configured, lookup.env);
    if (version && majorOf(version) === major) return { executable: lookup.configured, version, source: 'configured' };
  }
  if (majorOf(self.version) === major)
    return { executable: self.executable, version: self.version, source: 'this process', electron: self.electron };
  for (const file of onPath(lookup, [`node${major}`, `node-${major}`, `nodejs${major}`, 'node'])) {
    const version = await executableVersion(file, lookup.env);
    if (version && majorOf(version) === major) return { executable: file, version, source: 'PATH' };
  }
  for (const layout of managerLayouts(lookup)) {
    for (const { dir, version } of versionDirs(layout.parent, major)) {
      const executable = layout.binary(dir);
      if (isFile(executable)) return { executable, version, source: layout.source };
    }
  }
  return findCachedNode(major, lookup);
}

/** The newest version of `major` the runner downloaded earlier. */
export function findCachedNode(
  major: number,
  lookup: Pick<NodeLookup, 'cacheDir' | 'platform'>,
): NodeInstallation | undefined {
  for (const { dir, version } of versionDirs(path.join(lookup.cacheDir, 'node'), major)) {
    const executable = nodeBinaryIn(dir, lookup.platform);
    if (isFile(executable)) return { executable, version, source: 'runtime cache' };
  }
  return undefined;
}

/** The Node.js that runs a function when none of its major version is found: the configured one, else this process. */
export async function defaultNode(lookup: NodeLookup): Promise<NodeInstallation> {
  if (lookup.configured) {
    const version = await executableVersion(lookup.configured, lookup.env);
    return { executable: lookup.configured, version: version ?? 'unknown', source: 'configured' };
  }
  const { self } = lookup;
  return { executable: self.executable, version: self.version, source: 'this process', electron: self.electron };
}
