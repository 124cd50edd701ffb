import { TemplateDefinitionError } from './eventErrors';

/** How the source invokes the function (LAMBDA-SEMANTICS.md section 1). */
export type InvocationModel = 'sync' | 'async' | 'poll';

export type ParameterType = 'string' | 'number' | 'integer' | 'boolean' | 'json' | 'string[]';

export interface TemplateParameter {
  readonly name: string;
  readonly type: ParameterType;
  readonly default: unknown;
  readonly description: string;
  readonly enum?: readonly (string | number)[];
  /** null is a value of this parameter too (an API request's body when it has none). */
  readonly nullable?: boolean;
}

/** Where a poll-based template's records live, so a batch of N can be rendered (SQS-7, STREAM-6, KAFKA-1, MQ-1). */
export interface BatchSpec {
  /** Dot path to the records array in the raw template (keys may contain placeholders, e.g. `records.{{topic}}-{{partition}}`). */
  readonly path: string;
  /** The parameter that a list of bodies fills, one item per record (e.g. `body` for SQS, `data` for Kinesis). */
  readonly itemParameter?: string;
  /** Largest batch the source delivers (SQS-1, STREAM table, KAFKA-1). */
  readonly maxRecords: number;
}

/** One condition of a template's `detect` block: the value at a dot path equals, starts with or exists. */
export type DetectCondition =
  string | number | boolean | { prefix: string } | { pattern: string } | { exists: boolean } | { oneOf: unknown[] };

export type DetectConditions = Readonly<Record<string, DetectCondition>>;

/** One event template file of event-templates/ (see event-templates/README.md). */
export interface EventTemplateDefinition {
  readonly id: string;
  readonly service: string;
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly invocation: InvocationModel;
  /** Name of a schema in event-templates/schemas/<schema>.schema.json. */
  readonly schema: string;
  readonly parameters: readonly TemplateParameter[];
  readonly batch?: BatchSpec;
  /** Named values rendered before the body and referenced as `{{@name}}` (e.g. the CloudWatch Logs message before gzip). */
  readonly let?: Readonly<Record<string, unknown>>;
  /** Conditions that identify a payload of this type (all must hold), or a list of alternative sets; see guessEventType. */
  readonly detect: DetectConditions | readonly DetectConditions[];
  readonly template: unknown;
}

const INVOCATIONS: readonly InvocationModel[] = ['sync', 'async', 'poll'];
const PARAMETER_TYPES: readonly ParameterType[] = ['string', 'number', 'integer', 'boolean', 'json', 'string[]'];
const ID_PATTERN = /^[a-z0-9][a-z0-9-]*:[a-z0-9][a-z0-9-]*$/;
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Checks a parsed template file and returns it typed; `where` names the file in errors. */
export function parseTemplateDefinition(raw: unknown, where: string): EventTemplateDefinition {
  const fail = (what: string): never => {
    throw new TemplateDefinitionError(`${where}: ${what}`);
  };
  if (!isRecord(raw)) fail('a template must be a JSON object');
  const t = raw as Record<string, unknown>;
  for (const key of ['id', 'service', 'name', 'title', 'description', 'schema'] as const) {
    if (typeof t[key] !== 'string' || t[key] === '') fail(`"${key}" must be a non-empty string`);
  }
  const id = t.id as string;
  if (!ID_PATTERN.test(id)) fail(`"id" must look like service:event-name, got '${id}'`);
  if (id !== `${t.service as string}:${t.name as string}`) fail(`"id" '${id}' must be "service:name"`);
  if (!INVOCATIONS.includes(t.invocation as InvocationModel))
    fail(`"invocation" must be one of ${INVOCATIONS.join(', ')}, got ${JSON.stringify(t.invocation)}`);
  if (!Array.isArray(t.parameters)) fail('"parameters" must be an array');
  const seen = new Set<string>();
  (t.parameters as unknown[]).forEach((p, i) => {
    const at = `parameters[${i}]`;
    if (!isRecord(p)) fail(`${at} must be an object`);
    const param = p as Record<string, unknown>;
    if (typeof param.name !== 'string' || !NAME_PATTERN.test(param.name)) fail(`${at}.name must be an identifier`);
    if (seen.has(param.name as string)) fail(`${at}: duplicate parameter '${param.name as string}'`);
    seen.add(param.name as string);
    if (!PARAMETER_TYPES.includes(param.type as ParameterType))
      fail(`${at}.type must be one of ${PARAMETER_TYPES.join(', ')}`);
    if (!('default' in param)) fail(`${at} ('${param.name as string}') needs a default`);
    if (typeof param.description !== 'string' || param.description === '')
      fail(`${at} ('${param.name as string}') needs a description`);
  });
  if (t.batch !== undefined) {
    const b = t.batch as Record<string, unknown>;
    if (!isRecord(b) || typeof b.path !== 'string' || typeof b.maxRecords !== 'number')
      fail('"batch" needs "path" (string) and "maxRecords" (number)');
    if (b.itemParameter !== undefined && !seen.has(b.itemParameter as string))
      fail(`"batch.itemParameter" ${JSON.stringify(b.itemParameter)} is not a declared parameter`);
  }
  const sets = Array.isArray(t.detect) ? (t.detect as unknown[]) : [t.detect];
  if (sets.length === 0 || !sets.every((d) => isRecord(d) && Object.keys(d).length > 0))
    fail('"detect" must be an object with at least one condition, or a list of such objects');
  if (t.let !== undefined && !isRecord(t.let)) fail('"let" must be an object');
  if (!('template' in t)) fail('"template" is missing');
  return t as unknown as EventTemplateDefinition;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
