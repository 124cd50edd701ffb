/** The language server: workspace handler index, code lenses, discovery diagnostics, event-file features. */
import { fileURLToPath } from 'node:url';
import {
  CodeLensRefreshRequest,
  createConnection,
  FileChangeType,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type Diagnostic,
  type FileEvent,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { EventCatalogue } from '../core/events/eventCatalogue';
import {
  functionsRequest,
  indexChangedNotification,
  serverStatusRequest,
  settingsChangedNotification,
  type DiscoverySettings,
  type ServerInitOptions,
  type ServerStatus,
} from '../shared/protocol';
import { packageVersion } from '../shared/version';
import type { WorkspaceIndex } from './handlerIndex';
import { features } from './lazyFeatures';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const startedAt = Date.now();
let workspaceFolders: string[] = [];
let initOptions: ServerInitOptions | undefined;
/** The settings the indexes are built with: from initializationOptions, then from settingsChanged. */
let discoverySettings: Partial<DiscoverySettings> = {};
let indexChangedSent = 0;
let codeLensRefreshSupported = false;
let indexes: WorkspaceIndex[] = [];
let latestBuild: Promise<void> | undefined;
let indexBuildMs: number | undefined;
let catalogue: EventCatalogue | undefined;
/** URIs that got discovery diagnostics last time, so fixed problems are cleared. */
let discoveryDiagnosticUris = new Set<string>();

connection.onInitialize((params) => {
  workspaceFolders = (params.workspaceFolders ?? []).map((f) => f.uri);
  initOptions = params.initializationOptions as ServerInitOptions | undefined;
  discoverySettings = { ignoreGlobs: initOptions?.ignoreGlobs, location: initOptions?.location };
  codeLensRefreshSupported = params.capabilities.workspace?.codeLens?.refreshSupport === true;
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      codeLensProvider: { resolveProvider: false },
      completionProvider: { triggerCharacters: ['"', ':'] },
      hoverProvider: true,
      codeActionProvider: true,
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'Lambda Trigger Runner', version: packageVersion },
  };
});

connection.onInitialized(() => {
  connection.workspace.onDidChangeWorkspaceFolders((change) => {
    const removed = new Set(change.removed.map((f) => f.uri));
    workspaceFolders = [...workspaceFolders.filter((uri) => !removed.has(uri)), ...change.added.map((f) => f.uri)];
    rebuild();
  });
  rebuild();
});

connection.onNotification(settingsChangedNotification, (settings) => {
  discoverySettings = settings;
  connection.console.info(
    `Settings changed: re-indexing with region ${settings.location.region}, account ${settings.location.accountId}, exclude ${JSON.stringify(settings.ignoreGlobs)}.`,
  );
  rebuild();
});

let rebuilds = 0;

/** Builds every folder's index in the background; requests wait on it, edits queue behind it. */
function rebuild(): void {
  const generation = ++rebuilds;
  latestBuild = (async () => {
    // Requests that came with `initialized` are answered before the index's code loads and the walk starts.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (generation !== rebuilds) return; // a newer rebuild started meanwhile
    const { DEFAULT_IGNORE_GLOBS, WorkspaceIndex } = features();
    const ignoreGlobs = [...DEFAULT_IGNORE_GLOBS, ...(discoverySettings.ignoreGlobs ?? [])];
    const location = discoverySettings.location;
    const building = workspaceFolders
      .filter((uri) => uri.startsWith('file:'))
      .map(
        (uri) =>
          new WorkspaceIndex({
            root: fileURLToPath(uri),
            ignoreGlobs,
            env: process.env,
            ...(location ? { location } : {}),
          }),
      );
    indexes = building;
    const started = performance.now();
    await Promise.all(building.map((i) => i.build()));
    if (indexes !== building) return; // a newer rebuild replaced these indexes; it reports when it is done
    indexBuildMs = performance.now() - started;
    indexChanged();
  })().catch((err: unknown) => connection.console.error(`Indexing the workspace failed: ${String(err)}`));
}

/** Waits for the newest build; a rebuild that starts meanwhile (new settings, folders) extends the wait. */
async function indexesBuilt(): Promise<void> {
  let awaited: Promise<void> | undefined;
  do {
    awaited = latestBuild;
    await awaited;
  } while (awaited !== latestBuild);
}

let changeTimer: NodeJS.Timeout | undefined;
/** Publishes what an index change affects, debounced so a burst of file events costs one round. */
function indexChanged(): void {
  clearTimeout(changeTimer);
  changeTimer = setTimeout(() => {
    publishDiscoveryDiagnostics();
    const functions = indexes.reduce((n, i) => n + i.functions().length, 0);
    indexChangedSent++;
    void connection.sendNotification(indexChangedNotification, { functions });
    if (codeLensRefreshSupported) void connection.sendRequest(CodeLensRefreshRequest.type);
  }, 50);
}

function publishDiscoveryDiagnostics(): void {
  const next = new Set<string>();
  for (const index of indexes) {
    for (const [uri, diagnostics] of features().diagnosticsByUri(index)) {
      next.add(uri);
      void connection.sendDiagnostics({ uri, diagnostics: [...diagnostics, ...eventDiagnosticsFor(uri)] });
    }
  }
  for (const uri of discoveryDiagnosticUris) {
    if (!next.has(uri)) void connection.sendDiagnostics({ uri, diagnostics: eventDiagnosticsFor(uri) });
  }
  discoveryDiagnosticUris = next;
}

function indexFor(file: string): WorkspaceIndex | undefined {
  return indexes.find((i) => file === i.root || file.startsWith(`${i.root}/`));
}

connection.onDidChangeWatchedFiles(({ changes }) => {
  void applyFileChanges(changes);
});

async function applyFileChanges(changes: readonly FileEvent[]): Promise<void> {
  await indexesBuilt();
  let touched = false;
  for (const change of changes) {
    if (!change.uri.startsWith('file:')) continue;
    const file = fileURLToPath(change.uri);
    const index = indexFor(file);
    if (!index) continue;
    // An open document's text is the truth while it is open (its unsaved edits are already in the index).
    if (change.type !== FileChangeType.Deleted && documents.get(change.uri)) continue;
    if (change.type === FileChangeType.Deleted) index.remove(file);
    else index.update(file);
    touched = true;
  }
  if (touched) indexChanged();
}

documents.onDidChangeContent(async ({ document }) => {
  if (document.uri.startsWith('file:')) {
    await indexesBuilt();
    const file = fileURLToPath(document.uri);
    const index = indexFor(file);
    if (index?.isRelevant(file)) {
      index.update(file, document.getText());
      indexChanged();
    }
  }
  publishEventDiagnostics(document);
});

documents.onDidClose(({ document }) => {
  if (!document.uri.startsWith('file:')) return;
  const file = fileURLToPath(document.uri);
  const index = indexFor(file);
  if (index?.isRelevant(file)) {
    index.update(file); // back to what is on disk
    indexChanged();
  }
});

// ---- event payload files (lambda-events/<Function>/<name>.json, or any JSON with a "$eventType" marker) ----

function catalogueOrUndefined(): EventCatalogue | undefined {
  if (catalogue || !initOptions?.templatesDir) return catalogue;
  try {
    catalogue = features().loadCatalogue(initOptions.templatesDir);
  } catch (err) {
    connection.console.error(`Loading the event catalogue failed: ${String(err)}`);
  }
  return catalogue;
}

function isEventDocument(doc: TextDocument): boolean {
  if (doc.languageId !== 'json' && !doc.uri.endsWith('.json')) return false;
  const cat = catalogueOrUndefined();
  if (!cat) return false;
  let payload: unknown;
  try {
    payload = features().parseEventJson(doc.getText(), doc.uri);
  } catch {
    payload = undefined; // still an event file if its location says so
  }
  return features().resolveEventFileType(doc.uri, payload, cat) !== undefined;
}

function eventDiagnosticsFor(uri: string): Diagnostic[] {
  const doc = documents.get(uri);
  const cat = catalogueOrUndefined();
  return doc && cat && isEventDocument(doc) ? features().eventFileDiagnostics(doc, cat) : [];
}

function publishEventDiagnostics(doc: TextDocument): void {
  if (doc.languageId !== 'json' && !doc.uri.endsWith('.json')) return;
  const cat = catalogueOrUndefined();
  if (!cat) return;
  const discovery = doc.uri.startsWith('file:')
    ? (indexFor(fileURLToPath(doc.uri))?.problems(fileURLToPath(doc.uri)) ?? []).length > 0
    : false;
  if (discovery) {
    publishDiscoveryDiagnostics();
    return;
  }
  void connection.sendDiagnostics({
    uri: doc.uri,
    diagnostics: isEventDocument(doc) ? features().eventFileDiagnostics(doc, cat) : [],
  });
}

connection.onCompletion(({ textDocument, position }) => {
  const doc = documents.get(textDocument.uri);
  const cat = catalogueOrUndefined();
  return doc && cat && isEventDocument(doc) ? features().eventFileCompletion(doc, position, cat) : [];
});

connection.onHover(({ textDocument, position }) => {
  const doc = documents.get(textDocument.uri);
  const cat = catalogueOrUndefined();
  return doc && cat && isEventDocument(doc) ? features().eventFileHover(doc, position, cat) : null;
});

connection.onCodeAction(({ textDocument, context }) => {
  const doc = documents.get(textDocument.uri);
  const cat = catalogueOrUndefined();
  return doc && cat && isEventDocument(doc) ? features().eventFileCodeActions(doc, context.diagnostics, cat) : [];
});

// ---- handler code lenses and the index requests ----

connection.onCodeLens(async ({ textDocument }) => {
  await indexesBuilt();
  if (!textDocument.uri.startsWith('file:')) return [];
  const index = indexFor(fileURLToPath(textDocument.uri));
  return index ? features().handlerCodeLenses(index, textDocument.uri) : [];
});

connection.onRequest(functionsRequest, async () => {
  await indexesBuilt();
  return indexes.map((i) => i.result());
});

connection.onRequest(serverStatusRequest, (): ServerStatus => ({
  version: packageVersion,
  pid: process.pid,
  workspaceFolders,
  uptimeMs: Date.now() - startedAt,
  openDocuments: documents.all().length,
  functions: indexes.reduce((n, i) => n + (indexBuildMs === undefined ? 0 : i.functions().length), 0),
  indexBuildMs,
  indexChangedNotifications: indexChangedSent,
}));

documents.listen(connection);
connection.listen();
