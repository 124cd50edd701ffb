/**
 * Each execution environment runs under a supervisor of its own (engine → supervisor → runtime process), as a Lambda
 * handler runs inside its sandbox: a handler that kills its parent ends only its environment (SYNC-5), and nothing an
 * environment started (detached or orphaned descendants included) outlives the environment or the engine.
 * Real processes and real signals; every wait is on a condition.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EnvironmentPool, type FunctionSpec } from '../../../src/core/runtime';
import { SUPERVISOR_FILE } from '../../../src/core/runtime/executionEnvironment';
import { BOOTSTRAP_ARG_AWAIT_CONFIGURATION, type SupervisorRequest } from '../../../src/core/runtime/protocol';
import { prepareSupervisor, spareSupervisorPid, takeSupervisor } from '../../../src/core/runtime/supervisors';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';
import { processGone, procStatFields } from '../../support/processGone';
import { waitFor } from '../../support/waitFor';
import { buildBootstraps, fixturesRoot } from './bootstrapBuild';

interface EnvironmentIds {
  runtime: number;
  parent: number;
  descendants: number[];
}

function nodeSpec(handler: string, extra: Partial<FunctionSpec> = {}): FunctionSpec {
  const name = ('sup-' + handler).replace(/[^A-Za-z0-9_-]/g, '_');
  return { name, handler, runtime: 'nodejs20.x', codeRoot: path.join(fixturesRoot, 'node'), ...extra };
}

function pythonSpec(handler: string): FunctionSpec {
  const name = ('sup-py-' + handler).replace(/[^A-Za-z0-9_-]/g, '_');
  return { name, handler, runtime: 'python3.12', codeRoot: path.join(fixturesRoot, 'python') };
}

async function allGone(what: string, pids: number[]): Promise<void> {
  await waitFor(`${what} (${pids.join(', ')}) to be gone`, () => pids.every(processGone), 10_000);
}

describe('runtime: each execution environment has a supervisor of its own', function () {
  this.timeout(30_000);
  let pool: EnvironmentPool;
  let bootstrapDir: string;

  before(async () => {
    bootstrapDir = await buildBootstraps();
    pool = new EnvironmentPool({ location: DEFAULT_LOCATION, bootstrapDir, pythonInterpreter: 'python3' });
  });
  after(() => pool.dispose());

  it("a handler's parent process is its environment's, not the engine", async () => {
    for (const spec of [nodeSpec('supervision.parent'), pythonSpec('supervision.parent')]) {
      const o = await pool.invoke(spec, '{}');
      const { pid, ppid } = o.result as { pid: number; ppid: number };
      assert.notEqual(ppid, process.pid, spec.runtime);
      assert.notEqual(ppid, pid, spec.runtime);
    }
  });

  it('SYNC-5 process.kill(process.ppid) ends only its environment: Runtime.ExitError, the engine lives, the next call is cold', async () => {
    const spec = nodeSpec('supervision.killsParent');
    const o = await pool.invoke(spec, '{}');
    assert.equal(o.error?.errorType, 'Runtime.ExitError', JSON.stringify(o.error));
    assert.match(o.error?.errorMessage ?? '', /Runtime exited with error: signal: terminated/);
    const next = await pool.invoke(spec, '{"signal":"SIGKILL"}');
    assert.equal(next.coldStart, true);
    assert.equal(next.error?.errorType, 'Runtime.ExitError', JSON.stringify(next.error));
    assert.match(next.error?.errorMessage ?? '', /signal: killed/);
  });

  it('SYNC-5 os.kill(os.getppid(), signal.SIGKILL) in Python ends only its environment: Runtime.ExitError', async () => {
    const spec = pythonSpec('supervision.kills_parent');
    const o = await pool.invoke(spec, '{}');
    assert.equal(o.error?.errorType, 'Runtime.ExitError', JSON.stringify(o.error));
    assert.match(o.error?.errorMessage ?? '', /signal: killed/);
    const next = await pool.invoke(spec, '{}');
    assert.equal(next.coldStart, true);
    assert.equal(next.error?.errorType, 'Runtime.ExitError', JSON.stringify(next.error));
  });

  it("closing the pool ends the environment's detached and orphaned descendants", async () => {
    const local = new EnvironmentPool({ location: DEFAULT_LOCATION, bootstrapDir });
    const o = await local.invoke(nodeSpec('supervision.withDescendants'), '{}');
    const ids = o.result as EnvironmentIds;
    assert.equal(ids.descendants.length, 2);
    assert.equal(ids.descendants.some(processGone), false, 'the descendants run while the environment does');
    await local.close();
    await allGone('the runtime process, its supervisor and its descendants', [
      ids.runtime,
      ids.parent,
      ...ids.descendants,
    ]);
  });

  /** Invokes `handler` once in a pool of its own, retires the function, and waits for its processes to be gone. */
  async function retireEndsAll(handler: string, what: string, before?: (ids: EnvironmentIds) => Promise<void>) {
    const local = new EnvironmentPool({ location: DEFAULT_LOCATION, bootstrapDir });
    try {
      const spec = nodeSpec(handler);
      const ids = (await local.invoke(spec, '{}')).result as EnvironmentIds;
      assert.equal(ids.descendants.some(processGone), false, 'the descendants run while the environment does');
      await before?.(ids);
      local.retire(spec.name);
      await allGone(what, [ids.runtime, ids.parent, ...ids.descendants]);
    } finally {
      await local.close();
    }
  }

  it('retiring a function ends its environment through the supervisor: the runtime process at once, the rest after', async () => {
    await retireEndsAll('supervision.withDescendants', 'the runtime process, its supervisor and its descendants');
  });

  it('a supervisor the handler stopped (SIGSTOP) cannot end its environment: the engine ends it with the tree', async function () {
    if (process.platform === 'win32') this.skip(); // no supervisors there
    await retireEndsAll(
      'supervision.stopsParent',
      'the runtime process, its stopped supervisor and its descendants',
      async (ids) => {
        await waitFor('the supervisor to be stopped', () => procStatFields(ids.parent)[0] === 'T');
      },
    );
  });

  it('when cold starts follow each other closely, the next spare supervisor starts as soon as one is taken', async function () {
    if (process.platform === 'win32') this.skip(); // no supervisors there
    const script = path.join(bootstrapDir, SUPERVISOR_FILE);
    const request: SupervisorRequest = {
      t: 'spawn',
      command: process.execPath,
      args: ['-e', '0'],
      env: { PATH: process.env.PATH ?? '' },
      cwd: os.tmpdir(),
    };
    const taken: ChildProcess[] = [];
    for (let i = 0; i < 2; i++) {
      prepareSupervisor(script);
      const spare = spareSupervisorPid(script);
      assert.ok(spare !== undefined, 'a spare waits');
      const { child, startNextSpare } = takeSupervisor(script, request);
      taken.push(child);
      assert.equal(child.pid, spare, 'the waiting spare is the one taken');
      // The second follows the first closely: its environment starts the next spare once its supervisor answers.
      if (i === 1) assert.equal(startNextSpare, true);
    }
    prepareSupervisor(script); // what the environment does then
    const next = spareSupervisorPid(script);
    assert.ok(next !== undefined && next !== taken[1].pid, 'the next spare started, before any init');
    // Each taken supervisor ran its runtime process (node -e 0), which exited, and then exits itself.
    await Promise.all(
      taken.map(
        (c) => new Promise<void>((resolve) => (c.exitCode !== null ? resolve() : c.once('exit', () => resolve()))),
      ),
    );
    assert.equal(spareSupervisorPid(script), next, 'the next spare still waits');
  });

  it('SYNC-5 a supervisor killed during an invocation fails it with Runtime.ExitError and ends what it supervised', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-supervision-'));
    const pidsFile = path.join(dir, 'pids.json');
    const local = new EnvironmentPool({ location: DEFAULT_LOCATION, bootstrapDir });
    try {
      const spec = nodeSpec('supervision.busyWithDescendants', {
        name: 'sup-outside',
        timeout: 60,
        environment: { PIDS_FILE: pidsFile },
      });
      const pending = local.invoke(spec, '{}');
      const ids = await waitFor('the busy handler to write its process ids', () =>
        fs.existsSync(pidsFile) ? (JSON.parse(fs.readFileSync(pidsFile, 'utf8')) as EnvironmentIds) : undefined,
      );
      process.kill(ids.parent, 'SIGKILL');
      const o = await pending;
      assert.equal(o.error?.errorType, 'Runtime.ExitError', JSON.stringify(o.error));
      assert.match(o.error?.errorMessage ?? '', /signal: killed/);
      await allGone('the busy runtime process and its descendants', [ids.runtime, ...ids.descendants]);
      fs.rmSync(pidsFile);
      const next = local.invoke(spec, '{}');
      const again = await waitFor('the next environment to start', () =>
        fs.existsSync(pidsFile) ? (JSON.parse(fs.readFileSync(pidsFile, 'utf8')) as EnvironmentIds) : undefined,
      );
      assert.notEqual(again.runtime, ids.runtime, 'the next invocation is a cold start');
      await local.close();
      await next; // ended with the pool
    } finally {
      await local.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('a runtime process started ahead of need (pre-boot)', () => {
    interface Seen {
      pid: number;
      env: Record<string, string>;
      cwd: string;
      argv: string[];
      execArgv: string[];
      locale: string;
      epoch: string;
    }
    const HANDLER =
      'exports.handler = async () => ({ pid: process.pid, env: { ...process.env }, cwd: process.cwd(), ' +
      'argv: process.argv.slice(1), execArgv: process.execArgv, ' +
      'locale: Intl.DateTimeFormat().resolvedOptions().locale, epoch: new Date(0).toString() });\n';
    interface PythonSeen {
      pid: number;
      env: Record<string, string>;
      cwd: string;
      argv: string[];
      origArgv: string[];
      path: string[];
      tz: string[];
      encodings: string[];
    }
    const PYTHON_HANDLER = [
      'import locale, os, sys, time',
      'def handler(event, context):',
      '    return {"pid": os.getpid(), "env": dict(os.environ), "cwd": os.getcwd(), "argv": sys.argv[1:],',
      '            "origArgv": getattr(sys, "orig_argv", [])[1:],',
      '            "path": sys.path, "tz": list(time.tzname),',
      '            "encodings": [sys.getfilesystemencoding(), locale.getpreferredencoding(False)]}',
      '',
    ].join('\n');
    let dir: string;
    let local: EnvironmentPool;
    let shape: string;
    /**
     * The interpreter itself, as the runner finds one: a name looked up on PATH or a version manager's shim is never
     * started ahead of need.
     */
    let pythonInterpreter: string;
    before(() => {
      pythonInterpreter = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], {
        encoding: 'utf8',
      }).trim();
    });
    beforeEach(() => {
      shape = String(Math.random());
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-preboot-'));
      fs.writeFileSync(path.join(dir, 'index.js'), HANDLER);
      local = new EnvironmentPool({ location: DEFAULT_LOCATION, bootstrapDir, pythonInterpreter });
    });
    afterEach(async () => {
      await local.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const spec = (extra: Partial<FunctionSpec> = {}): FunctionSpec => ({
      name: 'preboot',
      handler: 'index.handler',
      runtime: 'nodejs20.x',
      codeRoot: dir,
      // A startup variable of this test's own: no process started ahead of need for another test has its shape.
      environment: { GREETING: 'hello', NODE_LTR_SHAPE: shape },
      ...extra,
    });
    const cmdline = (pid: number): string[] => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    /** The spare supervisor's runtime process waiting for its configuration, once there is one. */
    const preBootedChild = (): Promise<number> =>
      waitFor('the spare supervisor to have started a runtime process', () => {
        const spare = spareSupervisorPid(path.join(bootstrapDir, SUPERVISOR_FILE));
        if (spare === undefined) return undefined;
        // Once it runs the bootstrap: between its fork and its exec a child still shows the supervisor's command line.
        const entry = fs
          .readdirSync('/proc')
          .find((name) => /^\d+$/.test(name) && procStatFields(Number(name))[1] === String(spare));
        if (entry === undefined) return undefined;
        try {
          return cmdline(Number(entry)).includes(BOOTSTRAP_ARG_AWAIT_CONFIGURATION) ? Number(entry) : undefined;
        } catch {
          return undefined; // gone meanwhile
        }
      });
    /** What differs between two environments of one function: their log stream (and marker) and trace id. */
    const comparable = (seen: Seen): Omit<Seen, 'pid'> => {
      const env = { ...seen.env };
      delete env.AWS_LAMBDA_LOG_STREAM_NAME;
      delete env._X_AMZN_TRACE_ID;
      return { env, cwd: seen.cwd, argv: seen.argv, execArgv: seen.execArgv, locale: seen.locale, epoch: seen.epoch };
    };

    it('the next cold start of the same shape takes it, and its handler sees what a process started for it sees', async function () {
      if (process.platform !== 'linux') this.skip(); // reads /proc
      const first = await local.invoke(spec(), '{}');
      const started = first.result as Seen;
      assert.ok(!cmdline(started.pid).includes(BOOTSTRAP_ARG_AWAIT_CONFIGURATION), 'the first was started for it');
      const waiting = await preBootedChild();
      assert.ok(cmdline(waiting).includes(BOOTSTRAP_ARG_AWAIT_CONFIGURATION), cmdline(waiting).join(' '));
      local.retire('preboot'); // its code changed: the next invocation is a cold start
      const second = await local.invoke(spec(), '{}');
      assert.equal(second.coldStart, true);
      assert.equal(second.functionError, undefined, JSON.stringify(second.error));
      const taken = second.result as Seen;
      assert.equal(taken.pid, waiting, 'the cold start took the process started ahead of need');
      assert.deepEqual(comparable(taken), comparable(started));
      // Same variables in the same order: a handler that lists them sees one list.
      assert.deepEqual(Object.keys(comparable(taken).env), Object.keys(comparable(started).env));
      assert.ok(
        second.logs.some((l) => /^REPORT RequestId: .*Init Duration/.test(l.text)),
        'a cold start reports init',
      );
    });

    it('a cold start of another shape (other startup variables) starts its own process and ends the waiting one', async function () {
      if (process.platform !== 'linux') this.skip();
      await local.invoke(spec(), '{}');
      const waiting = await preBootedChild();
      const other = await local.invoke(
        spec({
          name: 'preboot-other',
          environment: { GREETING: 'hello', NODE_LTR_SHAPE: shape, NODE_OPTIONS: '--no-deprecation' },
        }),
        '{}',
      );
      const seen = other.result as Seen;
      assert.notEqual(seen.pid, waiting);
      assert.equal(seen.env.NODE_OPTIONS, '--no-deprecation');
      assert.ok(!cmdline(seen.pid).includes(BOOTSTRAP_ARG_AWAIT_CONFIGURATION), 'started for it');
      await waitFor('the process started for the other shape to end', () => processGone(waiting) || undefined);
    });

    for (const [locale, extra] of [
      ['', {}],
      // PEP 538: under the C locale Python sets LC_CTYPE in its environment at start, which the configuration keeps.
      [' under the C locale (LC_CTYPE set by Python at start)', { LANG: 'C' }],
    ] as const) {
      it(`a Python cold start of the same shape takes a Python process started ahead of need, which sees what one started for it sees${locale}`, async function () {
        if (process.platform !== 'linux') this.skip();
        fs.writeFileSync(path.join(dir, 'app.py'), PYTHON_HANDLER);
        const py: FunctionSpec = {
          name: 'preboot-py',
          handler: 'app.handler',
          runtime: 'python3.12',
          codeRoot: dir,
          environment: { GREETING: 'hello', PYTHON_LTR_SHAPE: shape, ...extra },
        };
        const started = async (): Promise<PythonSeen> => {
          const o = await local.invoke(py, '{}');
          assert.equal(o.functionError, undefined, JSON.stringify(o.error));
          assert.equal(o.coldStart, true);
          return o.result as PythonSeen;
        };
        const first = await started();
        assert.ok(!cmdline(first.pid).includes(BOOTSTRAP_ARG_AWAIT_CONFIGURATION), 'the first was started for it');
        if ('LANG' in extra) assert.equal(first.env.LC_CTYPE, 'C.UTF-8', 'Python coerced the C locale');
        const waiting = await preBootedChild();
        assert.ok(cmdline(waiting).includes(BOOTSTRAP_ARG_AWAIT_CONFIGURATION), cmdline(waiting).join(' '));
        local.retire(py.name); // its code changed: the next invocation is a cold start
        const taken = await started();
        assert.equal(taken.pid, waiting, 'the cold start took the process started ahead of need');
        const comparable = (seen: PythonSeen): Omit<PythonSeen, 'pid'> => {
          const env = { ...seen.env };
          delete env.AWS_LAMBDA_LOG_STREAM_NAME;
          delete env._X_AMZN_TRACE_ID;
          return { ...seen, pid: undefined, env } as Omit<PythonSeen, 'pid'>;
        };
        assert.deepEqual(comparable(taken), comparable(first));
        assert.deepEqual(Object.keys(comparable(taken).env), Object.keys(comparable(first).env), 'the same order');
        assert.equal(taken.env.GREETING, 'hello');
      });
    }

    it('a Node.js cold start that takes a spare with a Python process waiting ends it and runs', async function () {
      if (process.platform !== 'linux') this.skip();
      await local.invoke(pythonSpec('supervision.parent'), '{}');
      const waiting = await preBootedChild();
      assert.ok(
        cmdline(waiting).some((arg) => arg.endsWith('python_bootstrap.py')),
        cmdline(waiting).join(' '),
      );
      const o = await local.invoke(spec(), '{}');
      assert.equal(o.functionError, undefined, JSON.stringify(o.error));
      assert.notEqual((o.result as Seen).pid, waiting);
      await waitFor('the Python process started ahead of need to end', () => processGone(waiting) || undefined);
    });

    it('a Python cold start that takes a spare with a Node.js process waiting ends it and runs (the channel waits again)', async function () {
      if (process.platform !== 'linux') this.skip();
      await local.invoke(spec(), '{}');
      const waiting = await preBootedChild();
      const o = await local.invoke(pythonSpec('supervision.parent'), '{}');
      assert.equal(o.functionError, undefined, JSON.stringify(o.error));
      assert.equal(typeof (o.result as { pid: number }).pid, 'number');
      await waitFor('the Node.js process started ahead of need to end', () => processGone(waiting) || undefined);
    });
  });
});
