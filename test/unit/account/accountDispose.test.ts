/**
 * LocalAccount.dispose resolves only once everything the account started is gone: the processes of its execution
 * environments have exited and its store is closed, the lock released for the next process (VS Code awaits it
 * in deactivate).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { STORE_LOCK_FILE } from '../../../src/core/store/durableStore';
import { processGone } from '../../support/processGone';
import { event, openExamplesAccount } from './examplesAccount';

const processRuns = (pid: number): boolean => !processGone(pid);

describe('account: dispose waits for the execution environments and the store', function () {
  this.timeout(60_000);

  it('resolves after every environment process has exited and the store lock is released', async () => {
    const { account, dispose } = await openExamplesAccount('ltr-account-dispose-');
    const lock = path.join(account.engine.store.directory, STORE_LOCK_FILE);
    try {
      const [order] = await account.invoke('CreateOrderFunction', event('api-create-order.json'), 'sync');
      assert.equal(order?.status, 'succeeded');
      await account.invoke('ThumbnailFunction', event('s3-image-uploaded.json'), 'sync');
    } catch (err) {
      await dispose();
      throw err;
    }
    const pids = account.pool.processIds();
    assert.equal(pids.length, 2, 'two warm environments stay after the invocations');
    assert.ok(pids.every(processRuns), 'their processes run');
    assert.ok(fs.existsSync(lock), 'the open store holds its lock');

    try {
      await account.dispose();

      assert.deepEqual(pids.filter(processRuns), [], 'no environment process is left when dispose resolves');
      assert.equal(fs.existsSync(lock), false, `${STORE_LOCK_FILE} is released when dispose resolves`);
      assert.deepEqual(account.pool.processIds(), []);
    } finally {
      await dispose(); // a second dispose is harmless; this one also deletes the throwaway store
    }
  });
});
