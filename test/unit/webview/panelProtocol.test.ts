import * as assert from 'node:assert/strict';
import { parseFromPanel, parseToPanel, sourceLocationOf } from '../../../src/shared/panelProtocol';

/** The least a record has: what every renderer reads. */
function minimalRecord(): Record<string, unknown> {
  const at = { simulated: '2026-12-02T10:00:00.000Z', wall: '2026-12-02T10:00:00.000Z' };
  return {
    id: 'a',
    functionName: 'f',
    mode: 'sync',
    configuration: { values: {}, origins: {} },
    event: {},
    status: 'succeeded',
    start: at,
    attempts: [],
    batches: [],
    deliveries: [],
  };
}

describe('invocation panel protocol', () => {
  it('accepts well-formed webview messages', () => {
    assert.deepEqual(parseFromPanel({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseFromPanel({ type: 'action', action: 'rerun', recordId: 'r1', extra: 1 }), {
      type: 'action',
      action: 'rerun',
      recordId: 'r1',
    });
    assert.deepEqual(parseFromPanel({ type: 'openSource', file: '/w/a.ts', line: 3, column: 7 }), {
      type: 'openSource',
      file: '/w/a.ts',
      line: 3,
      column: 7,
    });
  });

  it('rejects unknown types, unknown actions and malformed fields', () => {
    for (const bad of [
      null,
      'ready',
      [],
      { type: 'eval', code: 'x' },
      { type: 'action', action: 'deleteEverything', recordId: 'r1' },
      { type: 'action', action: 'rerun', recordId: '' },
      { type: 'action', action: 'rerun', recordId: 'x'.repeat(5000) },
      { type: 'openSource', file: '/a.ts', line: -1, column: 1 },
      { type: 'openSource', file: '/a.ts', line: 1.5, column: 1 },
      { type: 'openSource', file: 42, line: 1, column: 1 },
    ]) {
      assert.equal(parseFromPanel(bad), undefined, JSON.stringify(bad));
    }
  });

  it('checks the shape of records sent to the panel', () => {
    const record = minimalRecord();
    assert.ok(parseToPanel({ type: 'history', records: [record] }));
    // A malformed record of a history is left out; the history is still shown.
    assert.deepEqual(parseToPanel({ type: 'history', records: [{ id: 'a' }] }), { type: 'history', records: [] });
    assert.equal(parseToPanel({ type: 'record', record, select: 'yes' }), undefined);
  });

  it("the reader's view state is checked both ways: selection, filters, sections, scroll", () => {
    const state = {
      selectedId: 'r1',
      filter: 'sqs',
      logSearch: '',
      sections: { event: true },
      historyScroll: 40,
      detailScroll: 900,
    };
    assert.deepEqual(parseFromPanel({ type: 'viewState', state }), { type: 'viewState', state });
    assert.equal(parseFromPanel({ type: 'viewState', state: { ...state, detailScroll: -1 } }), undefined);
    assert.equal(parseFromPanel({ type: 'viewState', state: { ...state, sections: { logs: 'open' } } }), undefined);
    assert.equal(parseFromPanel({ type: 'viewState', state: { ...state, filter: 'x'.repeat(2000) } }), undefined);
    // When it was last changed, so the newer of the page's and the extension's wins after a reload.
    const dated = { ...state, savedAt: 1_796_000_000_000 };
    assert.deepEqual(parseFromPanel({ type: 'viewState', state: dated }), { type: 'viewState', state: dated });
    assert.equal(parseFromPanel({ type: 'viewState', state: { ...state, savedAt: 'now' } }), undefined);
    assert.equal(parseFromPanel({ type: 'viewState', state: { ...state, savedAt: 1.5 } }), undefined);
    const record = minimalRecord();
    const history = parseToPanel({
      type: 'history',
      records: [record],
      viewState: state,
      paths: { workspace: ['/w'], runner: ['/x/dist'] },
      extra: '<script>',
    });
    assert.deepEqual(history, {
      type: 'history',
      records: [record],
      viewState: state,
      paths: { workspace: ['/w'], runner: ['/x/dist'] },
    });
    // A malformed view state or path list is dropped, the history still shown.
    assert.deepEqual(
      parseToPanel({ type: 'history', records: [], viewState: { filter: 1 }, paths: { workspace: [1] } }),
      {
        type: 'history',
        records: [],
      },
    );
  });

  it('finds the source location of Node.js and Python stack frames', () => {
    assert.deepEqual(sourceLocationOf('    at handler (/work/app/src/index.ts:12:9)'), {
      file: '/work/app/src/index.ts',
      line: 12,
      column: 9,
    });
    assert.deepEqual(sourceLocationOf('at /work/app/index.js:3:15'), {
      file: '/work/app/index.js',
      line: 3,
      column: 15,
    });
    assert.deepEqual(sourceLocationOf('  File "/work/app/app.py", line 41, in handler'), {
      file: '/work/app/app.py',
      line: 41,
      column: 1,
    });
    assert.equal(
      sourceLocationOf('at process.processTicksAndRejections (node:internal/process/task_queues:95:5)'),
      undefined,
    );
  });

  it('DURABLE-13: accepts execution requests and callbacks, and refuses malformed ones', () => {
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:F:$LATEST/durable-execution/n/i';
    assert.deepEqual(parseFromPanel({ type: 'execution', arn }), { type: 'execution', arn });
    assert.equal(parseFromPanel({ type: 'execution' }), undefined);
    assert.deepEqual(
      parseFromPanel({ type: 'callback', arn, callbackId: 'cb', outcome: { action: 'succeed', result: '{"ok":1}' } }),
      { type: 'callback', arn, callbackId: 'cb', outcome: { action: 'succeed', result: '{"ok":1}' } },
    );
    assert.deepEqual(
      parseFromPanel({
        type: 'callback',
        arn,
        callbackId: 'cb',
        outcome: { action: 'fail', error: { ErrorType: 'Rejected', extra: 1 } },
      }),
      { type: 'callback', arn, callbackId: 'cb', outcome: { action: 'fail', error: { ErrorType: 'Rejected' } } },
    );
    assert.deepEqual(parseFromPanel({ type: 'callback', arn, callbackId: 'cb', outcome: { action: 'heartbeat' } }), {
      type: 'callback',
      arn,
      callbackId: 'cb',
      outcome: { action: 'heartbeat' },
    });
    for (const outcome of [
      undefined,
      { action: 'succeed' },
      { action: 'succeed', result: 'x'.repeat(256 * 1024 + 1) },
      { action: 'fail', error: 'boom' },
      { action: 'fail', error: { ErrorType: 7 } },
      { action: 'explode' },
    ])
      assert.equal(
        parseFromPanel({ type: 'callback', arn, callbackId: 'cb', outcome }),
        undefined,
        JSON.stringify(outcome)?.slice(0, 60),
      );
    assert.equal(
      parseFromPanel({ type: 'callback', arn, callbackId: '', outcome: { action: 'heartbeat' } }),
      undefined,
    );
  });

  it('DURABLE-13: checks an execution view before the panel renders it, and says what was wrong', () => {
    const warnings: string[] = [];
    const warn = (w: string): number => warnings.push(w);
    assert.deepEqual(parseToPanel({ type: 'execution', arn: 'a', problem: 'closed' }, warn), {
      type: 'execution',
      arn: 'a',
      problem: 'closed',
    });
    assert.equal(parseToPanel({ type: 'execution', arn: 'a', view: { arn: 'a' } }, warn), undefined);
    assert.match(warnings[0], /ignored an execution: view\.id is not a string/);
    assert.deepEqual(parseToPanel({ type: 'callbackResult', callbackId: 'cb', problem: 'Callback not found' }, warn), {
      type: 'callbackResult',
      callbackId: 'cb',
      problem: 'Callback not found',
    });
    assert.equal(parseToPanel({ type: 'callbackResult' }, warn), undefined);
  });
});
