/**
 * JSON Schema validation of event payloads with ajv. Each schema is compiled once, lazily, the first time a
 * payload of its type is validated, so loading the catalogue (and activating the extension) compiles nothing.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TemplateDefinitionError } from './eventErrors';

/** One validation failure, located both for people (`path`) and for editors (`pointer`, the node to underline). */
export interface EventValidationError {
  /** JSONPath-like location of the offending value, e.g. `$.Records[0].s3.bucket.name` (for a missing field, the field). */
  readonly path: string;
  /** JSON Pointer of the existing node the error is attached to (for a missing field, its parent object). */
  readonly pointer: string;
  readonly message: string;
  /** The ajv keyword: required, type, enum, const, pattern, minItems, ... */
  readonly keyword: string;
  /** For `required`: the missing property name. */
  readonly missingProperty?: string;
}

export interface EventValidationResult {
  /** No errors; warnings may remain. */
  readonly valid: boolean;
  readonly errors: readonly EventValidationError[];
  /** Values outside the documented list of an open-ended field (OPEN_ENUM): AWS may send them, so they are accepted. */
  readonly warnings: readonly EventValidationError[];
}

/**
 * Beside an `enum` (or `const`) of a schema, `"x-open-enum": true` marks a field whose values AWS keeps extending
 * (event names, channel types, trigger sources): the list is what AWS documents, a value outside it is a warning.
 */
export const OPEN_ENUM = 'x-open-enum';

/** A copy of a schema without the `enum`/`const` of its open-ended fields: what decides validity. */
function withoutOpenEnums(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutOpenEnums);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  const open = (node as Record<string, unknown>)[OPEN_ENUM] === true;
  for (const [key, value] of Object.entries(node)) {
    if (open && (key === 'enum' || key === 'const')) continue;
    out[key] = withoutOpenEnums(value);
  }
  return out;
}

/** The warning for a value outside an open-ended field's documented list. */
function openEnumWarning(e: EventValidationError, error: ErrorObject): EventValidationError {
  const documented =
    error.keyword === 'const'
      ? [(error.params as { allowedValue: unknown }).allowedValue]
      : (error.params as { allowedValues: unknown[] }).allowedValues;
  return {
    ...e,
    message: `is not a value AWS documents (${documented.map((v) => JSON.stringify(v)).join(', ')}); accepted, as AWS adds values to this field`,
  };
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function pointerTokens(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function pointerFromTokens(tokens: readonly (string | number)[]): string {
  return tokens.map((t) => '/' + String(t).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** `/Records/0/s3` -> `$.Records[0].s3`; keys that are not identifiers are quoted: `$['detail-type']`. */
export function jsonPathFromTokens(tokens: readonly string[]): string {
  let out = '$';
  for (const t of tokens) {
    if (/^\d+$/.test(t)) out += `[${t}]`;
    else if (IDENT.test(t)) out += `.${t}`;
    else out += `[${JSON.stringify(t)}]`;
  }
  return out;
}

function describe(e: ErrorObject): string {
  switch (e.keyword) {
    case 'required':
      return `missing required property '${(e.params as { missingProperty: string }).missingProperty}'`;
    case 'type':
      return `must be ${String((e.params as { type: string | string[] }).type).replace(',', ' or ')}`;
    case 'enum':
      return `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    default:
      return e.message ?? e.keyword;
  }
}

export function toValidationErrors(errors: readonly ErrorObject[] | null | undefined): EventValidationError[] {
  const out: EventValidationError[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    // anyOf/oneOf add a summary error after their branches' errors: the branches are more precise.
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if') continue;
    const tokens = pointerTokens(e.instancePath);
    const missing = e.keyword === 'required' ? (e.params as { missingProperty: string }).missingProperty : undefined;
    const path = jsonPathFromTokens(missing === undefined ? tokens : [...tokens, missing]);
    const message = describe(e);
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      path,
      pointer: e.instancePath,
      message,
      keyword: e.keyword,
      ...(missing !== undefined ? { missingProperty: missing } : {}),
    });
  }
  return out;
}

interface CompiledSchema {
  /** The schema as written: its open-ended fields' errors become warnings. */
  strict: ValidateFunction;
  /** Without the lists of open-ended fields: decides validity. */
  lenient: ValidateFunction;
}

const ajvFor = (verbose: boolean): Ajv => {
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true, verbose });
  ajv.addKeyword({ keyword: OPEN_ENUM, schemaType: 'boolean' });
  return ajv;
};

/** Schemas of event-templates/schemas/, compiled on first use and cached. */
export class EventSchemaSet {
  // Two instances, because a schema's $id can be compiled once per instance; the strict one keeps the schema of
  // each error (verbose) to tell an open-ended field's.
  private readonly strictAjv = ajvFor(true);
  private readonly lenientAjv = ajvFor(false);
  private readonly compiled = new Map<string, CompiledSchema>();
  private readonly raw = new Map<string, Record<string, unknown>>();

  constructor(private readonly schemasDir: string) {}

  /** The schema document itself (for completion and hover). */
  schema(name: string): Record<string, unknown> {
    let s = this.raw.get(name);
    if (!s) {
      const file = join(this.schemasDir, `${name}.schema.json`);
      try {
        s = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      } catch (e) {
        throw new TemplateDefinitionError(`cannot read event schema ${file}: ${(e as Error).message}`);
      }
      this.raw.set(name, s);
    }
    return s;
  }

  validator(name: string): CompiledSchema {
    let v = this.compiled.get(name);
    if (!v) {
      const schema = this.schema(name);
      try {
        v = {
          strict: this.strictAjv.compile(schema),
          lenient: this.lenientAjv.compile(withoutOpenEnums(schema) as object),
        };
      } catch (e) {
        if (e instanceof TemplateDefinitionError) throw e;
        throw new TemplateDefinitionError(`event schema '${name}' does not compile: ${(e as Error).message}`);
      }
      this.compiled.set(name, v);
    }
    return v;
  }

  validate(payload: unknown, name: string): EventValidationResult {
    const { strict, lenient } = this.validator(name);
    const valid = lenient(payload);
    const errors = valid ? [] : toValidationErrors(lenient.errors);
    if (strict(payload)) return { valid, errors, warnings: [] };
    // What only the documented lists of open-ended fields reject.
    const open = (strict.errors ?? []).filter(
      (e) => (e.keyword === 'enum' || e.keyword === 'const') && e.parentSchema?.[OPEN_ENUM] === true,
    );
    const warnings = open.map((e) => openEnumWarning(toValidationErrors([e])[0], e));
    return { valid, errors, warnings };
  }
}
