/** Public surface of discovery: the model, the workspace index and the single-file readers. */
export * from './functionConfig';
export {
  WorkspaceIndex,
  type DiscoveryResult,
  type EditorDefaults,
  type HandlerSite,
  type WorkspaceIndexOptions,
} from './workspaceIndex';
export { scanJsExports, mayContainHandler, type HandlerExport, type CodeScan } from './handlerExports';
export { scanPythonHandlers } from './pythonHandlers';
export { resolveHandler, NODE_EXTENSIONS, type HandlerResolution } from './handlerResolution';
export { parseTemplateDocument, type TemplateDocument } from './templateDocument';
export { readCloudFormationTemplate, isCloudFormationTemplate } from './cloudFormationTemplate';
export { readServerlessConfig, SERVERLESS_DEFAULTS } from './serverlessConfig';
export { readProjectSettings, SETTINGS_FILE_NAME } from './projectSettings';
export { DEFAULT_IGNORE_GLOBS } from './workspaceWalker';
