/** The store's lock taken by real processes racing to open the same store: exactly one wins every round. */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { STORE_LOCK_FILE } from '../../../src/core/store/durableStore';

const RACER = path.join(__dirname, '..', '..', 'fixtures', 'store', 'lockRacer.ts');
const repoRoot = path.join(__dirname, '..', '..', '..');

/** A racer process and the lines it printed, each handed to whoever waits for the next one. */
class Racer {
  private readonly lines: string[] = [];
  private waiting: ((line: string) => void) | undefined;
  private stderr = '';

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    let buffer = '';
    child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) this.lines.push(line);
      this.deliver();
    });
    child.on('exit', (code) => {
      this.lines.push(`exited ${code}: ${this.stderr}`);
      this.deliver();
    });
  }

  private deliver(): void {
    if (this.waiting && this.lines.length > 0) {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting(this.lines.shift()!);
    }
  }

  next(): Promise<string> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.deliver();
    });
  }

  send(command: string): void {
    this.child.stdin.write(`${command}\n`);
  }
}

describe('store: the lock, with processes racing to open one store', function () {
  this.timeout(120_000);
  let dir: string;
  let racers: Racer[] = [];

  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-lock-'))));
  afterEach(() => {
    for (const r of racers) r.child.kill('SIGKILL');
    racers = [];
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const [where, env] of [
    ['', {}],
    [' (a file system without hard links)', { LT_NO_HARD_LINKS: '1' }],
  ] as const) {
    it(`exactly one of several processes opening at once wins, fresh or over a stale lock; the others are told it is held${where}`, async () => {
      const processes = 4;
      const rounds = 60;
      racers = Array.from(
        { length: processes },
        (_, i) =>
          new Racer(
            spawn(process.execPath, ['--import', 'tsx', RACER, dir, `racer ${i}`], {
              cwd: repoRoot,
              env: { ...process.env, ...env },
            }),
          ),
      );
      for (const r of racers) assert.equal(await r.next(), 'ready');
      const gone = spawnSync(process.execPath, ['-e', '']).pid;
      const lock = path.join(dir, STORE_LOCK_FILE);
      const winners: number[] = [];
      for (let round = 0; round < rounds; round++) {
        // Every other round starts from the lock a killed process left: they all race to take it over.
        if (round % 2 === 1)
          fs.writeFileSync(lock, JSON.stringify({ pid: gone, owner: 'killed', since: `round ${round}` }));
        for (const r of racers) r.send('open');
        const outcomes = await Promise.all(racers.map((r) => r.next()));
        const won = outcomes.flatMap((o, i) => (o === 'won' ? [i] : []));
        const others = outcomes.filter((o) => o !== 'won');
        assert.equal(won.length, 1, `round ${round}: exactly one process wins: ${outcomes.join(' | ')}`);
        for (const o of others) assert.match(o, /^held The store at .+ is in use by racer \d \(process \d+, since /);
        const holder = JSON.parse(fs.readFileSync(lock, 'utf8')) as { pid: number };
        assert.equal(holder.pid, racers[won[0]].child.pid, `round ${round}: the lock names the winner`);
        winners.push(won[0]);
        racers[won[0]].send('close');
        assert.equal(await racers[won[0]].next(), 'closed');
        assert.ok(!fs.existsSync(lock), 'closing releases the lock');
      }
      assert.equal(winners.length, rounds);
      assert.deepEqual(
        fs.readdirSync(dir).filter((f) => f.startsWith(STORE_LOCK_FILE)),
        [],
        'no temporary lock file or takeover guard is left behind',
      );
    });
  }
});
