/**
 * The store's snapshot files: every live entry, one `[["p", collection, key, value]]` line each (the operation
 * format of the segments), and an end line that says how many entries and bytes came before it:
 * `{"end":true,"entries":N,"bytes":B}`. A snapshot whose end line and counts match is read without parsing its
 * values: the store keeps each value as the JSON text it was put with, which is exactly what the line holds, so
 * reading is finding where each value lies (it is decoded on first use). A file that ends otherwise is torn (never read); one without counts (written before they
 * existed) or with a line of another shape is read line by line, each line parsed and checked like a segment's.
 */
import { isAscii } from 'node:buffer';
import { CollectionTexts, SnapshotBytes } from './collectionTexts';

export type Collections = Map<string, CollectionTexts>;

export type SnapshotRead =
  /** Complete and counted: its entries, read. */
  | { kind: 'complete'; collections: Collections }
  /** Complete, but to be read line by line (every line parsed): the text before its end line. */
  | { kind: 'unchecked'; body: string }
  /** No end line, or counts that do not match what is there: not a snapshot to read (a crash, or damage). */
  | { kind: 'torn'; reason: string };

const END_MARK = '{"end":true';
const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const BRACKET = 0x5d;
const PUT_PREFIX = '[["p",';

/** The lines of a snapshot of `collections`, taken now (its values are texts: later changes do not reach it). */
export function snapshotLines(collections: Collections): { lines: string[]; entries: number } {
  const lines: string[] = [];
  for (const [name, map] of collections) {
    const collection = JSON.stringify(name);
    for (const [key, text] of map) lines.push(`[["p",${collection},${JSON.stringify(key)},${text}]]\n`);
  }
  return { lines, entries: lines.length };
}

export function snapshotEndLine(entries: number, bytes: number): string {
  return `{"end":true,"entries":${entries},"bytes":${bytes}}\n`;
}

/** Reads a snapshot file's content (see the module comment for what each kind means). */
export function readSnapshot(data: Buffer): SnapshotRead {
  if (data.length === 0 || data[data.length - 1] !== NEWLINE) return { kind: 'torn', reason: 'it has no end line' };
  const endStart = data.lastIndexOf(NEWLINE, data.length - 2) + 1;
  const endText = data.toString('utf8', endStart, data.length - 1);
  if (!endText.startsWith(END_MARK)) return { kind: 'torn', reason: 'it has no end line' };
  let end: { end?: unknown; entries?: unknown; bytes?: unknown };
  try {
    end = JSON.parse(endText) as typeof end;
  } catch {
    return { kind: 'torn', reason: 'its end line is not JSON' };
  }
  if (end.end !== true) return { kind: 'torn', reason: 'it has no end line' };
  if (end.entries === undefined && end.bytes === undefined)
    return { kind: 'unchecked', body: data.toString('utf8', 0, endStart) };
  if (end.bytes !== endStart)
    return {
      kind: 'torn',
      reason: `it holds ${endStart} bytes before its end line, which counts ${String(end.bytes)}`,
    };
  // JSON text of ASCII only (the usual case) decodes byte for byte, faster than UTF-8.
  const encoding = isAscii(data.subarray(0, endStart)) ? 'latin1' : 'utf8';
  const read = sliceEntries(data, endStart, encoding);
  if (!read) return { kind: 'unchecked', body: data.toString('utf8', 0, endStart) };
  const { collections, entries } = read;
  if (entries !== end.entries)
    return { kind: 'torn', reason: `it holds ${entries} entries, its end line counts ${String(end.entries)}` };
  return { kind: 'complete', collections };
}

/**
 * Every `[["p",<collection>,<key>,<value>]]` line of the first `length` bytes of `data`, found in the bytes; undefined
 * as soon as a line has another shape, and how many lines it read. Keys and values are left in `data`, decoded on
 * first use (collectionTexts.ts): decoding the whole file into one string, then slicing every entry out of it and
 * building every collection's map, took most of an opening.
 */
function sliceEntries(
  data: Buffer,
  length: number,
  encoding: 'latin1' | 'utf8',
): { collections: Collections; entries: number } | undefined {
  const source = new SnapshotBytes(data, encoding);
  const collections: Collections = new Map();
  let lastCollectionStart = 0;
  let lastCollectionLength = -1;
  let map: CollectionTexts | undefined;
  let entries = 0;
  let pos = 0;
  while (pos < length) {
    const lineEnd = data.indexOf(NEWLINE, pos);
    if (lineEnd < 0 || lineEnd >= length || !startsWithPutPrefix(data, pos)) return undefined;
    const collectionStart = pos + PUT_PREFIX.length;
    const collectionEnd = stringTokenEnd(data, collectionStart, lineEnd);
    if (collectionEnd < 0 || data[collectionEnd] !== COMMA) return undefined;
    const keyEnd = stringTokenEnd(data, collectionEnd + 1, lineEnd);
    if (keyEnd < 0 || data[keyEnd] !== COMMA) return undefined;
    // The value runs to the closing `]]` of the line.
    if (data[lineEnd - 1] !== BRACKET || data[lineEnd - 2] !== BRACKET || lineEnd - 2 <= keyEnd + 1) return undefined;
    // Lines of one collection follow each other: its token is compared where it stands, not decoded each time.
    const collectionLength = collectionEnd - collectionStart;
    if (
      !map ||
      collectionLength !== lastCollectionLength ||
      !sameBytes(data, lastCollectionStart, collectionStart, collectionLength)
    ) {
      const name = stringOf(data, collectionStart, collectionEnd, encoding);
      if (name === undefined) return undefined;
      map = collections.get(name);
      if (!map) {
        map = new CollectionTexts(source);
        collections.set(name, map);
      }
      lastCollectionStart = collectionStart;
      lastCollectionLength = collectionLength;
    }
    // A key with escapes is decoded now (a rare key, and one that must be valid); the others on first use.
    let key: string | undefined;
    if (hasEscape(data, collectionEnd + 2, keyEnd - 1)) {
      key = stringOf(data, collectionEnd + 1, keyEnd, encoding);
      if (key === undefined) return undefined;
    }
    map.addFromSource(collectionEnd + 2, keyEnd - 1, key, source.add(keyEnd + 1, lineEnd - 2));
    entries++;
    pos = lineEnd + 1;
  }
  return { collections, entries };
}

function hasEscape(data: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (data[i] === BACKSLASH) return true;
  return false;
}

function startsWithPutPrefix(data: Buffer, pos: number): boolean {
  for (let i = 0; i < PUT_PREFIX.length; i++) if (data[pos + i] !== PUT_PREFIX.charCodeAt(i)) return false;
  return true;
}

function sameBytes(data: Buffer, a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (data[a + i] !== data[b + i]) return false;
  return true;
}

/** The index just after the JSON string that starts (with its quote) at `start`; -1 when there is none before `limit`. */
function stringTokenEnd(data: Buffer, start: number, limit: number): number {
  if (data[start] !== QUOTE) return -1;
  for (let i = start + 1; i < limit; i++) {
    const byte = data[i];
    if (byte === QUOTE) return i + 1;
    // An escape takes the byte after it along (none of \uXXXX's hex digits is a quote or a backslash).
    if (byte === BACKSLASH) i++;
  }
  return -1;
}

/** The value of the JSON string token at bytes [start, end) (escapes decoded only when there are some). */
function stringOf(data: Buffer, start: number, end: number, encoding: 'latin1' | 'utf8'): string | undefined {
  for (let i = start + 1; i < end - 1; i++) {
    if (data[i] !== BACKSLASH) continue;
    try {
      const value: unknown = JSON.parse(data.toString(encoding, start, end));
      return typeof value === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  }
  return data.toString(encoding, start + 1, end - 1);
}
