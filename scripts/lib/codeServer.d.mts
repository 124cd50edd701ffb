// Types of codeServer.mjs for the TypeScript test fixtures that import it.
export declare const CODE_SERVER_VERSION: string;
export declare const CHROMIUM: string;
export declare const CHROMIUM_ARGS: string[];
export declare const codeServerBin: string;
export interface CodeServer {
  url: string;
  port: number;
  userDataDir: string;
  extensionsDir: string;
  stop(): Promise<void>;
  output(): string;
}
export declare function ensureCodeServer(): Promise<string>;
export declare function freePort(): Promise<number>;
export declare function testUserSettings(options?: { trusted?: boolean }): Record<string, unknown>;
export declare function startCodeServer(options?: {
  settings?: Record<string, unknown>;
  extensionsDir?: string;
  env?: Record<string, string>;
  logFile?: string;
  port?: number;
}): Promise<CodeServer>;
export declare function workbenchUrl(server: CodeServer, folder: string, payload?: Record<string, string>): string;
export declare function installExtension(vsix: string, extensionsDir: string): Promise<void>;
