import * as assert from 'node:assert/strict';
import { formatInvocationRecord } from '../../../src/cli/commands/invocationReport';
import type { AttemptRecord, InvocationRecord } from '../../../src/core/invoke/invocationRecord';

function attempt(extra: Partial<AttemptRecord> = {}): AttemptRecord {
  return {
    number: 1,
    requestId: 'req-2',
    start: { simulated: '2026-12-02T10:00:00.000Z', wall: '2026-12-02T10:00:00.000Z' },
    durationMs: 1,
    billedDurationMs: 1,
    memorySizeMB: 128,
    maxMemoryUsedMB: 40,
    coldStart: true,
    outcome: 'success',
    result: 'ok',
    logs: [],
    ...extra,
  };
}

function record(a: AttemptRecord): InvocationRecord {
  return {
    version: 2,
    id: 'rec-1',
    functionName: 'Fn',
    mode: 'sync',
    configuration: { values: {}, origins: {} },
    event: {},
    status: 'succeeded',
    start: { simulated: '2026-12-02T10:00:00.000Z', wall: '2026-12-02T10:00:00.000Z' },
    attempts: [a],
    batches: [],
    deliveries: [],
  };
}

describe('cli: the text report of a record', () => {
  it('NODE-5 an attempt after an environment ended on an error after its response says so, with the request id', () => {
    const text = formatInvocationRecord(
      record(
        attempt({
          lateErrors: [{ requestId: 'req-1', error: { errorType: 'TypeError', errorMessage: 'late', trace: [] } }],
        }),
      ),
    );
    assert.match(
      text,
      /\n {4}earlier error: after request req-1 had responded, its execution environment ended with TypeError: late; this attempt started a new one\n/,
    );
  });

  it('removes ANSI codes from handler output, or keeps only the colours for a terminal; bidi overrides are escapes', () => {
    const r = record(
      attempt({
        logs: [{ time: '2026-12-02T10:00:00.000Z', stream: 'stdout', text: '\x1b[31mfailed\x1b[0m \x1b]0;pwned\x07x' }],
        result: 'report\u202Efdp.exe',
      }),
    );
    const plain = formatInvocationRecord(r);
    assert.match(plain, /\n {6}failed x\n/);
    assert.match(plain, /"report\\u202Efdp\.exe"/);
    assert.ok(!plain.includes('\x1b') && !plain.includes('\u202E'), plain);
    const terminal = formatInvocationRecord(r, { colours: true });
    assert.ok(terminal.includes('\n      \x1b[31mfailed\x1b[0m x\n'), terminal);
    assert.ok(!terminal.includes('\u202E') && !terminal.includes('\x1b]'), terminal);
  });
});
