/**
 * Whether a process still runs, as the engine waits for a runtime process killed with its supervisor: a zombie (an
 * exited process nobody reaped, which is all an orphan becomes where PID 1 does not reap, as in containers without
 * an init) has ended. Waiting for it to disappear would hold every close for the full two-second deadline.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { isZombie } from '../../../src/core/runtime/processTree';
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
