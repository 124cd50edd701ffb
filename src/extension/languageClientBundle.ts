/**
 * The language client library (vscode-languageclient) and the LSP messages of shared/protocol.ts, bundled apart into
 * dist/languageClient.js and loaded when the server starts (lazyModules.ts), so that activation does not evaluate them.
 */
export { CloseAction, ErrorAction, LanguageClient, TransportKind } from 'vscode-languageclient/node';
export {
  functionsRequest,
  indexChangedNotification,
  serverStatusRequest,
  settingsChangedNotification,
} from '../shared/protocol';
