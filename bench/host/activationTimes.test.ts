// Runs inside the VS Code extension host (via scripts/run-integration.mjs --suite-dir bench/host) and records the
// extension's real activation figures for bench/activation.bench.mjs. A measurement, not a test of speed.
import { appendFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { LambdaTriggerApi } from '../../src/extension/extension';
import type { ServerStatus } from '../../src/shared/protocol';
import { waitFor } from '../../test/support/waitFor';

describe('activation figures', () => {
  it('records activation, language-server start and first request times', async () => {
    const ext = vscode.extensions.getExtension<LambdaTriggerApi>('lambda-trigger-runner.lambda-trigger-runner')!;
    const api = await waitFor('the extension to activate', () => ext.isActive && ext.exports);
    const folder = vscode.workspace.workspaceFolders![0];
    const started = performance.now();
    await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, 'sam-app', 'template.yaml'));
    await waitFor('the language server', () => api.languageClient.running);
    const serverStartMs = performance.now() - started;
    const requestStart = performance.now();
    await vscode.commands.executeCommand<ServerStatus>('lambdaTrigger.showServerStatus');
    const firstRequestMs = performance.now() - requestStart;
    const out = process.env.LTR_BENCH_OUT;
    if (out) appendFileSync(out, `${JSON.stringify({ ...api.timings, serverStartMs, firstRequestMs })}\n`);
  });
});
