/**
 * The bootstrap's end of the IPC protocol: newline-delimited JSON over fd 3 (see ../protocol.ts). Messages sent in one
 * run of JavaScript (a handler's log lines and its result, the 'Invoke Error' line and the error) are written
 * together at the end of it, in one write: the engine is woken once per answer instead of once per line, and
 * nothing waits longer than the code that sent it takes to return.
 */
import * as net from 'node:net';
import { socketReadLines } from '../lineFramer';
import type { ChildMessage, EngineMessage } from '../protocol';

export class ChildChannel {
  private readonly socket: net.Socket;
  /** Lines sent and not yet written, and their length. */
  private queued: string[] = [];
  private queuedLength = 0;
  private writeScheduled = false;

  constructor(fd: number, onMessage: (msg: EngineMessage) => void) {
    // Read into one reused buffer, framed by bytes (socketReadLines): an invoke message costs no stream machinery.
    // (`onread` is a documented constructor option, honoured by every Node.js a runtime gets; this project's
    // @types/node lists it for connect() only.)
    const options: net.SocketConstructorOpts & { onread: ReturnType<typeof socketReadLines> } = {
      fd,
      readable: true,
      writable: true,
      onread: socketReadLines((line) => {
        onMessage(JSON.parse(line) as EngineMessage);
      }),
    };
    this.socket = new net.Socket(options);
    // The engine went away (crash, kill, exit): an orphaned environment must not linger.
    this.socket.on('end', () => process.exit(0));
    this.socket.on('error', () => process.exit(0));
    // A handler that exits the process right after logging: what it sent still goes out (a pipe write is immediate).
    process.on('exit', () => this.writeQueued());
  }

  send(msg: ChildMessage): void {
    this.enqueue(JSON.stringify(msg) + '\n');
  }

  /** Writes an already-serialised message line (used to splice a large JSON result in without re-encoding). */
  sendRaw(line: string): void {
    this.enqueue(line + '\n');
  }

  /** Bytes sent and not yet written (the log capture's backpressure). */
  get writableLength(): number {
    return this.socket.writableLength + this.queuedLength;
  }

  /** While a handler runs, the channel must not keep the event loop alive (NODE-4 callbackWaitsForEmptyEventLoop). */
  setKeepsAlive(on: boolean): void {
    if (on) this.socket.ref();
    else this.socket.unref();
  }

  /** Flushes pending writes, then runs `done` (used before exiting after a fatal error). */
  flush(done: () => void): void {
    this.writeQueued();
    if (this.socket.writableLength === 0) done();
    else this.socket.write('', () => done());
  }

  private enqueue(line: string): void {
    this.queued.push(line);
    this.queuedLength += line.length;
    if (this.writeScheduled) return;
    this.writeScheduled = true;
    queueMicrotask(() => this.writeQueued());
  }

  private writeQueued(): void {
    this.writeScheduled = false;
    if (this.queued.length === 0) return;
    const data = this.queued.length === 1 ? this.queued[0] : this.queued.join('');
    this.queued = [];
    this.queuedLength = 0;
    this.socket.write(data);
  }
}
