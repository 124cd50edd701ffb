/**
 * What the language server does beyond answering the protocol: the workspace index (discovery: YAML, the TypeScript
 * parser on demand) and the event-file features (the catalogue, JSON Schema validation). Bundled apart into
 * dist/serverFeatures.js and loaded once the server has answered `initialize` (lazyFeatures.ts), so that the editor
 * does not wait for them to start it.
 */
export { DEFAULT_IGNORE_GLOBS } from '../core/discovery/workspaceWalker';
export { loadCatalogue } from '../core/events/eventCatalogue';
export { resolveEventFileType } from '../core/events/eventFileType';
export { parseEventJson } from '../core/events/eventJson';
export { diagnosticsByUri, handlerCodeLenses, WorkspaceIndex } from './handlerIndex';
export {
  eventFileCodeActions,
  eventFileCompletion,
  eventFileDiagnostics,
  eventFileHover,
} from './eventFiles/eventFileFeatures';
