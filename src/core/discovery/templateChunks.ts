/**
 * Re-reading a large YAML template after an edit inside one resource without parsing the whole file again. The text
 * is cut into chunks along its own structure: the part before the first resource (with `Resources:`), each resource
 * (its key line at the resources' indentation up to the next one), and the part after. When only one resource's
 * chunk differs from the previous text, that chunk alone is parsed (with the YAML parser, padded with blank lines so
 * that its lines are the file's) and the others are taken over from the previous document, their lines shifted.
 *
 * The result must be what a full parse gives, so anything a chunk could read differently on its own falls back to the
 * full parse: JSON, directives or document markers, anchors or aliases, tabs or lines indented between the top level
 * and the resources, any problem (errors, unknown tags, duplicate keys), an edit outside one resource, a resource
 * added or removed, and a previous document whose chunks did not match its own parse.
 */
import type { TemplateDocument } from './templateDocument';

/** A resource's text and what was read from it, valid wherever the chunk moves in later versions of the file. */
interface Chunk {
  text: string;
  key: string;
  value: unknown;
  /** Line of `container[key]` when the chunk started at `startedAt`. */
  lineOf: (container: object, key?: string | number) => number;
  startedAt: number;
}

/** What a document keeps to be re-read in chunks. */
export interface ChunkedSource {
  head: string;
  tail: string;
  /** The first line of each resource chunk, in file order. */
  starts: number[];
  chunks: Chunk[];
  headLines: number;
  /** Top-level keys in order, their values (Resources aside), their lines, and the top mapping's own line. */
  topKeys: string[];
  topValue: Record<string, unknown>;
  topKeyLines: Map<string, number>;
  topLine: number;
  /** The resources mapping's own line (its first key). */
  resourcesLine: number;
  /** lineOf of the full parse the head's and tail's objects come from, and where its resources ended. */
  baseLineOf: (container: object, key?: string | number) => number;
  baseOuterEnd: number;
  /** The last line of the resources now: the tail's lines moved by `outerEnd - baseOuterEnd`. */
  outerEnd: number;
}

/** Objects read from a chunk (every mapping and sequence inside a resource's value), for lineOf. */
const owners = new WeakMap<object, Chunk>();

function register(chunk: Chunk, value: unknown, depth = 0): void {
  if (value === null || typeof value !== 'object' || depth > 200) return;
  owners.set(value, chunk);
  for (const v of Array.isArray(value) ? value : Object.values(value)) register(chunk, v, depth + 1);
}

const UNSAFE = /^(?:%|---|\.\.\.)|\t|(?:^|[\s,[{])[&*][^\s,[\]{}]/m;

interface Cut {
  head: string;
  tail: string;
  headLines: number;
  indent: string;
  /** Each resource chunk's text and first line (1-based). */
  chunks: { text: string; start: number }[];
}

/** Cuts a template's text into head, resource chunks and tail; undefined when its shape does not allow it. */
export function cutTemplate(text: string): Cut | undefined {
  if (UNSAFE.test(text)) return undefined;
  const lines = text.split('\n');
  const resourcesAt = lines.findIndex((l) => /^Resources:[ ]*(?:#.*)?$/.test(l));
  if (resourcesAt < 0) return undefined;
  let first = resourcesAt + 1;
  while (first < lines.length && /^\s*(?:#.*)?$/.test(lines[first] ?? '')) first++;
  const indent = /^( +)\S/.exec(lines[first] ?? '')?.[1];
  if (!indent || (lines[first] ?? '').trimStart().startsWith('-')) return undefined;
  const chunks: { text: string; start: number }[] = [];
  let end = first;
  let startOf = first;
  for (; end <= lines.length; end++) {
    const line = lines[end];
    // A comment at the resources' indentation stays with the resource above it: the parser skips it either way.
    const atKey = line !== undefined && line.startsWith(indent) && /^[^\s#]/.test(line.slice(indent.length));
    const atTop = line === undefined || /^\S/.test(line);
    if ((atKey || atTop) && end > startOf) {
      chunks.push({ text: lines.slice(startOf, end).join('\n'), start: startOf + 1 });
      startOf = end;
    }
    if (atTop) break;
    // An item at the resources' indentation: not a plain mapping of resources.
    if (atKey && line.slice(indent.length).startsWith('-')) return undefined;
    if (line !== undefined && !atKey && /^ *\S/.test(line) && !/^ *#/.test(line)) {
      const lead = /^( *)/.exec(line)?.[1].length ?? 0;
      if (lead <= indent.length) return undefined; // between the top level and the resources' indentation
    }
  }
  return {
    head: lines.slice(0, first).join('\n'),
    tail: lines.slice(end).join('\n'),
    headLines: first,
    indent,
    chunks,
  };
}

const keyOf = (chunkText: string, indent: string): string | undefined => {
  const m = /^([A-Za-z0-9]+):(?=\s|$)/.exec(chunkText.slice(indent.length));
  return m?.[1];
};

/**
 * The chunks of a document read in full (`doc`, from `text`), or undefined when its text cannot be cut or the cut
 * does not match what the full parse read (then the next edit is read in full too).
 */
export function chunksOfFullParse(doc: TemplateDocument, text: string): ChunkedSource | undefined {
  if (doc.problems.length > 0 || doc.file.endsWith('.json')) return undefined;
  const cut = cutTemplate(text);
  const top = doc.value;
  if (!cut || top === null || typeof top !== 'object' || Array.isArray(top)) return undefined;
  const resources = (top as Record<string, unknown>).Resources;
  if (resources === null || typeof resources !== 'object' || Array.isArray(resources)) return undefined;
  const keys = Object.keys(resources);
  if (keys.length !== cut.chunks.length || doc.lineOf(resources) !== cut.chunks[0]?.start) return undefined;
  const chunks: Chunk[] = [];
  for (const [i, c] of cut.chunks.entries()) {
    const key = keyOf(c.text, cut.indent);
    if (key !== keys[i] || doc.lineOf(resources, key) !== c.start) return undefined;
    const chunk: Chunk = {
      text: c.text,
      key,
      value: (resources as Record<string, unknown>)[key],
      lineOf: (container, k) => doc.lineOf(container, k),
      startedAt: c.start,
    };
    register(chunk, chunk.value);
    chunks.push(chunk);
  }
  const topKeys = Object.keys(top);
  const topKeyLines = new Map(topKeys.map((k) => [k, doc.lineOf(top, k)]));
  const outerEnd = cut.headLines + cut.chunks.reduce((n, c) => n + c.text.split('\n').length, 0);
  return {
    head: cut.head,
    tail: cut.tail,
    headLines: cut.headLines,
    starts: cut.chunks.map((c) => c.start),
    chunks,
    topKeys,
    topValue: top as Record<string, unknown>,
    topKeyLines,
    topLine: doc.lineOf(top),
    resourcesLine: doc.lineOf(resources),
    baseLineOf: (container, key) => doc.lineOf(container, key),
    baseOuterEnd: outerEnd,
    outerEnd,
  };
}

/**
 * The document of `text` read from `previous` and a parse of the one resource chunk that changed, or undefined when
 * the edit is not of that kind (the caller parses in full). `parse` is the full parser, used on the padded chunk.
 */
export function reparseOneResource(
  file: string,
  text: string,
  previous: ChunkedSource,
  parse: (file: string, text: string) => TemplateDocument,
): { doc: TemplateDocument; source: ChunkedSource } | undefined {
  const cut = cutTemplate(text);
  if (!cut || cut.head !== previous.head || cut.tail !== previous.tail) return undefined;
  if (cut.chunks.length !== previous.chunks.length) return undefined;
  let changed = -1;
  for (const [i, c] of cut.chunks.entries()) {
    if (c.text === previous.chunks[i]?.text) continue;
    if (changed >= 0) return undefined; // more than one resource changed
    changed = i;
  }
  const chunks = [...previous.chunks];
  if (changed >= 0) {
    const c = cut.chunks[changed];
    const key = keyOf(c.text, cut.indent);
    if (!key || chunks.some((other, i) => i !== changed && other.key === key)) return undefined;
    // After one blank line (line 1 stays lineOf's "not known"), the chunk's lines are the file's moved by `shift`;
    // its own indentation is the resources'. Padding it to its place instead costs a lexer pass per line above it.
    const part = parse(file, `\n${c.text}`);
    const shift = c.start - 2;
    const value = part.value as Record<string, unknown> | null;
    if (part.problems.length > 0 || value === null || typeof value !== 'object' || Object.keys(value).length !== 1)
      return undefined;
    if (Object.keys(value)[0] !== key || part.lineOf(value, key) !== 2) return undefined;
    const chunk: Chunk = {
      text: c.text,
      key,
      value: value[key],
      lineOf: (container, k) => {
        const line = part.lineOf(container, k);
        return line === 1 ? 1 : line + shift;
      },
      startedAt: c.start,
    };
    register(chunk, chunk.value);
    chunks[changed] = chunk;
  }
  const starts = cut.chunks.map((c) => c.start);
  const currentStart = new Map(chunks.map((chunk, i) => [chunk, starts[i]]));
  const outerEnd = cut.headLines + cut.chunks.reduce((n, c) => n + c.text.split('\n').length, 0);
  const delta = outerEnd - previous.outerEnd;
  const resources: Record<string, unknown> = {};
  const resourceLines = new Map<string, number>();
  for (const [i, chunk] of chunks.entries()) {
    resources[chunk.key] = chunk.value;
    resourceLines.set(chunk.key, starts[i]);
  }
  const top: Record<string, unknown> = {};
  const topKeyLines = new Map<string, number>();
  const previousOuterEnd = previous.outerEnd;
  const shiftOuter = (line: number): number => (line > previousOuterEnd ? line + delta : line);
  for (const k of previous.topKeys) {
    top[k] = k === 'Resources' ? resources : previous.topValue[k];
    topKeyLines.set(k, shiftOuter(previous.topKeyLines.get(k) ?? 1));
  }
  const { baseLineOf, baseOuterEnd } = previous;
  const baseShift = outerEnd - baseOuterEnd;
  const source: ChunkedSource = {
    head: cut.head,
    tail: cut.tail,
    headLines: cut.headLines,
    starts,
    chunks,
    topKeys: previous.topKeys,
    topValue: top,
    topKeyLines,
    topLine: previous.topLine,
    resourcesLine: starts[0] ?? previous.resourcesLine,
    baseLineOf,
    baseOuterEnd,
    outerEnd,
  };
  // The head's and tail's objects are the full parse's: its lines, the tail's moved by what the resources grew.
  const outerLineOf = (container: object, key?: string | number): number => {
    const line = baseLineOf(container, key);
    return line > baseOuterEnd ? line + baseShift : line;
  };
  const lineOf = (container: unknown, key?: string | number): number => {
    if (container === null || typeof container !== 'object') return 1;
    if (container === top) return key !== undefined ? (topKeyLines.get(String(key)) ?? source.topLine) : source.topLine;
    if (container === resources)
      return key !== undefined ? (resourceLines.get(String(key)) ?? source.resourcesLine) : source.resourcesLine;
    const owner = owners.get(container);
    const start = owner ? currentStart.get(owner) : undefined;
    if (owner && start !== undefined) {
      const line = owner.lineOf(container, key);
      // 1 is lineOf's "not known" (a resource's objects are never on line 1): it does not move with the chunk.
      return line === 1 ? 1 : line - owner.startedAt + start;
    }
    return outerLineOf(container, key);
  };
  return { doc: { file, value: top, problems: [], lineOf }, source };
}

const texts = new WeakMap<TemplateDocument, string>();
const sources = new WeakMap<TemplateDocument, ChunkedSource>();

/** Keeps the text of a document read in full, for the next edit to be read in chunks. */
export function rememberText(doc: TemplateDocument, text: string): void {
  if (doc.problems.length === 0 && !doc.file.endsWith('.json') && /^Resources:/m.test(text)) texts.set(doc, text);
}

/** The document of `text` from `previous` plus the one resource that changed, or undefined (parse it in full). */
export function reparseTemplate(
  file: string,
  text: string,
  previous: TemplateDocument,
  parse: (file: string, text: string) => TemplateDocument,
): TemplateDocument | undefined {
  if (previous.file !== file) return undefined;
  let source = sources.get(previous);
  if (!source) {
    const previousText = texts.get(previous);
    source = previousText === undefined ? undefined : chunksOfFullParse(previous, previousText);
    if (!source) return undefined;
    sources.set(previous, source);
  }
  const next = reparseOneResource(file, text, source, parse);
  if (!next) return undefined;
  sources.set(next.doc, next.source);
  return next.doc;
}
