/** Registers the extension's commands by their entry in the command table, never by a bare id string. */
import * as vscode from 'vscode';
import type { LambdaCommand } from '../shared/commandTable';

export function registerCommand<A extends unknown[]>(
  command: LambdaCommand,
  callback: (...args: A) => unknown,
): vscode.Disposable {
  // eslint-disable-next-line no-restricted-syntax -- the one place that turns a table entry into a registration
  return vscode.commands.registerCommand(command.id, callback);
}
