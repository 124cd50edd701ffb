/**
 * Custom LSP messages between the extension (client) and the language server. Declared once, imported by both
 * sides (STYLE.md). Method names are prefixed `lambdaTrigger/`; each comment says which way the message flows.
 */
import { RequestType0 } from 'vscode-languageserver-protocol';

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
}

/** client -> server: liveness and basic facts about the server. */
export const serverStatusRequest = new RequestType0<ServerStatus, void>('lambdaTrigger/serverStatus');
