/**
 * Custom LSP messages between the extension (client) and the language server. Declared once, imported by both
 * sides (STYLE.md). Method names are prefixed `lambdaTrigger/`; each comment says which way the message flows.
 */
import { NotificationType, RequestType0 } from 'vscode-languageserver-protocol';
import type { AwsLocation } from '../core/awsLocation';
import type { DiscoveryResult } from '../core/discovery/workspaceIndex';

export interface ServerStatus {
  /** The server's package version. */
  version: string;
  pid: number;
  /** Workspace folders the server serves, as URIs. */
  workspaceFolders: string[];
  /** Milliseconds since the server process started. */
  uptimeMs: number;
  /** Documents the editor currently has open and synchronised with the server. */
  openDocuments: number;
  /** Functions in the workspace index, once it is built. */
  functions: number;
  /** Milliseconds the last full index took; undefined until it is built. */
  indexBuildMs?: number;
  /** indexChanged notifications this server process has sent. */
  indexChangedNotifications: number;
}

/** The settings discovery depends on. */
export interface DiscoverySettings {
  /** Extra ignore globs from the `lambdaTrigger.discovery.exclude` setting. */
  ignoreGlobs: string[];
  /** The local account's region and id (`lambdaTrigger.region`, `lambdaTrigger.accountId`): ARNs in discovery. */
  location: AwsLocation;
}

/** What the extension passes at start (initializationOptions). */
export interface ServerInitOptions extends Partial<DiscoverySettings> {
  /** Absolute path of the extension's event-templates/ folder. */
  templatesDir: string;
}

/** client -> server: liveness and basic facts about the server. */
export const serverStatusRequest = new RequestType0<ServerStatus, void>('lambdaTrigger/serverStatus');

/** client -> server: every function the workspace index knows, per workspace folder (waits for the first build). */
export const functionsRequest = new RequestType0<DiscoveryResult[], void>('lambdaTrigger/functions');

/** server -> client: the index changed (built, or a file was edited); the client re-asks for functions. */
export const indexChangedNotification = new NotificationType<{ functions: number }>('lambdaTrigger/indexChanged');

/** client -> server: the discovery settings changed; the server re-indexes every folder with them. */
export const settingsChangedNotification = new NotificationType<DiscoverySettings>('lambdaTrigger/settingsChanged');
