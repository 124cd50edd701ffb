/**
 * The durable local store: named collections of JSON values persisted as append-only JSONL segments with fsync.
 * A value is serialised when it is put: the store keeps that text, in memory and on disk, so a caller that changes
 * its object afterwards cannot make the two differ (owners keep their own live objects and put them again; `load`
 * and `get` hand out fresh copies). Changes are group-committed: every key changed since the last write is written
 * in one line (one atomic transaction: a crash either keeps the whole line or, when the line is torn, none of it)
 * with one fsync. A key put many times between two writes is written once, with its last value, or, when it is
 * gone, as a delete. A write starts on the next turn of the event loop, or when the previous write's fsync returns.
 * Changes that are history (requestCommit('later'): what no caller was told is safe, e.g. a sync invocation's record)
 * are held back by their owners: they go with the next flush, or after `laterCommitMs` at the latest, so that a value
 * changed many times meanwhile (a record saved running, then finished) is written once.
 * A put of the text a key already has changes nothing and writes nothing.
 * Opening the store reads the newest complete snapshot (snapshotFile.ts: its values are found, not parsed, and decoded on first use) and
 * replays every later segment. A snapshot is written in full, fsync'd, then renamed into place: on close and after
 * `snapshotWhenIdleMs` without a write, once the segments since the last snapshot hold `snapshotAfterBytes` and a
 * quarter of that snapshot (what the next opening would replay); at open once more than `compactAfterSegments`
 * segments follow the snapshot; while open past `compactAfterBytes`. The files the previous snapshot covered are
 * then deleted, and that snapshot and the segments after it are kept: an opening that finds the newest snapshot torn
 * (no end line, or counts that do not match) reads the previous one and replays every segment after it instead, so a
 * bad snapshot neither loses a change nor brings back a deleted entry. A line damaged in the
 * middle of a file is skipped, the rest kept, and the file moved aside (`<name>.damaged-<time>`) with a warning.
 * A write the system refuses (read-only, disk full) is a StoreWriteError naming the folder and the operation.
 *
 * One process at a time: opening takes `owner.lock` (pid, owner, since, nonce) and closing releases it. A lock whose
 * process is gone (killed, crashed) is stale and taken over; a live one makes the open fail with StoreInUseError,
 * because two writers would each replay, compact and drop the other's segments.
 *
 * Layout of the directory:
 *   snapshot-<n>.jsonl   every live entry at the time segment <n> was started (last line `{"end":true,...}`)
 *   segment-<n>.jsonl    one JSON array of operations per line, `[["p", collection, key, value], ["d", collection, key]]`
 */
import { promises as fsp } from 'node:fs';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CollectionTexts } from './collectionTexts';
import { readSnapshot, snapshotEndLine, snapshotLines } from './snapshotFile';

export interface DurableStoreOptions {
  /** Compact when the live segment has grown beyond this many bytes and beyond twice the last snapshot (default 64 MB). */
  compactAfterBytes?: number;
  /**
   * Compact when opening finds more than this many segments since the last snapshot, whatever their size (default 16):
   * every opening that changes something starts a segment, and every opening replays them all.
   */
  compactAfterSegments?: number;
  /** Who holds the store, as another process that finds it in use is told (e.g. "the lambda-trigger CLI"). */
  owner?: string;
  /** Default process.platform. Windows cannot open a directory to fsync it (EPERM): there, directories are not. */
  platform?: NodeJS.Platform;
  /** Told what opening had to repair (a damaged file moved aside, naming the file and its lines). */
  onWarning?: (message: string) => void;
  /** The longest a change asked for with requestCommit('later') waits for a write (default 100 ms). */
  laterCommitMs?: number;
  /**
   * Write a snapshot on close, or once the store has been idle `snapshotWhenIdleMs`, when the segments since the last
   * one hold at least this many bytes and a quarter of that snapshot's (default 1 MB): the next opening reads it
   * instead of replaying them.
   */
  snapshotAfterBytes?: number;
  /** See snapshotAfterBytes (default 2000 ms). */
  snapshotWhenIdleMs?: number;
}

/** A value that JSON cannot represent (a cycle, a BigInt, undefined): refused when it is put, naming its key. */
export class StoreValueError extends TypeError {
  override readonly name = 'StoreValueError';
}

/** The store is open in another live process (or twice in this one). */
export class StoreInUseError extends Error {
  override readonly name = 'StoreInUseError';
}

export const STORE_LOCK_FILE = 'owner.lock';

/**
 * The store cannot be written: a read-only folder, a full disk, no permission. Names the folder and what the store was
 * doing; `code` is the system's (EROFS, ENOSPC, EACCES ...).
 */
export class StoreWriteError extends Error {
  override readonly name = 'StoreWriteError';
  constructor(
    readonly directory: string,
    readonly operation: string,
    readonly code: string,
    detail: string,
  ) {
    super(`Cannot write the store at ${directory} (${operation}): ${detail}`);
  }
}

/**
 * A StoreWriteError for a write the system refused (EROFS, ENOSPC, EACCES ...), saying it in words with its code;
 * any other error as it is.
 */
export function writeErrorOf(directory: string, operation: string, e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string' || !WRITE_ERRORS[code]) return e;
  return new StoreWriteError(directory, operation, code, `${WRITE_ERRORS[code]} (${code}).`);
}

const WRITE_ERRORS: Record<string, string> = {
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exceeded',
  EIO: 'an input/output error',
};

interface LockHolder {
  pid: number;
  owner: string;
  since: string;
  /** Tells two acquisitions by the same process apart, so a holder can check the lock is still its own. */
  nonce?: string;
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function parseLockHolder(text: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(text) as Partial<LockHolder>;
    if (typeof holder.pid !== 'number') return undefined;
    return { pid: holder.pid, owner: String(holder.owner ?? 'another process'), since: String(holder.since ?? '?') };
  } catch {
    return undefined;
  }
}

/** Writes `text` to a new file and fsyncs it, so that whatever links or renames it into place is complete. */
function writeFileDurably(file: string, text: string, operation: string): void {
  const directory = path.dirname(file);
  try {
    const fd = fs.openSync(file, 'w');
    try {
      fs.writeFileSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    fs.rmSync(file, { force: true });
    throw writeErrorOf(directory, operation, e);
  }
}

/** Links `from` to `to`: true when linked, false when `to` exists. */
function linkOrExists(from: string, to: string, directory: string): boolean {
  try {
    fs.linkSync(from, to);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS')
      throw writeErrorOf(directory, 'take the lock', e);
  }
  // A file system without hard links (FAT, some network shares): an exclusive copy, written just after it is
  // created; readers give a lock they cannot read yet time to be written (see UNREADABLE_LOCK_GRACE_MS).
  try {
    fs.copyFileSync(from, to, fs.constants.COPYFILE_EXCL);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw writeErrorOf(directory, 'take the lock', e);
  }
}

/** A lock that cannot be read is being written (no hard links) until it is this old; then it is stale. */
const UNREADABLE_LOCK_GRACE_MS = 2000;

function ageMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function renameIn(from: string, to: string, directory: string, operation: string): void {
  try {
    fs.renameSync(from, to);
  } catch (e) {
    throw writeErrorOf(directory, operation, e);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** How a key changed since the last write: its final value, gone, or gone and then put again (moved to the end). */
type Change = { collection: string; key: string; kind: 'put' | 'delete' | 'replace' };

const SEGMENT = /^segment-(\d{8})\.jsonl$/;
const SNAPSHOT = /^snapshot-(\d{8})\.jsonl$/;
/** `owner.lock.<pid>-<nonce>.tmp` (a holder file not linked yet) or `owner.lock.takeover-<hash>-<k>` (a guard). */
const LEFT_LOCK_FILE = /^owner\.lock\.(?:(\d+)-[0-9a-f]+\.tmp|takeover-[0-9a-f]+-\d+)$/;
const SNAPSHOT_TMP = /^snapshot-\d{8}\.tmp$/;

function fileNumber(n: number): string {
  return String(n).padStart(8, '0');
}

export class DurableStore {
  /** Every live value as the JSON text it was put with. */
  private readonly collections = new Map<string, CollectionTexts>();
  /**
   * Keys changed since the last write, in the order that reproduces the in-memory order on replay: a put of a known
   * key keeps its place (as Map.set does), a delete or a put after a delete moves the key to the end.
   */
  private changes = new Map<string, Change>();
  private flushScheduled = false;
  /** The write that history changes wait for when no one asks for one sooner. */
  private laterCommit: NodeJS.Timeout | undefined;
  private readonly laterCommitMs: number;
  /** The next commit writes every change, held-back history included (a flush, or the later timer, asked for it). */
  private commitAll = false;
  private writing: Promise<void> = Promise.resolve();
  private waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private segmentNumber = 0;
  /** Bytes of the segments after the snapshot: what the next opening replays. */
  private replayBytes = 0;
  private snapshotBytes = 0;
  /** The snapshot the state was read from or last written to (0: none). */
  private baseSnapshot = 0;
  private readonly snapshotAfterBytes: number;
  private readonly snapshotWhenIdleMs: number;
  private idleSnapshot: NodeJS.Timeout | undefined;
  private handle: fsp.FileHandle | undefined;
  private closed = false;
  private failure: Error | undefined;
  private readonly compactAfterBytes: number;
  private readonly compactAfterSegments: number;
  private lockFile: string | undefined;
  /** What this process wrote into the lock, to release only its own. */
  private lockText: string | undefined;
  private readonly commitHooks = new Set<(all: boolean) => void>();
  /** Files whose replay skipped damaged lines, with what was wrong where: moved aside once the rest is compacted. */
  private readonly damage = new Map<string, string[]>();
  private readonly onWarning: (message: string) => void;
  /** NTFS makes a new file's directory entry durable with the file; elsewhere the directory is fsync'd too. */
  private readonly syncDirectories: boolean;

  private constructor(
    readonly directory: string,
    options: DurableStoreOptions,
  ) {
    this.compactAfterBytes = options.compactAfterBytes ?? 64 * 1024 * 1024;
    this.compactAfterSegments = options.compactAfterSegments ?? 16;
    this.onWarning = options.onWarning ?? (() => undefined);
    this.laterCommitMs = options.laterCommitMs ?? 100;
    this.snapshotAfterBytes = options.snapshotAfterBytes ?? 1024 * 1024;
    this.snapshotWhenIdleMs = options.snapshotWhenIdleMs ?? 2000;
    this.syncDirectories = (options.platform ?? process.platform) !== 'win32';
  }

  /** Opens (creating when needed) the store in `directory` and replays it into memory. */
  static async open(directory: string, options: DurableStoreOptions = {}): Promise<DurableStore> {
    const store = new DurableStore(directory, options);
    try {
      await fsp.mkdir(directory, { recursive: true });
    } catch (e) {
      throw writeErrorOf(directory, 'create its folder', e);
    }
    await store.lock(options.owner ?? 'another process');
    try {
      await store.replay();
    } catch (e) {
      store.unlock();
      throw e;
    }
    return store;
  }

  /**
   * Takes `owner.lock` atomically: the holder is written in full to a file of this process's own and linked into
   * place, so the lock never exists half-written, and link fails with EEXIST while anyone holds it. A stale lock
   * (its process is gone) is replaced under a takeover guard named after its content: only the process that creates
   * the guard may replace it, and only while the lock still holds the content it judged stale.
   */
  private async lock(owner: string): Promise<void> {
    const file = path.join(this.directory, STORE_LOCK_FILE);
    const nonce = crypto.randomBytes(8).toString('hex');
    const me = JSON.stringify({ pid: process.pid, owner, since: new Date().toISOString(), nonce } satisfies LockHolder);
    const mine = path.join(this.directory, `${STORE_LOCK_FILE}.${process.pid}-${nonce}.tmp`);
    writeFileDurably(mine, me, 'take the lock');
    try {
      const deadline = Date.now() + 2 * UNREADABLE_LOCK_GRACE_MS;
      while (Date.now() < deadline) {
        if (linkOrExists(mine, file, this.directory)) {
          this.lockFile = file;
          this.lockText = me;
          this.removeLeftLockFiles();
          return;
        }
        const text = readText(file);
        if (text === undefined) continue; // released meanwhile: try again
        const holder = parseLockHolder(text);
        if (!holder && ageMs(file) < UNREADABLE_LOCK_GRACE_MS) {
          await new Promise<void>((resolve) => setTimeout(resolve, 5));
          continue;
        }
        if (holder && processAlive(holder.pid)) {
          const who = holder.pid === process.pid ? 'this process' : `process ${holder.pid}`;
          throw new StoreInUseError(
            `The store at ${this.directory} is in use by ${holder.owner} (${who}, since ${holder.since}); ` +
              `only one process can use it at a time. Close that one first; if it is not running, delete ${file}.`,
          );
        }
        // Stale (its process is gone: killed, crashed mid-run; or unreadable): its data is replayed as usual.
        if (this.takeOver(file, text, mine, me)) {
          this.lockFile = file;
          this.lockText = me;
          this.removeLeftLockFiles();
          return;
        }
        await new Promise<void>((resolve) => setTimeout(resolve, 5));
      }
    } finally {
      fs.rmSync(mine, { force: true });
    }
    throw new StoreInUseError(`Could not take the lock ${file}: other processes keep taking it.`);
  }

  /** Replaces the stale lock holding `staleText` by `mine`; false when another process got there first. */
  private takeOver(file: string, staleText: string, mine: string, me: string): boolean {
    const stale = crypto.createHash('sha256').update(staleText).digest('hex').slice(0, 16);
    // A guard whose process died mid-takeover is skipped for the next one; a live guard means wait.
    for (let k = 0; k < 8; k++) {
      const guard = path.join(this.directory, `${STORE_LOCK_FILE}.takeover-${stale}-${k}`);
      if (!linkOrExists(mine, guard, this.directory)) {
        const guardHolder = parseLockHolder(readText(guard) ?? '');
        const live = guardHolder ? processAlive(guardHolder.pid) : ageMs(guard) < UNREADABLE_LOCK_GRACE_MS;
        if (live) return false;
        continue;
      }
      try {
        // Under the guard: replace the lock only if it still is the stale one (no one took it over meanwhile).
        if (readText(file) !== staleText) return false;
        renameIn(mine, file, this.directory, 'take over a stale lock');
        // Verify by reading it back: the lock is ours only if it holds what this process wrote.
        return readText(file) === me;
      } finally {
        for (let j = 0; j <= k; j++)
          fs.rmSync(path.join(this.directory, `${STORE_LOCK_FILE}.takeover-${stale}-${j}`), { force: true });
      }
    }
    return false;
  }

  /** Holder files and takeover guards of processes killed while taking the lock: no one will remove them. */
  private removeLeftLockFiles(): void {
    for (const name of fs.readdirSync(this.directory)) {
      const left = LEFT_LOCK_FILE.exec(name);
      if (!left) continue;
      const holder = left[1]
        ? { pid: Number(left[1]) }
        : parseLockHolder(readText(path.join(this.directory, name)) ?? '');
      if (holder && !processAlive(holder.pid)) fs.rmSync(path.join(this.directory, name), { force: true });
    }
  }

  private unlock(): void {
    if (!this.lockFile) return;
    // Only our own lock: a lock that is not (a store opened by mistake after a manual delete) is left to its holder.
    if (readText(this.lockFile) === this.lockText) fs.rmSync(this.lockFile, { force: true });
    this.lockFile = undefined;
  }

  /** Every value of a collection, in insertion order, as fresh copies (owners load once and keep their objects). */
  load<T>(collection: string): Map<string, T> {
    const out = new Map<string, T>();
    for (const [key, text] of this.collections.get(collection) ?? []) out.set(key, JSON.parse(text) as T);
    return out;
  }

  /** A fresh copy of one value. */
  get<T>(collection: string, key: string): T | undefined {
    const text = this.collections.get(collection)?.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  has(collection: string, key: string): boolean {
    return this.collections.get(collection)?.has(key) ?? false;
  }

  size(collection: string): number {
    return this.collections.get(collection)?.size ?? 0;
  }

  collectionNames(): string[] {
    return [...this.collections.keys()];
  }

  /**
   * Sets a value, serialised now: changing the object afterwards changes neither memory nor disk, so put it again.
   * Throws StoreValueError, naming the key, for a value JSON cannot represent.
   */
  put(collection: string, key: string, value: unknown): void {
    this.assertOpen();
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (e) {
      throw new StoreValueError(
        `Cannot store ${collection}/${key} in ${this.directory}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
      );
    }
    if (text === undefined)
      throw new StoreValueError(`Cannot store ${collection}/${key} in ${this.directory}: it is not a JSON value.`);
    const map = this.mapOf(collection);
    const id = `${collection}\u0000${key}`;
    const previous = this.changes.get(id);
    // The same text again changes nothing: a run that only puts back what it found writes nothing.
    if (!previous && map.get(key) === text) return;
    map.set(key, text);
    if (previous?.kind === 'delete') {
      this.changes.delete(id);
      this.changes.set(id, { collection, key, kind: 'replace' });
    } else if (!previous) this.changes.set(id, { collection, key, kind: 'put' });
    this.scheduleFlush();
  }

  delete(collection: string, key: string): void {
    this.assertOpen();
    const map = this.collections.get(collection);
    if (!map?.has(key)) return;
    map.delete(key);
    const id = `${collection}\u0000${key}`;
    this.changes.delete(id);
    this.changes.set(id, { collection, key, kind: 'delete' });
    this.scheduleFlush();
  }

  /**
   * Runs `hook` at the start of every commit and flush: the owner of live objects (a LiveCollection) puts what it
   * changed since the last one, so a value changed many times between two writes is serialised once. `all` is false
   * for a commit that writes only what is wanted now: history changes (requestCommit('later')) may wait for the next.
   */
  onCommit(hook: (all: boolean) => void): { dispose(): void } {
    this.commitHooks.add(hook);
    return { dispose: () => this.commitHooks.delete(hook) };
  }

  /**
   * An owner has changes to put at the next commit (see onCommit): make sure one comes, on the next turn of the event
   * loop ('now'), or, for history that no one waits on ('later'), with the next flush or after `laterCommitMs`. A
   * value changed again meanwhile is written once.
   */
  requestCommit(when: 'now' | 'later' = 'now'): void {
    this.assertOpen();
    if (when === 'now') this.scheduleFlush();
    else if (!this.laterCommit) {
      this.laterCommit = setTimeout(() => {
        this.laterCommit = undefined;
        if (this.closed) return;
        this.commitAll = true;
        this.scheduleFlush();
      }, this.laterCommitMs);
      // close() flushes what is left; the timer alone keeps no process alive.
      this.laterCommit.unref();
    }
  }

  /** Lets the owners put what they changed; a value one of them cannot store is returned, not thrown. */
  private runCommitHooks(all: boolean): Error | undefined {
    let failed: Error | undefined;
    for (const hook of this.commitHooks) {
      try {
        hook(all);
      } catch (e) {
        failed ??= e instanceof Error ? e : new Error(String(e));
      }
    }
    return failed;
  }

  /** Resolves once every change made so far is on disk (fsync'd). */
  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const refused = this.runCommitHooks(true);
    if (refused) return Promise.reject(refused);
    if (this.changes.size === 0 && this.waiters.length === 0 && !this.flushScheduled) return this.writing;
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.scheduleFlush();
    });
  }

  /** Rewrites the live state as a snapshot and drops older files. */
  async compact(): Promise<void> {
    await this.flush();
    await this.chain(() => this.compactNow());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    clearTimeout(this.idleSnapshot);
    try {
      await this.flush();
      // The next opening reads one snapshot instead of replaying what this one wrote.
      await this.chain(() => this.snapshotIfWorthIt());
    } finally {
      // Even when the last flush failed, the file is closed and the store released for the next process.
      await this.writing;
      this.closed = true;
      clearTimeout(this.laterCommit);
      this.laterCommit = undefined;
      try {
        await this.handle?.close();
      } finally {
        this.handle = undefined;
        this.unlock();
      }
    }
  }

  private mapOf(name: string): CollectionTexts {
    let map = this.collections.get(name);
    if (!map) {
      map = new CollectionTexts();
      this.collections.set(name, map);
    }
    return map;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`The store at ${this.directory} is closed.`);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Group commit: wait a turn of the event loop, and for the write in flight, gathering every change meanwhile.
    setImmediate(() => void this.chain(() => this.commit()));
  }

  private async commit(): Promise<void> {
    this.flushScheduled = false;
    const all = this.commitAll || this.waiters.length > 0;
    this.commitAll = false;
    if (all) {
      // The commit hooks put every change the owners have, held-back history included.
      clearTimeout(this.laterCommit);
      this.laterCommit = undefined;
    }
    const refused = this.closed ? undefined : this.runCommitHooks(all);
    const waiters = this.waiters;
    this.waiters = [];
    try {
      const line = this.takeChanges();
      if (line) await this.appendLines([line]);
      if (this.replayBytes > this.compactAfterBytes && this.replayBytes > 2 * this.snapshotBytes) {
        await this.compactNow();
      } else if (line && this.snapshotWorthWriting()) this.snapshotWhenIdle();
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      waiters.forEach((w) => w.reject(this.failure));
      return;
    }
    // A value an owner could not store fails the flushes waiting on it; the store itself stays usable.
    waiters.forEach((w) => (refused ? w.reject(refused) : w.resolve()));
  }

  /** Every pending change, with the text each key was last put with, as one line (none when nothing changed). */
  private takeChanges(): string | undefined {
    if (this.changes.size === 0) return undefined;
    const ops: string[] = [];
    for (const c of this.changes.values()) {
      if (c.kind !== 'put') ops.push(JSON.stringify(['d', c.collection, c.key]));
      const text = this.collections.get(c.collection)?.get(c.key);
      if (c.kind === 'delete' || text === undefined) continue;
      ops.push(putOp(c.collection, c.key, text));
    }
    this.changes = new Map();
    return ops.length > 0 ? `[${ops.join(',')}]\n` : undefined;
  }

  private chain(step: () => Promise<void>): Promise<void> {
    const next = this.writing.then(step);
    this.writing = next.catch(() => undefined);
    return next;
  }

  private async appendLines(lines: string[]): Promise<void> {
    try {
      await this.appendToSegment(lines);
    } catch (e) {
      throw writeErrorOf(this.directory, `append to segment-${fileNumber(this.segmentNumber)}.jsonl`, e);
    }
  }

  private async appendToSegment(lines: string[]): Promise<void> {
    const handle = await this.segmentHandle();
    const data = Buffer.from(lines.join(''), 'utf8');
    let offset = 0;
    while (offset < data.length) {
      const { bytesWritten } = await handle.write(data, offset, data.length - offset);
      offset += bytesWritten;
    }
    await handle.sync();
    this.replayBytes += data.length;
  }

  private async segmentHandle(): Promise<fsp.FileHandle> {
    if (!this.handle) {
      this.handle = await fsp.open(this.segmentPath(this.segmentNumber), 'a');
      await this.syncDirectory();
    }
    return this.handle;
  }

  private segmentPath(n: number): string {
    return path.join(this.directory, `segment-${fileNumber(n)}.jsonl`);
  }

  private async syncDirectory(): Promise<void> {
    if (!this.syncDirectories) return;
    // A new or renamed file is only durable once its directory entry is.
    const dir = await fsp.open(this.directory, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  /** Whether the next opening would replay enough segments to make writing a snapshot now pay. */
  private snapshotWorthWriting(): boolean {
    return !this.failure && this.replayBytes >= this.snapshotAfterBytes && this.replayBytes * 4 >= this.snapshotBytes;
  }

  /**
   * A snapshot on close or when idle is a shortcut for the next opening, not a change: everything is in the segments
   * already, so one the system refuses (a full disk) is left out, its unfinished file removed at the next opening.
   */
  private async snapshotIfWorthIt(): Promise<void> {
    if (!this.snapshotWorthWriting()) return;
    try {
      await this.compactNow();
    } catch {
      // The segments hold everything; a write that fails for good is reported by the next append.
    }
  }

  /** (Re)starts the wait for an idle spell: a snapshot once nothing was written for snapshotWhenIdleMs. */
  private snapshotWhenIdle(): void {
    clearTimeout(this.idleSnapshot);
    this.idleSnapshot = setTimeout(() => {
      this.idleSnapshot = undefined;
      if (this.closed || this.flushScheduled) return;
      void this.chain(() => this.snapshotIfWorthIt());
    }, this.snapshotWhenIdleMs);
    this.idleSnapshot.unref();
  }

  /**
   * Writes a snapshot of the state as it is now; then drops the files the previous snapshot covered (those in `aside`
   * are renamed there instead of deleted, as is every file in `aside` the new snapshot covers).
   */
  private async compactNow(aside: ReadonlyMap<string, string> = new Map()): Promise<void> {
    const next = this.segmentNumber + 1;
    try {
      await this.writeSnapshot(next, aside);
    } catch (e) {
      throw writeErrorOf(this.directory, `write snapshot-${fileNumber(next)}.jsonl`, e);
    }
  }

  private async writeSnapshot(next: number, aside: ReadonlyMap<string, string>): Promise<void> {
    // Taken at once, before anything is awaited: a state the store was in, never a mix of two.
    const { lines, entries } = snapshotLines(this.collections);
    const tmp = path.join(this.directory, `snapshot-${fileNumber(next)}.tmp`);
    const out = await fsp.open(tmp, 'w');
    let bytes = 0;
    try {
      for (let i = 0; i < lines.length;) {
        let chunkBytes = 0;
        const from = i;
        while (i < lines.length && chunkBytes < 1 << 20) chunkBytes += lines[i++].length;
        const data = Buffer.from(lines.slice(from, i).join(''), 'utf8');
        await writeAll(out, data);
        bytes += data.length;
      }
      const end = Buffer.from(snapshotEndLine(entries, bytes), 'utf8');
      await writeAll(out, end);
      bytes += end.length;
      await out.sync();
    } finally {
      await out.close();
    }
    await fsp.rename(tmp, path.join(this.directory, `snapshot-${fileNumber(next)}.jsonl`));
    await this.handle?.close();
    this.handle = undefined;
    const previous = this.segmentNumber;
    const fallback = this.baseSnapshot;
    this.segmentNumber = next;
    this.baseSnapshot = next;
    this.replayBytes = 0;
    this.snapshotBytes = bytes;
    await this.syncDirectory();
    // The previous snapshot and the segments after it stay, for an opening that finds this one torn.
    for (const name of await fsp.readdir(this.directory)) {
      const segment = SEGMENT.exec(name);
      const snapshot = SNAPSHOT.exec(name);
      const n = Number((segment ?? snapshot)?.[1] ?? Number.NaN);
      const file = path.join(this.directory, name);
      const kept = aside.get(file);
      if (kept && ((segment && n <= previous) || (snapshot && n < next))) await fsp.rename(file, kept);
      else if ((segment && n < fallback) || (snapshot && n < next && n !== fallback))
        await fsp.rm(file, { force: true });
    }
  }

  private async replay(): Promise<void> {
    const names = await fsp.readdir(this.directory);
    const snapshots = names
      .map((n) => SNAPSHOT.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => b - a);
    let base = 0;
    const torn = new Map<number, string>();
    for (const n of snapshots) {
      const file = path.join(this.directory, `snapshot-${fileNumber(n)}.jsonl`);
      // At once: reading in the many small chunks of an asynchronous readFile took as long as the rest.
      const data = fs.readFileSync(file);
      const read = readSnapshot(data);
      // A torn snapshot is never read: the previous one and the segments after it still hold its data.
      if (read.kind === 'torn') {
        torn.set(n, read.reason);
        continue;
      }
      if (read.kind === 'complete') for (const [name, map] of read.collections) this.collections.set(name, map);
      else this.applyText(read.body, file, false);
      this.snapshotBytes = data.length;
      base = n;
      break;
    }
    // The snapshot before it, kept as the fallback of the one read (segments from there on are kept too).
    const fallback = snapshots.find((n) => n < base && !torn.has(n)) ?? 0;
    const allSegments = names
      .map((n) => SEGMENT.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]));
    // Segments before the snapshot are covered by it: replaying them would bring back what it no longer holds.
    const segments = allSegments.filter((n) => n >= base).sort((a, b) => a - b);
    for (let i = 0; i < segments.length; i++) {
      const file = this.segmentPath(segments[i]);
      const text = await fsp.readFile(file, 'utf8');
      this.replayBytes += Buffer.byteLength(text);
      this.applyText(text, file, true);
    }
    this.baseSnapshot = base;
    // A fresh segment per opening: nothing is ever appended after a torn line (nor numbered like a torn snapshot).
    this.segmentNumber = Math.max(base, ...segments, ...torn.keys(), 0) + 1;
    // Files older than the fallback, left by a crash in the middle of a compaction.
    for (const n of allSegments) if (n < fallback) fs.rmSync(this.segmentPath(n), { force: true });
    for (const n of snapshots)
      if (n < fallback) fs.rmSync(path.join(this.directory, `snapshot-${fileNumber(n)}.jsonl`), { force: true });
    // A crash cannot leave a torn snapshot under its own name (it is renamed into place once complete): it was damaged.
    for (const [n, reason] of torn) this.setTornSnapshotAside(n, reason, base);
    // A snapshot a crash left unfinished is never read: its segments are still there.
    for (const name of names) if (SNAPSHOT_TMP.test(name)) fs.rmSync(path.join(this.directory, name), { force: true });
    if (this.damage.size > 0) await this.setDamageAside();
    else if (segments.length > this.compactAfterSegments) await this.compactNow();
  }

  private setTornSnapshotAside(n: number, reason: string, base: number): void {
    const file = path.join(this.directory, `snapshot-${fileNumber(n)}.jsonl`);
    const aside = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameIn(file, aside, this.directory, 'set a damaged snapshot aside');
    const readFrom = base > 0 ? `snapshot-${fileNumber(base)}.jsonl and the segments after it` : 'its segments';
    this.onWarning(
      `The store at ${this.directory} had a damaged snapshot: ${path.basename(file)} (${reason}). ` +
        `It was read from ${readFrom} instead; the file was moved to ${aside}.`,
    );
  }

  /**
   * Keeps what the damaged files held around their damage: a snapshot of everything read is written first (durably),
   * then each damaged file is renamed `<name>.damaged-<time>` instead of being deleted, for someone to look at.
   */
  private async setDamageAside(): Promise<void> {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const aside = new Map([...this.damage.keys()].map((file) => [file, `${file}.damaged-${stamp}`]));
    await this.compactNow(aside);
    for (const [file, lines] of this.damage) {
      this.onWarning(
        `The store at ${this.directory} was damaged: ${path.basename(file)} ${lines.join(', ')}. ` +
          `Every other entry is kept; the file was moved to ${aside.get(file)}.`,
      );
    }
    this.damage.clear();
  }

  /**
   * Applies every whole line of a file. A line that cannot be read (not JSON, not operations the store knows) in the
   * middle is skipped and reported: every line is a transaction of whole values, so the lines before and after it
   * still apply. A torn last line of a segment is a write a crash cut short: that transaction never happened.
   */
  private applyText(text: string, file: string, tornTailAllowed: boolean): void {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (line === '') continue;
      const ops = parseLine(line);
      if (typeof ops !== 'string') {
        for (const op of ops) {
          if (op[0] === 'p') this.mapOf(op[1]).set(op[2], JSON.stringify(op[3]));
          else this.collections.get(op[1])?.delete(op[2]);
        }
        continue;
      }
      if (tornTailAllowed && lines.slice(i + 1).every((l) => l === '')) return;
      const damage = this.damage.get(file) ?? [];
      damage.push(`line ${i + 1} ${ops}`);
      this.damage.set(file, damage);
    }
  }
}

type Operation = ['p', string, string, unknown] | ['d', string, string];

/** The operations of one line, or what is wrong with it. */
function parseLine(line: string): Operation[] | string {
  let ops: unknown;
  try {
    ops = JSON.parse(line);
  } catch {
    return 'is not valid JSON';
  }
  if (!Array.isArray(ops)) return 'is not a list of operations';
  for (const op of ops as unknown[]) {
    if (
      !Array.isArray(op) ||
      typeof op[1] !== 'string' ||
      typeof op[2] !== 'string' ||
      (op[0] !== 'p' && op[0] !== 'd')
    )
      return 'holds an operation the store does not know';
  }
  return ops as Operation[];
}

/** `["p", collection, key, <value text>]` without serialising the value again. */
function putOp(collection: string, key: string, text: string): string {
  return `["p",${JSON.stringify(collection)},${JSON.stringify(key)},${text}]`;
}

/** Writes all of `data` at the file's position (a write may take less than asked). */
async function writeAll(handle: fsp.FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}
