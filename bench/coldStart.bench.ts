/**
 * Cold starts against their floor (measures, never asserts). Every baseline runs with the environment the runner
 * gives its children (lambdaEnvironment: no NODE_EXTRA_CA_CERTS and the like from this shell), on the executable
 * the runner picks for the runtime:
 * - JavaScript: a new environment (spawn, bootstrap, init, one invocation) against a bare `node` child that loads the
 *   same handler and answers one message over fd 3, and against `node -e 0`. Measured two ways: as after each code
 *   change (the function retired, then invoked half a second later: the usual cold start, which finds the runtime
 *   process started ahead of need, preBoot.ts) and back to back (retired and invoked again at once, as a burst does:
 *   the process started ahead of need may still be booting). The same bare child given the V8 heap
 *   limit every runtime process gets (NODE-12) is printed beside it, not as the baseline: that flag alone costs each
 *   Node.js start its built-in code cache.
 * - Python through a version manager's shim (`python3.X` on PATH is a script that picks a version and execs it; pyenv's
 *   own shims when pyenv is installed, else a pyenv-like bash script): a new environment against the real
 *   interpreter's bare child (same handler, one message over fd 3), and against the shim's own spawn. Back to back
 *   (the ratio's row) and, printed beside it, after a code change (the interpreter started ahead of need).
 * Also printed: how long retiring the function (a code change) holds the engine's thread while its environment ends.
 *   npx tsx bench/coldStart.bench.ts [--runs N]
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type { Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DEFAULT_LOCATION } from '../src/core/awsLocation';
import { EnvironmentPool, resolveFunctionSpec, type FunctionSpec } from '../src/core/runtime';
import { nodeHeapLimitArg } from '../src/core/runtime/executionEnvironment';
import { lambdaEnvironment, newLogStreamName } from '../src/core/runtime/lambdaEnvironment';
import { buildBootstraps } from '../test/unit/runtime/bootstrapBuild';
import { measureSteal } from './cpuSteal';
import { reportMetrics, type MetricRow } from './metricTable';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const RUNS = Number(values.runs);

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const median = (xs: number[]): number => sorted(xs)[Math.floor(xs.length / 2)] ?? NaN;
/** Spread: the 10th to the 90th percentile. */
const spread = (xs: number[]): string => {
  const s = sorted(xs);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  return `${r1(at(0.1))}–${r1(at(0.9))}`;
};
const r1 = (n: number): number => Math.round(n * 10) / 10;
const r2 = (n: number): number => Math.round(n * 100) / 100;

/** The environment the runner gives a child of `spec` (the same function builds it). */
function childEnvironment(spec: FunctionSpec): Record<string, string> {
  return lambdaEnvironment(
    resolveFunctionSpec(spec, { location: DEFAULT_LOCATION, logFormat: 'Text' }),
    newLogStreamName(),
  );
}

/** Spawns `command args` and resolves once it answered one NDJSON message on fd 3 (or exited, with no fd 3). */
function bareChild(command: string, args: string[], env: Record<string, string>, cwd: string): Promise<number> {
  const t = performance.now();
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'inherit', 'inherit', 'pipe'] });
  const sock = child.stdio[3] as Socket;
  return new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    sock.on('data', () => {
      resolve(performance.now() - t);
      child.kill('SIGKILL');
    });
    sock.write('{"id":1,"event":{}}\n');
  });
}

function spawnToExit(command: string, args: string[], env: Record<string, string>, cwd: string): Promise<number> {
  const t = performance.now();
  const child = spawn(command, args, { cwd, env, stdio: 'ignore' });
  return new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(performance.now() - t) : reject(new Error(`${command} exited ${code}`)),
    );
  });
}

const BARE_NODE = `const s = new (require('net').Socket)({ fd: 3, readable: true, writable: true });
const h = require(process.argv[1]).handler;
s.once('data', (c) => Promise.resolve(h(JSON.parse(String(c)).event)).then((r) => s.write(JSON.stringify({ id: 1, r }) + '\\n')));`;

const BARE_PYTHON = `import json, socket, sys
sys.path.insert(0, sys.argv[1])
import noop
s = socket.socket(fileno=3)
m = json.loads(s.recv(65536))
s.sendall((json.dumps({"id": m["id"], "r": noop.handler(m["event"], None)}) + "\\n").encode())`;

/**
 * Cold starts in one pool, as the extension and `invoke --repeat` keep one: the function's environment is retired
 * before each invocation, `pauseMs` before it (0: back to back). The first is also the pool's first (runtime lookup,
 * package checks), reported apart.
 */
async function coldStarts(
  bootstrapDir: string,
  spec: FunctionSpec,
  options: { pythonInterpreter?: string } = {},
  pauseMs = 0,
) {
  const times: number[] = [];
  /** How long retiring the last environment held this thread (the engine's: VS Code's extension host). */
  const retireTimes: number[] = [];
  const pool = new EnvironmentPool({ location: DEFAULT_LOCATION, bootstrapDir, ...options });
  for (let i = 0; i <= RUNS; i++) {
    const r = performance.now();
    pool.retire(spec.name);
    if (i > 0) retireTimes.push(performance.now() - r);
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    const t = performance.now();
    const o = await pool.invoke(spec, '{}');
    times.push(performance.now() - t);
    if (o.functionError) throw new Error(JSON.stringify(o.error));
    if (!o.coldStart) throw new Error('not a cold start');
  }
  pool.dispose();
  return { first: times[0] ?? NaN, later: times.slice(1), retireTimes };
}

/** How many processes /proc lists (what ending an environment reads through); NaN elsewhere. */
function processCount(): number {
  try {
    return fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name)).length;
  } catch {
    return NaN;
  }
}

async function repeat(n: number, once: () => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await once());
  return out;
}

/**
 * A shim for `python3.X`: pyenv's when it is installed, else a pyenv-like bash script in `dir` that reads the
 * selected version from `.python-version` (from the working directory up) or its global `version` file and execs it.
 */
function pythonShim(minor: string, real: string, dir: string): { shim: string; kind: string } {
  const pyenvRoot = process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv');
  const pyenvShim = path.join(pyenvRoot, 'shims', `python${minor}`);
  if (fs.existsSync(pyenvShim)) return { shim: pyenvShim, kind: `pyenv (${pyenvShim})` };
  fs.mkdirSync(path.join(dir, 'versions', minor, 'bin'), { recursive: true });
  fs.symlinkSync(real, path.join(dir, 'versions', minor, 'bin', `python${minor}`));
  fs.writeFileSync(path.join(dir, 'version'), `${minor}\n`);
  const shim = path.join(dir, 'shims', `python${minor}`);
  fs.mkdirSync(path.dirname(shim), { recursive: true });
  fs.writeFileSync(
    shim,
    `#!/usr/bin/env bash
set -e
root=${JSON.stringify(dir)}
d=$PWD; v=
while [ -z "$v" ]; do
  if [ -f "$d/.python-version" ]; then read -r v < "$d/.python-version"; fi
  [ "$d" = / ] && break; d=$(dirname "$d")
done
[ -n "$v" ] || read -r v < "$root/version"
exec "$root/versions/$v/bin/\${0##*/}" "$@"
`,
    { mode: 0o755 },
  );
  return { shim, kind: 'pyenv-like bash script' };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-cold-bench-'));
  const bootstrapDir = await buildBootstraps({ minify: true });
  const code = path.join(dir, 'code');
  fs.mkdirSync(code, { recursive: true });
  fs.writeFileSync(path.join(code, 'noop.js'), 'exports.handler = async () => null;\n');
  fs.writeFileSync(path.join(code, 'noop.py'), 'def handler(event, context):\n    return None\n');
  const rows: MetricRow[] = [];
  const steal = measureSteal();

  // JavaScript.
  const js: FunctionSpec = { name: 'noop', handler: 'noop.handler', runtime: 'nodejs20.x', codeRoot: code };
  const probe = new EnvironmentPool({ location: DEFAULT_LOCATION, bootstrapDir });
  const nodeExe = (await probe.hosts.node('nodejs20.x')).executable;
  probe.dispose();
  const jsEnv = childEnvironment(js);
  const { first: oursFirst, later: ours, retireTimes } = await coldStarts(bootstrapDir, js, {}, 500);
  const { later: backToBack } = await coldStarts(bootstrapDir, js);
  const bare = await repeat(RUNS, () => bareChild(nodeExe, ['-e', BARE_NODE, path.join(code, 'noop.js')], jsEnv, code));
  const heapArg = nodeHeapLimitArg(
    resolveFunctionSpec(js, { location: DEFAULT_LOCATION, logFormat: 'Text' }).memorySize,
  );
  const bareHeap = await repeat(RUNS, () =>
    bareChild(nodeExe, [heapArg, '-e', BARE_NODE, path.join(code, 'noop.js')], jsEnv, code),
  );
  const nodeE0 = await repeat(RUNS, () => spawnToExit(nodeExe, ['-e', '0'], jsEnv, code));
  const inherited = await repeat(RUNS, () =>
    spawnToExit(nodeExe, ['-e', '0'], process.env as Record<string, string>, code),
  );
  rows.push(
    [
      `JS cold start after a code change p50 (ms; p10–p90 ${spread(ours)}; a new pool's first ${r1(oursFirst)})`,
      '-',
      r1(median(ours)),
      null,
    ],
    [`JS cold start back to back p50 (ms; p10–p90 ${spread(backToBack)})`, '-', r1(median(backToBack)), null],
    [`bare node child p50 (ms, same env, one message; p10–p90 ${spread(bare)})`, '-', r1(median(bare)), null],
    [
      `bare node child with ${heapArg} (NODE-12) p50 (ms; not the baseline; p10–p90 ${spread(bareHeap)})`,
      '-',
      r1(median(bareHeap)),
      null,
    ],
    ['node -e 0 p50 (ms, same env)', '-', r1(median(nodeE0)), null],
    [
      `retiring the function (its environment ends) on the engine's thread p50 (ms; p10–p90 ${spread(retireTimes)}; ${processCount()} processes on this machine)`,
      '-',
      r2(median(retireTimes)),
      null,
    ],
    ['node -e 0 p50 (ms, this shell’s env: not a baseline)', '-', r1(median(inherited)), null],
    [
      'ratio JS cold start after a code change / bare node child',
      '<= 1.3',
      r2(median(ours) / median(bare)),
      median(ours) / median(bare) <= 1.3,
    ],
    [
      'ratio JS cold start back to back / bare node child',
      '<= 1.3',
      r2(median(backToBack) / median(bare)),
      median(backToBack) / median(bare) <= 1.3,
    ],
  );

  // Python through a shim.
  let real: string | undefined;
  try {
    real = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  } catch {
    console.log('no python3: the Python figures are skipped');
  }
  if (real) {
    const minor = execFileSync(real, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
      encoding: 'utf8',
    }).trim();
    const { shim, kind } = pythonShim(minor, real, path.join(dir, 'manager'));
    const py: FunctionSpec = {
      name: 'noopPy',
      handler: 'noop.handler',
      runtime: `python${minor}`,
      codeRoot: code,
    };
    const pyEnv = childEnvironment(py);
    const { first: oursPyFirst, later: oursPy } = await coldStarts(bootstrapDir, py, { pythonInterpreter: shim });
    const { later: oursPyAfterChange } = await coldStarts(bootstrapDir, py, { pythonInterpreter: shim }, 500);
    const barePy = await repeat(RUNS, () => bareChild(real, ['-c', BARE_PYTHON, code], pyEnv, code));
    const shimSpawn = await repeat(RUNS, () => spawnToExit(shim, ['-c', 'pass'], pyEnv, code));
    const realSpawn = await repeat(RUNS, () => spawnToExit(real, ['-c', 'pass'], pyEnv, code));
    console.log(`Python ${minor}: shim ${kind}; real interpreter ${real}`);
    rows.push(
      [
        `Python cold start through the shim p50 (ms; p10–p90 ${spread(oursPy)}; a new pool's first ${r1(oursPyFirst)})`,
        '-',
        r1(median(oursPy)),
        null,
      ],
      [
        `Python cold start through the shim after a code change p50 (ms; p10–p90 ${spread(oursPyAfterChange)})`,
        '-',
        r1(median(oursPyAfterChange)),
        null,
      ],
      [
        `bare real-interpreter child p50 (ms, same env, one message; p10–p90 ${spread(barePy)})`,
        '-',
        r1(median(barePy)),
        null,
      ],
      ['shim -c pass p50 (ms)', '-', r1(median(shimSpawn)), null],
      ['real interpreter -c pass p50 (ms)', '-', r1(median(realSpawn)), null],
      [
        'ratio Python cold start / bare real-interpreter child',
        '<= 1.5',
        r2(median(oursPy) / median(barePy)),
        median(oursPy) / median(barePy) <= 1.5,
      ],
    );
  }
  rows.push(['CPU steal during the run (%)', '-', steal() ?? -1, null]);
  reportMetrics('coldStart', rows);
  fs.rmSync(dir, { recursive: true, force: true });
}

void main();
