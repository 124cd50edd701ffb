import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DurableStore,
  STORE_LOCK_FILE,
  StoreInUseError,
  StoreValueError,
  StoreWriteError,
} from '../../../src/core/store/durableStore';
import { failWritesUnder } from '../../support/failingWrites';

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
      [...r.load('q').entries()],
      [
        ['a', { n: 4 }],
        ['c', { n: 3 }],
      ],
    );
    await r.close();
  });

  it('a value changed after its write without a new put is not written again', async () => {
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
    assert.deepEqual([...r.load('c').entries()], [['a', 1]]);
    r.put('c', 'z', 3);
    await r.close();
    const again = await DurableStore.open(dir);
    assert.deepEqual(
      [...again.load('c').entries()],
      [
        ['a', 1],
        ['z', 3],
      ],
    );
    await again.close();
  });

  it('a damaged line in the middle: every entry before and after it is kept, the file is moved aside and named with its line', async () => {
    const damaged = path.join(dir, 'segment-00000001.jsonl');
    fs.writeFileSync(damaged, '[["p","c","a",1]]\nnot json\n[["p","c","b",2]]\n[["x","c","z"]]\n[["p","c","c",3]]\n');
    const warnings: string[] = [];
    const s = await DurableStore.open(dir, { onWarning: (w) => warnings.push(w) });
    assert.deepEqual(
      [...s.load('c').entries()],
      [
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ],
    );
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0],
      /^The store at .+ was damaged: segment-00000001\.jsonl line 2 is not valid JSON, line 4 holds an operation the store does not know\. Every other entry is kept; the file was moved to .+segment-00000001\.jsonl\.damaged-\d{4}-\d\d-\d\dT[\d-]+Z\.$/,
    );
    const aside = fs.readdirSync(dir).find((f) => f.startsWith('segment-00000001.jsonl.damaged-'))!;
    assert.ok(warnings[0].endsWith(`${path.join(dir, aside)}.`));
    assert.match(
      fs.readFileSync(path.join(dir, aside), 'utf8'),
      /^\[\["p","c","a",1\]\]\nnot json\n/,
      'kept as it was',
    );
    assert.ok(!fs.existsSync(damaged));
    s.put('c', 'd', 4);
    await s.close();
    const again = await DurableStore.open(dir, { onWarning: (w) => warnings.push(w) });
    assert.deepEqual([...again.load('c').keys()], ['a', 'b', 'c', 'd']);
    assert.equal(warnings.length, 1, 'repaired once: the next opening finds nothing wrong');
    await again.close();
  });

  function segmentText(): string {
    const segment = fs.readdirSync(dir).find((f) => f.startsWith('segment-'))!;
    return fs.readFileSync(path.join(dir, segment), 'utf8');
  }

  it('group commit: changes made before a write land in one line (one transaction), each key once', async () => {
    const s = await DurableStore.open(dir);
    s.put('a', '1', 1);
    s.put('b', '2', 2);
    s.put('b', '2', 3);
    s.delete('a', '1');
    await s.close();
    // '1' was put and deleted before anything was written: only its delete remains; '2' is written once, as it ends.
    assert.equal(segmentText(), '[["p","b","2",3],["d","a","1"]]\n');
  });

  it('changes made while a write is in flight go together into the next line', async () => {
    const s = await DurableStore.open(dir);
    s.put('c', 'a', 1);
    const first = s.flush();
    // The first line is being written (its fsync has not returned): these wait for the next one.
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (let i = 0; i < 50; i++) s.put('c', 'b', i);
    s.put('c', 'z', 'last');
    await first;
    await s.close();
    assert.equal(segmentText(), '[["p","c","a",1]]\n[["p","c","b",49],["p","c","z","last"]]\n');
  });

  it('a value is serialised when it is put: a later change by the caller makes memory and disk differ in nothing', async () => {
    const s = await DurableStore.open(dir);
    s.put('q', 'm1', { n: 1 });
    s.put('q', 'm2', { n: 2 });
    await s.flush();
    const m1 = { n: 10 };
    s.delete('q', 'm1');
    s.put('q', 'm3', { n: 3 });
    s.put('q', 'm1', m1);
    m1.n = 11; // changed after the put, before the commit: neither memory nor disk sees it
    const loaded = s.load<{ n: number }>('q');
    assert.deepEqual(s.get('q', 'm1'), { n: 10 });
    loaded.get('m2')!.n = 99; // what load hands out is a copy, too
    assert.deepEqual(s.get('q', 'm2'), { n: 2 });
    await s.close();
    const r = await DurableStore.open(dir);
    // A put after a delete moves the key to the end, on disk as in memory.
    assert.deepEqual(
      [...r.load('q').entries()],
      [
        ['m2', { n: 2 }],
        ['m3', { n: 3 }],
        ['m1', { n: 10 }],
      ],
    );
    await r.close();
  });

  it('a value that is not JSON is refused when it is put, naming its key, and the store goes on', async () => {
    const s = await DurableStore.open(dir);
    s.put('c', 'ok', 1);
    assert.throws(
      () => s.put('c', 'bad', { n: 10n }),
      (e: Error) => e instanceof StoreValueError && /Cannot store c\/bad in .*BigInt/.test(e.message),
    );
    assert.throws(() => s.put('c', 'nothing', undefined), /c\/nothing .*not a JSON value/);
    s.put('c', 'after', 2);
    await s.close();
    const r = await DurableStore.open(dir);
    assert.deepEqual([...r.load('c').keys()], ['ok', 'after']);
    await r.close();
  });

  it('on Windows, where opening a directory to fsync it fails with EPERM, the store never does', async () => {
    // This machine behaves like Windows for directories: opening one for reading fails with EPERM.
    const open = fs.promises.open;
    fs.promises.open = async (file: fs.PathLike, ...rest: unknown[]) => {
      if (String(file) === dir)
        throw Object.assign(new Error(`EPERM: operation not permitted, open '${dir}'`), { code: 'EPERM' });
      return (open as (...a: unknown[]) => Promise<fs.promises.FileHandle>)(file, ...rest);
    };
    try {
      const windows = await DurableStore.open(dir, { platform: 'win32' });
      windows.put('c', 'k', 1);
      await windows.compact();
      windows.put('c', 'j', 2);
      await windows.close();
      // The same store on another platform does fsync its directory, and so fails here: the option is what matters.
      const posix = await DurableStore.open(dir, { platform: 'linux' });
      posix.put('c', 'i', 3);
      await assert.rejects(posix.flush(), /EPERM/);
      await posix.close().catch(() => undefined);
    } finally {
      fs.promises.open = open;
    }
    const r = await DurableStore.open(dir);
    assert.deepEqual([...r.load('c').entries()].slice(0, 2), [
      ['k', 1],
      ['j', 2],
    ]);
    await r.close();
  });

  it('one process at a time: a second open fails naming the holder, and close releases the store', async () => {
    const s = await DurableStore.open(dir, { owner: 'the lambda-trigger CLI' });
    await assert.rejects(
      DurableStore.open(dir),
      (e: Error) =>
        e instanceof StoreInUseError &&
        e.message.includes('in use by the lambda-trigger CLI (this process') &&
        e.message.includes(STORE_LOCK_FILE),
    );
    s.put('c', 'k', 1);
    await s.close();
    const again = await DurableStore.open(dir);
    assert.equal(again.get('c', 'k'), 1);
    await again.close();
    assert.ok(!fs.existsSync(path.join(dir, STORE_LOCK_FILE)));
  });

  it('the lock of a process that is gone (killed mid-run) is stale and taken over', async () => {
    const s = await DurableStore.open(dir);
    s.put('c', 'k', 1);
    await s.close();
    // What a SIGKILL leaves behind: the lock of a process that has exited.
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    fs.writeFileSync(path.join(dir, STORE_LOCK_FILE), JSON.stringify({ pid: gone, owner: 'killed', since: 'then' }));
    const r = await DurableStore.open(dir, { owner: 'next' });
    assert.equal(r.get('c', 'k'), 1);
    const holder = JSON.parse(fs.readFileSync(path.join(dir, STORE_LOCK_FILE), 'utf8')) as { owner: string };
    assert.equal(holder.owner, 'next');
    await r.close();
  });

  it('what a process killed while taking the lock left behind is removed; what a live one is using is not', async () => {
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    const holder = JSON.stringify({ pid: gone, owner: 'killed', since: 'then' });
    fs.writeFileSync(path.join(dir, `${STORE_LOCK_FILE}.${gone}-0123abcd.tmp`), holder);
    fs.writeFileSync(path.join(dir, `${STORE_LOCK_FILE}.takeover-0123456789abcdef-0`), holder);
    const live = `${STORE_LOCK_FILE}.${process.pid}-89abcdef.tmp`;
    fs.writeFileSync(path.join(dir, live), '{}');
    const s = await DurableStore.open(dir);
    assert.deepEqual(fs.readdirSync(dir).sort(), [STORE_LOCK_FILE, live]);
    await s.close();
  });

  it('compaction writes a snapshot, drops the files the previous one covered and keeps the state', async () => {
    const s = await DurableStore.open(dir);
    for (let i = 0; i < 100; i++) s.put('c', String(i % 10), i);
    await s.flush();
    await s.compact();
    s.put('c', 'x', 'after');
    await s.flush();
    // The first snapshot's fallback is the segment it covers; the second's, the first snapshot and what followed it.
    assert.deepEqual(fs.readdirSync(dir).sort(), [
      STORE_LOCK_FILE,
      'segment-00000001.jsonl',
      'segment-00000002.jsonl',
      'snapshot-00000002.jsonl',
    ]);
    await s.compact();
    s.put('c', 'y', 'last');
    await s.close();
    assert.deepEqual(fs.readdirSync(dir).sort(), [
      'segment-00000002.jsonl',
      'segment-00000003.jsonl',
      'snapshot-00000002.jsonl',
      'snapshot-00000003.jsonl',
    ]);
    const r = await DurableStore.open(dir);
    assert.equal(r.size('c'), 12);
    assert.equal(r.get('c', '9'), 99);
    assert.equal(r.get('c', 'x'), 'after');
    assert.equal(r.get('c', 'y'), 'last');
    await r.close();
  });

  it('an opening that only puts back what it found writes nothing: no segment, no file changed', async () => {
    const s = await DurableStore.open(dir);
    s.put('esm', 'shard', { afterN: -1, checkpoint: null });
    s.put('q', 'a', [1, 2]);
    await s.close();
    const before = fs.readdirSync(dir).sort();
    for (let run = 0; run < 5; run++) {
      const again = await DurableStore.open(dir);
      again.put('esm', 'shard', { afterN: -1, checkpoint: null });
      again.put('q', 'a', [1, 2]);
      await again.close();
    }
    assert.deepEqual(fs.readdirSync(dir).sort(), before);
    const changed = await DurableStore.open(dir);
    changed.put('q', 'a', [1, 2, 3]);
    await changed.close();
    assert.equal(fs.readdirSync(dir).filter((f) => f.startsWith('segment-')).length, 2, 'a real change is written');
  });

  it('segments that accumulate over openings are compacted when the store opens, whatever their size', async () => {
    for (let run = 0; run < 12; run++) {
      const s = await DurableStore.open(dir, { compactAfterSegments: 4 });
      s.put('c', `k${run}`, run);
      if (run > 0) s.delete('c', `k${run - 1}`);
      await s.close();
      // At most two snapshots, each with the segments that followed it (the newest one's fallback).
      const segments = fs.readdirSync(dir).filter((f) => f.startsWith('segment-')).length;
      assert.ok(segments <= 10, `after ${run + 1} openings: ${fs.readdirSync(dir).join(' ')}`);
      const snapshots = fs.readdirSync(dir).filter((f) => f.startsWith('snapshot-')).length;
      assert.ok(snapshots <= 2, `after ${run + 1} openings: ${fs.readdirSync(dir).join(' ')}`);
    }
    const r = await DurableStore.open(dir);
    assert.deepEqual([...r.load('c').entries()], [['k11', 11]]);
    await r.close();
  });

  it('a write that fails (the disk filled up while open) rejects the flush naming the folder and the file, not a bare errno', async () => {
    const s = await DurableStore.open(dir);
    const failing = failWritesUnder(dir, 'ENOSPC');
    try {
      s.put('c', 'k', 1);
      await assert.rejects(
        s.flush(),
        (e: Error) =>
          e instanceof StoreWriteError &&
          e.code === 'ENOSPC' &&
          e.message ===
            `Cannot write the store at ${dir} (append to segment-00000001.jsonl): the disk is full (ENOSPC).`,
      );
    } finally {
      failing.restore();
    }
    await s.close().catch(() => undefined);
  });
});
