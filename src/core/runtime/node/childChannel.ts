/** The bootstrap's end of the IPC protocol: newline-delimited JSON over fd 3 (see ../protocol.ts). */
import * as net from 'node:net';
import { lineFramer } from '../lineFramer';
import type { ChildMessage, EngineMessage } from '../protocol';

export class ChildChannel {
  private readonly socket: net.Socket;

  constructor(fd: number, onMessage: (msg: EngineMessage) => void) {
    this.socket = new net.Socket({ fd, readable: true, writable: true });
    this.socket.setEncoding('utf8');
    this.socket.on(
      'data',
      lineFramer((line) => {
        onMessage(JSON.parse(line) as EngineMessage);
      }),
    );
    // The engine went away (crash, kill, exit): an orphaned environment must not linger.
    this.socket.on('end', () => process.exit(0));
    this.socket.on('error', () => process.exit(0));
  }

  send(msg: ChildMessage): void {
    this.socket.write(JSON.stringify(msg) + '\n');
  }

  /** Writes an already-serialised message line (used to splice a large JSON result in without re-encoding). */
  sendRaw(line: string): void {
    this.socket.write(line + '\n');
  }

  /** Bytes queued on the socket, not yet written (the log capture's backpressure). */
  get writableLength(): number {
    return this.socket.writableLength;
  }

  /** While a handler runs, the channel must not keep the event loop alive (NODE-4 callbackWaitsForEmptyEventLoop). */
  setKeepsAlive(on: boolean): void {
    if (on) this.socket.ref();
    else this.socket.unref();
  }

  /** Flushes pending writes, then runs `done` (used before exiting after a fatal error). */
  flush(done: () => void): void {
    if (this.socket.writableLength === 0) done();
    else this.socket.write('', () => done());
  }
}
