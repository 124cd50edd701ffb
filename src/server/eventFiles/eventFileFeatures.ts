/**
 * Language features for event payload files, as pure functions over a TextDocument returning LSP types:
 * diagnostics against the event type's schema (exact ranges), completion of field names and enum values,
 * hover help, and a quick fix that adds missing required fields. The lead wires them into the server.
 */
import {
  findNodeAtLocation,
  getLocation,
  modify,
  parseTree,
  printParseErrorCode,
  type Node as JsonNode,
  type ParseError,
} from 'jsonc-parser';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CodeActionKind,
  CompletionItemKind,
  DiagnosticSeverity,
  MarkupKind,
  type CodeAction,
  type CompletionItem,
  type Diagnostic,
  type Hover,
  type Position,
  type Range,
} from 'vscode-languageserver-types';
import type { EventCatalogue } from '../../core/events/eventCatalogue';
import { pointerTokens } from '../../core/events/eventSchema';
import { EVENT_TYPE_MARKER } from '../../core/events/eventTypeDetection';
import { resolveEventFileType } from '../../core/events/eventFileType';
import { defaultValue, propertiesAt, schemasAt, typeLabel, valuesAt } from './schemaNavigation';

export const DIAGNOSTIC_SOURCE = 'lambda-trigger';

/** Carried on schema diagnostics so the code action knows what to insert where. */
export interface EventDiagnosticData {
  readonly typeId: string;
  readonly pointer: string;
  readonly missingProperty?: string;
}

function rangeOf(doc: TextDocument, offset: number, length: number): Range {
  return { start: doc.positionAt(offset), end: doc.positionAt(offset + length) };
}

function nodeValue(node: JsonNode | undefined): unknown {
  if (!node) return undefined;
  switch (node.type) {
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const p of node.children ?? []) {
        const [k, v] = p.children ?? [];
        if (k) o[String(k.value)] = nodeValue(v);
      }
      return o;
    }
    case 'array':
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value as unknown;
  }
}

interface ParsedEventFile {
  readonly root: JsonNode | undefined;
  readonly syntaxErrors: readonly ParseError[];
  readonly payload: unknown;
}

function parseEventFile(doc: TextDocument): ParsedEventFile {
  const errors: ParseError[] = [];
  const root = parseTree(doc.getText(), errors, { disallowComments: true, allowTrailingComma: false });
  return { root, syntaxErrors: errors, payload: nodeValue(root) };
}

/** The node to underline for an error at `pointer`: the value; for a missing field, the key of the object that lacks it. */
function errorRange(doc: TextDocument, root: JsonNode, pointer: string, missing: boolean): Range {
  const tokens = pointerTokens(pointer).map((t) => (/^\d+$/.test(t) ? Number(t) : t));
  const node = findNodeAtLocation(root, tokens) ?? root;
  if (missing) {
    const key = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
    return key ? rangeOf(doc, key.offset, key.length) : rangeOf(doc, node.offset, 1);
  }
  return rangeOf(doc, node.offset, node.length);
}

/** Syntax errors, then schema errors of the file's event type; [] when the file is not an event file. */
export function eventFileDiagnostics(doc: TextDocument, catalogue: EventCatalogue): Diagnostic[] {
  const { root, syntaxErrors, payload } = parseEventFile(doc);
  // Only the first syntax error: jsonc-parser's recovery reports cascades at the same place.
  const out: Diagnostic[] = syntaxErrors.slice(0, 1).map((e) => ({
    range: rangeOf(doc, e.offset, Math.max(e.length, 1)),
    severity: DiagnosticSeverity.Error,
    source: DIAGNOSTIC_SOURCE,
    message: `Invalid JSON: ${printParseErrorCode(e.error)}`,
  }));
  if (!root || syntaxErrors.length > 0) return out;
  const marker = (payload as Record<string, unknown> | null)?.[EVENT_TYPE_MARKER];
  if (typeof marker === 'string' && !catalogue.get(marker)) {
    const node = findNodeAtLocation(root, [EVENT_TYPE_MARKER]);
    out.push({
      range: node ? rangeOf(doc, node.offset, node.length) : rangeOf(doc, 0, 1),
      severity: DiagnosticSeverity.Error,
      source: DIAGNOSTIC_SOURCE,
      message: `Unknown event type '${marker}' (run \`lambda-trigger events\` for the ids)`,
    });
    return out;
  }
  const type = resolveEventFileType(doc.uri, payload, catalogue);
  if (!type) return out;
  const result = catalogue.validate(payload, type.typeId);
  // A value outside an open-ended field's documented list (an event name, a channel) is a warning: AWS may send it.
  const found = [
    ...result.errors.map((e) => ({ e, severity: DiagnosticSeverity.Error })),
    ...result.warnings.map((e) => ({ e, severity: DiagnosticSeverity.Warning })),
  ];
  for (const { e, severity } of found) {
    const data: EventDiagnosticData = {
      typeId: type.typeId,
      pointer: e.pointer,
      ...(e.missingProperty !== undefined ? { missingProperty: e.missingProperty } : {}),
    };
    out.push({
      range: errorRange(doc, root, e.pointer, e.missingProperty !== undefined),
      severity,
      source: DIAGNOSTIC_SOURCE,
      code: e.keyword,
      message: `${e.path}: ${e.message} (${type.typeId})`,
      data,
    });
  }
  return out;
}

/** Field names at a key position (required ones first) and enum/const values at a value position. */
export function eventFileCompletion(
  doc: TextDocument,
  position: Position,
  catalogue: EventCatalogue,
): CompletionItem[] {
  const { payload } = parseEventFile(doc);
  const offset = doc.offsetAt(position);
  const location = getLocation(doc.getText(), offset);
  if (location.path.length === 1 && location.path[0] === EVENT_TYPE_MARKER && !location.isAtPropertyKey) {
    return catalogue
      .list()
      .map((t) => ({ label: JSON.stringify(t.id), kind: CompletionItemKind.EnumMember, detail: t.title }));
  }
  const type = resolveEventFileType(doc.uri, payload, catalogue);
  if (!type) return [];
  const schema = catalogue.schemaOf(type.typeId);
  if (location.isAtPropertyKey) {
    const parentPath = location.path.slice(0, -1);
    const present = new Set(
      Object.keys((valueAtPath(payload, parentPath) as Record<string, unknown> | undefined) ?? {}),
    );
    return propertiesAt(schema, parentPath)
      .filter((p) => !present.has(p.name) || p.name === location.path[location.path.length - 1])
      .map((p) => ({
        label: p.name,
        kind: CompletionItemKind.Property,
        detail: `${typeLabel(p.schema)}${p.required ? ' (required)' : ''}`,
        ...(typeof p.schema.description === 'string' ? { documentation: p.schema.description } : {}),
        sortText: `${p.required ? '0' : '1'}${p.name}`,
        insertText: `"${p.name}"`,
      }));
  }
  return valuesAt(schema, location.path).map((v) => ({
    label: JSON.stringify(v),
    kind: CompletionItemKind.EnumMember,
    insertText: JSON.stringify(v),
  }));
}

function valueAtPath(v: unknown, path: readonly (string | number)[]): unknown {
  let cur = v;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

/** Help for the field under the cursor: its type, whether it is required, and its description. */
export function eventFileHover(doc: TextDocument, position: Position, catalogue: EventCatalogue): Hover | null {
  const { root, payload } = parseEventFile(doc);
  if (!root) return null;
  const location = getLocation(doc.getText(), doc.offsetAt(position));
  if (location.path.length === 0) return null;
  const type = resolveEventFileType(doc.uri, payload, catalogue);
  if (!type) return null;
  const def = catalogue.get(type.typeId)!;
  if (location.path.length === 1 && location.path[0] === EVENT_TYPE_MARKER) {
    return {
      contents: {
        kind: MarkupKind.Markdown,
        value: `**${def.title}** (\`${def.id}\`, ${def.invocation})\n\n${def.description}\n\nThe marker is removed before the handler is invoked.`,
      },
    };
  }
  const schema = catalogue.schemaOf(type.typeId);
  const path = location.path;
  const last = path[path.length - 1];
  const parent = path.slice(0, -1);
  const prop = typeof last === 'string' ? propertiesAt(schema, parent).find((p) => p.name === last) : undefined;
  const sub = prop?.schema ?? schemasAt(schema, path)[0];
  if (!sub) return null;
  const node = findNodeAtLocation(root, path);
  const keyNode = node?.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
  const lines = [`**${String(last)}**: \`${typeLabel(sub)}\`${prop?.required ? ' (required)' : ''}`];
  if (typeof sub.description === 'string') lines.push('', sub.description);
  lines.push('', `_${def.title}_ (\`${def.id}\`)`);
  return {
    contents: { kind: MarkupKind.Markdown, value: lines.join('\n') },
    ...(keyNode ? { range: rangeOf(doc, keyNode.offset, keyNode.length) } : {}),
  };
}

/** Quick fixes: one per missing required field, plus "add all missing required fields" when there are several. */
export function eventFileCodeActions(
  doc: TextDocument,
  diagnostics: readonly Diagnostic[],
  catalogue: EventCatalogue,
): CodeAction[] {
  const missing = diagnostics.filter(
    (d) => d.source === DIAGNOSTIC_SOURCE && (d.data as EventDiagnosticData | undefined)?.missingProperty !== undefined,
  );
  const text = doc.getText();
  const editFor = (data: EventDiagnosticData, base: string) => {
    const parent = pointerTokens(data.pointer).map((t) => (/^\d+$/.test(t) ? Number(t) : t));
    const sub = propertiesAt(catalogue.schemaOf(data.typeId), parent).find((p) => p.name === data.missingProperty);
    return modify(base, [...parent, data.missingProperty!], defaultValue(sub?.schema), {
      formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' },
    });
  };
  const actions: CodeAction[] = missing.map((d) => {
    const data = d.data as EventDiagnosticData;
    return {
      title: `Add missing required field '${data.missingProperty!}'`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [d],
      isPreferred: true,
      edit: {
        changes: {
          [doc.uri]: editFor(data, text).map((e) => ({ range: rangeOf(doc, e.offset, e.length), newText: e.content })),
        },
      },
    };
  });
  if (missing.length > 1) {
    // Apply the insertions one after another on the text, then replace the whole document once.
    let next = text;
    for (const d of missing) {
      for (const e of editFor(d.data as EventDiagnosticData, next).reverse())
        next = next.slice(0, e.offset) + e.content + next.slice(e.offset + e.length);
    }
    actions.push({
      title: `Add all ${missing.length} missing required fields`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [...missing],
      edit: { changes: { [doc.uri]: [{ range: rangeOf(doc, 0, text.length), newText: next }] } },
    });
  }
  return actions;
}
