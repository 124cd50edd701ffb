/**
 * The engine as the extension uses it (src/core: accounts, endpoints, runtime, store, the event catalogue), bundled
 * apart into dist/engine.js and loaded on first use (lazyModules.ts), so that activation does not evaluate it.
 * Extension code takes these values from `engine()`, never by importing them, or the two bundles would each hold a
 * copy (and `instanceof` would tell them apart).
 */
export { LocalAccount, workspaceStoreDir } from '../core/account/localAccount';
export { EngineEndpoint } from '../core/endpoints/engineEndpoint';
export { LocalWorkspaceEngine } from '../core/endpoints/localWorkspaceEngine';
export { executionView } from '../core/invoke/durable/executionView';
export { HttpFront, curlCommand, describeRequest } from '../core/endpoints/httpFront';
export { awsEndpointExports } from '../core/endpoints/aws/awsEndpoint';
export { loadCatalogue } from '../core/events/eventCatalogue';
export { functionsHolding } from '../core/runtime/codeWatch';
export { MAX_SQS_MESSAGE_BYTES } from '../core/services/sqsQueue';
export { StoreWriteError } from '../core/store/durableStore';
export { createThrowawayStore } from '../core/store/throwawayStore';
