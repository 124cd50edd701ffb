/** The invocation history: every InvocationRecord, kept in the durable store and announced as it changes. */
import { EventEmitter } from 'node:events';
import type { DurableStore } from '../store/durableStore';
import { LiveCollection } from '../store/liveCollection';
import type { InvocationCost } from './invocationCost';
import type { InvocationRecord } from './invocationRecord';

const COLLECTION = 'records';
const FINAL: ReadonlySet<string> = new Set(['succeeded', 'failed', 'rejected', 'dryRun']);

/**
 * When a saved record must be written. A synchronous invocation's record is history: its caller has the answer from
 * the record in memory, and nothing else depends on it, so it waits for the next flush or the store's later timer,
 * and the caller does not wait for that. So does a record while it runs: its end comes soon and is written in its
 * place. Every other record is written with the queue, event or checkpoint changes it goes with (an async event's
 * retry or end, a batch's end, a durable execution's), in the same commit.
 */
function commitFor(record: InvocationRecord): 'now' | 'later' {
  if (record.mode === 'sync' && record.execution === undefined) return 'later';
  return record.status === 'running' ? 'later' : 'now';
}

export class InvocationHistory {
  private readonly emitter = new EventEmitter();
  /** Finished record ids, oldest first (a Set keeps insertion order): what trimming drops first. */
  private readonly finished = new Set<string>();
  /** The live records, oldest first; each is written as it is at the store's next commit. */
  private readonly records: LiveCollection<InvocationRecord>;

  constructor(
    store: DurableStore,
    /** Oldest finished records beyond this many are dropped, so memory and the store stay flat. */
    private readonly limit: number,
    /** What a record's attempts would cost on AWS, kept in the record each time it is saved. */
    private readonly costOf?: (record: InvocationRecord) => InvocationCost,
  ) {
    this.emitter.setMaxListeners(0);
    this.records = new LiveCollection<InvocationRecord>(store, COLLECTION);
    for (const record of this.records.values()) {
      if (FINAL.has(record.status)) this.finished.add(record.id);
    }
  }

  /** Saves (or re-saves after a change) a record and tells listeners. */
  save(record: InvocationRecord): void {
    const parentId = record.source?.parentRecordId;
    if (parentId && record.storyId === undefined && parentId !== record.id)
      record.storyId = this.get(parentId)?.storyId ?? parentId;
    if (this.costOf) record.cost = this.costOf(record);
    this.records.save(record.id, record, commitFor(record));
    this.emitter.emit('record', record);
    if (FINAL.has(record.status)) {
      this.finished.add(record.id);
      this.trim();
    }
  }

  get(id: string): InvocationRecord | undefined {
    return this.records.get(id);
  }

  list(): InvocationRecord[] {
    return [...this.records.values()];
  }

  get size(): number {
    return this.records.size;
  }

  onRecord(listener: (record: InvocationRecord) => void): { dispose(): void } {
    this.emitter.on('record', listener);
    return { dispose: () => this.emitter.off('record', listener) };
  }

  private trim(): void {
    // Records whose event is still in flight are never dropped; only finished ones, oldest first.
    for (const id of this.finished) {
      if (this.records.size <= this.limit) break;
      this.finished.delete(id);
      this.records.delete(id, 'later');
    }
  }
}
