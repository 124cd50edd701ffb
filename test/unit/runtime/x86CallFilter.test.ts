import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { decodeX86Calls, encodeX86Calls } from '../../../src/core/runtime/x86CallFilter';

describe('runtime: the x86 call filter of the packed esbuild binary', () => {
  const roundTrip = (data: Buffer): void => {
    const encoded = encodeX86Calls(data);
    assert.equal(encoded.length, data.length);
    assert.ok(decodeX86Calls(Buffer.from(encoded)).equals(data));
  };

  it('makes call targets absolute: two calls of one function from different places get the same bytes', () => {
    // call +0x100 at offset 0 and call +0x0F6 at offset 10 both reach 0x105.
    const code = Buffer.from([0xe8, 0x00, 0x01, 0, 0, 0x90, 0x90, 0x90, 0x90, 0x90, 0xe8, 0xf6, 0, 0, 0]);
    const encoded = encodeX86Calls(code);
    assert.deepEqual([...encoded.subarray(1, 5)], [0x05, 0x01, 0, 0]);
    assert.deepEqual([...encoded.subarray(11, 15)], [0x05, 0x01, 0, 0]);
    assert.ok(code.equals(Buffer.from([0xe8, 0x00, 0x01, 0, 0, 0x90, 0x90, 0x90, 0x90, 0x90, 0xe8, 0xf6, 0, 0, 0])));
    roundTrip(code);
  });

  it('is reversed exactly whatever the bytes: random data, runs of E8, E8 in the last four bytes, overflowing targets', () => {
    for (let i = 0; i < 200; i++) roundTrip(randomBytes(1 + Math.floor(Math.random() * 4096)));
    const dense = randomBytes(8192);
    for (let i = 0; i < dense.length; i += 1 + (i % 3)) dense[i] = 0xe8;
    roundTrip(dense);
    roundTrip(Buffer.alloc(64, 0xe8));
    roundTrip(Buffer.from([1, 2, 0xe8, 0xff, 0xff]));
    roundTrip(Buffer.from([0xe8, 0xff, 0xff, 0xff, 0x7f, 0xe8, 0, 0, 0, 0x80]));
    roundTrip(Buffer.alloc(0));
  });
});
