/** The engine's end of the IPC protocol (see protocol.ts): newline-delimited JSON over the child's fd 3. */
import type { Socket } from 'node:net';
import { lineFramer } from './lineFramer';
import type { ChildMessage } from './protocol';

export class EngineChannel {
  constructor(
    private readonly socket: Socket,
    onMessage: (msg: ChildMessage) => void,
    onProtocolError: (reason: string) => void,
  ) {
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    socket.on(
      'data',
      lineFramer((line) => {
        let msg: ChildMessage;
        try {
          msg = JSON.parse(line) as ChildMessage;
        } catch {
          // A child that writes garbage on fd 3 cannot be trusted with another invocation.
          onProtocolError(`unreadable message from the execution environment: ${line.slice(0, 200)}`);
          return false;
        }
        onMessage(msg);
      }),
    );
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
