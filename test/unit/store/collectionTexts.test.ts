import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CollectionTexts, SnapshotBytes } from '../../../src/core/store/collectionTexts';
import { DurableStore } from '../../../src/core/store/durableStore';

describe('store: values read from a snapshot are decoded on first use', () => {
  /** A collection over the bytes `["a",1]{"b":2}"ü"` (UTF-8), its values added in that order. */
  const withThree = (): { texts: CollectionTexts; source: SnapshotBytes } => {
    const data = Buffer.from('["a",1]{"b":2}"ü"', 'utf8');
    const source = new SnapshotBytes(data, 'utf8');
    const texts = new CollectionTexts(source);
    texts.addFromSource(0, 0, 'x', source.add(0, 7));
    texts.addFromSource(0, 0, 'y', source.add(7, 14));
    texts.addFromSource(0, 0, 'z', source.add(14, data.length));
    return { texts, source };
  };

  it('get decodes a value once; iteration keeps the insertion order across decoded and undecoded values', () => {
    const { texts, source } = withThree();
    assert.equal(texts.size, 3);
    assert.equal(texts.get('y'), '{"b":2}');
    assert.equal(texts.get('y'), '{"b":2}');
    assert.ok(texts.has('x') && !texts.has('w'));
    assert.deepEqual(
      [...texts],
      [
        ['x', '["a",1]'],
        ['y', '{"b":2}'],
        ['z', '"ü"'],
      ],
    );
    assert.equal(source.holdsBytes, true, 'iteration hands texts out without keeping them');
    assert.equal(texts.get('x'), '["a",1]');
    assert.equal(texts.get('z'), '"ü"');
    assert.equal(source.holdsBytes, false, 'every value decoded: the bytes are let go');
  });

  it('a value replaced or deleted before use is never decoded, and the bytes are let go once none is left', () => {
    const { texts, source } = withThree();
    texts.set('x', '"new"');
    assert.equal(texts.delete('y'), true);
    assert.equal(source.holdsBytes, true, 'z is still only bytes');
    assert.equal(texts.get('z'), '"ü"');
    assert.equal(source.holdsBytes, false);
    assert.deepEqual(
      [...texts],
      [
        ['x', '"new"'],
        ['z', '"ü"'],
      ],
    );
  });

  it('keys are decoded on first use; iterating decodes every value left at once (ASCII bytes as one span, sliced)', () => {
    // Keys from the bytes too: `one`, `two`, `three`.
    const data = Buffer.from('one[1]two{"a":"b"}three"c"', 'latin1');
    const source = new SnapshotBytes(data, 'latin1');
    const texts = new CollectionTexts(source);
    texts.addFromSource(0, 3, undefined, source.add(3, 6));
    texts.addFromSource(6, 9, undefined, source.add(9, 18));
    texts.addFromSource(18, 23, undefined, source.add(23, 27));
    texts.delete('two');
    assert.deepEqual(
      [...texts],
      [
        ['one', '[1]'],
        ['three', '"c"'],
      ],
    );
    texts.set('one', '2');
    assert.equal(texts.get('three'), '"c"');
    assert.equal(source.holdsBytes, false, 'every value replaced, deleted or decoded: the bytes are let go');
    assert.deepEqual([...texts.keys()], ['one', 'three']);
    assert.equal(texts.get('one'), '2');
  });

  it('a reopened store changes, deletes and compacts values it has not decoded as if it had read them all', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-texts-'));
    try {
      const s = await DurableStore.open(dir);
      for (let i = 0; i < 50; i++) s.put('c', `k${i}`, { i, text: `välue ${i}` });
      await s.compact();
      await s.close();
      const r = await DurableStore.open(dir);
      r.put('c', 'k1', 'changed');
      r.delete('c', 'k2');
      assert.deepEqual(r.get('c', 'k3'), { i: 3, text: 'välue 3' });
      // A snapshot written from values still undecoded holds them as they were put.
      await r.compact();
      await r.close();
      const again = await DurableStore.open(dir);
      const loaded = again.load<unknown>('c');
      assert.equal(loaded.size, 49);
      assert.equal(loaded.get('k1'), 'changed');
      assert.ok(!loaded.has('k2'));
      assert.deepEqual(loaded.get('k49'), { i: 49, text: 'välue 49' });
      assert.deepEqual([...loaded.keys()].slice(0, 4), ['k0', 'k1', 'k3', 'k4']);
      await again.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
