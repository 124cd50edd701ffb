/**
 * One collection's values, each the JSON text it was put with. Values read from a snapshot stay bytes of the file
 * until first use (get, or iteration): opening a store of 100,000 entries decodes their keys only, and a value nobody
 * asks for is never turned into a string. The file's bytes are let go once every value read from them was decoded,
 * replaced or deleted.
 */

/** The bytes of one snapshot file and where each value read from it lies; shared by its collections. */
export class SnapshotBytes {
  private data: Buffer | undefined;
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** Values still only bytes: at 0, `data` is dropped. */
  private pending = 0;

  constructor(
    data: Buffer,
    private readonly encoding: 'latin1' | 'utf8',
  ) {
    this.data = data;
  }

  /** Registers the value at bytes [start, end); its number is what a CollectionTexts keeps instead of the text. */
  add(start: number, end: number): number {
    this.starts.push(start);
    this.ends.push(end);
    this.pending++;
    return this.starts.length - 1;
  }

  /** The text of value `n` (each value is decoded once: its holder keeps the string). */
  decode(n: number): string {
    if (!this.data) throw new Error(`Snapshot value ${n} was decoded already.`);
    const text = this.data.toString(this.encoding, this.starts[n], this.ends[n]);
    this.release();
    return text;
  }

  /** Whether the file's bytes are still held (some value read from them is not decoded yet). */
  get holdsBytes(): boolean {
    return this.data !== undefined;
  }

  /** A value that will not be decoded (replaced or deleted). */
  release(): void {
    if (--this.pending === 0) this.data = undefined;
  }
}

export class CollectionTexts implements Iterable<[string, string]> {
  /** A string is the value's text; a number, a value of `source` not decoded yet. */
  private readonly map = new Map<string, string | number>();

  constructor(private readonly source?: SnapshotBytes) {}

  get size(): number {
    return this.map.size;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  get(key: string): string | undefined {
    const value = this.map.get(key);
    return typeof value === 'number' ? this.decode(key, value) : value;
  }

  set(key: string, text: string): void {
    const previous = this.map.get(key);
    if (typeof previous === 'number') this.source?.release();
    this.map.set(key, text);
  }

  /**
   * Adds `key`, a key it does not hold yet, as value `n` of the source, decoded on first use. (Not looked up first:
   * a snapshot holds each key once, and one that does not is torn, its counts wrong.)
   */
  addFromSource(key: string, n: number): void {
    this.map.set(key, n);
  }

  delete(key: string): boolean {
    const previous = this.map.get(key);
    if (typeof previous === 'number') this.source?.release();
    return this.map.delete(key);
  }

  keys(): IterableIterator<string> {
    return this.map.keys();
  }

  /** Every entry in insertion order, values decoded (and kept) as they are reached. */
  *[Symbol.iterator](): IterableIterator<[string, string]> {
    for (const [key, value] of this.map) yield [key, typeof value === 'number' ? this.decode(key, value) : value];
  }

  private decode(key: string, n: number): string {
    if (!this.source) throw new Error(`Snapshot value ${n} of ${key} has no source.`);
    const text = this.source.decode(n);
    // Setting a key that is there keeps its place: iteration order is unchanged.
    this.map.set(key, text);
    return text;
  }
}
