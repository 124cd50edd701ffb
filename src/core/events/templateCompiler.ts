/**
 * Compiles an event template once into a render function: constant parts are kept, placeholders become
 * closures (placeholderExpression.ts), and a poll source's records array becomes a batch of N records.
 */
import { TemplateDefinitionError } from './eventErrors';
import type { EventTemplateDefinition } from './eventTemplate';
import { compileExpression, placeholderText, type RenderScope, type ValueFn } from './placeholderExpression';

export interface RenderRequest {
  /** Resolved parameter values (defaults applied, types checked). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Number of records for a batch template (default 1). */
  readonly records: number;
  /** Per-record values for the batch's item parameter; overrides `records` when given. */
  readonly items?: readonly unknown[];
  readonly nowMs: number;
}

export type RenderFn = (req: RenderRequest) => unknown;

const SPREAD_KEY = '...';
const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const WHOLE_PLACEHOLDER = /^\{\{([^{}]*)\}\}$/;

interface CompileState {
  readonly where: string;
  readonly declared: ReadonlySet<string>;
  readonly lets: ReadonlySet<string>;
  readonly batchPath?: readonly string[];
  readonly itemParameter?: string;
  batchFound: boolean;
}

function finish(v: unknown): unknown {
  // A gzip result that was not base64-encoded by the template still has to be JSON.
  return Buffer.isBuffer(v) ? v.toString('base64') : v;
}

function compileString(text: string, st: CompileState): ValueFn {
  const whole = WHOLE_PLACEHOLDER.exec(text);
  if (whole) {
    const fn = checked(whole[1], st).fn;
    return (s) => finish(fn(s));
  }
  if (!text.includes('{{')) return () => text;
  const pieces: (string | ValueFn)[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (m.index > last) pieces.push(text.slice(last, m.index));
    const fn = checked(m[1], st).fn;
    pieces.push((s) => placeholderText(finish(fn(s))));
    last = m.index + m[0].length;
  }
  if (last < text.length) pieces.push(text.slice(last));
  return (s) => {
    let out = '';
    for (const p of pieces) out += typeof p === 'string' ? p : (p(s) as string);
    return out;
  };
}

function checked(expr: string, st: CompileState) {
  const c = compileExpression(expr, st.where);
  for (const p of c.params)
    if (!st.declared.has(p))
      throw new TemplateDefinitionError(`${st.where}: placeholder '{{${expr}}}' uses undeclared parameter '${p}'`);
  for (const l of c.lets)
    if (!st.lets.has(l))
      throw new TemplateDefinitionError(`${st.where}: placeholder '{{${expr}}}' uses unknown let value '@${l}'`);
  return c;
}

function samePath(a: readonly string[], b: readonly string[] | undefined): boolean {
  return b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

function compileNode(node: unknown, path: readonly string[], st: CompileState): ValueFn {
  if (typeof node === 'string') return compileString(node, st);
  if (node === null || typeof node !== 'object') return () => node;
  if (Array.isArray(node)) {
    if (samePath(path, st.batchPath)) {
      st.batchFound = true;
      if (node.length !== 1)
        throw new TemplateDefinitionError(
          `${st.where}: the batch array at '${path.join('.')}' must hold one record template`,
        );
      return compileBatch(compileNode(node[0], [...path, '0'], st), st.itemParameter);
    }
    const items = node.map((n, i) => compileNode(n, [...path, String(i)], st));
    return (s) => items.map((f) => f(s));
  }
  const entries = Object.entries(node as Record<string, unknown>).map(([k, v]) => {
    const key = compileString(k, st);
    const constKey = k.includes('{{') ? undefined : k;
    return { constKey, key, value: compileNode(v, [...path, k], st) };
  });
  return (s) => {
    const out: Record<string, unknown> = {};
    for (const e of entries) {
      const v = e.value(s);
      // "...": "{{obj}}" spreads an object parameter into this object (e.g. ServiceToken plus the user's properties).
      if (e.constKey === SPREAD_KEY) {
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, v);
        continue;
      }
      // A whole placeholder that yields undefined leaves the field out (optional fields).
      if (v !== undefined) out[e.constKey ?? placeholderText(e.key(s))] = v;
    }
    return out;
  };
}

interface BatchScope extends RenderScope {
  readonly items?: readonly unknown[];
}

function compileBatch(record: ValueFn, itemParameter: string | undefined): ValueFn {
  return (s) => {
    const { items } = s as BatchScope;
    const out: unknown[] = new Array(s.count);
    for (let i = 0; i < s.count; i++) {
      const params = items && itemParameter !== undefined ? { ...s.params, [itemParameter]: items[i] } : s.params;
      // Each record gets its own index and memo: distinct ids, sequence numbers and timestamps.
      out[i] = record({ ...s, params, index: i, memo: new Map(), lets: s.lets });
    }
    return out;
  };
}

/** Compiles a template definition; throws TemplateDefinitionError naming the file and the bad placeholder. */
export function compileEventTemplate(def: EventTemplateDefinition, where: string): RenderFn {
  const declared = new Set(def.parameters.map((p) => p.name));
  const letNames = new Set(Object.keys(def.let ?? {}));
  const st: CompileState = {
    where,
    declared,
    lets: letNames,
    batchPath: def.batch?.path.split('.'),
    itemParameter: def.batch?.itemParameter,
    batchFound: false,
  };
  const letFns = new Map<string, ValueFn>();
  for (const [name, body] of Object.entries(def.let ?? {})) letFns.set(name, compileNode(body, ['let', name], st));
  const body = compileNode(def.template, [], st);
  if (def.batch && !st.batchFound)
    throw new TemplateDefinitionError(
      `${where}: batch.path '${def.batch.path}' does not name an array in the template`,
    );
  return (req) => {
    const scope: BatchScope = {
      params: req.params,
      index: 0,
      count: req.items ? req.items.length : req.records,
      nowMs: req.nowMs,
      memo: new Map(),
      lets: new Map(),
      letFns,
      items: req.items,
    };
    return body(scope);
  };
}
