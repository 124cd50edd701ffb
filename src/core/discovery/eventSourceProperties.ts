import type { DiscoveryProblem, FilterCriteria } from './functionConfig';

/** Poll-based source defaults (SQS-1, section 5 table, KAFKA-1, MQ-1). */
export const MAPPING_DEFAULTS = {
  sqs: { batchSize: 10, maximumBatchingWindowInSeconds: 0 },
  stream: {
    batchSize: 100,
    maximumBatchingWindowInSeconds: 0,
    maximumRetryAttempts: -1,
    maximumRecordAgeInSeconds: -1,
    parallelizationFactor: 1,
    tumblingWindowInSeconds: 0,
  },
  kafka: { batchSize: 100, maximumBatchingWindowInSeconds: 0.5 },
  mq: { batchSize: 100, maximumBatchingWindowInSeconds: 0.5 },
} as const;

/** Section 1: the invocation model of each trigger kind. */
export const INVOCATION_OF = {
  sqs: 'poll',
  kinesis: 'poll',
  dynamodb: 'poll',
  kafka: 'poll',
  mq: 'poll',
  s3: 'async',
  sns: 'async',
  schedule: 'async',
  eventbridge: 'async',
  cloudwatchLogs: 'async',
  iot: 'async',
  api: 'sync',
  cognito: 'sync',
  alexa: 'sync',
  unsupported: 'async',
} as const;

/**
 * FILTER-1: `Filters[].Pattern` are JSON strings in CloudFormation (objects in serverless.yml). A pattern that
 * is not JSON is reported and left out, so the rest of the mapping still works.
 */
export function parseFilterCriteria(filters: unknown, report: (message: string) => void): FilterCriteria | undefined {
  const list = Array.isArray(filters) ? filters : undefined;
  if (!list || list.length === 0) return undefined;
  const patterns: unknown[] = [];
  for (const [i, filter] of list.entries()) {
    const pattern: unknown =
      filter !== null && typeof filter === 'object' && 'Pattern' in filter
        ? (filter as { Pattern: unknown }).Pattern
        : filter;
    if (typeof pattern === 'string') {
      try {
        patterns.push(JSON.parse(pattern));
      } catch (err) {
        report(`Filter ${i} pattern is not valid JSON: ${(err as Error).message}`);
      }
    } else if (pattern !== null && typeof pattern === 'object') patterns.push(pattern);
    else report(`Filter ${i} has no pattern`);
  }
  return { patterns };
}

export function toStringList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((v) => v !== undefined && v !== null).map((v) => String(v));
}

export function toBool(value: unknown, fallback: boolean): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return fallback;
}

export function toNumber(value: unknown, fallback: number): number;
export function toNumber(value: unknown, fallback?: number): number | undefined;
export function toNumber(value: unknown, fallback?: number): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return fallback;
}

export type ProblemSink = (problem: Omit<DiscoveryProblem, 'file'> & { file?: string }) => void;

/** A scalar as text; objects (unresolved intrinsics) fall back rather than printing "[object Object]". */
export function toText(value: unknown, fallback = ''): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : fallback;
}

/** A mapping's values as text (stage variables, tags); objects as JSON; undefined when it has none. */
export function stringMap(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>))
    if (v !== undefined && v !== null) out[k] = toText(v, JSON.stringify(v));
  return Object.keys(out).length > 0 ? out : undefined;
}

/** `{key: value}` when value is defined, else `{}`; keeps optional fields absent rather than undefined. */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** A JSON string parsed (templates write patterns, inputs and redrive policies either way), else the value itself. */
export function parseMaybeJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
