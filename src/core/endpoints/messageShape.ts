/**
 * Shape checks for messages that come from another process (the engine endpoint's requests, its answers): each check
 * returns the value typed, or throws a MessageShapeError that names the offending field (`params.mode must be ...`).
 */

export class MessageShapeError extends Error {
  override readonly name = 'MessageShapeError';
}

/** Checks `value` (found at `where`, e.g. "params.queue") and returns it typed. */
export type Shape<T> = (value: unknown, where: string) => T;

const describe = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;

const fail = (where: string, expected: string, value: unknown): never => {
  throw new MessageShapeError(`${where} must be ${expected}, got ${describe(value)}`);
};

export const string: Shape<string> = (value, where) =>
  typeof value === 'string' ? value : fail(where, 'a string', value);

export const nonEmptyString: Shape<string> = (value, where) =>
  typeof value === 'string' && value.length > 0 ? value : fail(where, 'a non-empty string', value);

export const boolean: Shape<boolean> = (value, where) =>
  typeof value === 'boolean' ? value : fail(where, 'true or false', value);

export const finiteNumber: Shape<number> = (value, where) =>
  typeof value === 'number' && Number.isFinite(value) ? value : fail(where, 'a number', value);

export function integer(min: number, max: number): Shape<number> {
  return (value, where) =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
      ? value
      : fail(where, `a whole number from ${min} to ${max}`, value);
}

export function oneOf<T extends string>(...values: readonly T[]): Shape<T> {
  return (value, where) =>
    typeof value === 'string' && (values as readonly string[]).includes(value)
      ? (value as T)
      : fail(where, `one of ${values.join(', ')}`, value);
}

export function listOf<T>(item: Shape<T>, maxItems = 100_000): Shape<T[]> {
  return (value, where) => {
    if (!Array.isArray(value)) return fail(where, 'a list', value);
    if (value.length > maxItems) throw new MessageShapeError(`${where} has more than ${maxItems} items`);
    return value.map((v, i) => item(v, `${where}[${i}]`));
  };
}

export function optional<T>(shape: Shape<T>): Shape<T | undefined> {
  return (value, where) => (value === undefined ? undefined : shape(value, where));
}

/** A plain JSON object (not null, not an array). */
export const plainObject: Shape<Record<string, unknown>> = (value, where) =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : fail(where, 'an object', value);

/** An object used as a map: every value has `shape`. */
export function mapOf<T>(shape: Shape<T>): Shape<Record<string, T>> {
  return (value, where) => {
    const obj = plainObject(value, where);
    const out: Record<string, T> = {};
    for (const [key, v] of Object.entries(obj)) out[key] = shape(v, `${where}.${key}`);
    return out;
  };
}

type Fields = Record<string, Shape<unknown>>;
type ShapedObject<F extends Fields> = { [K in keyof F]: ReturnType<F[K]> };

/**
 * An object with these fields. `extra: 'refuse'` (requests) names a field the receiver does not know, so a
 * misspelt parameter is an error instead of being ignored; `extra: 'keep'` (answers) keeps fields added later.
 */
export function objectOf<F extends Fields>(
  fields: F,
  extra: 'refuse' | 'keep' = 'refuse',
): Shape<ShapedObject<F> & Record<string, unknown>> {
  return (value, where) => {
    const obj = plainObject(value, where);
    if (extra === 'refuse') {
      const unknown = Object.keys(obj).filter((k) => !Object.prototype.hasOwnProperty.call(fields, k));
      if (unknown.length > 0)
        throw new MessageShapeError(
          `${where} has unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${Object.keys(fields).join(', ') || 'none'})`,
        );
    }
    const out: Record<string, unknown> = extra === 'keep' ? { ...obj } : {};
    for (const [key, shape] of Object.entries(fields)) {
      const v = shape(obj[key], `${where}.${key}`);
      if (v !== undefined) out[key] = v;
    }
    return out as ShapedObject<F> & Record<string, unknown>;
  };
}
