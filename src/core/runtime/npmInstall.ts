/**
 * Runs the npm CLI to install packages into a directory of the runtime cache (the AWS SDK for JavaScript, RUNTIME-3):
 * the npm beside the Node.js that runs it, else the one on PATH. npm reads the user's registry, proxy and credentials
 * settings itself.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RegistryUnreachableError } from './npmRegistry';

/** npm's own entry script, to be run with a Node.js (no shell, also on Windows). */
export function findNpmCli(nodeExecutables: string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates: string[] = [];
  if (env.npm_execpath && /npm-cli\.js$/.test(env.npm_execpath)) candidates.push(env.npm_execpath);
  for (const node of nodeExecutables) {
    const dir = path.dirname(node);
    candidates.push(
      path.join(dir, '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
      path.join(dir, 'node_modules', 'npm', 'bin', 'npm-cli.js'),
    );
  }
  const sep = process.platform === 'win32' ? ';' : ':';
  for (const dir of (env.PATH ?? env.Path ?? '').split(sep).filter(Boolean)) {
    const npm = path.join(dir, 'npm');
    try {
      const real = fs.realpathSync(npm);
      candidates.push(real, path.join(path.dirname(real), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'));
    } catch {
      // No npm in this directory.
    }
    candidates.push(path.join(dir, 'node_modules', 'npm', 'bin', 'npm-cli.js'));
  }
  return candidates.find((c) => /npm-cli\.js$/.test(c) && fs.existsSync(c));
}

const OFFLINE = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH)\b/;

export interface NpmInstallOptions {
  node: string;
  npmCli: string;
  /** The directory whose node_modules receives the packages (it gets a package.json listing them). */
  prefix: string;
  specs: string[];
  registry: string;
  /** Packages are picked for this Node.js version (their `engines`), not for the one running npm. */
  nodeVersion?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** The Node.js running npm is Electron (VS Code's own). */
  electron?: boolean;
  /** Kills npm (the pool that wanted the packages is closing). */
  signal?: AbortSignal;
}

/** `npm install --save-exact <specs>` into `prefix`; rejects with npm's reason (RegistryUnreachableError offline). */
export function npmInstall(options: NpmInstallOptions): Promise<void> {
  fs.mkdirSync(options.prefix, { recursive: true });
  const manifest = path.join(options.prefix, 'package.json');
  if (!fs.existsSync(manifest))
    fs.writeFileSync(manifest, JSON.stringify({ name: 'lambda-trigger-runtime-packages', private: true }, null, 2));
  const args = [
    options.npmCli,
    'install',
    '--prefix',
    options.prefix,
    '--save-exact',
    '--no-audit',
    '--no-fund',
    '--no-update-notifier',
    '--ignore-scripts',
    '--omit=dev',
    '--loglevel=error',
    '--fetch-retries=1',
    '--fetch-retry-mintimeout=2000',
    '--fetch-retry-maxtimeout=5000',
    `--registry=${options.registry}`,
    ...(options.nodeVersion ? [`--node-version=${options.nodeVersion}`] : []),
    ...options.specs,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(options.node, args, {
      cwd: options.prefix,
      env: { ...(options.env ?? process.env), ...(options.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
      ...(options.signal ? { signal: options.signal, killSignal: 'SIGKILL' as const } : {}),
    });
    let output = '';
    const keep = (d: Buffer) => (output = (output + d.toString()).slice(-8192));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 5 * 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err.name === 'AbortError' ? new Error('cancelled: the runner is closing') : err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      const reason =
        output.trim().split('\n').filter(Boolean).slice(-3).join(' ') || `npm exited with ${signal ?? code}`;
      const offline = OFFLINE.exec(output);
      reject(
        offline
          ? new RegistryUnreachableError(
              `cannot reach the npm registry at ${options.registry} (${offline[1]}): is this machine offline, or behind a proxy npm is not told about?`,
            )
          : new Error(
              signal ? `npm was stopped after ${(options.timeoutMs ?? 300_000) / 1000} s` : `npm failed: ${reason}`,
            ),
      );
    });
  });
}
