/** Extension entry point: wires the views, commands and the language client. The only layer importing 'vscode'. */
import * as vscode from 'vscode';
import { serverStatusRequest } from '../shared/protocol';
import { CommandIds } from './commandIds';
import { LambdaLanguageClient, relevantDocuments } from './languageClient';

/** Set by the bundle's first statement (scripts/build.mjs banner); undefined when not bundled. */
declare const __ltrBundleStart: number | undefined;

export interface ActivationTimings {
  /** From the first statement of the bundle to the call of activate(): module evaluation, ms. */
  bundleEvaluationMs: number | undefined;
  /** activate() itself, ms. */
  activateMs: number;
}

/** What the integration tests and other extensions can reach. */
export interface LambdaTriggerApi {
  readonly languageClient: LambdaLanguageClient;
  readonly timings: ActivationTimings;
}

export function activate(context: vscode.ExtensionContext): LambdaTriggerApi {
  const activateStart = performance.now();
  const output = vscode.window.createOutputChannel('Lambda Trigger Runner', { log: true });
  const languageClient = new LambdaLanguageClient(context, output);
  context.subscriptions.push(output, languageClient);

  context.subscriptions.push(
    vscode.commands.registerCommand(CommandIds.showOutput, () => output.show()),
    vscode.commands.registerCommand(CommandIds.restartServer, async () => {
      await languageClient.restart();
      output.info('Language server restarted.');
    }),
    vscode.commands.registerCommand(CommandIds.showServerStatus, async () => {
      const client = await languageClient.start();
      const status = await client.sendRequest(serverStatusRequest);
      const message = `Language server ${status.version} (pid ${status.pid}) up ${Math.round(status.uptimeMs / 1000)} s, ${status.openDocuments} open documents.`;
      output.info(message);
      void vscode.window.showInformationMessage(message);
      return status;
    }),
  );

  startServerWhenRelevant(context, languageClient, output);
  void vscode.commands.executeCommand('setContext', 'lambdaTrigger.activated', true);
  const timings: ActivationTimings = {
    bundleEvaluationMs: typeof __ltrBundleStart === 'number' ? activateStart - __ltrBundleStart : undefined,
    activateMs: performance.now() - activateStart,
  };
  return { languageClient, timings };
}

/** The server starts on the first relevant document or visible Lambda view, not at activation (STYLE.md). */
function startServerWhenRelevant(
  context: vscode.ExtensionContext,
  client: LambdaLanguageClient,
  output: vscode.LogOutputChannel,
): void {
  const start = (reason: string): void => {
    if (client.running) return;
    client.start().then(
      () => output.info(`Language server started (${reason}).`),
      (err: unknown) => output.error(`Language server failed to start: ${String(err)}`),
    );
  };
  const isRelevant = (doc: vscode.TextDocument): boolean => vscode.languages.match(relevantDocuments, doc) > 0;

  if (vscode.workspace.textDocuments.some(isRelevant)) start('a relevant document is open');
  else {
    const listener = vscode.workspace.onDidOpenTextDocument((doc) => {
      if (!isRelevant(doc)) return;
      listener.dispose();
      start(`opened ${vscode.workspace.asRelativePath(doc.uri)}`);
    });
    context.subscriptions.push(listener);
  }
}

export function deactivate(): void {
  // Subscriptions (including the language client) are disposed by VS Code.
}
