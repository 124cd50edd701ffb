/**
 * The durable execution service against the protocol reference, driven the way the SDK drives it: a handler (here a
 * plain function standing for the SDK) checkpoints through the service while its invocation runs. Validation of
 * updates, checkpoint tokens, paging, pruning of completed contexts, what a checkpoint answers, and what the
 * service does with each answer of the handler.
 */
import * as assert from 'node:assert/strict';
import type { CheckpointAnswer } from '../../../src/core/invoke/durable/durableExecutions';
import type { InvocationEvent } from '../../../src/core/invoke/durable/durableInvocation';
import type { Operation, OperationUpdate } from '../../../src/core/invoke/durable/durableWire';
import { harness, type Harness } from '../invoke/harness';
import { lambda } from '../invoke/model';

const CONFIG = { executionTimeout: 86_400, retentionPeriodInDays: 1 };
type Script = (event: InvocationEvent, call: number) => unknown;

describe('durable functions: the service', () => {
  let h: Harness;
  let script: Script;
  let calls: InvocationEvent[];

  beforeEach(async () => {
    calls = [];
    h = await harness(
      { functions: [lambda('Flow', { durableConfig: CONFIG }), lambda('Plain')] },
      {
        Flow: (event) => {
          calls.push(event as InvocationEvent);
          return script(event as InvocationEvent, calls.length);
        },
        Plain: (event) => ({ echoed: event }),
      },
    );
  });
  afterEach(() => h.close());

  const service = () => h.engine.durable;
  const checkpoint = (event: InvocationEvent, token: string, updates: OperationUpdate[], clientToken?: string) =>
    service().checkpoint(event.DurableExecutionArn, {
      CheckpointToken: token,
      Updates: updates,
      ...(clientToken ? { ClientToken: clientToken } : {}),
    });
  const refusal = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      return `${(err as Error).name}: ${(err as Error).message}`;
    }
    return 'accepted';
  };
  /** Starts an execution whose first invocation runs `first`, and waits until nothing is left to do. */
  async function run(first: Script, payload = '{"x":1}'): Promise<string> {
    script = first;
    const record = await h.engine.invokeAsync('Flow', payload);
    await h.engine.runUntilIdle();
    return record.execution!.arn;
  }

  it('DURABLE-2: the event carries the ARN, a token and the log with the EXECUTION operation first, holding the input', async () => {
    const arn = await run(() => ({ Status: 'SUCCEEDED', Result: '"done"' }));
    const [event] = calls;
    assert.equal(event.DurableExecutionArn, arn);
    assert.equal(typeof event.CheckpointToken, 'string');
    const [op] = event.InitialExecutionState.Operations;
    assert.equal(op.Type, 'EXECUTION');
    assert.equal(op.Status, 'STARTED');
    assert.equal(op.ExecutionDetails?.InputPayload, '{"x":1}');
    assert.equal(typeof op.StartTimestamp, 'number');
    const execution = service().find(arn)!;
    assert.equal(execution.status, 'SUCCEEDED');
    assert.equal(execution.result, '"done"');
    assert.deepEqual(
      execution.history.map((e) => [e.EventId, e.EventType]),
      [
        [1, 'ExecutionStarted'],
        [2, 'InvocationCompleted'],
        [3, 'ExecutionSucceeded'],
      ],
    );
  });

  it('DURABLE-7: a batch that breaks a rule is refused whole, saying which update and why', async () => {
    const answers: string[] = [];
    await run((event) => {
      const t = event.CheckpointToken;
      const tryBatch = (updates: OperationUpdate[]) => answers.push(refusal(() => checkpoint(event, t, updates)));
      tryBatch([
        { Id: 'e', Type: 'EXECUTION', Action: 'SUCCEED' },
        { Id: 's', Type: 'STEP', Action: 'START' },
      ]);
      tryBatch([{ Id: 'w', Type: 'WAIT', Action: 'SUCCEED' }]);
      tryBatch([{ Id: 's', Type: 'STEP', Action: 'START', ParentId: 'nothing' }]);
      tryBatch([
        { Id: 'w', Type: 'WAIT', Action: 'START', WaitOptions: { WaitSeconds: 1 } },
        { Id: 'w', Type: 'WAIT', Action: 'CANCEL' },
      ]);
      tryBatch([{ Id: 's', Type: 'STEP', Action: 'SUCCEED', Error: { ErrorMessage: 'x' } }]);
      tryBatch([{ Id: 's', Type: 'STEP', Action: 'FAIL', Payload: '1' }]);
      tryBatch([{ Id: 's', Type: 'STEP', Action: 'RETRY' }]);
      tryBatch([{ Id: 'c', Type: 'CALLBACK', Action: 'CANCEL' }]);
      tryBatch([{ Id: 'w', Type: 'WAIT', Action: 'START', WaitOptions: { WaitSeconds: 0 } }]);
      tryBatch([{ Id: 's', Type: 'STEP', Action: 'SUCCEED', Payload: 'x'.repeat(256 * 1024 + 1) }]);
      // Allowed: a step's START and its end in one checkpoint (the SDK sends both at once).
      tryBatch([
        { Id: 's', Type: 'STEP', Action: 'START' },
        { Id: 's', Type: 'STEP', Action: 'SUCCEED', Payload: '1' },
      ]);
      return { Status: 'SUCCEEDED' };
    });
    assert.deepEqual(answers, [
      'InvalidParameterValueException: Updates[0] (EXECUTION SUCCEED e): an EXECUTION update must be the last of its checkpoint.',
      'InvalidParameterValueException: Updates[0] (WAIT SUCCEED w): a WAIT operation takes START, CANCEL, not SUCCEED.',
      'InvalidParameterValueException: Updates[0] (STEP START s): its ParentId nothing is not a CONTEXT operation of this execution.',
      'InvalidParameterValueException: Updates[1] (WAIT CANCEL w): an operation appears twice in one checkpoint only as a STEP or CONTEXT START followed by its end.',
      'InvalidParameterValueException: Updates[0] (STEP SUCCEED s): SUCCEED carries a Payload, not an Error.',
      'InvalidParameterValueException: Updates[0] (STEP FAIL s): FAIL carries an Error, not a Payload.',
      'InvalidParameterValueException: Updates[0] (STEP RETRY s): RETRY needs StepOptions.',
      'InvalidParameterValueException: Updates[0] (CALLBACK CANCEL c): CANCEL is allowed only while the operation is STARTED; the operation is new.',
      'InvalidParameterValueException: Updates[0] (WAIT START w): WaitOptions.WaitSeconds must be a whole number from 1 to 31622400.',
      'InvalidParameterValueException: Updates[0] (STEP SUCCEED s): the Payload is 262145 bytes; an operation keeps at most 262144.',
      'accepted',
    ]);
    // Only the accepted batch changed the log.
    const execution = service().all()[0];
    assert.deepEqual(
      execution.operations.map((op) => [op.Id, op.Type, op.Status]),
      [
        [execution.id, 'EXECUTION', 'SUCCEEDED'],
        ['s', 'STEP', 'SUCCEEDED'],
      ],
    );
  });

  it('DURABLE-7: a state machine refuses what its state does not allow (a second START of a wait, a step ended twice)', async () => {
    const answers: string[] = [];
    await run((event, call) => {
      if (call > 1) return { Status: 'SUCCEEDED' };
      let t = event.CheckpointToken;
      const next = (updates: OperationUpdate[]) => {
        try {
          t = checkpoint(event, t, updates).CheckpointToken!;
          answers.push('accepted');
        } catch (err) {
          answers.push((err as Error).message);
        }
      };
      next([{ Id: 'w', Type: 'WAIT', Action: 'START', WaitOptions: { WaitSeconds: 60 } }]);
      next([{ Id: 'w', Type: 'WAIT', Action: 'START', WaitOptions: { WaitSeconds: 60 } }]);
      next([{ Id: 's', Type: 'STEP', Action: 'SUCCEED', Payload: '1' }]);
      next([{ Id: 's', Type: 'STEP', Action: 'FAIL', Error: {} }]);
      next([{ Id: 'w', Type: 'STEP', Action: 'START' }]);
      return { Status: 'PENDING' };
    });
    assert.deepEqual(answers, [
      'accepted',
      'Updates[0] (WAIT START w): START is allowed only on a new operation; the operation is STARTED.',
      'accepted',
      'Updates[0] (STEP FAIL s): FAIL is allowed on a new, STARTED or READY step; the operation is SUCCEEDED.',
      'Updates[0] (STEP START w): operation w is a WAIT, not a STEP.',
    ]);
  });

  it('DURABLE-6 DURABLE-8: tokens rotate with each checkpoint, die with their invocation, and a retried request gets the same answer', async () => {
    const seen: string[] = [];
    let first: CheckpointAnswer | undefined;
    let kept = '';
    const arn = await run((event) => {
      const t0 = event.CheckpointToken;
      first = checkpoint(event, t0, [{ Id: 's', Type: 'STEP', Action: 'START' }], 'client-1');
      const again = checkpoint(event, t0, [{ Id: 's', Type: 'STEP', Action: 'START' }], 'client-1');
      seen.push(again === first ? 'same answer' : 'another answer');
      seen.push(first.CheckpointToken !== t0 ? 'rotated' : 'not rotated');
      seen.push(refusal(() => checkpoint(event, t0, [])));
      // Reading the state does not rotate the token.
      service().state(event.DurableExecutionArn, first.CheckpointToken!, null, null);
      const empty = checkpoint(event, first.CheckpointToken!, []);
      kept = empty.CheckpointToken!;
      return { Status: 'SUCCEEDED' };
    });
    assert.deepEqual(seen, [
      'same answer',
      'rotated',
      'InvalidParameterValueException: Invalid Checkpoint Token: a newer token has been issued since.',
    ]);
    assert.match(
      refusal(() => service().checkpoint(arn, { CheckpointToken: kept, Updates: [] })),
      /^InvalidParameterValueException: Invalid Checkpoint Token/,
    );
    assert.match(
      refusal(() => service().checkpoint(arn, { CheckpointToken: 'garbage', Updates: [] })),
      /Invalid Checkpoint Token: the token is not one this service issued/,
    );
    assert.match(
      refusal(() => service().checkpoint(`${arn}x`, { CheckpointToken: kept })),
      /^ResourceNotFoundException/,
    );
  });

  it('DURABLE-3: what a checkpoint answers: the callback id, the wait end, the retry time and attempt', async () => {
    let answer: CheckpointAnswer | undefined;
    await run((event, call) => {
      if (call > 1) return { Status: 'PENDING' };
      answer = checkpoint(event, event.CheckpointToken, [
        { Id: 'w', Type: 'WAIT', Action: 'START', WaitOptions: { WaitSeconds: 90 } },
        { Id: 'c', Type: 'CALLBACK', Action: 'START', CallbackOptions: { TimeoutSeconds: 0 } },
        {
          Id: 's',
          Type: 'STEP',
          Action: 'RETRY',
          Error: { ErrorMessage: 'no' },
          StepOptions: { NextAttemptDelaySeconds: 30 },
        },
      ]);
      return { Status: 'PENDING' };
    });
    const byId = new Map(answer!.NewExecutionState.Operations.map((op) => [op.Id, op]));
    const wait = byId.get('w')!;
    assert.equal(wait.WaitDetails!.ScheduledEndTimestamp! - wait.StartTimestamp, 90_000);
    assert.equal(typeof byId.get('c')!.CallbackDetails?.CallbackId, 'string');
    const step = byId.get('s')!;
    assert.equal(step.Status, 'PENDING');
    assert.equal(step.StepDetails?.Attempt, 1);
    assert.equal(step.StepDetails.NextAttemptTimestamp! - step.StartTimestamp, 30_000);
    // The retry became READY and the wait ended on the clock: the next invocations name what changed.
    assert.ok(calls.length >= 2);
    const updated = calls.slice(1).flatMap((c) => c.UpdatedOperationIds ?? []);
    assert.ok(updated.includes('s') && updated.includes('w'), JSON.stringify(updated));
  });

  it('DURABLE-4: a context that ended hides its descendants from the handler unless it replays its children', async () => {
    await run((event, call) => {
      if (call > 1) return { Status: 'SUCCEEDED' };
      checkpoint(event, event.CheckpointToken, [
        { Id: 'ctx', Type: 'CONTEXT', Action: 'START' },
        { Id: 'inner', Type: 'CONTEXT', Action: 'START', ParentId: 'ctx' },
        { Id: 'leaf', Type: 'STEP', Action: 'START', ParentId: 'inner' },
        { Id: 'leaf', Type: 'STEP', Action: 'SUCCEED', ParentId: 'inner', Payload: '1' },
        { Id: 'inner', Type: 'CONTEXT', Action: 'SUCCEED', ParentId: 'ctx', Payload: '1' },
        { Id: 'ctx', Type: 'CONTEXT', Action: 'SUCCEED', Payload: '1' },
        { Id: 'big', Type: 'CONTEXT', Action: 'START' },
        { Id: 'kept', Type: 'STEP', Action: 'START', ParentId: 'big' },
        { Id: 'kept', Type: 'STEP', Action: 'SUCCEED', ParentId: 'big', Payload: '2' },
        { Id: 'big', Type: 'CONTEXT', Action: 'SUCCEED', ContextOptions: { ReplayChildren: true } },
        { Id: 'w', Type: 'WAIT', Action: 'START', WaitOptions: { WaitSeconds: 1 } },
      ]);
      return { Status: 'PENDING' };
    });
    const ids = (ops: Operation[]) => ops.map((op) => op.Id).slice(1);
    assert.deepEqual(ids(calls[1].InitialExecutionState.Operations), ['ctx', 'big', 'kept', 'w']);
  });

  it('DURABLE-11: the state, the history and the list come in pages; a marker is refused after a checkpoint or elsewhere', async () => {
    let pages: string[][] = [];
    let stale = '';
    const arn = await run((event) => {
      let t = event.CheckpointToken;
      const steps: OperationUpdate[] = [];
      for (let i = 0; i < 5; i++)
        steps.push(
          { Id: `s${i}`, Type: 'STEP', Action: 'START' },
          { Id: `s${i}`, Type: 'STEP', Action: 'SUCCEED', Payload: `${i}` },
        );
      t = checkpoint(event, t, steps).CheckpointToken!;
      pages = [];
      let marker: string | null = null;
      do {
        const page = service().state(event.DurableExecutionArn, t, marker, '2');
        pages.push(page.Operations.map((op) => (op.Type === 'EXECUTION' ? 'E' : op.Id)));
        marker = page.NextMarker ?? null;
        if (pages.length === 1) stale = marker!;
      } while (marker);
      t = checkpoint(event, t, []).CheckpointToken!;
      pages.push([refusal(() => service().state(event.DurableExecutionArn, t, stale, '2'))]);
      pages.push([refusal(() => service().state(event.DurableExecutionArn, t, null, '1001'))]);
      return { Status: 'SUCCEEDED' };
    });
    assert.deepEqual(pages, [
      ['E', 's0'],
      ['s1', 's2'],
      ['s3', 's4'],
      [
        'InvalidParameterValueException: Invalid Marker: it belongs to another listing, or the execution has checkpointed since it was issued.',
      ],
      ['InvalidParameterValueException: MaxItems must be a whole number from 1 to 1000 (got "1001").'],
    ]);
    const all = service().history(arn, { includeData: true, reverse: false, marker: null, maxItems: null }).Events;
    const firstPage = service().history(arn, { includeData: false, reverse: true, marker: null, maxItems: '3' });
    assert.deepEqual(
      firstPage.Events.map((e) => e.EventId),
      [all.length, all.length - 1, all.length - 2],
    );
    assert.equal(JSON.stringify(firstPage.Events).includes('Payload'), false);
    const second = service().history(arn, {
      includeData: true,
      reverse: true,
      marker: firstPage.NextMarker!,
      maxItems: '3',
    });
    assert.deepEqual(
      second.Events.map((e) => e.EventId),
      [all.length - 3, all.length - 4, all.length - 5],
    );
    assert.match(
      refusal(() =>
        service().history(arn, { includeData: true, reverse: false, marker: firstPage.NextMarker!, maxItems: '3' }),
      ),
      /Invalid Marker/,
    );

    script = () => ({ Status: 'SUCCEEDED' });
    for (let i = 0; i < 2; i++) await h.engine.invokeAsync('Flow', `{"i":${i}}`);
    await h.engine.runUntilIdle();
    const one = service().list('Flow', { maxItems: '2' });
    const two = service().list('Flow', { maxItems: '2', marker: one.nextMarker! });
    assert.deepEqual([one.executions.length, two.executions.length, two.nextMarker], [2, 1, undefined]);
    assert.equal(service().list('Flow', { name: one.executions[1].name }).executions.length, 1);
    assert.equal(service().list('Flow', { statuses: ['RUNNING'] }).executions.length, 0);
  });

  it('DURABLE-2 DURABLE-9: PENDING with nothing pending fails the execution; failed invocations are retried, then fail it', async () => {
    const pending = await run(() => ({ Status: 'PENDING' }));
    assert.deepEqual(service().find(pending)!.error, {
      ErrorType: 'InvalidParameterValueException',
      ErrorMessage: 'Cannot return PENDING status with no pending operations.',
    });
    calls = [];
    const failing = await run(() => {
      throw new Error('checkpoint unreachable');
    });
    const execution = service().find(failing)!;
    assert.equal(calls.length, 5);
    assert.equal(execution.status, 'FAILED');
    assert.deepEqual(execution.error?.ErrorMessage, 'checkpoint unreachable');
    const completions = execution.history.filter((e) => e.EventType === 'InvocationCompleted');
    assert.equal(completions.length, 5);
    // Five seconds of simulated time between attempts.
    assert.equal(completions[1].EventTimestamp - completions[0].EventTimestamp, 5_000);
  });

  it('DURABLE-4: the execution timeout ends an execution whose wait outlasts it', async () => {
    const arn = await run((event, call) => {
      if (call === 1)
        checkpoint(event, event.CheckpointToken, [
          { Id: 'w', Type: 'WAIT', Action: 'START', WaitOptions: { WaitSeconds: 2 * 86_400 } },
        ]);
      return { Status: 'PENDING' };
    });
    const execution = service().find(arn)!;
    assert.equal(execution.status, 'TIMED_OUT');
    assert.equal(execution.endMs! - execution.startMs, CONFIG.executionTimeout * 1000);
    assert.equal(execution.history[execution.history.length - 1].EventType, 'ExecutionTimedOut');
  });
});
