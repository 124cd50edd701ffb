import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DurableStore, StoreValueError } from '../../../src/core/store/durableStore';
import { LiveCollection } from '../../../src/core/store/liveCollection';
import { waitFor } from '../../support/waitFor';

describe('store: live collections (owners change their objects, the store writes them once per commit)', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-live-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const segmentText = (): string => {
    const segment = fs.readdirSync(dir).find((f) => f.startsWith('segment-'))!;
    return fs.readFileSync(path.join(dir, segment), 'utf8');
  };

  it('an object changed many times before a commit is written once, as it is then; one saved and deleted not at all', async () => {
    const store = await DurableStore.open(dir);
    const messages = new LiveCollection<{ n: number }>(store, 'q');
    const m = { n: 1 };
    messages.save('m', m);
    m.n = 2;
    messages.save('m', m);
    messages.save('gone', { n: 0 });
    messages.delete('gone');
    await store.flush();
    m.n = 3; // changed without save: neither written nor seen by the store
    await store.close();
    assert.equal(segmentText(), '[["p","q","m",{"n":2}]]\n');
    const reopened = await DurableStore.open(dir);
    assert.deepEqual([...new LiveCollection<{ n: number }>(reopened, 'q').values()], [{ n: 2 }]);
    await reopened.close();
  });

  it('flush() resolves only once what was saved before it is on disk', async () => {
    const store = await DurableStore.open(dir);
    const records = new LiveCollection<string>(store, 'r');
    records.save('a', 'first');
    await store.flush();
    records.save('a', 'second');
    const pending = store.flush();
    records.save('b', 'after the flush was asked'); // may or may not join it; 'a' must be in it
    await pending;
    assert.match(segmentText(), /\["p","r","a","second"\]/);
    await store.close();
  });

  it('a key deleted and saved again moves to the end, in memory and after a reopen', async () => {
    const store = await DurableStore.open(dir);
    const q = new LiveCollection<string>(store, 'q');
    for (const k of ['a', 'b', 'c']) q.save(k, k);
    await store.flush();
    q.delete('a');
    q.save('a', 'a again');
    assert.deepEqual([...q.keys()], ['b', 'c', 'a']);
    await store.close();
    const reopened = await DurableStore.open(dir);
    assert.deepEqual([...new LiveCollection<string>(reopened, 'q').keys()], ['b', 'c', 'a']);
    await reopened.close();
  });

  it('a value JSON cannot represent fails the flush waiting on it, naming its key; the others are written', async () => {
    const store = await DurableStore.open(dir);
    const c = new LiveCollection<unknown>(store, 'c');
    c.save('ok', 1);
    c.save('bad', { n: 10n });
    await assert.rejects(store.flush(), (e: Error) => e instanceof StoreValueError && /c\/bad/.test(e.message));
    c.delete('bad');
    c.save('after', 2);
    await store.close();
    const reopened = await DurableStore.open(dir);
    assert.deepEqual([...reopened.load('c').keys()], ['ok', 'after']);
    await reopened.close();
  });

  describe("history saved with 'later' (no caller waits on it)", () => {
    /** One turn of the event loop: a commit asked for 'now' takes its changes in the turn after it is asked. */
    const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

    it('asks for no write of its own: a value saved again before the next flush is written once, as it is then', async () => {
      const store = await DurableStore.open(dir, { laterCommitMs: 60_000 });
      const history = new LiveCollection<{ status: string }>(store, 'records');
      const queue = new LiveCollection<string>(store, 'q');
      const record = { status: 'running' };
      history.save('r1', record, 'later');
      await nextTurn();
      await nextTurn();
      record.status = 'succeeded';
      history.save('r1', record, 'later');
      queue.save('m1', 'body'); // a change someone waits for: the history goes with it
      await store.flush();
      assert.equal(segmentText(), '[["p","records","r1",{"status":"succeeded"}],["p","q","m1","body"]]\n');
      await store.close();
    });

    it('waits while commits write what is wanted now; the next flush writes it', async () => {
      const store = await DurableStore.open(dir, { laterCommitMs: 60_000 });
      const history = new LiveCollection<string>(store, 'records');
      const queue = new LiveCollection<string>(store, 'q');
      history.save('r1', 'running', 'later');
      queue.save('m1', 'body');
      await waitFor('the queue change written', () =>
        fs.readdirSync(dir).some((f) => f.startsWith('segment-')) ? /"m1"/.test(segmentText()) : false,
      );
      assert.doesNotMatch(segmentText(), /"r1"/);
      history.save('r1', 'succeeded', 'later');
      await store.flush();
      assert.equal(segmentText().split('"r1"').length - 1, 1, 'written once, as it is at the flush');
      assert.match(segmentText(), /"r1","succeeded"/);
      await store.close();
    });

    it('is written after laterCommitMs when no one asks for a write', async () => {
      const store = await DurableStore.open(dir, { laterCommitMs: 20 });
      new LiveCollection<string>(store, 'records').save('r1', 'done', 'later');
      await waitFor('the history written by itself', () =>
        fs.readdirSync(dir).some((f) => f.startsWith('segment-')) ? /"r1","done"/.test(segmentText()) : false,
      );
      await store.close();
    });

    it('is written by close(), and a record dropped before any write costs nothing', async () => {
      const store = await DurableStore.open(dir, { laterCommitMs: 60_000 });
      const history = new LiveCollection<string>(store, 'records');
      history.save('kept', 'done', 'later');
      history.save('dropped', 'done', 'later');
      history.delete('dropped', 'later');
      await store.close();
      assert.equal(segmentText(), '[["p","records","kept","done"]]\n');
      const reopened = await DurableStore.open(dir);
      assert.deepEqual([...reopened.load('records').keys()], ['kept']);
      await reopened.close();
    });
  });
});
