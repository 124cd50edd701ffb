// Installs, caches and starts code-server (a real VS Code: server + web workbench + Node extension host), the
// recipe of ARCHITECTURE.md "Testing in a real VS Code on these machines". Used by the integration and
// end-to-end test runners and by `npm start`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile, cp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3'; // = VS Code 1.100.3; keep engines.vscode and @types/vscode <= 1.100
/** The @vscode/ripgrep version pinned by code-server 4.100.3's lib/vscode/npm-shrinkwrap.json. */
const RIPGREP_PACKAGE_VERSION = '1.15.11';
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';
const DEBIAN_PACKAGES = [
  'libkrb5-dev',
  'libx11-dev',
  'libxkbfile-dev',
  'libsecret-1-dev',
  'pkg-config',
  'ripgrep',
  'chromium',
];
export const CHROMIUM = process.env.LTR_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
];

const cacheRoot =
  process.env.LTR_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'lambda-trigger-runner');
const installDir = join(cacheRoot, `code-server-${CODE_SERVER_VERSION}`);
const installedMarker = join(installDir, '.installed');
export const codeServerBin = join(installDir, 'node_modules', '.bin', 'code-server');

function log(message) {
  process.stderr.write(`[code-server] ${message}\n`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status ?? result.signal}`);
  }
}

function missingDebianPackages() {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\\n', ...DEBIAN_PACKAGES], {
    encoding: 'utf8',
  });
  const installed = new Set(
    (result.stdout ?? '')
      .split('\n')
      .filter((line) => line.endsWith('install ok installed'))
      .map((line) => line.split(' ')[0]),
  );
  return DEBIAN_PACKAGES.filter((p) => !installed.has(p));
}

/** Debian prerequisites: native-module headers for code-server, ripgrep, and Chromium to drive the workbench. */
function ensureDebianPackages() {
  const missing = missingDebianPackages();
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    throw new Error(
      `Missing Debian packages: ${missing.join(' ')}. Install them with: sudo apt-get install -y ${missing.join(' ')}`,
    );
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
}

/** @vscode/ripgrep downloads its binary in postinstall; the network is closed, so seed its cache with Debian's rg. */
async function seedRipgrepCache() {
  const cacheDir = join(tmpdir(), `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
  if (existsSync(join(cacheDir, RIPGREP_ASSET))) return;
  const rg = spawnSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).stdout.trim();
  if (!rg) throw new Error('ripgrep (rg) is not installed; it is needed to seed @vscode/ripgrep.');
  const staging = await mkdtemp(join(tmpdir(), 'ltr-rg-'));
  await cp(rg, join(staging, 'rg'));
  await mkdir(cacheDir, { recursive: true });
  run('tar', ['czf', join(cacheDir, RIPGREP_ASSET), '-C', staging, 'rg']);
  await rm(staging, { recursive: true, force: true });
}

/** Installs code-server once into the user cache; later runs reuse it. */
export async function ensureCodeServer() {
  ensureDebianPackages();
  if (existsSync(installedMarker) && existsSync(codeServerBin)) return codeServerBin;
  await seedRipgrepCache();
  log(`installing code-server ${CODE_SERVER_VERSION} into ${installDir} (about a minute, once)`);
  await rm(installDir, { recursive: true, force: true });
  await mkdir(installDir, { recursive: true });
  await writeFile(join(installDir, 'package.json'), '{ "private": true }\n');
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `code-server@${CODE_SERVER_VERSION}`], {
    cwd: installDir,
    env: { ...process.env, npm_config_unsafe_perm: 'true', npm_config_yes: 'true' },
  });
  if (!existsSync(join(installDir, 'node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg'))) {
    throw new Error('code-server installed without its ripgrep binary; see the npm output above.');
  }
  await writeFile(installedMarker, `${new Date().toISOString()}\n`);
  return codeServerBin;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** User settings for a test profile: trust on unless a test wants the untrusted case, no telemetry, no updates. */
export function testUserSettings({ trusted = true } = {}) {
  return {
    'security.workspace.trust.enabled': !trusted,
    'security.workspace.trust.startupPrompt': 'never',
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'chat.commandCenter.enabled': false,
    'window.commandCenter': false,
  };
}

/**
 * Starts code-server on a free loopback port with a fresh user-data dir. Returns {url, port, stop, dirs}.
 * `folder` is opened by the workbench URL, not by the server, so one server can serve several sessions.
 */
export async function startCodeServer({
  settings = testUserSettings(),
  extensionsDir,
  env = {},
  logFile,
  port: wanted,
} = {}) {
  const bin = await ensureCodeServer();
  const port = wanted ?? (await freePort());
  const base = await mkdtemp(join(tmpdir(), 'ltr-code-server-'));
  const userDataDir = join(base, 'user-data');
  const extDir = extensionsDir ?? join(base, 'extensions');
  await mkdir(join(userDataDir, 'User'), { recursive: true });
  await mkdir(extDir, { recursive: true });
  await writeFile(join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const args = [
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extDir,
  ];
  const child = spawn(bin, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: process.platform !== 'win32',
  });
  let output = '';
  const collect = (chunk) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const url = `http://127.0.0.1:${port}`;
  await waitForServer(url, child, () => output);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, 5000);
      await exited;
      clearTimeout(timer);
    }
    if (logFile) await writeFile(logFile, output);
    await rm(base, { recursive: true, force: true }).catch(() => undefined);
  };
  return { url, port, userDataDir, extensionsDir: extDir, stop, output: () => output };
}

async function waitForServer(url, child, output, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`code-server did not answer on ${url} within ${timeoutMs} ms:\n${output()}`);
}

/** The workbench URL opening `folder`, optionally with the test-mode payload (extension development/tests paths). */
export function workbenchUrl(server, folder, payload) {
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const params = new URLSearchParams({ folder: remote(folder) });
  if (payload) {
    params.set(
      'payload',
      JSON.stringify(Object.entries(payload).map(([k, v]) => [k, k.endsWith('Path') ? remote(v) : v])),
    );
  }
  return `${server.url}/?${params.toString()}`;
}

/** Installs a .vsix into the server's extensions dir with code-server's own CLI. */
export async function installExtension(vsix, extensionsDir) {
  const bin = await ensureCodeServer();
  run(bin, ['--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}
