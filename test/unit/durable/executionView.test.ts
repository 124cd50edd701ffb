/**
 * DURABLE-13: an execution as the invocation panel gets it (executionView): the operation log with attempts, due
 * times, callback ids and timers, chained invokes' functions, payloads cut to what a panel shows, the history events.
 */
import * as assert from 'node:assert/strict';
import type { DurableExecution } from '../../../src/core/invoke/durable/durableExecution';
import {
  executionView,
  HISTORY_IN_VIEW,
  VIEW_TEXT_LIMIT,
  viewText,
} from '../../../src/core/invoke/durable/executionView';
import { executionViewProblem } from '../../../src/shared/recordShape';

const T0 = Date.UTC(2026, 11, 2, 10, 0, 0);
const DAY = 86_400_000;

function execution(): DurableExecution {
  return {
    id: 'e1',
    arn: 'arn:aws:lambda:us-east-1:123456789012:function:Orders:$LATEST/durable-execution/order-7/e1',
    name: 'order-7',
    functionName: 'Orders',
    functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:Orders',
    input: '{"orderId":7}',
    status: 'RUNNING',
    startMs: T0,
    executionTimeoutSeconds: 86_400 * 30,
    retentionPeriodInDays: 14,
    operations: [
      { Id: 'x', Type: 'EXECUTION', Status: 'STARTED', StartTimestamp: T0, ExecutionDetails: { InputPayload: '{}' } },
      {
        Id: 's1',
        ParentId: 'x',
        Name: 'reserve',
        Type: 'STEP',
        SubType: 'Step',
        Status: 'PENDING',
        StartTimestamp: T0,
        StepDetails: {
          Attempt: 2,
          NextAttemptTimestamp: T0 + 30_000,
          Error: { ErrorType: 'Busy', ErrorMessage: 'x'.repeat(VIEW_TEXT_LIMIT + 5) },
        },
      },
      {
        Id: 'w1',
        Name: 'cool-off',
        Type: 'WAIT',
        SubType: 'Wait',
        Status: 'STARTED',
        StartTimestamp: T0,
        WaitDetails: { ScheduledEndTimestamp: T0 + 3 * DAY },
      },
      {
        Id: 'c0',
        Name: 'approval',
        Type: 'CONTEXT',
        SubType: 'WaitForCallback',
        Status: 'STARTED',
        StartTimestamp: T0,
      },
      {
        Id: 'c1',
        ParentId: 'c0',
        Type: 'CALLBACK',
        SubType: 'Callback',
        Status: 'STARTED',
        StartTimestamp: T0,
        CallbackDetails: { CallbackId: 'cb-1' },
      },
      {
        Id: 'i1',
        Name: 'charge',
        Type: 'CHAINED_INVOKE',
        SubType: 'ChainedInvoke',
        Status: 'SUCCEEDED',
        StartTimestamp: T0,
        EndTimestamp: T0 + 5,
        ChainedInvokeDetails: { Result: '{"charged":42}' },
      },
    ],
    history: [
      {
        EventType: 'ExecutionStarted',
        EventId: 1,
        Id: 'x',
        EventTimestamp: T0,
        ExecutionStartedDetails: { Input: { Payload: '{}' } },
      },
      {
        EventType: 'ChainedInvokeStarted',
        EventId: 2,
        Id: 'i1',
        Name: 'charge',
        SubType: 'ChainedInvoke',
        EventTimestamp: T0 + 1,
        ChainedInvokeStartedDetails: { FunctionName: 'Payments', Input: { Payload: '{"amount":42}' } },
      },
    ],
    tokenSeq: 3,
    invocation: 'req-2',
    invocations: 1,
    failedInvocations: 0,
    unseen: [],
    callbackTimers: { c1: { timeoutAt: T0 + 2 * DAY, heartbeatSeconds: 60, heartbeatAt: T0 + 60_000 } },
    recordIds: ['r1', 'r2'],
    startedBy: 'sync',
  };
}

describe('DURABLE-13: the panel view of a durable execution', () => {
  it('keeps each operation with what the panel tells about it', () => {
    const view = executionView(execution());
    const byId = new Map(view.operations.map((op) => [op.id, op]));
    assert.deepEqual(
      { attempt: byId.get('s1')?.attempt, next: byId.get('s1')?.nextAttemptMs, parent: byId.get('s1')?.parentId },
      { attempt: 2, next: T0 + 30_000, parent: 'x' },
    );
    assert.equal(byId.get('w1')?.scheduledEndMs, T0 + 3 * DAY);
    assert.deepEqual(
      [byId.get('c1')?.callbackId, byId.get('c1')?.callbackTimeoutMs, byId.get('c1')?.heartbeatDueMs],
      ['cb-1', T0 + 2 * DAY, T0 + 60_000],
    );
    assert.equal(byId.get('i1')?.functionName, 'Payments', 'the function comes from the ChainedInvokeStarted event');
    assert.deepEqual(byId.get('i1')?.result, { text: '{"charged":42}' });
    assert.equal(view.invoking, true);
    assert.deepEqual(view.recordIds, ['r1', 'r2']);
    assert.deepEqual(view.input, { text: '{"orderId":7}' });
  });

  it('cuts long payloads and says how long they were', () => {
    const view = executionView(execution());
    const error = view.operations.find((op) => op.id === 's1')?.error;
    assert.equal(error?.ErrorMessage?.length, VIEW_TEXT_LIMIT);
    assert.deepEqual(viewText('abcdef', 4), { text: 'abcd', fullLength: 6 });
    assert.deepEqual(viewText('abc', 4), { text: 'abc' });
  });

  it('lists the history events with their details as JSON text', () => {
    const view = executionView(execution());
    assert.deepEqual(
      view.history.map((e) => [e.eventId, e.type, e.operationId, e.name]),
      [
        [1, 'ExecutionStarted', 'x', undefined],
        [2, 'ChainedInvokeStarted', 'i1', 'charge'],
      ],
    );
    assert.equal(view.historyTotal, 2);
    assert.equal((JSON.parse(view.history[1].details.text) as { FunctionName: string }).FunctionName, 'Payments');
  });

  it('keeps the latest events of a long history, and how many there are in all', () => {
    const e = execution();
    for (let i = 3; i <= HISTORY_IN_VIEW + 50; i++)
      e.history.push({
        EventType: 'StepStarted',
        EventId: i,
        Id: `s${i}`,
        EventTimestamp: T0 + i,
        StepStartedDetails: {},
      });
    const view = executionView(e);
    assert.equal(view.history.length, HISTORY_IN_VIEW);
    assert.equal(view.historyTotal, HISTORY_IN_VIEW + 50);
    assert.equal(view.history[0].eventId, 51);
  });

  it('is a shape the panel accepts, and the panel refuses a view with a wrong field', () => {
    const view = executionView(execution());
    assert.equal(executionViewProblem(view), undefined);
    assert.equal(
      executionViewProblem({ ...view, operations: [{ ...view.operations[0], status: 3 }] }),
      'view.operations[0].status is not a string',
    );
    assert.equal(executionViewProblem({ ...view, invoking: 'yes' }), 'view.invoking is not true or false');
  });

  it('is a copy: changing the execution afterwards does not change a view already sent', () => {
    const e = execution();
    const view = executionView(e);
    e.recordIds.push('r3');
    e.operations[1].Status = 'SUCCEEDED';
    assert.deepEqual(view.recordIds, ['r1', 'r2']);
    assert.equal(view.operations[1].status, 'PENDING');
  });
});
