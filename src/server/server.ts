/** The language server: workspace handler index, code lenses, event-file diagnostics (ARCHITECTURE.md). */
import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { serverStatusRequest, type ServerStatus } from '../shared/protocol';
import { packageVersion } from '../shared/version';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const startedAt = Date.now();
let workspaceFolders: string[] = [];

connection.onInitialize((params) => {
  workspaceFolders = (params.workspaceFolders ?? []).map((f) => f.uri);
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'Lambda Trigger Runner', version: packageVersion },
  };
});

connection.onInitialized(() => {
  connection.workspace.onDidChangeWorkspaceFolders((change) => {
    const removed = new Set(change.removed.map((f) => f.uri));
    workspaceFolders = [...workspaceFolders.filter((uri) => !removed.has(uri)), ...change.added.map((f) => f.uri)];
  });
});

connection.onRequest(serverStatusRequest, (): ServerStatus => ({
  version: packageVersion,
  pid: process.pid,
  workspaceFolders,
  uptimeMs: Date.now() - startedAt,
  openDocuments: documents.all().length,
}));

documents.listen(connection);
connection.listen();
