import * as assert from 'node:assert/strict';
import { poolBytes, randomHex } from '../../../src/core/randomPool';

describe('randomPool', () => {
  it('gives hex ids of the asked length', () => {
    for (const len of [1, 8, 24, 32, 33]) assert.match(randomHex(len), new RegExp(`^[0-9a-f]{${len}}$`));
  });

  it('never hands out the same bytes twice, across refills of the pool', () => {
    const seen = new Set<string>();
    // 3,000 x 16 bytes spans about three refills of the 16 KB pool.
    for (let i = 0; i < 3000; i++) seen.add(poolBytes(16).toString('hex'));
    assert.equal(seen.size, 3000);
  });

  it('serves requests larger than the pool directly', () => {
    assert.equal(poolBytes(20_000).length, 20_000);
  });
});
