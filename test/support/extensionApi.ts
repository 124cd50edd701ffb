/** For the suites that run inside VS Code: the extension's API once it has activated, and the open workspace folder. */
import * as vscode from 'vscode';
import type { LambdaTriggerApi } from '../../src/extension/extension';
import { waitFor } from './waitFor';

export const extensionId = 'lambda-trigger-runner.lambda-trigger-runner';

/** Waits for the extension to activate and returns what activate() returned. */
export async function extensionApi(): Promise<LambdaTriggerApi> {
  const ext = vscode.extensions.getExtension<LambdaTriggerApi>(extensionId)!;
  return waitFor('the extension to activate', () => ext.isActive && ext.exports);
}

/** As extensionApi(), once the functions index has been built as well. */
export async function readyExtensionApi(): Promise<LambdaTriggerApi> {
  const api = await extensionApi();
  await api.functions.ready();
  return api;
}

/** The URI of the (first) workspace folder the suite runs in. */
export function workspaceFolderUri(): vscode.Uri {
  return vscode.workspace.workspaceFolders![0].uri;
}
