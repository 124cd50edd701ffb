/** The saved events of every workspace folder (lambda-events/<Function>/<name>.json), kept current by a watcher. */
import * as vscode from 'vscode';
import {
  listFunctionsWithSavedEvents,
  listSavedEvents,
  readSavedEvent,
  SAVED_EVENTS_DIR,
  type SavedEvent,
} from '../core/events/savedEvents';

export class WorkspaceSavedEvents implements vscode.Disposable {
  private cache: SavedEvent[] | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly watcher = vscode.workspace.createFileSystemWatcher(`**/${SAVED_EVENTS_DIR}/*/*.json`);
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly output: vscode.LogOutputChannel) {
    const invalidate = (): void => {
      this.cache = undefined;
      this.changed.fire();
    };
    this.subscriptions = [
      this.watcher,
      this.watcher.onDidCreate(invalidate),
      this.watcher.onDidChange(invalidate),
      this.watcher.onDidDelete(invalidate),
      vscode.workspace.onDidChangeWorkspaceFolders(invalidate),
    ];
  }

  /** Every readable saved event; a malformed file is reported once in the output and skipped, never deleted. */
  all(): SavedEvent[] {
    if (this.cache) return this.cache;
    const events: SavedEvent[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme !== 'file') continue;
      const root = folder.uri.fsPath;
      for (const fn of safe(() => listFunctionsWithSavedEvents(root), [])) {
        for (const name of safe(() => listSavedEvents(root, fn), [])) {
          try {
            events.push(readSavedEvent(root, fn, name));
          } catch (err) {
            this.output.warn(`Skipped saved event ${fn}/${name}: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
      }
    }
    this.cache = events;
    return events;
  }

  refresh(): void {
    this.cache = undefined;
    this.changed.fire();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

function safe<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}
