import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { InvocationRecord } from '../../src/core/invoke/invocationRecord';
import { readyExtensionApi, workspaceFolderUri } from '../support/extensionApi';
import { waitFor } from '../support/waitFor';

interface StoppedAt {
  session: vscode.DebugSession;
  threadId: number;
  reason: string;
}

describe('Debug: a breakpoint in a TypeScript handler is hit', function () {
  this.timeout(120_000);
  const disposables: vscode.Disposable[] = [];
  after(() => {
    for (const d of disposables) d.dispose();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
  });

  it('"Debug" on the S3 thumbnail handler (index.ts) attaches VS Code\'s debugger and stops on the .ts line', async () => {
    const api = await readyExtensionApi();
    // A function with a configured trigger: Debug sends the event its S3 trigger would send, without asking.
    const file = vscode.Uri.joinPath(workspaceFolderUri(), 'sam-app', 'src', 'thumbnail', 'index.ts');
    const text = (await vscode.workspace.openTextDocument(file)).getText().split('\n');
    const line = text.findIndex((l) => l.includes('const plan = planThumbnail(bucket, key);'));
    assert.ok(line > 0, 'the breakpoint line exists');
    vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(file, new vscode.Position(line, 0)))]);

    // Every debug adapter's "stopped" event, from whichever (child) session reports it.
    let stopped: StoppedAt | undefined;
    disposables.push(
      vscode.debug.registerDebugAdapterTrackerFactory('*', {
        createDebugAdapterTracker: (session) => ({
          onDidSendMessage: (m: { type?: string; event?: string; body?: { threadId?: number; reason?: string } }) => {
            if (m.type === 'event' && m.event === 'stopped' && m.body?.threadId !== undefined) {
              stopped = { session, threadId: m.body.threadId, reason: m.body.reason ?? '' };
            }
          },
        }),
      }),
    );

    const thumbnail = await waitFor('the thumbnail function in the index', () =>
      api.functions.all().find((f) => f.name === 'ThumbnailFunction'),
    );
    const running = vscode.commands.executeCommand<InvocationRecord[]>('lambdaTrigger.debug', {
      kind: 'function',
      fn: thumbnail,
    });
    const at = await waitFor('the debugger to stop at the breakpoint', () => stopped, 60_000);
    const trace = (await at.session.customRequest('stackTrace', { threadId: at.threadId, levels: 1 })) as {
      stackFrames: Array<{ line: number; source?: { path?: string } }>;
    };
    const top = trace.stackFrames[0];
    // Desktop VS Code reports a file path, code-server a vscode-remote:// URI of the same file.
    const framePath = top.source?.path ?? '';
    const frameFile = /^[a-z-]+:\/\//.test(framePath) ? vscode.Uri.parse(framePath).path : framePath;
    assert.equal(frameFile, file.path, 'the top frame is in the .ts source (source maps)');
    assert.equal(top.line, line + 1, 'on the breakpoint line');
    await at.session.customRequest('continue', { threadId: at.threadId });

    const records = await running;
    assert.equal(records[0].status, 'succeeded', JSON.stringify(records[0].attempts[0]?.error));
    assert.ok(Array.isArray(records[0].attempts[0].result), 'the handler returned its thumbnail plans');
  });
});
