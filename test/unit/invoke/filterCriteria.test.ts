import * as assert from 'node:assert/strict';
import { compileFilterCriteria, kinesisFilterView, sqsFilterView } from '../../../src/core/invoke/filterCriteria';
import { matchesPattern } from '../../../src/core/services/eventPattern';

const m = (pattern: unknown, event: unknown): boolean => matchesPattern(pattern, event);

describe('invoke: filter criteria and event patterns', () => {
  it('FILTER-1: keys AND, value lists OR, filters OR', () => {
    assert.equal(m({ a: [1, 2], b: ['x'] }, { a: 2, b: 'x' }), true);
    assert.equal(m({ a: [1, 2], b: ['x'] }, { a: 3, b: 'x' }), false);
    const f = compileFilterCriteria({ patterns: [{ a: [1] }, { b: [2] }] });
    assert.equal(f.matches({ b: 2 }), true);
    assert.equal(f.matches({ c: 3 }), false);
    assert.equal(compileFilterCriteria(undefined).matches({}), true);
  });

  it('FILTER-1: more than 10 filters, a pattern that is not an object and unknown operators are refused clearly', () => {
    assert.throws(() => compileFilterCriteria({ patterns: Array.from({ length: 11 }, () => ({})) }), /at most 10/);
    assert.throws(
      () => compileFilterCriteria({ patterns: ['{"a":[1]}'] }),
      /Filter 1: the pattern must be a JSON object/,
    );
    assert.throws(() => compileFilterCriteria({ patterns: [{ a: [{ bogus: 1 }] }] }), /Unknown operator "bogus"/);
    // The whole pattern is checked, not only what an empty event reaches.
    assert.throws(
      () => compileFilterCriteria({ patterns: [{ a: ['x'], b: [{ bogus: 1 }] }] }),
      /Unknown operator "bogus"/,
    );
    assert.throws(
      () => compileFilterCriteria({ patterns: [{ a: [{ exists: false }, { numeric: ['>'] }] }] }),
      /numeric/,
    );
  });

  it('FILTER-1: the patterns discovery parsed are used as they are, never turned back into text', () => {
    const pattern = { body: { n: [{ numeric: ['>', 1] }] } };
    const compiled = compileFilterCriteria({ patterns: [pattern] });
    assert.equal(compiled.patterns[0], pattern);
  });

  it('FILTER-2: exact (case-sensitive), null, empty string, exists', () => {
    assert.equal(m({ a: ['X'] }, { a: 'x' }), false);
    assert.equal(m({ a: [null] }, { a: null }), true);
    assert.equal(m({ a: [null] }, {}), false);
    assert.equal(m({ a: [''] }, { a: '' }), true);
    assert.equal(m({ a: [{ exists: true }] }, { a: 0 }), true);
    assert.equal(m({ a: [{ exists: false }] }, {}), true);
    assert.equal(m({ a: [{ exists: false }] }, { a: 1 }), false);
  });

  it('FILTER-2: anything-but, numeric, prefix, suffix, equals-ignore-case, wildcard, cidr, $or', () => {
    assert.equal(m({ s: [{ 'anything-but': ['a', 'b'] }] }, { s: 'c' }), true);
    assert.equal(m({ s: [{ 'anything-but': ['a', 'b'] }] }, { s: 'a' }), false);
    assert.equal(m({ s: [{ 'anything-but': { prefix: 'tmp' } }] }, { s: 'tmp1' }), false);
    assert.equal(m({ s: [{ 'anything-but': 'x' }] }, {}), false);
    assert.equal(m({ n: [{ numeric: ['>', 0, '<=', 5] }] }, { n: 5 }), true);
    assert.equal(m({ n: [{ numeric: ['>', 0, '<=', 5] }] }, { n: 0 }), false);
    assert.equal(m({ n: [{ numeric: ['=', 3] }] }, { n: '3' }), false);
    assert.equal(m({ s: [{ prefix: 'ord' }] }, { s: 'order' }), true);
    assert.equal(m({ s: [{ prefix: { 'equals-ignore-case': 'ORD' } }] }, { s: 'order' }), true);
    assert.equal(m({ s: [{ suffix: '.png' }] }, { s: 'a.png' }), true);
    assert.equal(m({ s: [{ 'equals-ignore-case': 'ABC' }] }, { s: 'abc' }), true);
    assert.equal(m({ s: [{ wildcard: 'img/*.png' }] }, { s: 'img/a/b.png' }), true);
    assert.equal(m({ ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.0.7' }), true);
    assert.equal(m({ ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.1.7' }), false);
    assert.equal(m({ $or: [{ a: [1] }, { b: [2] }] }, { b: 2 }), true);
    assert.equal(m({ $or: [{ a: [1] }, { b: [2] }] }, { c: 2 }), false);
  });

  it('FILTER-2: nested patterns and arrays in the event (any element matches)', () => {
    assert.equal(m({ detail: { state: ['running'] } }, { detail: { state: 'running' } }), true);
    assert.equal(m({ tags: ['b'] }, { tags: ['a', 'b'] }), true);
  });

  it('FILTER-3: SQS body is parsed when JSON; a JSON pattern on a plain body filters it out', () => {
    const f = compileFilterCriteria({ patterns: [{ body: { kind: ['order'] } }] });
    assert.equal(f.matches(sqsFilterView({ body: '{"kind":"order"}' })), true);
    assert.equal(f.matches(sqsFilterView({ body: 'kind=order' })), false);
  });

  it('FILTER-3: Kinesis data is base64-decoded, then parsed', () => {
    const record = { kinesis: { data: Buffer.from('{"temp":30}').toString('base64') } };
    assert.equal(
      compileFilterCriteria({ patterns: [{ data: { temp: [{ numeric: ['>', 25] }] } }] }).matches(
        kinesisFilterView(record),
      ),
      true,
    );
  });
});
