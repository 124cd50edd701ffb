import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { VirtualClock } from '../../../src/core/invoke/virtualClock';
import { DurableStore, STORE_LOCK_FILE } from '../../../src/core/store/durableStore';
import { waitFor } from '../../support/waitFor';
import { FakeInvoker } from './fakeInvoker';
import { openEngine, type TestAccount } from './harness';
import { lambda, sqs } from './model';

const CONFIG: TestAccount = {
  functions: [lambda('f', { triggers: [sqs('q', { visibilityTimeout: 30, batchSize: 10 })] }), lambda('g')],
};

describe('invoke: records left running by a stopped process', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-interrupted-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a batch running when the process stopped ends as Interrupted; its message and a pending async event carry on', async () => {
    // First process: both handlers hang, so the SQS batch and the async attempt are running when it "stops".
    const hang = (): Promise<never> => new Promise<never>(() => undefined);
    const { engine: first, services: firstServices } = openEngine(
      await DurableStore.open(dir),
      CONFIG,
      new FakeInvoker({ f: hang, g: hang }),
      new VirtualClock(),
    );
    await firstServices.sendMessages('q', [{ body: 'm1' }]);
    const asyncRecord = await first.invokeAsync('g', '{"n":1}');
    await waitFor('both invocations running', () =>
      first.records().filter((r) => r.status === 'running').length === 2 ? true : undefined,
    );
    await first.store.flush();
    const batchRecord = first.records().find((r) => r.mode === 'batch')!;

    // Second process on the same store. The first is abandoned as after a SIGKILL, which leaves a stale lock behind:
    // the lock of a process that has exited.
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    fs.writeFileSync(path.join(dir, STORE_LOCK_FILE), JSON.stringify({ pid: gone, owner: 'killed', since: '' }));
    const invoker = new FakeInvoker({ f: () => null, g: () => null });
    const { engine: second, services } = openEngine(await DurableStore.open(dir), CONFIG, invoker, new VirtualClock());
    const interrupted = second.records().find((r) => r.id === batchRecord.id)!;
    assert.equal(interrupted.status, 'failed');
    assert.equal(interrupted.condition, 'Interrupted');
    assert.ok(interrupted.end);
    await second.runUntilIdle();
    // SQS-2: the message comes back after the visibility timeout and is processed by the new process.
    assert.deepEqual(invoker.calls.map((c) => c.functionName).sort(), ['f', 'g']);
    assert.equal(services.queueMessages('q').length, 0);
    // The async event kept its record and finished in it.
    assert.equal(second.records().find((r) => r.id === asyncRecord.id)?.status, 'succeeded');
    await second.close();
    // The abandoned first store still has its segment open in this test process.
    await first.store.close();
  });
});
