/**
 * Another process that holds a workspace's engine and serves it (test/fixtures/endpoints/engineHolder.ts), as a
 * VS Code window would; the test asks it about its engine over its stdin/stdout, not through the socket under test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';

const repoRoot = path.resolve(__dirname, '../../..');
const fixture = path.join(repoRoot, 'test/fixtures/endpoints/engineHolder.ts');
export const attachApp = path.join(repoRoot, 'test/fixtures/endpoints/attach-app');

type Message = Record<string, unknown>;

export class EngineHolderProcess {
  private readonly messages: Message[] = [];
  private readonly waiters: Array<() => void> = [];
  private stderr = '';
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly root: string,
  ) {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        this.messages.push(JSON.parse(line) as Message);
      } catch {
        this.stderr += `(stdout) ${line}\n`;
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    void this.exited.then(() => {
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Starts the holder and resolves once its endpoint is served. */
  static async start(root: string, bootstrapDir: string, maxLineBytes?: number): Promise<EngineHolderProcess> {
    const args = ['--require', 'tsx/cjs', fixture, root, bootstrapDir, ...(maxLineBytes ? [String(maxLineBytes)] : [])];
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    const holder = new EngineHolderProcess(child, root);
    try {
      await holder.next('ready', 30_000);
    } catch (err) {
      await holder.kill();
      throw err;
    }
    return holder;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** What the holder logged from its endpoint (refused clients, cut-off lines). */
  logs(): string[] {
    return this.messages.flatMap((m) => (typeof m.log === 'string' ? [m.log] : []));
  }

  async history(): Promise<Array<{ id: string; functionName: string; status: string }>> {
    this.child.stdin!.write('history\n');
    return (await this.next('history')).history as Array<{ id: string; functionName: string; status: string }>;
  }

  async peek(queue: string): Promise<Array<{ messageId: string; body: string }>> {
    this.child.stdin!.write(`peek ${queue}\n`);
    return (await this.next('messages')).messages as Array<{ messageId: string; body: string }>;
  }

  /** Closes the endpoint and the account, as a window closing does, and waits for the process to end. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin!.end('close\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL: the process goes without closing anything, as a crashed window's would. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** The next message that has `key` (messages before it without the key are passed over). */
  private async next(key: string, timeoutMs = 20_000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.messages.findIndex((m) => key in m || 'error' in m);
      if (index !== -1) {
        const [message] = this.messages.splice(index, 1);
        if ('error' in message) throw new Error(`the engine holder failed: ${String(message.error)}\n${this.stderr}`);
        return message;
      }
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(`the engine holder exited before saying "${key}"\n${this.stderr}`);
      if (Date.now() > deadline)
        throw new Error(`the engine holder did not say "${key}" in ${timeoutMs} ms\n${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
