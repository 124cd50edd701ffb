/** The extension's settings (contributed in package.json under `lambdaTrigger.*`), read with their defaults. */
import * as vscode from 'vscode';
import { accountSettingsOf, type AccountSettings } from '../core/account/accountSettings';

export type LambdaTriggerSettings = AccountSettings;

/** The settings as VS Code resolves them for `scope` (a workspace folder); wrong values fall back to defaults. */
export function readSettings(scope?: vscode.Uri): LambdaTriggerSettings {
  const config = vscode.workspace.getConfiguration('lambdaTrigger', scope);
  return accountSettingsOf((key) => config.get(key)).settings;
}
