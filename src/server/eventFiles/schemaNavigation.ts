/** Walks a JSON Schema along a JSON path to find what may appear there (for completion and hover). */
import { OPEN_ENUM } from '../../core/events/eventSchema';
type Schema = Record<string, unknown>;

function asSchema(v: unknown): Schema | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Schema) : undefined;
}

/** The schema and its anyOf/oneOf/allOf branches, flattened. */
export function branches(schema: Schema): Schema[] {
  const out: Schema[] = [schema];
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    const list = schema[key];
    if (Array.isArray(list)) for (const s of list) if (asSchema(s)) out.push(...branches(s as Schema));
  }
  return out;
}

/** Subschemas that describe the value at `path` (property names and array indices). */
export function schemasAt(root: Schema, path: readonly (string | number)[]): Schema[] {
  let current = branches(root);
  for (const seg of path) {
    const next: Schema[] = [];
    for (const s of current) {
      if (typeof seg === 'number') {
        const items = asSchema(s.items);
        if (items) next.push(...branches(items));
        continue;
      }
      const prop = asSchema(asSchema(s.properties)?.[seg]);
      if (prop) next.push(...branches(prop));
      else {
        const extra = asSchema(s.additionalProperties);
        if (extra) next.push(...branches(extra));
      }
    }
    current = next;
  }
  return current;
}

export interface PropertyInfo {
  readonly name: string;
  readonly schema: Schema;
  readonly required: boolean;
}

/** Properties an object at `path` can have, with whether the schema requires them. */
export function propertiesAt(root: Schema, path: readonly (string | number)[]): PropertyInfo[] {
  const out = new Map<string, PropertyInfo>();
  for (const s of schemasAt(root, path)) {
    const props = asSchema(s.properties);
    const required = Array.isArray(s.required) ? (s.required as string[]) : [];
    if (!props) continue;
    for (const [name, sub] of Object.entries(props)) {
      if (!out.has(name) && asSchema(sub))
        out.set(name, { name, schema: sub as Schema, required: required.includes(name) });
    }
  }
  return [...out.values()];
}

/** Allowed literal values at `path` (enum and const). */
export function valuesAt(root: Schema, path: readonly (string | number)[]): unknown[] {
  const out: unknown[] = [];
  for (const s of schemasAt(root, path)) {
    if (Array.isArray(s.enum)) for (const v of s.enum) if (!out.includes(v)) out.push(v);
    if ('const' in s && !out.includes(s.const)) out.push(s.const);
  }
  return out;
}

export function typeLabel(s: Schema): string {
  if ('const' in s) return JSON.stringify(s.const);
  // An open-ended field's documented values, and whatever else AWS may send.
  if (Array.isArray(s.enum))
    return [...s.enum.map((v) => JSON.stringify(v)), ...(s[OPEN_ENUM] === true ? ['string'] : [])].join(' | ');
  const t = s.type;
  return Array.isArray(t) ? t.join(' | ') : typeof t === 'string' ? t : 'any';
}

/** A placeholder value of the schema's type, for "add missing required field". */
export function defaultValue(s: Schema | undefined): unknown {
  if (!s) return '';
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  const t: unknown = Array.isArray(s.type) ? (s.type as unknown[])[0] : s.type;
  switch (t) {
    case 'object':
      return {};
    case 'array':
      return [];
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return '';
  }
}
