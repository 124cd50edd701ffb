/**
 * Event patterns (FILTER-1, FILTER-2): event source mapping filter criteria, EventBridge rule patterns and SNS filter
 * policies share one matcher. Operators: exact value, null, "", anything-but (list, prefix, suffix,
 * equals-ignore-case), numeric, exists, prefix, suffix, equals-ignore-case, wildcard, cidr, $or.
 * FILTER-2: support of suffix/equals-ignore-case/wildcard/$or in Lambda filters is UNCONFIRMED; they are accepted.
 * FILTER-2 limitation: JSON.parse cannot tell 300 from 300.0, so numbers compare by value here.
 */
export class InvalidPatternError extends Error {
  override readonly name = 'InvalidPatternError';
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const MISSING = Symbol('missing');
type Value = Json | typeof MISSING;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** FILTER-1: the keys of one pattern are AND'ed, each value list is an OR of its entries. */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (!isObject(pattern)) throw new InvalidPatternError('An event pattern must be a JSON object.');
  for (const [key, rule] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(rule) || rule.length < 2)
        throw new InvalidPatternError('"$or" needs a list of at least two patterns.');
      if (!rule.some((p) => matchesPattern(p, event))) return false;
      continue;
    }
    const value: Value = isObject(event) && key in event ? (event[key] as Json) : MISSING;
    if (Array.isArray(rule)) {
      if (rule.length === 0) throw new InvalidPatternError(`The value list of "${key}" is empty.`);
      if (!rule.some((matcher) => matchesLeaf(matcher, value, key))) return false;
    } else if (isObject(rule)) {
      if (!matchesPattern(rule, value === MISSING ? {} : value)) return false;
    } else {
      throw new InvalidPatternError(
        `"${key}" must be a list of values or a nested pattern, got ${JSON.stringify(rule)}.`,
      );
    }
  }
  return true;
}

/** Values of every kind a matcher can meet, so that checking a matcher reaches the test of each operator's argument. */
const PROBES: readonly Value[] = ['x', 0, null, true, MISSING];

/**
 * Checks a whole pattern up front (every key, every matcher, every operator's argument), so that a mistake fails
 * when a mapping, rule or subscription is declared, not later on an event that happens to reach it.
 */
export function checkPattern(pattern: unknown): void {
  if (!isObject(pattern)) throw new InvalidPatternError('An event pattern must be a JSON object.');
  for (const [key, rule] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(rule) || rule.length < 2)
        throw new InvalidPatternError('"$or" needs a list of at least two patterns.');
      rule.forEach(checkPattern);
    } else if (Array.isArray(rule)) {
      if (rule.length === 0) throw new InvalidPatternError(`The value list of "${key}" is empty.`);
      for (const matcher of rule) for (const probe of PROBES) matchesLeaf(matcher, probe, key);
    } else if (isObject(rule)) checkPattern(rule);
    else
      throw new InvalidPatternError(
        `"${key}" must be a list of values or a nested pattern, got ${JSON.stringify(rule)}.`,
      );
  }
}

function matchesLeaf(matcher: unknown, value: Value, key: string): boolean {
  if (Array.isArray(value)) return value.some((v) => matchesLeaf(matcher, v, key)) || isExistsTrue(matcher, value);
  if (matcher === null) return value === null;
  if (typeof matcher === 'string' || typeof matcher === 'number' || typeof matcher === 'boolean')
    return value === matcher;
  if (!isObject(matcher))
    throw new InvalidPatternError(`Unsupported matcher for "${key}": ${JSON.stringify(matcher)}.`);
  const ops = Object.keys(matcher);
  if (ops.length !== 1)
    throw new InvalidPatternError(
      `A matcher for "${key}" must have exactly one operator, got ${JSON.stringify(matcher)}.`,
    );
  const op = ops[0];
  const arg = matcher[op];
  switch (op) {
    case 'exists':
      if (typeof arg !== 'boolean') throw new InvalidPatternError(`"exists" takes true or false (key "${key}").`);
      return arg ? value !== MISSING : value === MISSING;
    case 'prefix':
      return (
        typeof value === 'string' &&
        stringTest(arg, key, op, (s, ic) =>
          ic ? value.toLowerCase().startsWith(s.toLowerCase()) : value.startsWith(s),
        )
      );
    case 'suffix':
      return (
        typeof value === 'string' &&
        stringTest(arg, key, op, (s, ic) => (ic ? value.toLowerCase().endsWith(s.toLowerCase()) : value.endsWith(s)))
      );
    case 'equals-ignore-case':
      if (typeof arg !== 'string') throw new InvalidPatternError(`"equals-ignore-case" takes a string (key "${key}").`);
      return typeof value === 'string' && value.toLowerCase() === arg.toLowerCase();
    case 'wildcard':
      if (typeof arg !== 'string') throw new InvalidPatternError(`"wildcard" takes a string (key "${key}").`);
      return typeof value === 'string' && wildcardRegExp(arg).test(value);
    case 'numeric':
      return typeof value === 'number' && numericTest(arg, value, key);
    case 'cidr':
      if (typeof arg !== 'string') throw new InvalidPatternError(`"cidr" takes a string (key "${key}").`);
      return typeof value === 'string' && cidrTest(arg, value, key);
    case 'anything-but':
      return value !== MISSING && !anythingBut(arg, value, key);
    default:
      throw new InvalidPatternError(`Unknown operator "${op}" for "${key}".`);
  }
}

function isExistsTrue(matcher: unknown, value: Value): boolean {
  return isObject(matcher) && matcher.exists === true && value !== MISSING;
}

function stringTest(arg: unknown, key: string, op: string, test: (s: string, ignoreCase: boolean) => boolean): boolean {
  if (typeof arg === 'string') return test(arg, false);
  if (isObject(arg) && typeof arg['equals-ignore-case'] === 'string') return test(arg['equals-ignore-case'], true);
  throw new InvalidPatternError(`"${op}" takes a string or {"equals-ignore-case": string} (key "${key}").`);
}

/** True when `value` is one of the excluded values. */
function anythingBut(arg: unknown, value: Json, key: string): boolean {
  if (Array.isArray(arg)) return arg.some((a) => a === value);
  if (typeof arg === 'string' || typeof arg === 'number') return arg === value;
  if (isObject(arg)) {
    const [op] = Object.keys(arg);
    if (op === 'prefix' || op === 'suffix' || op === 'equals-ignore-case' || op === 'wildcard') {
      const sub = arg[op];
      const list: unknown[] = Array.isArray(sub) ? (sub as unknown[]) : [sub];
      return list.some((s) => matchesLeaf({ [op]: s }, value, key));
    }
  }
  throw new InvalidPatternError(`Unsupported "anything-but" argument for "${key}": ${JSON.stringify(arg)}.`);
}

function numericTest(arg: unknown, value: number, key: string): boolean {
  if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2 !== 0) {
    throw new InvalidPatternError(`"numeric" takes pairs of operator and number (key "${key}").`);
  }
  for (let i = 0; i < arg.length; i += 2) {
    const op: unknown = arg[i];
    const n: unknown = arg[i + 1];
    if (typeof n !== 'number') throw new InvalidPatternError(`"numeric" compares with numbers (key "${key}").`);
    const ok =
      op === '>'
        ? value > n
        : op === '>='
          ? value >= n
          : op === '<'
            ? value < n
            : op === '<='
              ? value <= n
              : op === '='
                ? value === n
                : undefined;
    if (ok === undefined)
      throw new InvalidPatternError(`Unknown numeric operator ${JSON.stringify(op)} (key "${key}").`);
    if (!ok) return false;
  }
  return true;
}

function wildcardRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    's',
  );
}

function ipv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

function cidrTest(cidr: string, value: string, key: string): boolean {
  const [net, bitsText] = cidr.split('/');
  const base = ipv4(net);
  const bits = Number(bitsText);
  if (base === undefined || !(bits >= 0 && bits <= 32))
    throw new InvalidPatternError(`"cidr" needs an IPv4 CIDR block (key "${key}").`);
  const ip = ipv4(value);
  if (ip === undefined) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(ip / size) === Math.floor(base / size);
}

/**
 * An event that matches `pattern`, built from its matchers (an exact value, a prefix plus text, a number in the
 * numeric range ...), or undefined when the pattern admits nothing the builder can find. Used to give a function
 * whose rule or filter has a pattern a default event its real source could send.
 */
export function exampleMatching(pattern: unknown): Record<string, unknown> | undefined {
  if (!isObject(pattern)) return undefined;
  const candidates = [...branches(pattern)];
  for (const branch of candidates) {
    const event = witnessObject(branch);
    if (event && matchesPattern(pattern, event)) return event;
  }
  return undefined;
}

/** `$or` splits a pattern into alternatives; each is tried on its own. */
function* branches(pattern: Record<string, unknown>): Generator<Record<string, unknown>> {
  const or = pattern.$or;
  const rest = Object.fromEntries(Object.entries(pattern).filter(([k]) => k !== '$or'));
  if (!Array.isArray(or)) {
    yield rest;
    return;
  }
  for (const alternative of or)
    if (isObject(alternative)) for (const b of branches(alternative)) yield { ...rest, ...b };
}

function witnessObject(pattern: Record<string, unknown>): Record<string, unknown> | undefined {
  const event: Record<string, unknown> = {};
  for (const [key, rule] of Object.entries(pattern)) {
    if (Array.isArray(rule)) {
      const value = rule.map(witnessLeaf).find((v) => v !== undefined);
      if (value === undefined) return undefined;
      if (value !== ABSENT) event[key] = value.value;
    } else if (isObject(rule)) {
      const nested = witnessObject(rule);
      if (!nested) return undefined;
      event[key] = nested;
    } else return undefined;
  }
  return event;
}

const ABSENT = Symbol('absent');

/** A value one matcher accepts (`{ value }`), ABSENT when the matcher wants the field missing, else undefined. */
function witnessLeaf(matcher: unknown): { value: Json } | typeof ABSENT | undefined {
  if (matcher === null || typeof matcher === 'string' || typeof matcher === 'number' || typeof matcher === 'boolean')
    return { value: matcher };
  if (!isObject(matcher)) return undefined;
  const [op] = Object.keys(matcher);
  const arg = matcher[op];
  const text = (a: unknown): string | undefined =>
    typeof a === 'string'
      ? a
      : isObject(a) && typeof a['equals-ignore-case'] === 'string'
        ? a['equals-ignore-case']
        : undefined;
  switch (op) {
    case 'exists':
      return arg === false ? ABSENT : { value: 'example' };
    case 'prefix': {
      const p = text(arg);
      return p === undefined ? undefined : { value: `${p}example` };
    }
    case 'suffix': {
      const s = text(arg);
      return s === undefined ? undefined : { value: `example${s}` };
    }
    case 'equals-ignore-case':
      return typeof arg === 'string' ? { value: arg } : undefined;
    case 'wildcard':
      return typeof arg === 'string' ? { value: arg.replace(/\*/g, 'x') } : undefined;
    case 'cidr':
      return typeof arg === 'string' ? { value: arg.split('/')[0] } : undefined;
    case 'numeric': {
      if (!Array.isArray(arg)) return undefined;
      const bounds = arg.filter((n): n is number => typeof n === 'number');
      const tries = [...bounds.flatMap((n) => [n, n + 1, n - 1, n + 0.5, n - 0.5]), 0, 1, 100];
      const found = tries.find((n) => {
        try {
          return numericTest(arg, n, 'numeric');
        } catch {
          return false;
        }
      });
      return found === undefined ? undefined : { value: found };
    }
    case 'anything-but': {
      const excluded: unknown[] = Array.isArray(arg) ? (arg as unknown[]) : [arg];
      const numeric = excluded.some((e) => typeof e === 'number');
      const tries: Json[] = numeric ? [0, 1, 2, 3, -1] : ['example', 'other', 'example-2'];
      const found = tries.find((t) => {
        try {
          return !anythingBut(arg, t, 'anything-but');
        } catch {
          return false;
        }
      });
      return found === undefined ? undefined : { value: found };
    }
    default:
      return undefined;
  }
}
