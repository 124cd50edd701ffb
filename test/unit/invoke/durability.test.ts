import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { InvocationEngine } from '../../../src/core/invoke/invocationEngine';
import { VirtualClock } from '../../../src/core/invoke/virtualClock';
import { DurableStore } from '../../../src/core/store/durableStore';
import { crashConfiguration, recordKey, type CrashEventRecord } from '../../fixtures/invoke/crashConfiguration';
import { openDeliveryAccount } from '../../fixtures/invoke/deliveryAccount';
import { deliveryKillRounds } from '../../fixtures/invoke/deliveryKillRounds';
import { killWriterRounds } from '../../fixtures/store/killWriters';
import { buildBootstraps } from '../runtime/bootstrapBuild';
import { FakeInvoker, type FakeHandler } from './fakeInvoker';
import type { LocalServices } from '../../../src/core/services/localServices';
import { openEngine } from './harness';

const CHILD = path.join(__dirname, '..', '..', 'fixtures', 'invoke', 'crashChild.ts');
const ACKED_KILL_CHILD = path.join(__dirname, '..', '..', 'fixtures', 'invoke', 'ackedKillChild.ts');
const DELIVERY_APP = path.join(__dirname, '..', '..', 'fixtures', 'invoke', 'delivery-app');

/** Runs ackedKillChild.ts until it has acknowledged its event, then SIGKILLs it; resolves once it is gone. */
function killRightAfterAcknowledgement(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ACKED_KILL_CHILD, ...args], {
      cwd: path.join(__dirname, '..', '..', '..'),
    });
    let out = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('acknowledged\n')) child.kill('SIGKILL');
    });
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL' && out.includes('acknowledged\n')) resolve();
      else reject(new Error(`the child ended with ${signal ?? code} before its acknowledgement: ${stderr}`));
    });
  });
}

/** What the child printed before it died. */
interface ChildRun {
  /** Keys of the handler runs, in order (one per record for batches). */
  attempts: string[];
  /** Stream modes: the shard of each record, in the order they were put. */
  shardOf: Map<string, string>;
  /** Stream modes: keys of checkpoints confirmed on disk, in order. */
  durable: string[];
}

/** Runs the child until `killWhen` says so, then SIGKILLs it; returns what it printed. */
function runAndKill(
  storeDir: string,
  mode: string,
  count: number,
  killWhen: (run: ChildRun) => boolean,
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, storeDir, mode, String(count)], {
      cwd: path.join(__dirname, '..', '..', '..'),
    });
    const run: ChildRun = { attempts: [], shardOf: new Map(), durable: [] };
    let accepted = false;
    let buffer = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        const [kind, key, shardId] = line.split(' ');
        if (kind === 'accepted') accepted = true;
        else if (kind === 'idle') reject(new Error('the child finished before it could be killed'));
        else if (kind === 'attempt') run.attempts.push(key);
        else if (kind === 'record') run.shardOf.set(key, shardId);
        else if (kind === 'durable') run.durable.push(key);
      }
      if (accepted && killWhen(run)) child.kill('SIGKILL');
    });
    // 'close', not 'exit': every line the child wrote before it died has been read by then.
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL') resolve(run);
      else reject(new Error(`child exited with ${code}: ${stderr}`));
    });
  });
}

/** Opens the killed child's store in this process, as a restart would, with fake handlers on an instant clock. */
async function reopen(
  storeDir: string,
  handlers: Record<string, FakeHandler>,
): Promise<{ engine: InvocationEngine; services: LocalServices; invoker: FakeInvoker }> {
  const invoker = new FakeInvoker(handlers);
  const { engine, services } = openEngine(
    await DurableStore.open(storeDir),
    crashConfiguration,
    invoker,
    new VirtualClock(),
  );
  return { engine, services, invoker };
}

describe('invoke: durability (SIGKILL mid-schedule, then reopen)', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-crash-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('ASYNC-3 ASYNC-9: killed in the middle of the retry schedule, every event still gets its retries and reaches the DLQ exactly once', async () => {
    const storeDir = path.join(dir, 'store');
    const count = 20;
    // Kill once every event has had its first attempt and some have had their second.
    const { attempts: before } = await runAndKill(storeDir, 'async', count, (run) => run.attempts.length >= count + 3);
    const { engine, services, invoker } = await reopen(storeDir, {
      worker: () => {
        throw new Error('always fails');
      },
    });
    assert.equal(engine.pendingAsyncEvents(), count, 'no accepted event is lost');
    await engine.runUntilIdle();
    const after = invoker.calls.map((c) => (c.event as { id: string }).id);
    const dlq = services.queueMessages('worker-dlq');
    assert.equal(dlq.length, count, 'each event reaches the DLQ once');
    assert.deepEqual(new Set(dlq.map((m) => m.body)).size, count);
    assert.equal(new Set(dlq.map((m) => m.messageAttributes.RequestID.StringValue)).size, count);
    for (let i = 0; i < count; i++) {
      const runs = [...before, ...after].filter((k) => k === `e${i}`).length;
      // 3 attempts (1 + 2 retries); at most one more: an attempt cut short by the kill runs again (at-least-once).
      assert.ok(runs === 3 || runs === 4, `e${i} ran ${runs} times`);
    }
    assert.equal(engine.pendingAsyncEvents(), 0);
    await engine.close();
  });

  it('SQS-2: killed in the middle of a batch, every message is processed at least once and the queue drains', async () => {
    const storeDir = path.join(dir, 'store');
    const count = 40;
    const { attempts: before } = await runAndKill(storeDir, 'sqs', count, (run) => run.attempts.length >= 10);
    const { engine, services, invoker } = await reopen(storeDir, { consumer: () => null });
    assert.equal(services.queueMessages('jobs').length + 0 <= count, true);
    await engine.runUntilIdle();
    const after = invoker.calls.flatMap((c) =>
      (c.event as { Records: Array<{ body: string }> }).Records.map((r) => r.body),
    );
    for (let i = 0; i < count; i++) assert.ok([...before, ...after].includes(`m${i}`), `m${i} was never processed`);
    // Duplicates only for batches in flight at the kill: at most MaximumConcurrency (2) x BatchSize (5), plus batches done but not yet deleted on disk.
    assert.ok(
      before.length + after.length - count <= before.length,
      'only messages handled before the kill can run twice',
    );
    assert.equal(
      after.filter((k) => after.indexOf(k) !== after.lastIndexOf(k)).length,
      0,
      `no message runs twice after the restart: ${JSON.stringify(invoker.calls.map((c) => (c.event as { Records: Array<{ body: string; attributes: unknown }> }).Records.map((r) => [r.body, r.attributes])))}`,
    );
    assert.equal(services.queueMessages('jobs').length, 0);
    await engine.close();
  });

  for (const [mode, label] of [
    ['kinesis', 'Kinesis'],
    ['dynamodb', 'DynamoDB Streams'],
  ] as const) {
    it(`STREAM-1: ${label}, killed with batches in flight: every record is processed, first in order per shard, and the reopened store re-runs only what was not checkpointed on disk`, async () => {
      const storeDir = path.join(dir, 'store');
      const count = 60;
      // Mid-stream: half the records attempted, and a checkpoint confirmed on disk in every shard.
      const before = await runAndKill(
        storeDir,
        mode,
        count,
        (run) =>
          run.attempts.length >= count / 2 &&
          new Set(run.durable.map((key) => run.shardOf.get(key))).size === new Set(run.shardOf.values()).size,
      );
      const { engine, invoker } = await reopen(storeDir, { reader: () => null });
      await engine.runUntilIdle();
      const after = invoker.calls.flatMap((c) => (c.event as { Records: CrashEventRecord[] }).Records.map(recordKey));
      const shards = [...new Set(before.shardOf.values())];
      assert.equal(shards.length, 2, 'the records are spread over both shards');
      for (const shard of shards) {
        const records = [...before.shardOf].filter(([, s]) => s === shard).map(([key]) => key);
        const inShard = (keys: string[]): string[] => keys.filter((key) => before.shardOf.get(key) === shard);
        const ran = inShard(before.attempts);
        const reran = inShard(after);
        const trace = `${shard}: before ${ran.join(' ')} | durable ${inShard(before.durable).join(' ')} | after ${reran.join(' ')}`;
        assert.deepEqual([...new Set([...ran, ...reran])], records, `every record, first processed in order: ${trace}`);
        assert.deepEqual(
          ran,
          records.slice(0, ran.length),
          `before the kill, each record once from the start: ${trace}`,
        );
        const resumedAt = records.length - reran.length;
        assert.deepEqual(reran, records.slice(resumedAt), `after the reopen, each record once to the end: ${trace}`);
        // At least once: the shard's last batch was held in flight until the kill.
        assert.ok(reran.length > 0, `the batch in flight at the kill runs again: ${trace}`);
        // Not from the beginning: nothing up to a checkpoint confirmed on disk before the kill runs again.
        const confirmed = Math.max(...inShard(before.durable).map((key) => records.indexOf(key)));
        assert.ok(resumedAt > confirmed, `resumed after the checkpoint on disk: ${trace}`);
      }
      for (const p of engine.streamPositions()) {
        assert.equal(p.behind, 0);
        assert.equal(p.checkpoint, p.latestSequenceNumber);
      }
      await engine.close();
    });
  }

  it("STREAM-1 STREAM-4: killed in the middle of a failing batch's retries, every batch still gets MaximumRetryAttempts retries and one on-failure record", async () => {
    const storeDir = path.join(dir, 'store');
    const count = 15;
    // The child holds the last batch's second attempt until the kill; the first one's failure is on disk.
    const { attempts: before } = await runAndKill(
      storeDir,
      'kinesis-failing',
      count,
      (run) => run.attempts.filter((key) => key === `k${count - 1}`).length === 2,
    );
    const { engine, services, invoker } = await reopen(storeDir, {
      breaker: () => {
        throw new Error('always fails');
      },
    });
    await engine.runUntilIdle();
    const after = invoker.calls.flatMap((c) => (c.event as { Records: CrashEventRecord[] }).Records.map(recordKey));
    for (let i = 0; i < count; i++) {
      const runs = [...before, ...after].filter((key) => key === `k${i}`).length;
      // 3 attempts (1 + MaximumRetryAttempts 2); the held batch one more: its second attempt was cut short by the kill.
      assert.equal(runs, i < 10 ? 3 : 4, `k${i} ran ${runs} times (before the kill: ${before.join(' ')})`);
    }
    const failures = services.queueMessages('stream-failures').map(
      (m) =>
        JSON.parse(m.body) as {
          requestContext: { condition: string; approximateInvokeCount: number };
          KinesisBatchInfo: { startSequenceNumber: string; batchSize: number };
        },
    );
    assert.deepEqual(
      failures.map((f) => [
        f.requestContext.condition,
        f.requestContext.approximateInvokeCount,
        f.KinesisBatchInfo.batchSize,
      ]),
      Array.from({ length: 3 }, () => ['RetryAttemptsExhausted', 3, 5]),
      'one on-failure record per batch',
    );
    assert.equal(new Set(failures.map((f) => f.KinesisBatchInfo.startSequenceNumber)).size, 3);
    for (const p of engine.streamPositions()) assert.equal(p.behind, 0);
    await engine.close();
  });

  for (const [kind, label] of [
    ['async', 'an async invocation acknowledged (202)'],
    ['sqs', 'a message whose send returned'],
    ['kinesis', 'a Kinesis record whose put returned'],
  ] as const) {
    it(`ASYNC-1 SQS-2 STREAM-1: ${label} just before a SIGKILL is on disk: the reopened engine delivers it`, async function () {
      this.timeout(120_000);
      const workspace = path.join(dir, 'app');
      const log = path.join(dir, 'handled.log');
      fs.cpSync(DELIVERY_APP, workspace, { recursive: true });
      fs.writeFileSync(log, '');
      const bootstrapDir = await buildBootstraps();
      // The killed process ran synchronous invocations first, whose records wait for a later commit.
      await killRightAfterAcknowledgement([workspace, bootstrapDir, log, kind]);
      const account = await openDeliveryAccount({ workspace, bootstrapDir, logFile: log, round: 2 });
      try {
        await account.engine.runUntilIdle();
      } finally {
        await account.dispose();
      }
      const handled = fs.readFileSync(log, 'utf8').split('\n');
      assert.ok(handled.includes('acked ok 2'), `delivered after the reopen: ${handled.join(' | ')}`);
      assert.equal(handled.filter((l) => l === 'acked ok 2').length, 1, 'once after the reopen');
    });
  }

  it('ASYNC-1 ASYNC-3 SQS-3 SQS-4 STREAM-1: real engine processes SIGKILLed at random points over rounds lose no accepted event and deliver none beyond at-least-once', async function () {
    // A longer run: npx tsx bench/deliveryDurability.ts [rounds]
    this.timeout(120_000);
    const result = await deliveryKillRounds({
      rounds: 3,
      eventsPerKind: 5,
      bootstrapDir: await buildBootstraps(),
      workDir: dir,
    });
    const figures = JSON.stringify(result);
    assert.deepEqual(result.lost, [], `events lost: ${figures}`);
    assert.deepEqual(result.duplicates, [], `duplicates beyond at-least-once: ${figures}`);
    assert.deepEqual(result.unsettled, [], `left in the queue: ${figures}`);
    assert.equal(result.behind, 0, figures);
    assert.ok(result.kills > 0 && result.accepted > 0, `engines were killed after accepting events: ${figures}`);
    // Which events a round accepted before its kill is random: every one that always fails is in a DLQ at the end (a
    // message that succeeded can be there too, when kills cut its receives short: SQS-3).
    assert.ok(result.processed > 0, `events were processed: ${figures}`);
    assert.ok(result.deadLettered >= result.acceptedFailing, `every failing event ends in a DLQ: ${figures}`);
  });

  it('the store itself: writers killed at random points (opening, taking over the lock, appending, compacting) lose no event they confirmed', async () => {
    // A longer run: npx tsx bench/storeDurability.ts [rounds]
    const result = await killWriterRounds(path.join(dir, 'store'), 8);
    assert.deepEqual(result.lost, [], `events lost: ${JSON.stringify(result)}`);
    assert.ok(result.confirmed > 0, 'writers confirmed events before they were killed');
    assert.ok(result.kept >= result.confirmed);
    // Compacted as it goes: two snapshots at most (the newest and its fallback), each with the segments after it.
    const numbers = (prefix: string): number[] =>
      result.files.filter((f) => f.startsWith(prefix)).map((f) => Number(/\d+/.exec(f)![0]));
    assert.ok(numbers('snapshot-').length <= 2, result.files.join(' '));
    assert.ok(numbers('segment-').length <= 6, result.files.join(' '));
    const oldest = Math.min(...numbers('snapshot-'));
    assert.ok(
      numbers('segment-').every((n) => n >= oldest),
      `no segment older than the fallback snapshot: ${result.files.join(' ')}`,
    );
  });
});
