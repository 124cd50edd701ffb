/**
 * One collection's values, each the JSON text it was put with. Entries read from a snapshot stay bytes of the file
 * until first use: their keys when the collection is first used (its owner loads it), each value when it is asked for
 * (get, or iteration); opening a store of 100,000 entries only finds where they lie, and a value nobody asks for is
 * never turned into a string. The file's bytes are let go once every value read from them was decoded,
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

  /** The text of bytes [start, end) (a key: the values' bytes are held, so are the keys'). */
  decodeBytes(start: number, end: number): string {
    if (!this.data) throw new Error('Snapshot bytes were let go already.');
    return this.data.toString(this.encoding, start, end);
  }

  /** The text of value `n` (each value is decoded once: its holder keeps the string). */
  decode(n: number): string {
    if (!this.data) throw new Error(`Snapshot value ${n} was decoded already.`);
    const text = this.data.toString(this.encoding, this.starts[n], this.ends[n]);
    this.release();
    return text;
  }

  /**
   * The texts of several values at once (not counted as decoded: the caller does not keep them). ASCII bytes are
   * decoded as one string spanning them, each value a slice of it (100,000 decodes of a few hundred bytes each cost
   * more than one of them all); other bytes value by value.
   */
  textsOf(ns: number[]): string[] {
    const data = this.data;
    if (!data) throw new Error('Snapshot bytes were let go already.');
    if (this.encoding !== 'latin1' || ns.length < 2)
      return ns.map((n) => data.toString(this.encoding, this.starts[n], this.ends[n]));
    let from = Infinity;
    let to = 0;
    for (const n of ns) {
      from = Math.min(from, this.starts[n]);
      to = Math.max(to, this.ends[n]);
    }
    const span = data.toString('latin1', from, to);
    return ns.map((n) => span.slice(this.starts[n] - from, this.ends[n] - from));
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
  /** How many values of the map are numbers. */
  private undecoded = 0;
  /**
   * Entries read from the source whose keys are not decoded yet, in file order: `keyBounds` holds each key's bytes
   * (start, end: a JSON string's content without escapes), `escapedKeys` the keys that had escapes, decoded already.
   * They go into `map` on the collection's first use: opening a store decodes no key of a collection nobody uses.
   */
  private unbuilt: { keyBounds: number[]; escapedKeys: Map<number, string>; values: number[] } | undefined;

  constructor(private readonly source?: SnapshotBytes) {}

  get size(): number {
    this.build();
    return this.map.size;
  }

  has(key: string): boolean {
    this.build();
    return this.map.has(key);
  }

  get(key: string): string | undefined {
    this.build();
    const value = this.map.get(key);
    return typeof value === 'number' ? this.decode(key, value) : value;
  }

  set(key: string, text: string): void {
    this.build();
    const previous = this.map.get(key);
    if (typeof previous === 'number') this.forget();
    this.map.set(key, text);
  }

  /**
   * Adds an entry of the source after those added before (file order): its key is `key`, or, when undefined, the
   * source's bytes [keyStart, keyEnd); its value is value `n` of the source. Both are decoded on first use.
   */
  addFromSource(keyStart: number, keyEnd: number, key: string | undefined, n: number): void {
    this.unbuilt ??= { keyBounds: [], escapedKeys: new Map(), values: [] };
    if (key !== undefined) this.unbuilt.escapedKeys.set(this.unbuilt.values.length, key);
    this.unbuilt.keyBounds.push(keyStart, keyEnd);
    this.unbuilt.values.push(n);
  }

  delete(key: string): boolean {
    this.build();
    const previous = this.map.get(key);
    if (typeof previous === 'number') this.forget();
    return this.map.delete(key);
  }

  keys(): IterableIterator<string> {
    this.build();
    return this.map.keys();
  }

  /**
   * Every entry in insertion order. The values still bytes are decoded together and handed out, not kept: the
   * collection's owner keeps what it parses from them, and the store needs them again only for a snapshot.
   */
  [Symbol.iterator](): IterableIterator<[string, string]> {
    this.build();
    if (!this.source || this.undecoded === 0) return (this.map as Map<string, string>).entries();
    const ns: number[] = [];
    for (const value of this.map.values()) if (typeof value === 'number') ns.push(value);
    const texts = this.source.textsOf(ns);
    const entries: Array<[string, string]> = [];
    let i = 0;
    for (const [key, value] of this.map) entries.push([key, typeof value === 'number' ? texts[i++] : value]);
    return entries[Symbol.iterator]();
  }

  /** Puts the entries added from the source into the map, their keys decoded. */
  private build(): void {
    const unbuilt = this.unbuilt;
    if (!unbuilt || !this.source) return;
    this.unbuilt = undefined;
    const { keyBounds, escapedKeys, values } = unbuilt;
    for (let i = 0; i < values.length; i++) {
      const key = escapedKeys.get(i) ?? this.source.decodeBytes(keyBounds[2 * i], keyBounds[2 * i + 1]);
      const before = this.map.size;
      this.map.set(key, values[i]);
      // A key twice (a snapshot never has one; line by line, the later line wins too): the first value is never used.
      if (this.map.size === before) this.source.release();
      else this.undecoded++;
    }
  }

  /** A value of the source that will not be decoded (replaced or deleted). */
  private forget(): void {
    this.undecoded--;
    this.source?.release();
  }

  private decode(key: string, n: number): string {
    if (!this.source) throw new Error(`Snapshot value ${n} of ${key} has no source.`);
    const text = this.source.decode(n);
    this.undecoded--;
    // Setting a key that is there keeps its place: iteration order is unchanged.
    this.map.set(key, text);
    return text;
  }
}
