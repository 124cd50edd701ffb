/**
 * Where the invocation panel's view state (selection, filters, open sections, scroll) is kept between panels and
 * window reloads: a small file in the workspace's extension storage, written as soon as the page reports a change.
 * The workbench's own stores (workspaceState, a webview's state) are saved lazily, so a reload moments after a
 * click could bring back an older selection; a file the extension host wrote is there after any reload.
 * Without a workspace (no storage folder) workspaceState is used.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { parseViewState, type PanelViewState } from '../shared/panelProtocol';

const MEMENTO_KEY = 'lambdaTrigger.panelViewState';
const FILE_NAME = 'panel-view-state.json';

export class PanelViewStateStore {
  private current: PanelViewState | undefined;
  private loaded = false;
  /** Writes run one after another; the last state is always the last written. */
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly storageDir: string | undefined,
    private readonly memento: vscode.Memento,
    private readonly onError: (message: string) => void,
  ) {}

  private get file(): string | undefined {
    return this.storageDir === undefined ? undefined : path.join(this.storageDir, FILE_NAME);
  }

  /** The last state the panel reported, from this session or an earlier one. */
  get(): PanelViewState | undefined {
    if (!this.loaded) {
      this.loaded = true;
      this.current = this.read();
    }
    return this.current;
  }

  save(state: PanelViewState): void {
    this.current = state;
    this.loaded = true;
    const file = this.file;
    if (file === undefined) {
      void this.memento.update(MEMENTO_KEY, state);
      return;
    }
    const text = JSON.stringify(state);
    this.writing = this.writing
      .then(() => writeAtomically(file, text))
      .catch((err: unknown) => {
        this.onError(`Could not keep the invocation panel's view state in ${file}: ${String(err)}`);
      });
  }

  /** Resolves when the states saved so far are on disk (tests, deactivate). */
  flushed(): Promise<void> {
    return this.writing;
  }

  private read(): PanelViewState | undefined {
    const file = this.file;
    if (file !== undefined) {
      try {
        return parseViewState(JSON.parse(fs.readFileSync(file, 'utf8')));
      } catch (err) {
        // No file yet is the normal first run; a damaged one is dropped (it is only where the reader was).
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
          this.onError(`Ignored the invocation panel's view state in ${file}: ${String(err)}`);
      }
    }
    return parseViewState(this.memento.get(MEMENTO_KEY));
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.promises.writeFile(temporary, text);
  await fs.promises.rename(temporary, file);
}
