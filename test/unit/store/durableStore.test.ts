import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DurableStore, StoreCorruptError } from '../../../src/core/store/durableStore';

describe('store: durable store', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-store-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps puts and deletes across a reopen, in insertion order', async () => {
    const s = await DurableStore.open(dir);
    s.put('q', 'a', { n: 1 });
    s.put('q', 'b', { n: 2 });
    s.put('q', 'c', { n: 3 });
    s.delete('q', 'b');
    s.put('q', 'a', { n: 4 });
    await s.close();
    const r = await DurableStore.open(dir);
    assert.deepEqual(
      [...r.collection('q').entries()],
      [
        ['a', { n: 4 }],
        ['c', { n: 3 }],
      ],
    );
    await r.close();
  });

  it('stores a value as it was at put time, not as later mutated', async () => {
    const s = await DurableStore.open(dir);
    const v = { n: 1 };
    s.put('c', 'k', v);
    await s.flush();
    v.n = 2; // changed in memory without a put: not persisted
    await s.close();
    const r = await DurableStore.open(dir);
    assert.deepEqual(r.get('c', 'k'), { n: 1 });
    await r.close();
  });

  it('ignores a torn last line (a crash mid-write) and keeps earlier transactions', async () => {
    const s = await DurableStore.open(dir);
    s.put('c', 'a', 1);
    await s.close();
    const segment = fs.readdirSync(dir).find((f) => f.startsWith('segment-'))!;
    fs.appendFileSync(path.join(dir, segment), '[["p","c","b",2],["p","c"');
    const r = await DurableStore.open(dir);
    assert.deepEqual([...r.collection('c').entries()], [['a', 1]]);
    r.put('c', 'z', 3);
    await r.close();
    const again = await DurableStore.open(dir);
    assert.deepEqual(
      [...again.collection('c').entries()],
      [
        ['a', 1],
        ['z', 3],
      ],
    );
    await again.close();
  });

  it('refuses a damaged line in the middle with a clear error', async () => {
    fs.writeFileSync(path.join(dir, 'segment-00000001.jsonl'), '[["p","c","a",1]]\nnot json\n[["p","c","b",2]]\n');
    await assert.rejects(
      DurableStore.open(dir),
      (e: Error) => e instanceof StoreCorruptError && /segment-00000001\.jsonl: line 2/.test(e.message),
    );
  });

  it('changes made in one synchronous block land in one line (one transaction)', async () => {
    const s = await DurableStore.open(dir);
    s.put('a', '1', 1);
    s.put('b', '2', 2);
    s.delete('a', '1');
    await s.close();
    const segment = fs.readdirSync(dir).find((f) => f.startsWith('segment-'))!;
    assert.equal(fs.readFileSync(path.join(dir, segment), 'utf8'), '[["p","a","1",1],["p","b","2",2],["d","a","1"]]\n');
  });

  it('compaction writes a snapshot, drops older files and keeps the state', async () => {
    const s = await DurableStore.open(dir);
    for (let i = 0; i < 100; i++) s.put('c', String(i % 10), i);
    await s.flush();
    await s.compact();
    s.put('c', 'x', 'after');
    await s.close();
    assert.deepEqual(fs.readdirSync(dir).sort(), ['segment-00000002.jsonl', 'snapshot-00000002.jsonl']);
    const r = await DurableStore.open(dir);
    assert.equal(r.collection('c').size, 11);
    assert.equal(r.get('c', '9'), 99);
    assert.equal(r.get('c', 'x'), 'after');
    await r.close();
  });
});
