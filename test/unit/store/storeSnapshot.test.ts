import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DurableStore } from '../../../src/core/store/durableStore';
import { readSnapshot } from '../../../src/core/store/snapshotFile';
import { failWritesUnder } from '../../support/failingWrites';
import { waitFor } from '../../support/waitFor';

describe('store: snapshots (read on open instead of replaying the segments)', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-snapshot-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const files = (prefix: string): string[] =>
    fs
      .readdirSync(dir)
      .filter((f) => f.startsWith(prefix) && f.endsWith('.jsonl'))
      .sort();
  const newestSnapshot = (): string => path.join(dir, files('snapshot-').at(-1)!);

  /** Entries whose keys and values need escapes or are not ASCII, so that reading by slicing is put to the test. */
  const awkward: Array<[string, unknown]> = [
    ['plain', { n: 1, body: 'hello' }],
    ['quote"and\\backslash', 'a "quoted" \\ value\n with a newline'],
    ['ünïcødé-🙂', { text: 'Grüße 🙂', list: [1, null, true] }],
    ['', 0],
  ];

  it('close writes a snapshot once the segments hold snapshotAfterBytes; reopening reads it, values sliced out as they were put', async () => {
    const s = await DurableStore.open(dir, { snapshotAfterBytes: 1 });
    for (const [key, value] of awkward) s.put('c', key, value);
    s.put('other', 'k', [1, 2, 3]);
    await s.close();
    const snapshot = readSnapshot(fs.readFileSync(newestSnapshot()));
    assert.equal(snapshot.kind, 'complete', 'read by slicing, its counts matching');
    const r = await DurableStore.open(dir);
    assert.deepEqual([...r.load('c').entries()], awkward);
    assert.deepEqual(r.get('other', 'k'), [1, 2, 3]);
    await r.close();
  });

  it('close writes no snapshot while the segments are small: a small run costs no rewrite', async () => {
    const s = await DurableStore.open(dir);
    s.put('c', 'k', 1);
    await s.close();
    assert.deepEqual(files('snapshot-'), []);
  });

  it('a snapshot the disk refuses at close is left out: close succeeds and the segments hold everything', async () => {
    const s = await DurableStore.open(dir, { snapshotAfterBytes: 1 });
    s.put('c', 'k', 'kept');
    await s.flush();
    const failing = failWritesUnder(dir, 'ENOSPC', /^snapshot-/);
    try {
      await s.close();
    } finally {
      failing.restore();
    }
    assert.deepEqual(files('snapshot-'), []);
    const r = await DurableStore.open(dir);
    assert.equal(r.get('c', 'k'), 'kept');
    assert.ok(!fs.readdirSync(dir).some((f) => f.endsWith('.tmp')));
    await r.close();
  });

  it('a store left idle writes a snapshot by itself; later changes go to the segments after it', async () => {
    const s = await DurableStore.open(dir, { snapshotAfterBytes: 1, snapshotWhenIdleMs: 10 });
    s.put('c', 'a', 1);
    s.put('c', 'gone', 2);
    await s.flush();
    await waitFor('a snapshot written while idle', () => files('snapshot-').length === 1);
    s.delete('c', 'gone');
    s.put('c', 'b', 3);
    await s.flush();
    // What a SIGKILL leaves: no close (the lock is this process's own; release it without closing).
    fs.rmSync(path.join(dir, 'owner.lock'));
    const r = await DurableStore.open(dir);
    assert.deepEqual(
      [...r.load('c').entries()],
      [
        ['a', 1],
        ['b', 3],
      ],
    );
    await r.close();
    await s.close();
  });

  for (const [label, damage] of [
    ['without its end line', (text: string) => text.slice(0, text.lastIndexOf('{"end"'))],
    ['with a line missing', (text: string) => text.split('\n').slice(1).join('\n')],
    ['with an entry added', (text: string) => `[["p","c","ghost",1]]\n${text}`],
    ['cut in the middle', (text: string) => text.slice(0, Math.floor(text.length / 2))],
  ] as const) {
    it(`a torn newest snapshot (${label}) is set aside: the previous one and every segment after it are read, nothing lost or brought back`, async () => {
      const warnings: string[] = [];
      const first = await DurableStore.open(dir);
      first.put('c', 'kept', 1);
      first.put('c', 'deleted later', 2);
      await first.compact(); // the fallback: snapshot-2
      first.delete('c', 'deleted later');
      first.put('c', 'after the fallback', 3);
      await first.compact(); // the newest: snapshot-3
      first.put('c', 'after the newest', 4);
      await first.close();
      const newest = newestSnapshot();
      fs.writeFileSync(newest, damage(fs.readFileSync(newest, 'utf8')));
      const r = await DurableStore.open(dir, { onWarning: (w) => warnings.push(w) });
      assert.deepEqual(
        [...r.load('c').entries()],
        [
          ['kept', 1],
          ['after the fallback', 3],
          ['after the newest', 4],
        ],
      );
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(
        warnings[0],
        /had a damaged snapshot: snapshot-00000003\.jsonl \(.+\)\. It was read from snapshot-00000002\.jsonl and the segments after it instead; the file was moved to .+snapshot-00000003\.jsonl\.damaged-/,
      );
      r.put('c', 'next run', 5);
      await r.close();
      const again = await DurableStore.open(dir);
      assert.deepEqual([...again.load('c').keys()], ['kept', 'after the fallback', 'after the newest', 'next run']);
      await again.close();
    });
  }

  it('segments older than the snapshot (kept as its fallback, or left by a crash) are never replayed over it', async () => {
    const s = await DurableStore.open(dir);
    s.put('c', 'k', 'old');
    s.put('c', 'x', 1);
    await s.flush();
    s.delete('c', 'x');
    s.put('c', 'k', 'new');
    await s.compact();
    await s.close();
    assert.ok(files('segment-').includes('segment-00000001.jsonl'), 'the fallback segment is still there');
    const r = await DurableStore.open(dir);
    assert.deepEqual([...r.load('c').entries()], [['k', 'new']]);
    await r.close();
  });

  it('a snapshot a crash left half-written (its .tmp) is ignored and removed; the segments still hold everything', async () => {
    const s = await DurableStore.open(dir);
    s.put('c', 'k', 1);
    await s.close();
    fs.writeFileSync(path.join(dir, 'snapshot-00000002.tmp'), '[["p","c","ghost",1]]\n');
    const r = await DurableStore.open(dir);
    assert.deepEqual([...r.load('c').entries()], [['k', 1]]);
    assert.ok(!fs.readdirSync(dir).some((f) => f.endsWith('.tmp')));
    await r.close();
  });

  it('a snapshot written before the end line counted its entries is still read, line by line', async () => {
    fs.writeFileSync(
      path.join(dir, 'snapshot-00000002.jsonl'),
      '[["p","c","a",{"n":1}]]\n[["p","c","b\\"q",[2]]]\n{"end":true}\n',
    );
    fs.writeFileSync(path.join(dir, 'segment-00000002.jsonl'), '[["d","c","a"],["p","c","z",3]]\n');
    const r = await DurableStore.open(dir);
    assert.deepEqual(
      [...r.load('c').entries()],
      [
        ['b"q', [2]],
        ['z', 3],
      ],
    );
    await r.close();
  });
});
