/**
 * Reads a gzipped tar archive (an npm package tarball) and writes the entries a caller picks to files: ustar headers
 * with their prefix field, pax and GNU long names. Only regular files are extracted; links and devices are skipped.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

const BLOCK = 512;

function text(buf: Buffer, start: number, length: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end >= start && end < start + length ? end : start + length);
}

function octal(buf: Buffer, start: number, length: number): number {
  const raw = text(buf, start, length).trim();
  return raw ? Number.parseInt(raw, 8) : 0;
}

/**
 * Extracts the entries for which `destination(name)` returns a path; returns the archive names written. Files keep
 * their mode (an executable stays executable).
 */
export async function extractTarGz(
  archive: string,
  destination: (name: string) => string | undefined,
): Promise<string[]> {
  const written: string[] = [];
  const input = fs.createReadStream(archive).pipe(zlib.createGunzip());
  let pending: Buffer = Buffer.alloc(0);
  let body:
    | {
        remaining: number;
        padding: number;
        fd?: number;
        collect?: Buffer[];
        kind: 'file' | 'pax' | 'longname' | 'skip';
      }
    | undefined;
  let nextName: string | undefined;
  let ended = false;
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      for (;;) {
        if (ended) break;
        if (body) {
          if (body.remaining > 0) {
            if (pending.length === 0) break;
            const n = Math.min(body.remaining, pending.length);
            const part = pending.subarray(0, n);
            if (body.fd !== undefined) fs.writeSync(body.fd, part);
            else if (body.collect) body.collect.push(Buffer.from(part));
            body.remaining -= n;
            pending = pending.subarray(n);
            if (body.remaining > 0) break;
          }
          if (pending.length < body.padding) break;
          pending = pending.subarray(body.padding);
          if (body.fd !== undefined) fs.closeSync(body.fd);
          if (body.kind === 'pax') nextName = paxPath(Buffer.concat(body.collect ?? []).toString('utf8')) ?? nextName;
          if (body.kind === 'longname') nextName = text(Buffer.concat(body.collect ?? []), 0, Number.MAX_SAFE_INTEGER);
          body = undefined;
          continue;
        }
        if (pending.length < BLOCK) break;
        const header = pending.subarray(0, BLOCK);
        pending = pending.subarray(BLOCK);
        if (header.every((b) => b === 0)) {
          ended = true;
          break;
        }
        const type = String.fromCharCode(header[156] || 48);
        const size = octal(header, 124, 12);
        const mode = octal(header, 100, 8);
        const prefix = text(header, 257, 6).startsWith('ustar') ? text(header, 345, 155) : '';
        const ownName = prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100);
        const padding = (BLOCK - (size % BLOCK)) % BLOCK;
        if (type === 'x') {
          body = { remaining: size, padding, collect: [], kind: 'pax' };
          continue;
        }
        if (type === 'L') {
          body = { remaining: size, padding, collect: [], kind: 'longname' };
          continue;
        }
        const name = nextName ?? ownName;
        nextName = undefined;
        const target = type === '0' || type === '7' ? destination(name) : undefined;
        if (target) {
          fs.mkdirSync(path.dirname(target), { recursive: true });
          body = { remaining: size, padding, fd: fs.openSync(target, 'w', mode & 0o777 || 0o644), kind: 'file' };
          fs.chmodSync(target, mode & 0o777 || 0o644);
          written.push(name);
        } else body = { remaining: size, padding, kind: 'skip' };
      }
      if (ended) break;
    }
  } finally {
    if (body?.fd !== undefined) fs.closeSync(body.fd);
    input.destroy();
  }
  return written;
}

function paxPath(records: string): string | undefined {
  // Records are "<length> <key>=<value>\n".
  for (const line of records.split('\n')) {
    const m = /^\d+ path=(.*)$/.exec(line);
    if (m) return m[1];
  }
  return undefined;
}
