/**
 * The one reader of the extension's settings (`lambdaTrigger.*`, contributed in package.json): values with their
 * defaults, wrong values reported once in the output channel, and an event when a setting changes, so that the
 * accounts and the language server apply it without a window reload.
 */
import * as vscode from 'vscode';
import { accountSettingsOf, SETTING_KEYS, type AccountSettings } from '../core/account/accountSettings';
import type { DiscoverySettings } from '../shared/protocol';

/** Which parts of the extension a configuration change concerns. */
export interface SettingsChange {
  /** `timeScale`: the open accounts' clocks change speed. */
  timeScale: boolean;
  /** `followDeliveries`: the open accounts' engines follow failing events that far from their next delivery on. */
  followDeliveries: boolean;
  /**
   * Region, account id, log format, Python interpreter, prices, the credentials handlers get or the AWS endpoint's
   * port: the local accounts are re-opened.
   */
  account: boolean;
  /** Exclude globs, region or account id: the language server re-indexes with them. */
  discovery: boolean;
}

const accountKeys = [
  SETTING_KEYS.region,
  SETTING_KEYS.accountId,
  SETTING_KEYS.logFormat,
  SETTING_KEYS.pythonInterpreter,
  SETTING_KEYS.pricing,
  SETTING_KEYS.awsCredentials,
  SETTING_KEYS.awsEndpointPort,
];
const discoveryKeys = [SETTING_KEYS.excludeGlobs, SETTING_KEYS.region, SETTING_KEYS.accountId];

export class SettingsService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<SettingsChange>();
  readonly onDidChange = this.changed.event;
  /** `setting: message` of every problem reported so far: each is reported once. */
  private readonly reported = new Set<string>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly output: vscode.LogOutputChannel) {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      const affects = (key: string): boolean => e.affectsConfiguration(`lambdaTrigger.${key}`);
      const change: SettingsChange = {
        timeScale: affects(SETTING_KEYS.timeScale),
        followDeliveries: affects(SETTING_KEYS.followDeliveries),
        account: accountKeys.some(affects),
        discovery: discoveryKeys.some(affects),
      };
      if (!change.timeScale && !change.followDeliveries && !change.account && !change.discovery) return;
      this.checkAll();
      this.changed.fire(change);
    });
    this.checkAll();
  }

  /** The settings of a workspace folder (`resource` settings may differ between folders). */
  forFolder(root: string): AccountSettings {
    return this.read(vscode.Uri.file(root));
  }

  /** What the language server indexes with: one set for the whole workspace. */
  forDiscovery(): DiscoverySettings {
    const { excludeGlobs, location } = this.read(undefined);
    return { ignoreGlobs: excludeGlobs, location };
  }

  /** The problems reported so far, as `lambdaTrigger.<key>: <what is wrong>`. */
  reportedProblems(): string[] {
    return [...this.reported];
  }

  private read(scope: vscode.Uri | undefined): AccountSettings {
    const config = vscode.workspace.getConfiguration('lambdaTrigger', scope);
    const { settings, problems } = accountSettingsOf((key) => config.get(key));
    for (const problem of problems) {
      const text = `${problem.setting}: ${problem.message}`;
      if (this.reported.has(text)) continue;
      this.reported.add(text);
      this.output.warn(`Setting ${text}; the default applies.`);
    }
    return settings;
  }

  /** Reads the settings of the workspace and of each folder, so that wrong values are reported when they appear. */
  private checkAll(): void {
    this.read(undefined);
    for (const folder of vscode.workspace.workspaceFolders ?? []) this.read(folder.uri);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
