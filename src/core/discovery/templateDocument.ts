import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { DiscoveryProblem } from './functionConfig';
import { rememberText, reparseTemplate } from './templateChunks';

/**
 * A YAML or JSON file (templates, serverless.yml, settings) parsed to plain values, with the line of every
 * key kept aside so that each configured value can say where it came from.
 */
export interface TemplateDocument {
  file: string;
  value: unknown;
  problems: DiscoveryProblem[];
  /** 1-based line of `container[key]`, falling back to the container's own line. */
  lineOf(container: unknown, key?: string | number): number;
}

/** CloudFormation short-form tags; everything else starting with `!` is an unknown intrinsic. */
const SHORT_INTRINSICS = new Set([
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'And',
  'Equals',
  'If',
  'Not',
  'Or',
  'Length',
  'ToJsonString',
  'ForEach',
]);

/**
 * Parses `text`. With `previous` (the same file's document before an edit), an edit inside one resource of a large
 * template re-reads only that resource (templateChunks.ts); the result is the same as a full parse.
 */
export function parseTemplateDocument(file: string, text: string, previous?: TemplateDocument): TemplateDocument {
  const incremental = previous ? reparseTemplate(file, text, previous, parseTemplateDocument) : undefined;
  if (incremental) return incremental;
  const doc = parseFully(file, text);
  rememberText(doc, text);
  return doc;
}

function parseFully(file: string, text: string): TemplateDocument {
  const lineCounter = new LineCounter();
  const problems: DiscoveryProblem[] = [];
  const keyLines = new WeakMap<object, Map<string | number, number>>();
  const selfLines = new WeakMap<object, number>();
  const lineAt = (offset: number | undefined): number => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  const isJson = file.endsWith('.json');

  let doc: Document.Parsed;
  try {
    // Templates repeat nothing meaningful in keys, but a duplicate key must still be reported, not crash.
    doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true, strict: false });
  } catch (err) {
    problems.push({
      file,
      line: 1,
      severity: 'error',
      code: isJson ? 'invalid-json' : 'invalid-yaml',
      message: `Cannot parse ${file}: ${(err as Error).message}`,
    });
    return { file, value: undefined, problems, lineOf: () => 1 };
  }
  for (const error of doc.errors) {
    problems.push({
      file,
      line: error.linePos?.[0].line ?? 1,
      column: error.linePos?.[0].col,
      severity: 'error',
      code: isJson ? 'invalid-json' : 'invalid-yaml',
      message: `${isJson ? 'Invalid JSON' : 'Invalid YAML'}: ${error.message.split('\n')[0]}`,
    });
  }

  const convert = (node: unknown, depth: number): unknown => {
    if (depth > 200) return undefined; // alias bombs and absurd nesting stop here
    if (isAlias(node)) return convert(node.resolve(doc), depth + 1);
    let value: unknown;
    if (isMap(node)) {
      const obj: Record<string, unknown> = {};
      const lines = new Map<string | number, number>();
      for (const pair of node.items) {
        const keyNode = pair.key as Node | null;
        const key = isScalar(keyNode) ? String(keyNode.value) : String(convert(keyNode, depth + 1));
        obj[key] = convert(pair.value, depth + 1);
        lines.set(key, lineAt(keyNode?.range?.[0]));
      }
      keyLines.set(obj, lines);
      selfLines.set(obj, lineAt(node.range?.[0]));
      value = obj;
    } else if (isSeq(node)) {
      const arr: unknown[] = [];
      const lines = new Map<string | number, number>();
      node.items.forEach((item, i) => {
        arr.push(convert(item, depth + 1));
        lines.set(i, lineAt((item as Node | null)?.range?.[0]));
      });
      keyLines.set(arr, lines);
      selfLines.set(arr, lineAt(node.range?.[0]));
      value = arr;
    } else if (isScalar(node)) {
      value = node.value;
    } else {
      value = node ?? null;
    }
    const tag = (node as Node | null)?.tag;
    if (tag && tag.startsWith('!') && !tag.startsWith('!!')) return intrinsicFromTag(tag.slice(1), value, node as Node);
    return value;
  };

  const intrinsicFromTag = (name: string, value: unknown, node: Node): unknown => {
    let result: Record<string, unknown>;
    if (name === 'Ref' || name === 'Condition') result = { [name]: value };
    else if (name === 'GetAtt' && typeof value === 'string') {
      const dot = value.indexOf('.');
      result = { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
    } else if (SHORT_INTRINSICS.has(name)) result = { [`Fn::${name}`]: value };
    else {
      const pos = node.range ? lineCounter.linePos(node.range[0]) : { line: 1, col: 1 };
      problems.push({
        file,
        line: pos.line,
        column: pos.col,
        severity: 'error',
        code: 'unknown-intrinsic',
        message: `Unknown intrinsic function tag !${name}`,
      });
      return value;
    }
    const line = lineAt(node.range?.[0]);
    selfLines.set(result, line);
    keyLines.set(result, new Map([[Object.keys(result)[0], line]]));
    return result;
  };

  // Unresolved-tag warnings are expected for CloudFormation short forms; only real errors were reported above.
  const value = doc.errors.length > 0 && doc.contents === null ? undefined : convert(doc.contents, 0);
  const lineOf = (container: unknown, key?: string | number): number => {
    if (container === null || typeof container !== 'object') return 1;
    if (key !== undefined) {
      const line = keyLines.get(container)?.get(key);
      if (line !== undefined) return line;
    }
    return selfLines.get(container) ?? 1;
  };
  return { file, value, problems, lineOf };
}
