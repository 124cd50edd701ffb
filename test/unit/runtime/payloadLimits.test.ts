import * as assert from 'node:assert/strict';
import { jsonNestingDepth, MAX_PAYLOAD_DEPTH, payloadTooDeepMessage } from '../../../src/core/runtime/payloadLimits';

/** The depth of a parsed JSON value, by recursion (the reference the scan must agree with). */
function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (value !== null && typeof value === 'object') return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

/** A small deterministic generator (no Math.random: a failure must be reproducible). */
function generator(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

/** Strings full of what a scan can trip on: quotes, backslashes, brackets, non-ASCII. */
const TRICKY = ['', '"', '\\', '\\"', '\\\\', '[', ']', '{', '}', '{"a":[1]}', 'é', '💥', 'x'.repeat(40)];

function randomValue(next: () => number, depth: number): unknown {
  const r = next();
  if (depth > 6 || r < 0.3) {
    const pick = Math.floor(next() * TRICKY.length);
    return r < 0.1 ? Math.floor(next() * 1000) : r < 0.15 ? null : TRICKY[pick] + TRICKY[(pick + 3) % TRICKY.length];
  }
  const n = Math.floor(next() * 4);
  if (r < 0.65) return Array.from({ length: n }, () => randomValue(next, depth + 1));
  return Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`${TRICKY[i % TRICKY.length]}k${i}`, randomValue(next, depth + 1)]),
  );
}

describe('runtime: payload nesting depth (SYNC-6 ASYNC-2)', () => {
  it('agrees with the depth of the parsed value on generated JSON full of quotes, backslashes and brackets in strings', () => {
    const next = generator(7);
    for (let i = 0; i < 2000; i++) {
      const value = randomValue(next, 0);
      const text = JSON.stringify(value);
      assert.equal(jsonNestingDepth(text), depthOf(value), text);
    }
  });

  it('counts brackets inside strings for nothing, escaped quotes included', () => {
    assert.equal(jsonNestingDepth('{"a":"\\\\"}'), 1);
    assert.equal(jsonNestingDepth('{"a":"\\"[[[["}'), 1);
    assert.equal(jsonNestingDepth('[[["x\\\\\\"]"]]]'), 3);
    assert.equal(jsonNestingDepth('"[[["'), 0);
    assert.equal(jsonNestingDepth('[{"a":[1,2,{"b":"}}}"}]}]'), 4);
  });

  it('an unterminated string ends the count; brackets that never close still count', () => {
    assert.equal(jsonNestingDepth('[["abc'), 2);
    assert.equal(jsonNestingDepth('[[[['), 4);
    assert.equal(jsonNestingDepth(']]]'), 0);
  });

  it(`refuses a payload nested deeper than ${MAX_PAYLOAD_DEPTH} levels, and takes one exactly that deep`, () => {
    const nested = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);
    assert.equal(payloadTooDeepMessage(nested(MAX_PAYLOAD_DEPTH)), undefined);
    assert.match(payloadTooDeepMessage(nested(MAX_PAYLOAD_DEPTH + 1)) ?? '', /nests 513 levels deep; at most 512/);
  });
});
