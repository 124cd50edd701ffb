/**
 * The live objects of one store collection, owned by the code that changes them (a queue's messages, the history's
 * records): changed in place, marked with `save`, and put into the store once at its next commit, as they are then.
 * A message received and deleted between two writes costs one delete; a record saved while running and again when
 * finished is serialised once. Changes saved as history ('later') are held back until a commit that writes everything
 * (a flush, or the store's later timer), unless the key is saved again for now meanwhile. What the store holds is
 * still the text it was put with (serialised at put).
 */
import type { DurableStore } from './durableStore';

export class LiveCollection<T> {
  private readonly items: Map<string, T>;
  /**
   * Keys changed since the last commit, in change order: whether the key was deleted first (it moves to the end), and
   * whether the change is wanted at the next commit or may wait for one that writes everything.
   */
  private readonly changed = new Map<string, { deletedFirst: boolean; now: boolean }>();

  constructor(
    private readonly store: DurableStore,
    readonly name: string,
  ) {
    this.items = store.load<T>(name);
    store.onCommit((all) => this.write(all));
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  get size(): number {
    return this.items.size;
  }

  /** In insertion order: a key deleted and saved again comes last, as in the store. */
  values(): IterableIterator<T> {
    return this.items.values();
  }

  keys(): IterableIterator<string> {
    return this.items.keys();
  }

  /**
   * Keeps `value` under `key`; it is written as it is at the next commit: one on the next turn of the event loop, or,
   * for history no caller waits on ('later'), whichever comes first (DurableStore.requestCommit).
   */
  save(key: string, value: T, when: 'now' | 'later' = 'now'): void {
    this.items.set(key, value);
    const change = this.changed.get(key);
    if (!change) this.changed.set(key, { deletedFirst: false, now: when === 'now' });
    else if (when === 'now') change.now = true;
    this.store.requestCommit(when);
  }

  delete(key: string, when: 'now' | 'later' = 'now'): boolean {
    if (!this.items.delete(key)) return false;
    const now = when === 'now' || this.changed.get(key)?.now === true;
    this.changed.delete(key);
    this.changed.set(key, { deletedFirst: true, now });
    this.store.requestCommit(when);
    return true;
  }

  /** Puts what changed (all: every change; else only those wanted now, the others wait in their order). */
  private write(all: boolean): void {
    if (this.changed.size === 0) return;
    let changed: Array<[string, { deletedFirst: boolean; now: boolean }]>;
    if (all) {
      changed = [...this.changed];
      this.changed.clear();
    } else {
      changed = [];
      for (const entry of this.changed) if (entry[1].now) changed.push(entry);
      for (const [key] of changed) this.changed.delete(key);
    }
    let refused: Error | undefined;
    for (const [key, { deletedFirst }] of changed) {
      if (deletedFirst) this.store.delete(this.name, key);
      const value = this.items.get(key);
      if (value === undefined) continue;
      try {
        this.store.put(this.name, key, value);
      } catch (err) {
        // The others are still written; the flush waiting on this one fails with its key.
        refused ??= err instanceof Error ? err : new Error(String(err));
      }
    }
    if (refused) throw refused;
  }
}
