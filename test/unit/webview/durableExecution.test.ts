/** DURABLE-13: how the panel reads an execution's operations: the tree, the labels, what each one waits for. */
import * as assert from 'node:assert/strict';
import type { OperationView } from '../../../src/core/invoke/durable/executionView';
import { operationLabel, operationMeta, operationTree } from '../../../src/webview/durableExecution';

const T0 = Date.UTC(2026, 11, 2, 10, 0, 0);
const op = (o: Partial<OperationView> & Pick<OperationView, 'id' | 'type'>): OperationView => ({
  status: 'STARTED',
  startMs: T0,
  ...o,
});

describe('webview: a durable execution', () => {
  it('nests operations under their parents in creation order; the EXECUTION operation is the execution itself', () => {
    const { roots, children } = operationTree({
      operations: [
        op({ id: 'x', type: 'EXECUTION' }),
        op({ id: 'p', type: 'CONTEXT', subType: 'Parallel', parentId: 'x' }),
        op({ id: 'b1', type: 'CONTEXT', subType: 'ParallelBranch', parentId: 'p' }),
        op({ id: 'b2', type: 'CONTEXT', subType: 'ParallelBranch', parentId: 'p' }),
        op({ id: 's', type: 'STEP', parentId: 'b1' }),
        op({ id: 'w', type: 'WAIT' }),
        op({ id: 'orphan', type: 'STEP', parentId: 'gone' }),
      ],
    });
    assert.deepEqual(
      roots.map((o) => o.id),
      ['w', 'orphan', 'p'],
    );
    assert.deepEqual(
      children.get('p')?.map((o) => o.id),
      ['b1', 'b2'],
    );
    assert.deepEqual(
      children.get('b1')?.map((o) => o.id),
      ['s'],
    );
  });

  it('names operations by what the SDK made of them', () => {
    assert.equal(operationLabel({ type: 'CONTEXT', subType: 'Map' }), 'Map');
    assert.equal(operationLabel({ type: 'CONTEXT', subType: 'WaitForCallback' }), 'Wait for callback');
    assert.equal(operationLabel({ type: 'STEP', subType: 'WaitForCondition' }), 'Wait for condition');
    assert.equal(operationLabel({ type: 'CHAINED_INVOKE' }), 'Invoke');
    assert.equal(operationLabel({ type: 'CONTEXT', subType: 'SomethingNew' }), 'Context');
  });

  it('says what an operation waits for while the execution runs', () => {
    const running = { status: 'RUNNING' };
    assert.deepEqual(
      operationMeta(op({ id: 's', type: 'STEP', status: 'PENDING', attempt: 2, nextAttemptMs: T0 + 30_000 }), running),
      ['2 attempts ended', 'next attempt at 2026-12-02T10:00:30Z'],
    );
    assert.deepEqual(operationMeta(op({ id: 'w', type: 'WAIT', scheduledEndMs: T0 + 3 * 86_400_000 }), running), [
      'until 2026-12-05T10:00:00Z (3 d)',
    ]);
    assert.deepEqual(
      operationMeta(
        op({ id: 'c', type: 'CALLBACK', callbackTimeoutMs: T0 + 60_000, heartbeatDueMs: T0 + 5_000 }),
        running,
      ),
      ['times out at 2026-12-02T10:01:00Z', 'heartbeat due by 2026-12-02T10:00:05Z'],
    );
    assert.deepEqual(
      operationMeta(
        op({ id: 'i', type: 'CHAINED_INVOKE', functionName: 'Payments', status: 'SUCCEEDED', endMs: T0 + 1500 }),
        running,
      ),
      ['→ Payments', 'took 2 s'],
    );
    // Once the execution ended, nothing is due any more.
    assert.deepEqual(
      operationMeta(op({ id: 'c', type: 'CALLBACK', callbackTimeoutMs: T0 + 60_000 }), { status: 'STOPPED' }),
      [],
    );
  });
});
