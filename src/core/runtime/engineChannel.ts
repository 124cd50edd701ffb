/** The engine's end of the IPC protocol (see protocol.ts): newline-delimited JSON over the child's fd 3. */
import type { Socket } from 'node:net';
import type { ChildMessage } from './protocol';

export class EngineChannel {
  private pending = '';

  constructor(
    private readonly socket: Socket,
    onMessage: (msg: ChildMessage) => void,
    onProtocolError: (reason: string) => void,
  ) {
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    socket.on('data', (chunk: string) => {
      let start = 0;
      let nl = chunk.indexOf('\n');
      if (nl === -1) {
        this.pending += chunk;
        return;
      }
      let line = this.pending + chunk.slice(0, nl);
      for (;;) {
        this.pending = '';
        let msg: ChildMessage;
        try {
          msg = JSON.parse(line) as ChildMessage;
        } catch {
          // A child that writes garbage on fd 3 cannot be trusted with another invocation.
          onProtocolError(`unreadable message from the execution environment: ${line.slice(0, 200)}`);
          return;
        }
        onMessage(msg);
        start = nl + 1;
        nl = chunk.indexOf('\n', start);
        if (nl === -1) break;
        line = chunk.slice(start, nl);
      }
      this.pending = chunk.slice(start);
    });
  }

  /** Sends an already-serialised message (the invoke message splices the payload JSON in as is). */
  sendRaw(line: string): void {
    if (!this.socket.destroyed) this.socket.write(line + '\n');
  }

  setKeepsAlive(on: boolean): void {
    if (on) this.socket.ref();
    else this.socket.unref();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
