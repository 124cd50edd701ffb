/**
 * The live objects of one store collection, owned by the code that changes them (a queue's messages, the history's
 * records): changed in place, marked with `save`, and put into the store once at its next commit, as they are then.
 * A message received and deleted between two writes costs one delete; a record saved while running and again when
 * finished is serialised once. What the store holds is still the text it was put with (serialised at put).
 */
import type { DurableStore } from './durableStore';

export class LiveCollection<T> {
  private readonly items: Map<string, T>;
  /** Keys changed since the last commit, in change order; true when the key was deleted first (it moves to the end). */
  private readonly changed = new Map<string, boolean>();

  constructor(
    private readonly store: DurableStore,
    readonly name: string,
  ) {
    this.items = store.load<T>(name);
    store.onCommit(() => this.write());
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
    if (!this.changed.has(key)) this.changed.set(key, false);
    this.store.requestCommit(when);
  }

  delete(key: string, when: 'now' | 'later' = 'now'): boolean {
    if (!this.items.delete(key)) return false;
    this.changed.delete(key);
    this.changed.set(key, true);
    this.store.requestCommit(when);
    return true;
  }

  private write(): void {
    if (this.changed.size === 0) return;
    const changed = [...this.changed];
    this.changed.clear();
    let refused: Error | undefined;
    for (const [key, deletedFirst] of changed) {
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
