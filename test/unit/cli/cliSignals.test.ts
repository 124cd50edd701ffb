/**
 * The CLI as a terminal runs it, interrupted: Ctrl-C (SIGINT), a `kill` (SIGTERM) and SIGKILL while a handler
 * busy-loops with a detached child and an orphaned grandchild; a handler that kills its parent. Real processes and
 * real signals; every wait is on a condition.
 */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { processGone } from '../../support/processGone';
import { waitFor } from '../../support/waitFor';
import { buildBootstraps, fixturesRoot } from '../runtime/bootstrapBuild';

const ROOT = path.resolve(__dirname, '../../..');

interface EnvironmentIds {
  runtime: number;
  parent: number;
  descendants: number[];
}

interface CliRun {
  child: ChildProcess;
  /** Resolves with the exit code, or 128 + the number of the signal that ended it. */
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>;
}

/** `lambda-trigger <args>` in a process of its own, with a temporary folder of this test's own. */
function startCli(args: string[], bootstrapDir: string, tmpdir: string): CliRun {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd: fixturesRoot,
    env: { ...process.env, LAMBDA_TRIGGER_BOOTSTRAP_DIR: bootstrapDir, TMPDIR: tmpdir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>(
    (resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, out, err }));
    },
  );
  return { child, ended };
}

function readIds(file: string): EnvironmentIds | undefined {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as EnvironmentIds) : undefined;
}

function everyProcess(ids: EnvironmentIds): number[] {
  return [ids.runtime, ids.parent, ...ids.descendants];
}

describe('cli: interrupted, the CLI leaves no process and no throwaway store behind', function () {
  this.timeout(60_000);
  let bootstrapDir: string;
  let tmpdir: string;
  let pidsFile: string;

  before(async () => {
    bootstrapDir = await buildBootstraps();
  });
  beforeEach(() => {
    tmpdir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-cli-signals-'));
    pidsFile = path.join(tmpdir, 'pids.json');
  });
  afterEach(() => fs.rmSync(tmpdir, { recursive: true, force: true }));

  /** Invokes the busy-looping handler and waits until it reports its processes. */
  async function busyRun(): Promise<{ run: CliRun; ids: EnvironmentIds }> {
    const run = startCli(
      ['invoke', 'node/supervision.busyWithDescendants', '--timeout', '120', '--env', `PIDS_FILE=${pidsFile}`],
      bootstrapDir,
      tmpdir,
    );
    let early: unknown;
    run.ended.then(
      (r) => (early = r),
      () => undefined,
    );
    const ids = await waitFor('the busy handler to report its process ids', () => {
      if (early) throw new Error(`the CLI ended first: ${JSON.stringify(early)}`);
      return readIds(pidsFile);
    });
    assert.equal(everyProcess(ids).some(processGone), false, 'every process of the environment runs');
    return { run, ids };
  }

  const storesLeft = (): string[] => fs.readdirSync(tmpdir).filter((f) => f.startsWith('lambda-trigger-store-'));

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    it(`${signal} (a busy-looping handler with a detached child and an orphaned grandchild): exit ${code}, nothing left`, async () => {
      const { run, ids } = await busyRun();
      assert.equal(storesLeft().length, 1, 'the run has a throwaway store');
      run.child.kill(signal);
      const ended = await run.ended;
      assert.equal(ended.code, code, ended.err);
      await waitFor(`the environment's processes (${everyProcess(ids).join(', ')}) to be gone`, () =>
        everyProcess(ids).every(processGone),
      );
      assert.deepEqual(storesLeft(), []);
    });
  }

  it("SIGKILL of the CLI: the environment's supervisor, runtime process and descendants end by themselves", async () => {
    const { run, ids } = await busyRun();
    run.child.kill('SIGKILL');
    assert.equal((await run.ended).signal, 'SIGKILL');
    await waitFor(
      `the environment's processes (${everyProcess(ids).join(', ')}) to be gone`,
      () => everyProcess(ids).every(processGone),
      10_000,
    );
  });

  it('SYNC-5 a handler that kills its parent fails with Runtime.ExitError; the CLI lives, prints the record, exits 1', async () => {
    const run = startCli(['invoke', 'node/supervision.killsParent', '--json'], bootstrapDir, tmpdir);
    const ended = await run.ended;
    assert.equal(ended.code, 1, ended.err);
    const record = JSON.parse(ended.out) as InvocationRecord;
    assert.deepEqual(
      record.attempts.map((a) => a.error?.errorType),
      ['Runtime.ExitError'],
    );
    assert.deepEqual(storesLeft(), []);
  });
});
