/**
 * Random bytes for ids (request ids, trace ids, message ids): served from a pool refilled 16 KB at a time, because
 * one randomBytes call (a system call) per id costs more than the id. Not for secrets: use crypto directly for those.
 */
import { randomBytes } from 'node:crypto';

const POOL_SIZE = 16384;
let pool = randomBytes(POOL_SIZE);
let poolAt = 0;

export function poolBytes(n: number): Buffer {
  if (n > POOL_SIZE) return randomBytes(n);
  if (poolAt + n > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    poolAt = 0;
  }
  const out = pool.subarray(poolAt, poolAt + n);
  poolAt += n;
  return out;
}

/** `len` lowercase hex digits. */
export function randomHex(len: number): string {
  return poolBytes(Math.ceil(len / 2))
    .toString('hex')
    .slice(0, len);
}
