/**
 * The invocation panel's view state outlives a window reload: it is written to the workspace's extension storage
 * as soon as the page reports it (the workbench's own stores are saved lazily), read back by the next session,
 * and a damaged file is dropped with a warning rather than breaking the panel.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { PanelViewStateStore } from '../../../src/extension/panelViewStateStore';
import type { PanelViewState } from '../../../src/shared/panelProtocol';

function memento(): vscode.Memento & { values: Map<string, unknown> } {
  const values = new Map<string, unknown>();
  return {
    values,
    keys: () => [...values.keys()],
    get: <T>(key: string, fallback?: T) => (values.has(key) ? (values.get(key) as T) : fallback),
    update: (key: string, value: unknown) => {
      values.set(key, value);
      return Promise.resolve();
    },
  };
}

const state = (selectedId: string, savedAt: number): PanelViewState => ({
  selectedId,
  filter: 'orders',
  logSearch: '',
  sections: { event: true },
  historyScroll: 0,
  detailScroll: 420,
  savedAt,
});

describe('panel view state store', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ltr-view-state-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes each reported state to the storage folder at once; the next session reads the last one', async () => {
    const warnings: string[] = [];
    const storage = path.join(dir, 'workspaceStorage', 'abc');
    const first = new PanelViewStateStore(storage, memento(), (m) => warnings.push(m));
    assert.equal(first.get(), undefined);
    first.save(state('record-1', 1));
    first.save(state('record-2', 2));
    assert.equal(first.get()?.selectedId, 'record-2', 'the live value before the disk has it');
    await first.flushed();
    // A reload: a new extension host, a new store on the same folder.
    const next = new PanelViewStateStore(storage, memento(), (m) => warnings.push(m));
    assert.deepEqual(next.get(), state('record-2', 2));
    assert.deepEqual(warnings, []);
  });

  it('a damaged file is dropped with a warning naming it; what workspaceState holds is used instead', () => {
    const warnings: string[] = [];
    fs.writeFileSync(path.join(dir, 'panel-view-state.json'), '{"selectedId": ');
    const kept = memento();
    kept.values.set('lambdaTrigger.panelViewState', state('from-memento', 5));
    const store = new PanelViewStateStore(dir, kept, (m) => warnings.push(m));
    assert.equal(store.get()?.selectedId, 'from-memento');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /panel-view-state\.json/);
  });

  it('without a storage folder (no workspace) it keeps the state in workspaceState', () => {
    const kept = memento();
    const store = new PanelViewStateStore(undefined, kept, () => undefined);
    store.save(state('record-3', 3));
    assert.equal((kept.values.get('lambdaTrigger.panelViewState') as PanelViewState).selectedId, 'record-3');
    assert.equal(new PanelViewStateStore(undefined, kept, () => undefined).get()?.selectedId, 'record-3');
  });

  it('a storage folder that cannot be written is a warning, and the state stays for this session', async () => {
    const warnings: string[] = [];
    const blocked = path.join(dir, 'a-file');
    fs.writeFileSync(blocked, '');
    const store = new PanelViewStateStore(path.join(blocked, 'storage'), memento(), (m) => warnings.push(m));
    store.save(state('record-4', 4));
    await store.flushed();
    assert.equal(store.get()?.selectedId, 'record-4');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /could not keep/i);
  });
});
