/**
 * The IPC protocol's framing (lineFramer.ts): newline-delimited lines out of socket reads, whether the reads come as
 * strings (a stream's 'data') or land in one reused buffer (socketReadLines, net.Socket's `onread`).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { lineFramer, socketReadLines } from '../../../src/core/runtime/lineFramer';

/** Feeds `bytes` to a socketReadLines reader in reads of the given sizes, as a socket would fill its buffer. */
function readInPieces(bytes: Buffer, sizes: number[], onLine: (line: string) => boolean | void): void {
  const reader = socketReadLines(onLine);
  let offset = 0;
  for (const size of sizes) {
    const n = Math.min(size, bytes.length - offset, reader.buffer.length);
    bytes.copy(reader.buffer, 0, offset, offset + n);
    // What the previous read left in the buffer must not leak into this one.
    reader.buffer.fill(0x0a, n);
    if (reader.callback(n, reader.buffer) === false) return;
    offset += n;
  }
}

describe('runtime: the IPC framing', () => {
  const text = '{"t":"invoke","event":{"name":"Zoë","city":"Zürich ✓ 東京 🌊"}}\n{"t":"settle"}\n{"t":"shutdown"}\n';
  const bytes = Buffer.from(text, 'utf8');
  const expected = text.split('\n').filter(Boolean);

  it('buffer reads: every split point, inside a multi-byte character too, gives the same lines', () => {
    for (let split = 1; split < bytes.length; split++) {
      const lines: string[] = [];
      readInPieces(bytes, [split, bytes.length], (line) => void lines.push(line));
      assert.deepEqual(lines, expected, `split after byte ${split}`);
    }
  });

  it('buffer reads: a line over many reads, several lines in one read, and a partial line held until its end', () => {
    const lines: string[] = [];
    readInPieces(bytes, [3, 1, 1, 7, 5, 200], (line) => void lines.push(line));
    assert.deepEqual(lines, expected);
    const partial: string[] = [];
    readInPieces(Buffer.from('{"a":1}\n{"b":'), [100], (line) => void partial.push(line));
    assert.deepEqual(partial, ['{"a":1}'], 'the unfinished line is not delivered');
  });

  it('buffer reads: onLine returning false stops the rest of the read and asks the socket to stop', () => {
    const lines: string[] = [];
    const reader = socketReadLines((line) => {
      lines.push(line);
      return false;
    });
    const n = bytes.copy(reader.buffer);
    assert.equal(reader.callback(n, reader.buffer), false);
    assert.deepEqual(lines, [expected[0]]);
  });

  it('string chunks (lineFramer): the same lines from any split', () => {
    for (let split = 1; split < text.length; split++) {
      const lines: string[] = [];
      const onChunk = lineFramer((line) => void lines.push(line));
      onChunk(text.slice(0, split));
      onChunk(text.slice(split));
      assert.deepEqual(lines, expected, `split after character ${split}`);
    }
  });

  it('a real socket read into one buffer (onread): lines written in small pieces arrive whole, then the end', async function () {
    if (process.platform === 'win32') this.skip();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-framing-'));
    const server = net.createServer((peer) => {
      // 5-byte writes a turn apart: the reads end inside lines and inside multi-byte characters.
      let offset = 0;
      const next = (): void => {
        if (offset >= bytes.length) return void peer.end();
        peer.write(bytes.subarray(offset, (offset += 5)), () => setImmediate(next));
      };
      next();
    });
    try {
      const file = path.join(dir, 'framing.sock');
      await new Promise<void>((resolve) => server.listen(file, resolve));
      const lines: string[] = [];
      let reads = 0;
      const reader = socketReadLines((line) => void lines.push(line));
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect({
          path: file,
          onread: { buffer: reader.buffer, callback: (n, buf) => (reads++, reader.callback(n, buf as Buffer)) },
        });
        socket.on('end', () => resolve());
        socket.on('error', reject);
      });
      assert.deepEqual(lines, expected);
      assert.ok(reads > 3, `read in pieces (${reads} reads)`);
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
