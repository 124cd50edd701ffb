/**
 * A stand-in npm registry for tests: packages built on the fly (gzipped ustar tarballs) and served on a loopback
 * port with their packument, the way registry.npmjs.org serves them (name, versions, dist.tarball, dist.integrity).
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as zlib from 'node:zlib';

export interface TarEntry {
  name: string;
  content: string | Buffer;
  mode?: number;
}

/** A gzipped tar archive of regular files (the format of npm package tarballs). */
export function tgz(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.isBuffer(e.content) ? e.content : Buffer.from(e.content);
    const header = Buffer.alloc(512);
    header.write(e.name, 0, 100, 'utf8');
    header.write(`${(e.mode ?? 0o644).toString(8).padStart(7, '0')}\0`, 100, 8, 'ascii');
    header.write('0000000\0', 108, 8, 'ascii');
    header.write('0000000\0', 116, 8, 'ascii');
    header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124, 12, 'ascii');
    header.write('00000000000\0', 136, 12, 'ascii');
    header.write('0', 156, 1, 'ascii');
    header.write('ustar\0', 257, 6, 'ascii');
    header.write('00', 263, 2, 'ascii');
    header.fill(' ', 148, 156);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return zlib.gzipSync(Buffer.concat(blocks));
}

export interface ServedVersion {
  version: string;
  tarball: Buffer;
  bin?: Record<string, string>;
  /** Publish this integrity instead of the tarball's own (to test a tampered download). */
  integrity?: string;
}

/** Serves `packages` (name → versions); resolves with the registry URL and a close function. */
export async function serveRegistry(
  packages: Record<string, ServedVersion[]>,
): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(req.url ?? '');
    requests.push(url);
    const { port } = server.address() as AddressInfo;
    const base = `http://127.0.0.1:${port}/`;
    for (const [name, versions] of Object.entries(packages)) {
      if (url === `/${name}`) {
        const doc = {
          name,
          versions: Object.fromEntries(
            versions.map((v) => [
              v.version,
              {
                name,
                version: v.version,
                ...(v.bin ? { bin: v.bin } : {}),
                dist: {
                  tarball: `${base}${name}/-/${name}-${v.version}.tgz`,
                  integrity: v.integrity ?? `sha512-${createHash('sha512').update(v.tarball).digest('base64')}`,
                },
              },
            ]),
          ),
        };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(doc));
        return;
      }
      const v = versions.find((x) => url === `/${name}/-/${name}-${x.version}.tgz`);
      if (v) {
        res.writeHead(200, { 'content-length': v.tarball.length });
        res.end(v.tarball);
        return;
      }
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
