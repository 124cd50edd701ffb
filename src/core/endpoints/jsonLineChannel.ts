/**
 * Newline-delimited JSON over a local socket, both directions, with a bound on the length of a line: a peer that
 * sends more than `maxLineBytes` without a newline is cut off instead of growing this process's memory.
 */
import type * as net from 'node:net';

export interface JsonLineHandlers {
  /** One complete line, parsed. */
  message(value: unknown): void;
  /** A line that is not JSON (the channel stays open). */
  malformed(reason: string): void;
  /** The peer sent a line longer than the bound; nothing more is read from it. */
  oversize(maxLineBytes: number): void;
  /** The socket closed (either side, or an error). */
  closed(error: Error | undefined): void;
}

const NEWLINE = 0x0a;

export class JsonLineChannel {
  private chunks: Buffer[] = [];
  private pendingBytes = 0;
  private reading = true;
  private lastError: Error | undefined;

  constructor(
    private readonly socket: net.Socket,
    private readonly maxLineBytes: number,
    private readonly handlers: JsonLineHandlers,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err) => (this.lastError = err));
    socket.on('close', () => handlers.closed(this.lastError));
  }

  /** False once the socket can no longer be written (closed by either side). */
  get writable(): boolean {
    return !this.socket.destroyed && this.socket.writable;
  }

  /** Bytes written but not yet taken by the peer. */
  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  /** Writes one message as one line; does nothing once the socket is closed. */
  send(message: object): void {
    if (this.writable) this.socket.write(`${JSON.stringify(message)}\n`);
  }

  /** Sends what is buffered, then closes. */
  end(): void {
    this.reading = false;
    if (!this.socket.destroyed) this.socket.end();
  }

  destroy(): void {
    this.reading = false;
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    let start = 0;
    while (this.reading) {
      const nl = chunk.indexOf(NEWLINE, start);
      const piece = chunk.subarray(start, nl === -1 ? chunk.length : nl);
      if (this.pendingBytes + piece.length > this.maxLineBytes) {
        this.reading = false;
        this.chunks = [];
        this.pendingBytes = 0;
        this.handlers.oversize(this.maxLineBytes);
        return;
      }
      if (nl === -1) {
        if (piece.length > 0) {
          this.chunks.push(piece);
          this.pendingBytes += piece.length;
        }
        return;
      }
      const line = (this.chunks.length > 0 ? Buffer.concat([...this.chunks, piece]) : piece).toString('utf8');
      this.chunks = [];
      this.pendingBytes = 0;
      start = nl + 1;
      this.deliver(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
  }

  private deliver(line: string): void {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      this.handlers.malformed(`the line is not JSON (${err instanceof Error ? err.message : String(err)})`);
      return;
    }
    this.handlers.message(value);
  }
}
