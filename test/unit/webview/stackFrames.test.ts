import * as assert from 'node:assert/strict';
import { attemptVerdict, shortId } from '../../../src/webview/recordDetail';
import { classifyFrames, sameError } from '../../../src/webview/stackFrames';

const paths = { workspace: ['/home/dev/shop'], runner: ['/home/dev/.vscode/extensions/lambda-trigger/dist'] };

describe('panel: readable errors', () => {
  it("the handler's frames are links, the runner's and Node's are folded, the rest is plain text", () => {
    const frames = classifyFrames(
      [
        'TypeError: event.csv must be a non-empty CSV string',
        '    at exports.handler (/home/dev/shop/src/import.js:31:13)',
        '    at runInvocation (/home/dev/.vscode/extensions/lambda-trigger/dist/runtime/node-bootstrap.js:405:11)',
        '    at Socket.emit (node:events:524:28)',
        '    at addChunk (node:internal/streams/readable:561:12)',
        '    at Object.parse (/usr/lib/node_modules/csv/lib/index.js:10:3)',
        '    at new Promise (<anonymous>)',
        '    at /home/dev/shop-other/x.js:1:1',
      ],
      paths,
    );
    assert.deepEqual(
      frames.map((f) => f.kind),
      ['other', 'workspace', 'runner', 'runner', 'runner', 'other', 'other', 'other'],
    );
    assert.deepEqual(frames[1].location, { file: '/home/dev/shop/src/import.js', line: 31, column: 13 });
    assert.equal(frames[5].location, undefined, 'a file outside the workspace is not a link');
  });

  it('Python frames (file, line and the code under it) link to the workspace file', () => {
    const [frame] = classifyFrames(
      ['  File "/home/dev/shop/app.py", line 15, in lambda_handler\n    raise ValueError("deviceId is required")\n'],
      paths,
    );
    assert.equal(frame.kind, 'workspace');
    assert.deepEqual(frame.location, { file: '/home/dev/shop/app.py', line: 15, column: 1 });
  });

  it('Windows paths are judged the same way', () => {
    const [frame] = classifyFrames(['    at handler (C:\\work\\shop\\index.js:3:9)'], {
      workspace: ['C:\\work\\shop'],
      runner: [],
    });
    assert.equal(frame.kind, 'workspace');
  });

  it('a retry that failed the same way is the same error; another message is not', () => {
    const e = { errorType: 'Error', errorMessage: 'boom', trace: ['Error: boom', '    at h (/a.js:1:1)'] };
    assert.equal(sameError(e, { ...e, trace: [...e.trace] }), true);
    assert.equal(sameError(e, { ...e, errorMessage: 'bang' }), false);
    assert.equal(sameError(e, undefined), false);
  });
});

describe('panel: icons tell the truth per attempt', () => {
  const batches = [
    { index: 0, recordIds: ['a', 'b'], reportedFailures: ['b'], outcome: 'partialFailure' as const },
    { index: 1, recordIds: ['c'], reportedFailures: [], outcome: 'success' as const },
    { index: 2, recordIds: ['d'], reportInvalidReason: 'itemIdentifier "x" is not in the batch' },
  ];
  it('a function that returned but reported failed items is a warning, an invalid report an error', () => {
    assert.equal(attemptVerdict({ batches }, { outcome: 'success', batchIndex: 0 }).icon, 'warning');
    assert.match(attemptVerdict({ batches }, { outcome: 'success', batchIndex: 0 }).label, /reporting 1 failed item$/);
    assert.equal(attemptVerdict({ batches }, { outcome: 'success', batchIndex: 1 }).icon, 'pass');
    assert.equal(attemptVerdict({ batches }, { outcome: 'success', batchIndex: 2 }).icon, 'error');
    assert.equal(attemptVerdict({ batches: [] }, { outcome: 'functionError' }).icon, 'error');
    assert.equal(attemptVerdict({ batches: [] }, { outcome: 'throttled' }).icon, 'warning');
  });

  it('batch tables show short ids, the full id on hover', () => {
    assert.equal(shortId('059f36b4-87a3-44ab-83d2-661975830a7d'), '059f36b4…');
    assert.equal(shortId('49590338271490256608559692538361571095921575989136588898'), '…36588898');
    assert.equal(shortId('msg-1'), 'msg-1');
  });
});
