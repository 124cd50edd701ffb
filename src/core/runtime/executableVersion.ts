/** `<executable> --version`, asked once per file (and again when the file changes), for Node.js and Python alike. */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';

const known = new Map<string, { stamp: string; version: Promise<string | undefined> }>();

function stampOf(file: string): string | undefined {
  try {
    const st = fs.statSync(file);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/**
 * The version an executable reports (`v22.3.0` → `22.3.0`, `Python 3.12.1` → `3.12.1`), or undefined when it does not
 * run (a pyenv shim of a version that is not selected, a broken link). A name without a path is looked up on PATH.
 */
export function executableVersion(
  executable: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const stamp = stampOf(executable) ?? 'PATH';
  const cached = known.get(executable);
  if (cached && cached.stamp === stamp) return cached.version;
  const version = new Promise<string | undefined>((resolve) => {
    execFile(
      executable,
      ['--version'],
      { timeout: 10_000, windowsHide: true, env: { ...env, ELECTRON_RUN_AS_NODE: '1' } },
      (err, stdout, stderr) => {
        if (err) return resolve(undefined);
        const m = /(\d+\.\d+\.\d+)/.exec(`${stdout} ${stderr}`);
        resolve(m?.[1]);
      },
    );
  });
  known.set(executable, { stamp, version });
  return version;
}
