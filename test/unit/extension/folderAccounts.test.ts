/**
 * FolderAccounts: one local account per workspace folder, re-opened when it is out of date but never under a
 * running invocation, and closed for good by close(), which resolves once every account is closed.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { LocalAccount } from '../../../src/core/account/localAccount';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';
import { WorkspaceIndex } from '../../../src/core/discovery/workspaceIndex';
import { STORE_LOCK_FILE } from '../../../src/core/store/durableStore';
import { FolderAccounts, FolderAccountsClosedError } from '../../../src/extension/folderAccounts';
import { failWritesUnder } from '../../support/failingWrites';
import { processGone } from '../../support/processGone';
import { event, examples, openExamplesAccount } from '../account/examplesAccount';
import { buildBootstraps } from '../runtime/bootstrapBuild';

interface FakeAccount {
  n: number;
  disposed: boolean;
}

interface FakeFolder {
  /** What the next open would use. */
  key: string;
  /** Opens wait for it. */
  openDelay: Promise<void>;
  log: string[];
  errors: unknown[];
  accounts: FolderAccounts;
}

/** Accounts that only log when they open and close. */
function fakeFolder(): FakeFolder {
  let opened = 0;
  const state: Omit<FakeFolder, 'accounts'> = { key: 'v1', openDelay: Promise.resolve(), log: [], errors: [] };
  const accounts = new FolderAccounts({
    recipe: () => {
      const key = state.key;
      return {
        key,
        open: async () => {
          const account = { n: ++opened, disposed: false };
          state.log.push(`open ${account.n} (${key})`);
          await state.openDelay;
          const disposable = {
            ...account,
            dispose: async () => {
              await Promise.resolve();
              disposable.disposed = true;
              state.log.push(`closed ${account.n}`);
            },
          };
          return disposable as unknown as LocalAccount;
        },
      };
    },
    onOpened: (_root, account) => {
      // What onOpened announces (the panel's whole history) reads list(): the new account is in it already.
      const listed = accounts.list().some((e) => e.account === account);
      state.log.push(`opened ${n(account)}${listed ? '' : ' (not listed yet)'}`);
      return {
        dispose: () => {
          state.log.push(`unsubscribed ${n(account)}`);
        },
      };
    },
    onError: (_root, _action, err) => state.errors.push(err),
    onThrowawayStore: (_root, message) => state.errors.push(message),
  });
  return Object.assign(state, { accounts });
}

const n = (account: LocalAccount): number => (account as unknown as FakeAccount).n;

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('FolderAccounts: the local account of each workspace folder', () => {
  it('opens a folder once for concurrent callers and keeps it while it is up to date', async () => {
    const folder = fakeFolder();
    const [a, b] = await Promise.all([folder.accounts.get('/ws'), folder.accounts.get('/ws')]);
    assert.equal(a, b);
    assert.equal(await folder.accounts.get('/ws'), a);
    assert.deepEqual(folder.log, ['open 1 (v1)', 'opened 1']);
  });

  it('re-opens an out-of-date account on the next use, closing the old one before the new one opens', async () => {
    const folder = fakeFolder();
    await folder.accounts.get('/ws');
    folder.key = 'v2';
    const account = await folder.accounts.use('/ws', (a) => Promise.resolve(a));
    assert.equal(n(account), 2);
    assert.deepEqual(folder.log, ['open 1 (v1)', 'opened 1', 'unsubscribed 1', 'closed 1', 'open 2 (v2)', 'opened 2']);
  });

  it('never re-opens under a running invocation, and re-opens as soon as the last one ends', async () => {
    const folder = fakeFolder();
    await folder.accounts.get('/ws');
    const first = deferred();
    const second = deferred();
    const running = [
      folder.accounts.use('/ws', (a) => first.promise.then(() => a)),
      folder.accounts.use('/ws', (a) => second.promise.then(() => a)),
    ];
    folder.key = 'v2';
    folder.accounts.reopenOutdated();
    assert.equal(n(await folder.accounts.get('/ws')), 1, 'the running invocations keep their account');
    first.resolve();
    assert.equal(n(await running[0]), 1);
    assert.equal(n(await folder.accounts.get('/ws')), 1, 'one invocation still runs');
    second.resolve();
    assert.equal(n(await running[1]), 1);
    // The last invocation's end started the re-open; get() waits for it.
    assert.equal(n(await folder.accounts.get('/ws')), 2);
    assert.deepEqual(folder.log.slice(2), ['unsubscribed 1', 'closed 1', 'open 2 (v2)', 'opened 2']);
  });

  it('reopenOutdated re-opens an idle out-of-date account at once and leaves up-to-date ones alone', async () => {
    const folder = fakeFolder();
    await folder.accounts.get('/a');
    folder.accounts.reopenOutdated();
    assert.deepEqual(folder.log, ['open 1 (v1)', 'opened 1']);
    folder.key = 'v2';
    folder.accounts.reopenOutdated();
    assert.equal(n(await folder.accounts.get('/a')), 2);
    assert.deepEqual(
      folder.accounts.list().map((e) => [e.root, n(e.account)]),
      [['/a', 2]],
    );
  });

  it('close() waits for an open in flight, closes every account once, then refuses new uses', async () => {
    const folder = fakeFolder();
    await folder.accounts.get('/a');
    const slowOpen = deferred();
    folder.openDelay = slowOpen.promise;
    const opening = folder.accounts.get('/b');
    const closed = [folder.accounts.close(), folder.accounts.close()];
    assert.equal(closed[0], closed[1], 'every close shares the first one');
    let done = false;
    void closed[0].then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(done, false, 'close waits for the open in flight');
    slowOpen.resolve();
    await closed[0];
    assert.deepEqual(
      folder.log.filter((l) => l.startsWith('closed')).sort(),
      ['closed 1', 'closed 2'],
      'when close() resolves, the account that was opening is closed too',
    );
    await assert.rejects(opening, FolderAccountsClosedError);
    assert.deepEqual(folder.accounts.list(), []);
    await assert.rejects(folder.accounts.get('/a'), FolderAccountsClosedError);
    await assert.rejects(
      folder.accounts.use('/a', () => Promise.resolve()),
      FolderAccountsClosedError,
    );
    assert.deepEqual(folder.errors, []);
  });

  describe('with real local accounts', function () {
    this.timeout(60_000);

    it('close() resolves once the stores are closed and every environment process has exited', async () => {
      const cleanups: (() => Promise<void>)[] = [];
      const accounts = new FolderAccounts({
        recipe: () => ({
          key: 'examples',
          open: async () => {
            const { account, dispose } = await openExamplesAccount('ltr-folder-accounts-');
            cleanups.push(dispose);
            return account;
          },
        }),
        onOpened: () => ({ dispose: () => undefined }),
        onError: (_root, action, err) => assert.fail(`${action}: ${String(err)}`),
        onThrowawayStore: (_root, message) => assert.fail(message),
      });
      try {
        const [record] = await accounts.use('/examples', (account) =>
          account.invoke('CreateOrderFunction', event('api-create-order.json'), 'sync'),
        );
        assert.equal(record?.status, 'succeeded');
        const account = await accounts.get('/examples');
        const pids = account.pool.processIds();
        const lock = path.join(account.engine.store.directory, STORE_LOCK_FILE);
        assert.equal(pids.length, 1, 'the warm environment runs');
        assert.ok(fs.existsSync(lock));

        await accounts.close();

        assert.equal(fs.existsSync(lock), false, 'the store lock is released when close() resolves');
        assert.deepEqual(
          pids.filter((pid) => !processGone(pid)),
          [],
          'no environment process runs when close() resolves',
        );
      } finally {
        for (const cleanup of cleanups) await cleanup();
      }
    });

    for (const [what, code, reason] of [
      ['read-only', 'EROFS', 'the file system is read-only (EROFS)'],
      ['on a full disk', 'ENOSPC', 'the disk is full (ENOSPC)'],
    ] as const) {
      it(`a folder whose store is ${what}: its account runs on a throwaway store, with a warning naming the folder, the operation and the cause`, async () => {
        const index = new WorkspaceIndex({ root: examples });
        await index.build();
        const bootstrapDir = await buildBootstraps();
        const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ltr-unwritable-store-'));
        const warnings: string[] = [];
        const openedOn: string[] = [];
        const accounts = new FolderAccounts({
          recipe: () => ({
            key: 'examples',
            open: (throwawayStore) =>
              LocalAccount.open({
                workspaceRoot: examples,
                functions: index.functions(),
                bootstrapDir,
                storeDir: throwawayStore ?? storeDir,
                location: DEFAULT_LOCATION,
              }),
          }),
          onOpened: (_root, account) => {
            openedOn.push(account.engine.store.directory);
            return { dispose: () => undefined };
          },
          onError: (_root, action, err) => assert.fail(`${action}: ${String(err)}`),
          onThrowawayStore: (root, message) => warnings.push(`${root}: ${message}`),
        });
        const failing = failWritesUnder(storeDir, code);
        try {
          const [record] = await accounts.use('/examples', (account) =>
            account.invoke('CreateOrderFunction', event('api-create-order.json'), 'sync'),
          );
          assert.equal(record?.status, 'succeeded');
          assert.deepEqual(warnings, [
            `/examples: Cannot write the store at ${storeDir} (take the lock): ${reason}. Invocations in /examples run ` +
              'on a throwaway store until its account is opened again: the Invocations panel shows their records, ' +
              'but they are not kept, and its queues start empty.',
          ]);
          const account = await accounts.get('/examples');
          assert.deepEqual(
            account.engine.records().map((r) => r.id),
            [record.id],
            'the records the panel lists',
          );
          assert.equal(openedOn.length, 1);
          assert.notEqual(openedOn[0], storeDir);
          assert.ok(fs.existsSync(openedOn[0]), 'the throwaway store exists while its account is open');
          await accounts.close();
          assert.equal(fs.existsSync(openedOn[0]), false, 'the throwaway store is removed when its account closes');
          assert.deepEqual(fs.readdirSync(storeDir), [], "nothing was written to the folder's store");
        } finally {
          failing.restore();
          await accounts.close();
          fs.rmSync(storeDir, { recursive: true, force: true });
        }
      });
    }
  });
});
