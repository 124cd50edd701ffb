/**
 * Each execution environment runs under a supervisor of its own (engine → supervisor → runtime process), as a Lambda
 * handler runs inside its sandbox: a handler that kills its parent ends only its environment (SYNC-5), and nothing an
 * environment started (detached or orphaned descendants included) outlives the environment or the engine.
 * Real processes and real signals; every wait is on a condition.
 */
import * as assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EnvironmentPool, type FunctionSpec } from '../../../src/core/runtime';
import { SUPERVISOR_FILE } from '../../../src/core/runtime/executionEnvironment';
import type { SupervisorRequest } from '../../../src/core/runtime/protocol';
import { prepareSupervisor, spareSupervisorPid, takeSupervisor } from '../../../src/core/runtime/supervisors';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';
import { processGone } from '../../support/processGone';
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
      const supervisor = takeSupervisor(script, request);
      taken.push(supervisor);
      assert.equal(supervisor.pid, spare, 'the waiting spare is the one taken');
    }
    const next = spareSupervisorPid(script);
    assert.ok(next !== undefined && next !== taken[1].pid, 'the second take started the next spare, before any init');
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
});
