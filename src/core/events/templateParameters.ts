/** Checks and coerces the parameters a user gives a template: unknown names and wrong types are errors. */
import { EventParameterError } from './eventErrors';
import type { EventTemplateDefinition, ParameterType, TemplateParameter } from './eventTemplate';

function typeOk(type: ParameterType, v: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'json':
      return v !== undefined;
    case 'string[]':
      return Array.isArray(v) && v.every((x) => typeof x === 'string');
  }
}

/** Coerces text (CLI `--param k=v`, a settings value) to the parameter's type, or says why it cannot. */
export function parseParameterText(p: TemplateParameter, text: string, typeId: string): unknown {
  const bad = (expect: string): never => {
    throw new EventParameterError(`parameter '${p.name}' of ${typeId} expects ${expect}, got ${JSON.stringify(text)}`);
  };
  switch (p.type) {
    case 'string':
      return text;
    case 'number': {
      const n = Number(text);
      return text.trim() !== '' && Number.isFinite(n) ? n : bad('a number');
    }
    case 'integer':
      return /^-?\d+$/.test(text.trim()) ? Number(text) : bad('an integer');
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : bad('true or false');
    case 'json':
      try {
        return JSON.parse(text) as unknown;
      } catch (e) {
        return bad(`JSON (${(e as Error).message})`);
      }
    case 'string[]': {
      if (text.trim().startsWith('[')) {
        let v: unknown;
        try {
          v = JSON.parse(text);
        } catch {
          return bad('a JSON array of strings or a comma-separated list');
        }
        return typeOk('string[]', v) ? v : bad('a JSON array of strings');
      }
      return text === '' ? [] : text.split(',');
    }
  }
}

/**
 * Applies defaults and checks every given parameter. `given` values may be typed values, or text when
 * `fromText` is true (then they are coerced with parseParameterText).
 */
export function resolveParameters(
  def: EventTemplateDefinition,
  given: Readonly<Record<string, unknown>>,
  fromText = false,
): Record<string, unknown> {
  const byName = new Map(def.parameters.map((p) => [p.name, p]));
  const out: Record<string, unknown> = {};
  for (const p of def.parameters) out[p.name] = p.default;
  for (const [name, raw] of Object.entries(given)) {
    const p = byName.get(name);
    if (!p) {
      const known = def.parameters.map((x) => x.name).join(', ') || '(none)';
      throw new EventParameterError(`unknown parameter '${name}' for ${def.id}; its parameters are: ${known}`);
    }
    const value = fromText && typeof raw === 'string' ? parseParameterText(p, raw, def.id) : raw;
    if (!typeOk(p.type, value) && !(p.nullable === true && value === null))
      throw new EventParameterError(
        `parameter '${name}' of ${def.id} expects ${p.type}, got ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value} ${JSON.stringify(value)}`,
      );
    if (p.enum && !p.enum.includes(value as string | number))
      throw new EventParameterError(
        `parameter '${name}' of ${def.id} must be one of ${p.enum.map((e) => JSON.stringify(e)).join(', ')}, got ${JSON.stringify(value)}`,
      );
    out[name] = value;
  }
  return out;
}

/** Splits `k=v` assignments (CLI `--param`); the value may contain '='. */
export function parseParameterAssignments(assignments: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of assignments) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new EventParameterError(`--param expects name=value, got ${JSON.stringify(a)}`);
    out[a.slice(0, eq)] = a.slice(eq + 1);
  }
  return out;
}
