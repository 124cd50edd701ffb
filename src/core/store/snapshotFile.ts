/**
 * The store's snapshot files: every live entry, one `[["p", collection, key, value]]` line each (the operation
 * format of the segments), and an end line that says how many entries and bytes came before it:
 * `{"end":true,"entries":N,"bytes":B}`. A snapshot whose end line and counts match is read without parsing its
 * values: the store keeps each value as the JSON text it was put with, which is exactly what the line holds, so
 * reading is slicing. A file that ends otherwise is torn (never read); one without counts (written before they
 * existed) or with a line of another shape is read line by line, each line parsed and checked like a segment's.
 */
import { isAscii } from 'node:buffer';
export type Collections = Map<string, Map<string, string>>;

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
  const body = data.toString(isAscii(data.subarray(0, endStart)) ? 'latin1' : 'utf8', 0, endStart);
  const collections = sliceEntries(body);
  if (!collections) return { kind: 'unchecked', body };
  let entries = 0;
  for (const map of collections.values()) entries += map.size;
  if (entries !== end.entries)
    return { kind: 'torn', reason: `it holds ${entries} entries, its end line counts ${String(end.entries)}` };
  return { kind: 'complete', collections };
}

/**
 * Every `[["p",<collection>,<key>,<value>]]` line of `text`, by slicing; undefined as soon as a line has another shape.
 * The values are slices of the file's text: memory the entries read hold anyway, kept until the last of them is
 * replaced (parsing each value and serialising it again took ten times as long).
 */
function sliceEntries(text: string): Collections | undefined {
  const collections: Collections = new Map();
  let lastCollectionToken = '';
  let map: Map<string, string> | undefined;
  let pos = 0;
  while (pos < text.length) {
    const lineEnd = text.indexOf('\n', pos);
    if (lineEnd < 0 || !text.startsWith(PUT_PREFIX, pos)) return undefined;
    const collectionStart = pos + PUT_PREFIX.length;
    const collectionEnd = stringTokenEnd(text, collectionStart, lineEnd);
    if (collectionEnd < 0 || text.charCodeAt(collectionEnd) !== 0x2c) return undefined;
    const keyEnd = stringTokenEnd(text, collectionEnd + 1, lineEnd);
    if (keyEnd < 0 || text.charCodeAt(keyEnd) !== 0x2c) return undefined;
    // The value runs to the closing `]]` of the line.
    if (!text.startsWith(']]', lineEnd - 2) || lineEnd - 2 <= keyEnd + 1) return undefined;
    // Lines of one collection follow each other: its token is compared where it stands, not cut out each time.
    if (
      !map ||
      collectionEnd - collectionStart !== lastCollectionToken.length ||
      !text.startsWith(lastCollectionToken, collectionStart)
    ) {
      const collectionToken = text.slice(collectionStart, collectionEnd);
      const name = stringOf(collectionToken);
      if (name === undefined) return undefined;
      map = collections.get(name);
      if (!map) {
        map = new Map();
        collections.set(name, map);
      }
      lastCollectionToken = collectionToken;
    }
    const key = hasEscape(text, collectionEnd + 2, keyEnd - 1)
      ? stringOf(text.slice(collectionEnd + 1, keyEnd))
      : text.slice(collectionEnd + 2, keyEnd - 1);
    if (key === undefined) return undefined;
    map.set(key, text.slice(keyEnd + 1, lineEnd - 2));
    pos = lineEnd + 1;
  }
  return collections;
}

/** The index just after the JSON string that starts (with its quote) at `start`; -1 when there is none before `limit`. */
function stringTokenEnd(text: string, start: number, limit: number): number {
  if (text.charCodeAt(start) !== QUOTE) return -1;
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0 || quote >= limit) return -1;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

function hasEscape(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === BACKSLASH) return true;
  return false;
}

/** A JSON string token's value (escapes decoded only when there are some). */
function stringOf(token: string): string | undefined {
  if (!token.includes('\\')) return token.slice(1, -1);
  try {
    const value: unknown = JSON.parse(token);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
