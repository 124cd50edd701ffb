/** What the language server uses of discovery: lenses and diagnostics computed from the workspace index. */
export { handlerCodeLenses, type HandlerLensArgument } from './handlerCodeLenses';
export { discoveryDiagnostics, diagnosticsByUri, toDiagnostic } from './discoveryDiagnostics';
export { WorkspaceIndex } from '../../core/discovery/workspaceIndex';
