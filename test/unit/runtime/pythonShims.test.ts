import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';
import { EnvironmentPool, type FunctionSpec } from '../../../src/core/runtime';
import {
  isVersionManagerShim,
  pythonShims,
  shimFingerprint,
  startsDirectly,
} from '../../../src/core/runtime/pythonShims';
import { waitFor } from '../../support/waitFor';
import { buildBootstraps } from './bootstrapBuild';

/**
 * A pyenv-like manager in `root`: versions/<v>/bin/python3 (links to this machine's Python), a global `version` file,
 * and shims/python3, a bash script that logs each run, picks the version from `.python-version` (from its working
 * directory up) or the global file, says which in PICKED_VERSION, and execs it. `onAsked` runs first when the shim is
 * asked what it runs (the runner's question prints the interpreter's os.environ).
 */
function versionManager(
  root: string,
  real: string,
  versions: string[],
  onAsked = '',
): { shim: string; runs: () => number } {
  for (const v of versions) {
    fs.mkdirSync(path.join(root, 'versions', v, 'bin'), { recursive: true });
    fs.symlinkSync(real, path.join(root, 'versions', v, 'bin', 'python3'));
  }
  fs.writeFileSync(path.join(root, 'version'), `${versions[0]}\n`);
  const shim = path.join(root, 'shims', 'python3');
  fs.mkdirSync(path.dirname(shim));
  const log = path.join(root, 'runs.log');
  fs.writeFileSync(
    shim,
    `#!/usr/bin/env bash
set -e
root=${JSON.stringify(root)}
echo run >> "$root/runs.log"
case "$2" in *os.environ*)
  :
  ${onAsked}
esac
d=$PWD; v=
while [ -z "$v" ]; do
  if [ -f "$d/.python-version" ]; then read -r v < "$d/.python-version"; fi
  [ "$d" = / ] && break; d=$(dirname "$d")
done
[ -n "$v" ] || read -r v < "$root/version"
export PICKED_VERSION="$v"
exec "$root/versions/$v/bin/python3" "$@"
`,
    { mode: 0o755 },
  );
  const runs = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0);
  return { shim, runs };
}

describe('runtime: Python through a version manager shim', function () {
  this.timeout(30_000);
  let dir: string;
  let real: string;
  let bootstrapDir: string;

  before(async function () {
    if (process.platform === 'win32') this.skip();
    try {
      real = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
    } catch {
      this.skip();
    }
    bootstrapDir = await buildBootstraps();
  });
  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lt-pyshim-')));
  });
  const pools: EnvironmentPool[] = [];
  afterEach(() => {
    for (const pool of pools.splice(0)) pool.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** One pool, as the extension keeps one: each call retires the function's environment, so the next is cold. */
  function coldStarts(shim: string, spec: FunctionSpec): () => Promise<{ executable: string; picked: string }> {
    const pool = new EnvironmentPool({ location: DEFAULT_LOCATION, bootstrapDir, pythonInterpreter: shim });
    pools.push(pool);
    return async () => {
      pool.retire(spec.name);
      const o = await pool.invoke(spec, '{}');
      assert.equal(o.functionError, undefined, JSON.stringify(o.error));
      assert.equal(o.coldStart, true);
      return o.result as { executable: string; picked: string };
    };
  }

  function project(): { codeRoot: string; spec: FunctionSpec } {
    const codeRoot = path.join(dir, 'project', 'src');
    fs.mkdirSync(codeRoot, { recursive: true });
    fs.writeFileSync(
      path.join(codeRoot, 'app.py'),
      'import os, sys\n\ndef handler(event, context):\n    return {"executable": sys.executable, "picked": os.environ.get("PICKED_VERSION")}\n',
    );
    return { codeRoot, spec: { name: 'shimmed', handler: 'app.handler', runtime: 'python3.12', codeRoot } };
  }

  it('RUNTIME-2 a shim is asked once what it runs; later cold starts spawn that interpreter, with the variables the shim set', async () => {
    const { shim, runs } = versionManager(path.join(dir, 'pyenv'), real, ['3.12.1']);
    const { codeRoot, spec } = project();
    const coldStart = coldStarts(shim, spec);
    const expected = { executable: path.join(dir, 'pyenv', 'versions', '3.12.1', 'bin', 'python3'), picked: '3.12.1' };
    assert.deepEqual(await coldStart(), expected);
    await waitFor('the shim to say what it runs', () => pythonShims.isKnown(shim, codeRoot));
    const afterFirst = runs();
    for (let i = 0; i < 3; i++) assert.deepEqual(await coldStart(), expected);
    assert.equal(runs(), afterFirst, 'no later cold start ran the shim');
  });

  it('RUNTIME-2 a new version file is read through the shim again, and what it picks then is used', async () => {
    const { shim, runs } = versionManager(path.join(dir, 'pyenv'), real, ['3.12.1', '3.12.10']);
    const { codeRoot, spec } = project();
    const coldStart = coldStarts(shim, spec);
    assert.equal((await coldStart()).picked, '3.12.1');
    await waitFor('the shim to say what it runs', () => pythonShims.isKnown(shim, codeRoot));
    fs.writeFileSync(path.join(dir, 'project', '.python-version'), '3.12.10\n');
    const expected = {
      executable: path.join(dir, 'pyenv', 'versions', '3.12.10', 'bin', 'python3'),
      picked: '3.12.10',
    };
    assert.deepEqual(await coldStart(), expected);
    await waitFor('the shim to say what it runs now', () => pythonShims.isKnown(shim, codeRoot));
    const known = runs();
    assert.deepEqual(await coldStart(), expected);
    assert.equal(runs(), known);
  });

  it('RUNTIME-2 retiring the environment whose cold start asked the shim does not end the question: later cold starts skip the shim', async () => {
    const root = path.join(dir, 'pyenv');
    // The question waits until the test releases it, after the environment that asked it was retired.
    const { shim, runs } = versionManager(
      root,
      real,
      ['3.12.1'],
      'while [ ! -e "$root/release" ]; do sleep 0.01; done',
    );
    const { codeRoot, spec } = project();
    const coldStart = coldStarts(shim, spec);
    const expected = { executable: path.join(root, 'versions', '3.12.1', 'bin', 'python3'), picked: '3.12.1' };
    assert.deepEqual(await coldStart(), expected);
    await waitFor('the shim to be asked', () => runs() >= 2);
    assert.deepEqual(await coldStart(), expected); // retires the first environment, with what carries its marker
    fs.writeFileSync(path.join(root, 'release'), '');
    await waitFor('the shim to say what it runs', () => pythonShims.isKnown(shim, codeRoot));
    const known = runs();
    assert.deepEqual(await coldStart(), expected);
    assert.equal(runs(), known, 'the cold start after the answer did not run the shim');
  });

  it('RUNTIME-2 a question killed before the shim answered is asked again at a later cold start', async () => {
    const root = path.join(dir, 'pyenv');
    // The first question is killed (as an out-of-memory killer or a closing terminal would).
    const { shim } = versionManager(
      root,
      real,
      ['3.12.1'],
      'if [ ! -e "$root/asked" ]; then : > "$root/asked"; kill -9 $$; fi',
    );
    const { codeRoot, spec } = project();
    const coldStart = coldStarts(shim, spec);
    await coldStart();
    await waitFor('the shim to be asked again and answer', async () => {
      await coldStart();
      return pythonShims.isKnown(shim, codeRoot);
    });
    assert.equal((await coldStart()).executable, path.join(root, 'versions', '3.12.1', 'bin', 'python3'));
  });

  it('RUNTIME-2 what a shim picks depends on PATH, its version variables and version files up the tree', () => {
    const codeRoot = path.join(dir, 'a', 'b');
    fs.mkdirSync(codeRoot, { recursive: true });
    const shim = path.join(dir, 'shims', 'python3');
    const env = { PATH: '/usr/bin', HOME: dir };
    const before = shimFingerprint(shim, codeRoot, env);
    assert.equal(shimFingerprint(shim, codeRoot, { ...env }), before);
    assert.notEqual(shimFingerprint(shim, codeRoot, { ...env, PATH: '/opt/bin:/usr/bin' }), before);
    assert.notEqual(shimFingerprint(shim, codeRoot, { ...env, PYENV_VERSION: '3.13.0' }), before);
    fs.writeFileSync(path.join(dir, 'a', '.tool-versions'), 'python 3.13.0\n');
    assert.notEqual(shimFingerprint(shim, codeRoot, env), before);
  });

  it('RUNTIME-2 only programs in a shims folder count as shims (a virtualenv or a plain python3 is spawned as it is)', () => {
    assert.equal(isVersionManagerShim('/home/u/.pyenv/shims/python3.12'), true);
    assert.equal(isVersionManagerShim('/home/u/.local/share/mise/shims/python3'), true);
    assert.equal(isVersionManagerShim('/home/u/project/.venv/bin/python3'), false);
    assert.equal(isVersionManagerShim('/usr/bin/python3'), false);
    assert.equal(isVersionManagerShim('python3'), false);
  });

  it('only an executable named by its path starts directly: not a name on PATH, a shim or a script (#!)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-starts-directly-'));
    try {
      const script = path.join(dir, 'python3');
      fs.writeFileSync(script, '#!/bin/sh\nexec /usr/bin/python3 "$@"\n', { mode: 0o755 });
      const shims = path.join(dir, 'shims');
      fs.mkdirSync(shims);
      fs.copyFileSync(process.execPath, path.join(shims, 'python3'));
      assert.equal(startsDirectly(process.execPath), true, 'a binary');
      assert.equal(startsDirectly(script), false, 'a wrapper script');
      assert.equal(startsDirectly(path.join(shims, 'python3')), false, 'a shim, even a binary one');
      assert.equal(startsDirectly('python3'), false, 'a name on PATH');
      assert.equal(startsDirectly(path.join(dir, 'missing')), false, 'nothing there');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
