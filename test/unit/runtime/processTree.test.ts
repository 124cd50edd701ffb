/**
 * Ending an environment's processes (killProcessTree), and whether a process still runs, as the engine waits for a runtime process killed with its supervisor: a zombie (an
 * exited process nobody reaped, which is all an orphan becomes where PID 1 does not reap, as in containers without
 * an init) has ended. Waiting for it to disappear would hold every close for the full two-second deadline.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isZombie, killProcessTree } from '../../../src/core/runtime/processTree';
import { processGone, procStatFields } from '../../support/processGone';
import { waitFor } from '../../support/waitFor';

describe('runtime: process tree, ended processes', () => {
  it('an exited process nobody reaps is a zombie; a running one and a pid that does not exist are not', async function () {
    if (process.platform !== 'linux') this.skip();
    // A forked child exits at once; its parent sleeps and never waits for it.
    const script =
      'import os, time\npid = os.fork()\nif pid == 0:\n    os._exit(0)\nprint(pid, flush=True)\ntime.sleep(30)';
    const parent = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = await new Promise<number>((resolve) =>
        parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
      );
      await waitFor('the unreaped child to be a zombie', () => isZombie(pid));
      assert.equal(isZombie(parent.pid ?? -1), false, 'the sleeping parent runs');
      assert.equal(isZombie(process.pid), false, 'this process runs');
      assert.equal(isZombie(2 ** 22 + 1), false, 'no such process');
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

/** Whether `pid` runs (a zombie has ended). */
const running = (pid: number): boolean => !processGone(pid);

/** A shell that prints the pids its script echoes, one per line, until `count` are read. */
async function pidsOf(child: ReturnType<typeof spawn>, count: number): Promise<number[]> {
  const pids: number[] = [];
  let text = '';
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    text += chunk.toString();
    pids.splice(0, pids.length, ...text.split('\n').filter(Boolean).map(Number));
    if (pids.length >= count) break;
  }
  return pids;
}

describe('runtime: process tree, ending an environment', () => {
  const MARKER = { variable: 'AWS_LAMBDA_LOG_STREAM_NAME', value: `2026/12/03/[$LATEST]${'a'.repeat(32)}` };
  const started: number[] = [];
  afterEach(() => {
    for (const pid of started.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // ended already
      }
    }
  });

  it('ends the root, its group, its descendants (setsid ones too) and its marked orphans; nothing older', async function () {
    if (process.platform !== 'linux') this.skip();
    const env = { PATH: process.env.PATH ?? '', [MARKER.variable]: MARKER.value };
    // Older than the root and carrying the same marker: not the environment's (the marker is read on younger ones).
    const older = spawn('sleep', ['30'], { env, stdio: 'ignore' });
    started.push(older.pid!);
    const unrelated = spawn('sleep', ['30'], { stdio: 'ignore' });
    started.push(unrelated.pid!);
    await new Promise((resolve) => setTimeout(resolve, 20)); // a later start tick than the root's
    // root: a group leader with a child in its group, a child in a session of its own, and an orphan in a session of
    // its own (its parent exited): only the marker finds that one.
    const script = [
      'sleep 30 & echo $!',
      'setsid sleep 30 & echo $!',
      "sh -c 'setsid sleep 30 & echo $!'",
      'sleep 30',
    ].join('\n');
    const root = spawn('sh', ['-c', script], { env, detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    started.push(root.pid!);
    const [inGroup, ownSession, orphan] = await pidsOf(root, 3);
    started.push(inGroup, ownSession, orphan);
    await waitFor('the orphan to lose its parent', () => procStatFields(orphan)[1] !== String(root.pid));

    killProcessTree(root.pid!, MARKER);

    for (const [name, pid] of Object.entries({ root: root.pid!, inGroup, ownSession, orphan }))
      await waitFor(`${name} (${pid}) to end`, () => !running(pid));
    assert.ok(running(older.pid!), 'the older process with the same marker runs');
    assert.ok(running(unrelated.pid!), 'an unrelated process runs');
  });

  it('ends what a member forks while the tree is read', async function () {
    if (process.platform !== 'linux') this.skip();
    // A root that starts a process in a session of its own all the time: no group kill reaches those, and one started
    // between a reading of the tree and the root's end is orphaned before the next reading: the marker finds it.
    const marker = `${MARKER.variable}=${MARKER.value}`;
    const root = spawn('sh', ['-c', 'while :; do setsid sleep 30 & done'], {
      detached: true,
      stdio: 'ignore',
      env: { PATH: process.env.PATH ?? '', [MARKER.variable]: MARKER.value },
    });
    started.push(root.pid!);
    await waitFor('the root to have children', () => tagged(marker).length > 3);

    killProcessTree(root.pid!, MARKER);

    await waitFor('the root to end', () => !running(root.pid!));
    // A SIGKILLed process ends once it is scheduled, which on a busy machine may be after the root has: what was
    // signalled gets a moment to end; what was missed sleeps on for 30 s.
    let left: number[] = [];
    const deadline = Date.now() + 5_000;
    while ((left = tagged(marker)).length > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    started.push(...left);
    assert.deepEqual(left.map(describeProcess), [], 'processes the root started still run');
  });
});

describe('runtime: process tree, in a container', () => {
  it("an orphan re-parented to pid 2 (a subreaper, not the kernel's thread parent) is ended by its marker", async function () {
    if (process.platform !== 'linux') this.skip();
    // A pid namespace, as a container has: pid 1 a shell, pid 2 a subreaper that starts the fixture (pid 3).
    if (spawnSync('unshare', ['--fork', '--pid', '--mount-proc', 'true']).status !== 0) this.skip(); // not permitted here
    this.timeout(30_000);
    const fixture = path.resolve(__dirname, '../../fixtures/runtime/processTree/orphanToPid2.ts');
    const reaper = [
      'import ctypes, os, subprocess, sys',
      'ctypes.CDLL(None).prctl(36, 1)  # PR_SET_CHILD_SUBREAPER',
      'assert os.getpid() == 2, os.getpid()',
      'sys.exit(subprocess.run(sys.argv[1:]).returncode)',
    ].join('\n');
    const inner = `python3 -c '${reaper}' '${process.execPath}' --import tsx '${fixture}'; :`;
    const child = spawn('unshare', ['--fork', '--pid', '--mount-proc', 'sh', '-c', inner], {
      cwd: path.resolve(__dirname, '../../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await new Promise((resolve) => child.on('exit', resolve));
    assert.deepEqual(JSON.parse(out), { reparentedTo: 2, orphan: 'ended' });
  });
});

/** A process as /proc/<pid>/status shows it: its state, parent and pending signals (what a failure should say). */
function describeProcess(pid: number): string {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
    const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1] ?? '?';
    return `${pid} ${field('Name')} ${field('State')} ppid ${field('PPid')} pending ${field('SigPnd')}/${field('ShdPnd')}`;
  } catch {
    return `${pid} (gone)`;
  }
}

/** The running processes whose environment holds `entry`. */
function tagged(entry: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        return ('\0' + fs.readFileSync(`/proc/${pid}/environ`, 'latin1')).includes(`\0${entry}\0`) && running(pid);
      } catch {
        return false;
      }
    });
}
