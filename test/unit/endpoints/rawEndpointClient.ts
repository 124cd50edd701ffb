/** A bare socket client for the engine endpoint: writes whatever a test gives it, reads the answers line by line. */
import * as net from 'node:net';

export class RawEndpointClient {
  private buffer = '';
  private readonly lines: unknown[] = [];
  private readonly waiters: Array<() => void> = [];
  private ended = false;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl;
      while ((nl = this.buffer.indexOf('\n')) !== -1) {
        this.lines.push(JSON.parse(this.buffer.slice(0, nl)));
        this.buffer = this.buffer.slice(nl + 1);
      }
      this.wake();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
  }

  static connect(socketPath: string): Promise<RawEndpointClient> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection(socketPath);
      socket.once('connect', () => resolve(new RawEndpointClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Connects and says a valid hello; resolves with the welcome. */
  static async welcomed(socketPath: string): Promise<{ client: RawEndpointClient; welcome: unknown }> {
    const client = await RawEndpointClient.connect(socketPath);
    client.writeJson({ type: 'hello', protocol: '1.0', client: 'a raw test client', version: '0', pid: process.pid });
    return { client, welcome: await client.next() };
  }

  write(text: string): void {
    this.socket.write(text);
  }

  writeJson(message: unknown): void {
    this.socket.write(`${JSON.stringify(message)}\n`);
  }

  /** The next line from the endpoint, parsed; undefined once the endpoint has closed the connection. */
  async next(timeoutMs = 10_000): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.lines.length > 0) return this.lines.shift();
      if (this.ended) return undefined;
      if (Date.now() > deadline) throw new Error(`no answer from the endpoint within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The next line that satisfies `match` (others are dropped). */
  async nextMatching(match: (line: unknown) => boolean, timeoutMs = 10_000): Promise<unknown> {
    for (;;) {
      const line = await this.next(timeoutMs);
      if (line === undefined || match(line)) return line;
    }
  }

  get closed(): boolean {
    return this.ended;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}
