import * as assert from 'node:assert/strict';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { parseToPanel } from '../../../src/shared/panelProtocol';
import { recordProblem } from '../../../src/shared/recordShape';
import { harness, type Harness } from '../invoke/harness';
import { lambda } from '../invoke/model';

const fail = (): never => {
  throw new Error('boom');
};
const at = { simulated: '2026-12-02T10:00:00.000Z', wall: '2026-12-02T10:00:00.000Z' };

/** A record with one of everything a renderer reads. */
function fullRecord(): InvocationRecord {
  return {
    version: 2,
    id: 'rec-1',
    functionName: 'Fn',
    mode: 'async',
    source: { type: 'sqs', arn: 'arn:aws:sqs:us-east-1:123456789012:q' },
    configuration: { values: { timeout: 3 }, origins: { timeout: { source: 'default' } } },
    event: { a: 1 },
    status: 'failed',
    condition: 'RetriesExhausted',
    start: at,
    end: at,
    attempts: [
      {
        number: 1,
        requestId: 'req-1',
        start: at,
        durationMs: 1,
        billedDurationMs: 1,
        memorySizeMB: 128,
        maxMemoryUsedMB: 40,
        coldStart: true,
        outcome: 'functionError',
        functionError: 'Unhandled',
        error: { errorType: 'Error', errorMessage: 'boom', trace: ['Error: boom', '    at x (/a.js:1:1)'] },
        logs: [{ time: at.wall, stream: 'console', level: 'ERROR', text: 'boom' }],
        lateErrors: [{ requestId: 'req-0', error: { errorType: 'TypeError', errorMessage: 'late' } }],
      },
    ],
    batches: [{ index: 0, recordIds: ['m1'], redrives: [{ id: 'm1', target: 'dlq', receiveCount: 3 }] }],
    http: {
      integration: 'rest',
      route: 'GET /items/{id}',
      request: { method: 'GET', path: '/items/1', query: 'a=1', headers: [['Host', 'localhost']], bodyBytes: 0 },
      response: {
        statusCode: 502,
        durationMs: 3,
        headers: [['Content-Type', 'application/json']],
        body: '{"message":"Internal server error"}',
        bodyBytes: 35,
        note: 'malformed result',
      },
    },
    deliveries: [
      {
        kind: 'destination',
        condition: 'RetriesExhausted',
        target: { type: 'sqs', arn: 'arn:aws:sqs:us-east-1:123456789012:dlq' },
        body: '{}',
        attributes: { ErrorCode: { DataType: 'String', StringValue: '200' } },
        time: at,
      },
    ],
  };
}

describe('webview: a malformed record is ignored with a warning, never rendered', () => {
  it('accepts a record with every field the panel reads', () => {
    assert.equal(recordProblem(fullRecord()), undefined);
  });

  const REMOVE = Symbol('remove');
  /** Sets (or removes) the value at `path` of a record taken as plain JSON. */
  function spoil(record: InvocationRecord, path: Array<string | number>, value: unknown): void {
    let at = record as unknown as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
    const last = path[path.length - 1];
    if (value === REMOVE) delete at[last];
    else at[last] = value;
  }

  for (const [what, path, value, problem] of [
    ['no start time', ['start'], REMOVE, 'start is not an object'],
    ['a log line without text', ['attempts', 0, 'logs', 0, 'text'], REMOVE, 'attempts[0].logs[0].text is not a string'],
    ['logs that are not a list', ['attempts', 0, 'logs'], 'x', 'attempts[0].logs is not a list'],
    [
      'an error without a message',
      ['attempts', 0, 'error'],
      { errorType: 'E' },
      'attempts[0].error.errorMessage is not a string',
    ],
    ['a stack of numbers', ['attempts', 0, 'error', 'trace'], [1], 'attempts[0].error.trace[0] is not a string'],
    [
      'a late error without its request id',
      ['attempts', 0, 'lateErrors', 0, 'requestId'],
      REMOVE,
      'attempts[0].lateErrors[0].requestId is not a string',
    ],
    ['a batch whose ids are not a list', ['batches', 0, 'recordIds'], null, 'batches[0].recordIds is not a list'],
    ['a delivery without a target', ['deliveries', 0, 'target'], REMOVE, 'deliveries[0].target is not an object'],
    [
      'an attribute without a value',
      ['deliveries', 0, 'attributes', 'ErrorCode', 'StringValue'],
      REMOVE,
      'deliveries[0].attributes.ErrorCode.StringValue is not a string',
    ],
    ['no configuration', ['configuration'], REMOVE, 'configuration is not an object'],
    [
      'an HTTP header that is not a pair',
      ['http', 'request', 'headers', 0],
      ['Host'],
      'http.request.headers[0] is not a [name, value] pair',
    ],
    [
      'an HTTP response without status',
      ['http', 'response', 'statusCode'],
      REMOVE,
      'http.response.statusCode is not a number',
    ],
    [
      'a duration that is not a number',
      ['attempts', 0, 'durationMs'],
      'fast',
      'attempts[0].durationMs is not a number',
    ],
  ] as Array<[string, Array<string | number>, unknown, string]>) {
    it(`ignores a record with ${what}, and says where it is wrong`, () => {
      const bad = fullRecord();
      spoil(bad, path, value);
      const warnings: string[] = [];
      const history = parseToPanel({ type: 'history', records: [fullRecord(), bad] }, (w) => warnings.push(w));
      assert.deepEqual(history, { type: 'history', records: [fullRecord()] });
      assert.deepEqual(warnings, [`ignored record 1 of the history (id "rec-1"): ${problem}`]);
      const live: string[] = [];
      assert.equal(
        parseToPanel({ type: 'record', record: bad, select: true }, (w) => live.push(w)),
        undefined,
      );
      assert.deepEqual(live, [`ignored a record (id "rec-1"): ${problem}`]);
    });
  }

  it('warns about messages it cannot use at all', () => {
    const warnings: string[] = [];
    for (const m of [null, 'x', { type: 'history' }, { type: 'nope' }, { type: 'executionDisabled' }])
      assert.equal(
        parseToPanel(m, (w) => warnings.push(w)),
        undefined,
      );
    assert.equal(warnings.length, 5);
  });

  describe('the records the engine writes pass the check', () => {
    let h: Harness;
    afterEach(async () => h?.close());
    it('a failed asynchronous event with retries and an on-failure destination', async () => {
      const dlq = 'arn:aws:sqs:us-east-1:123456789012:fail';
      h = await harness({ functions: [lambda('f', { onFailure: dlq })] }, { f: fail });
      const rec = await h.engine.invokeAsync('f', '{"n":1}');
      await h.engine.runUntilIdle();
      const r = h.engine.record(rec.id)!;
      assert.ok(r.deliveries.length > 0 && r.attempts.length === 3);
      assert.equal(recordProblem(JSON.parse(JSON.stringify(r))), undefined);
    });
  });
});
