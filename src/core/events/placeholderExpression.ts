/**
 * The placeholder language of event templates: `{{source | transform | transform:arg}}` inside JSON strings.
 * Sources: a parameter name, `@letName`, or a generated value `$generator[:memoKey]`. No user text is ever
 * evaluated as code: expressions are parsed once into closures over a fixed set of generators and transforms.
 */
import { createHash, randomUUID } from 'node:crypto';
import { poolBytes, randomHex } from '../randomPool';
import { gzipSync } from 'node:zlib';
import { TemplateDefinitionError } from './eventErrors';

/** State of one render, shared by the body and each record of a batch (a record gets its own index and memo). */
export interface RenderScope {
  readonly params: Readonly<Record<string, unknown>>;
  /** 0-based record index; 0 outside a batch. */
  readonly index: number;
  readonly count: number;
  /** Base time of the render, epoch ms; record i happens at base + i ms so timestamps are distinct. */
  readonly nowMs: number;
  /** Memoised `$generator:key` values of this scope, so one id can appear in several fields. */
  readonly memo: Map<string, unknown>;
  readonly lets: Map<string, unknown>;
  readonly letFns: ReadonlyMap<string, (scope: RenderScope) => unknown>;
}

export type ValueFn = (scope: RenderScope) => unknown;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function recordTime(s: RenderScope): number {
  return s.nowMs + s.index;
}
function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function randomDigits(len: number): string {
  const bytes = poolBytes(len);
  let out = '';
  for (let i = 0; i < len; i++) out += String(bytes[i] % 10);
  return out;
}
function randomAlnum(len: number): string {
  const bytes = poolBytes(len);
  let out = '';
  for (let i = 0; i < len; i++) out += ALNUM[bytes[i] % ALNUM.length];
  return out;
}

/** Generated values: ids are random, times derive from the render's base time plus the record index. */
const FIXED_GENERATORS: Record<string, (s: RenderScope) => unknown> = {
  uuid: () => randomUUID(),
  index: (s) => s.index,
  count: (s) => s.count,
  nowIso: (s) => new Date(recordTime(s)).toISOString(),
  nowIsoSeconds: (s) => new Date(recordTime(s)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  nowMs: (s) => recordTime(s),
  nowSeconds: (s) => Math.floor(recordTime(s) / 1000),
  nowSecondsFraction: (s) => recordTime(s) / 1000,
  // API Gateway REST requestTime: 09/Apr/2015:12:34:56 +0000
  nowClf: (s) => {
    const d = new Date(recordTime(s));
    return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
  },
  // HTTP API v2 time: 12/Mar/2020:19:03:58 +0000 is the same; Lex/SES use RFC 1123 dates
  nowRfc1123: (s) => new Date(recordTime(s)).toUTCString(),
  nowDate: (s) => new Date(recordTime(s)).toISOString().slice(0, 10),
};

const SIZED_GENERATORS: Record<string, (len: number) => unknown> = {
  hex: randomHex,
  digits: randomDigits,
  alnum: randomAlnum,
};

export const GENERATOR_NAMES: readonly string[] = [
  ...Object.keys(FIXED_GENERATORS),
  ...Object.keys(SIZED_GENERATORS).map((g) => `${g}<N>`),
];

function compileGenerator(token: string, where: string): ValueFn {
  const [name, memoKey] = token.split(':', 2) as [string, string | undefined];
  let gen: ValueFn | undefined = FIXED_GENERATORS[name];
  if (!gen) {
    const m = /^([a-z]+)(\d+)$/.exec(name);
    const sized = m ? SIZED_GENERATORS[m[1]] : undefined;
    if (m && sized) {
      const len = Number(m[2]);
      gen = () => sized(len);
    }
  }
  if (!gen)
    throw new TemplateDefinitionError(`${where}: unknown generator '$${name}' (known: ${GENERATOR_NAMES.join(', ')})`);
  if (memoKey === undefined) return gen;
  const g = gen;
  const key = token;
  return (s) => {
    if (s.memo.has(key)) return s.memo.get(key);
    const v = g(s);
    s.memo.set(key, v);
    return v;
  };
}

type Transform = (value: unknown, scope: RenderScope) => unknown;

function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? String(v) : '';
}
function asBytes(v: unknown): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(asText(v), 'utf8');
}

/** Plain JSON to DynamoDB attribute values ({"S": ...}, {"N": "1"}, ...) as in STREAM-6 records. */
export function toDynamoDbValue(v: unknown): unknown {
  if (v === null || v === undefined) return { NULL: true };
  if (typeof v === 'string') return { S: v };
  if (typeof v === 'number') return { N: String(v) };
  if (typeof v === 'boolean') return { BOOL: v };
  if (Array.isArray(v)) return { L: v.map(toDynamoDbValue) };
  return { M: toDynamoDbMap(v as Record<string, unknown>) };
}
function toDynamoDbMap(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(o)) out[k] = toDynamoDbValue(val);
  return out;
}

/** Adds the record index to a sequence number: decimal strings of any length (Kinesis: 56 digits) or numbers. */
function addIndex(v: unknown, s: RenderScope): unknown {
  if (typeof v === 'number') return v + s.index;
  const text = asText(v);
  if (!/^\d+$/.test(text)) return text;
  const next = (BigInt(text) + BigInt(s.index)).toString();
  return next.padStart(text.length, '0');
}

function mapValues(v: unknown, f: (x: unknown) => unknown): unknown {
  if (v === null || v === undefined) return v;
  if (typeof v !== 'object' || Array.isArray(v)) return f(v);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = f(x);
  return out;
}
function entries(v: unknown): [string, unknown][] {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.entries(v as Record<string, unknown>) : [];
}
function fromEntries(list: [string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of list) out[k] = v;
  return out;
}
/** A 56-digit id like CloudWatch Logs event ids, distinct per log event. */
function logEventId(): string {
  return randomDigits(56).replace(/^0/, '3');
}

const TRANSFORMS: Record<string, Transform> = {
  base64: (v) => asBytes(v).toString('base64'),
  base64url: (v) => asBytes(v).toString('base64url'),
  gzip: (v) => gzipSync(asBytes(v)),
  // S3 notification keys: percent-encoded like a form, space as '+', '/' kept (as the S3 console shows them)
  url: (v) => encodeURIComponent(asText(v)).replace(/%20/g, '+').replace(/%2F/gi, '/'),
  // percent-encoding of a value, or of each value of an object (ALB query strings arrive encoded)
  uri: (v) => mapValues(v, (x) => encodeURIComponent(asText(x))),
  md5: (v) => createHash('md5').update(asBytes(v)).digest('hex'),
  sha256: (v) => createHash('sha256').update(asBytes(v)).digest('hex'),
  json: (v) => JSON.stringify(v),
  string: (v) => asText(v),
  number: (v) => Number(asText(v)),
  upper: (v) => asText(v).toUpperCase(),
  lower: (v) => asText(v).toLowerCase(),
  length: (v) => asBytes(v).length,
  dynamodb: (v) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? toDynamoDbMap(v as Record<string, unknown>)
      : toDynamoDbValue(v),
  seq: addIndex,
  first: (v) => (Array.isArray(v) ? (v[0] as unknown) : v),
  // A field AWS leaves out when it has no value (an HTTP API request without a body or path parameters).
  omitNull: (v) => (v === null ? undefined : v),
  // {"a": "1"} -> {"a": ["1"]}: REST/ALB multiValue maps; null stays null
  multi: (v) => mapValues(v, (x) => (Array.isArray(x) ? x.map(asText) : [asText(x)])),
  // {"a": "1", "b": "x y"} -> a=1&b=x%20y: HTTP API rawQueryString
  query: (v) =>
    entries(v)
      .map(([k, x]) => `${encodeURIComponent(k)}=${encodeURIComponent(asText(x))}`)
      .join('&'),
  // HTTP API v2, function URLs and ALB lower-case header names
  lowerKeys: (v) => (v === null || v === undefined ? v : fromEntries(entries(v).map(([k, x]) => [k.toLowerCase(), x]))),
  // {"name": "v"} -> SQS messageAttributes {"name": {"stringValue": "v", "dataType": "String", ...}}
  sqsAttributes: (v) =>
    fromEntries(
      entries(v).map(([k, x]) => [
        k,
        {
          stringValue: asText(x),
          stringListValues: [],
          binaryListValues: [],
          dataType: typeof x === 'number' ? 'Number' : 'String',
        },
      ]),
    ),
  // {"name": "v"} -> SNS MessageAttributes {"name": {"Type": "String", "Value": "v"}}
  snsAttributes: (v) =>
    fromEntries(
      entries(v).map(([k, x]) => [k, { Type: typeof x === 'number' ? 'Number' : 'String', Value: asText(x) }]),
    ),
  // ["m1", "m2"] -> CloudWatch Logs logEvents with distinct ids and increasing timestamps
  logEvents: (v, s) =>
    (Array.isArray(v) ? v : [v]).map((m, i) => ({ id: logEventId(), timestamp: s.nowMs + i, message: asText(m) })),
  // {"h": "text"} -> Kafka headers [{"h": [bytes]}]
  kafkaHeaders: (v) => entries(v).map(([k, x]) => ({ [k]: [...Buffer.from(asText(x), 'utf8')] })),
  // {"Name": "v"} -> Alexa slots {"Name": {"name": "Name", "value": "v"}}
  alexaSlots: (v) =>
    fromEntries(entries(v).map(([k, x]) => [k, x === null ? { name: k } : { name: k, value: asText(x) }])),
  // {"Name": "v" | null} -> Lex V2 slots {"Name": {"shape": "Scalar", "value": {...}} | null}
  lexSlots: (v) =>
    fromEntries(
      entries(v).map(([k, x]) => [
        k,
        x === null
          ? null
          : {
              shape: 'Scalar',
              value: { originalValue: asText(x), interpretedValue: asText(x), resolvedValues: [asText(x)] },
            },
      ]),
    ),
  // {"Host": "x"} -> CloudFront {"host": [{"key": "Host", "value": "x"}]}
  cloudfrontHeaders: (v) => fromEntries(entries(v).map(([k, x]) => [k.toLowerCase(), [{ key: k, value: asText(x) }]])),
  // ["id", "title"] -> "{\n  id\n  title\n}" (AppSync selectionSetGraphQL)
  graphqlSelection: (v) => `{\n${(Array.isArray(v) ? v : []).map((f) => `  ${asText(f)}`).join('\n')}\n}`,
};

export const TRANSFORM_NAMES: readonly string[] = Object.keys(TRANSFORMS);

export interface CompiledExpression {
  readonly fn: ValueFn;
  /** Parameters the expression reads (to reject templates that reference an undeclared one). */
  readonly params: readonly string[];
  readonly lets: readonly string[];
}

/** Parses the text between `{{` and `}}`. */
export function compileExpression(text: string, where: string): CompiledExpression {
  const parts = text.split('|').map((p) => p.trim());
  const source = parts[0];
  const params: string[] = [];
  const lets: string[] = [];
  let fn: ValueFn;
  if (source.startsWith('$')) {
    fn = compileGenerator(source.slice(1), where);
  } else if (source.startsWith('@')) {
    const name = source.slice(1);
    lets.push(name);
    fn = (s) => {
      if (s.lets.has(name)) return s.lets.get(name);
      const letFn = s.letFns.get(name);
      const v = letFn ? letFn(s) : undefined;
      s.lets.set(name, v);
      return v;
    };
  } else if (/^[A-Za-z][A-Za-z0-9_]*$/.test(source)) {
    params.push(source);
    fn = (s) => s.params[source];
  } else {
    throw new TemplateDefinitionError(`${where}: bad placeholder source '${source}' in '{{${text}}}'`);
  }
  for (const name of parts.slice(1)) {
    const t = TRANSFORMS[name];
    if (!t)
      throw new TemplateDefinitionError(
        `${where}: unknown transform '${name}' in '{{${text}}}' (known: ${TRANSFORM_NAMES.join(', ')})`,
      );
    const prev = fn;
    fn = (s) => t(prev(s), s);
  }
  return { fn, params, lets };
}

export { asText as placeholderText };
