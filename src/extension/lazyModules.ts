/**
 * The parts of the extension that activation does not need, each in a bundle of its own (scripts/build.mjs maps these
 * requires to dist/engine.js and dist/languageClient.js; run from source, they load the .ts files). Loaded on first
 * use, once; the first call costs the bundle's evaluation (tens of milliseconds), the rest nothing.
 */
import type * as EngineBundle from './engineBundle';
import type * as LanguageClientBundle from './languageClientBundle';

let engineModule: typeof EngineBundle | undefined;
let languageClientModule: typeof LanguageClientBundle | undefined;

/** The engine: accounts, endpoints, runtime, store and the event catalogue. */
export function engine(): typeof EngineBundle {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (engineModule ??= require('./engineBundle') as typeof EngineBundle);
}

/** vscode-languageclient and the LSP messages. */
export function languageClientLibrary(): typeof LanguageClientBundle {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (languageClientModule ??= require('./languageClientBundle') as typeof LanguageClientBundle);
}
