/**
 * Filter criteria of event source mappings (FILTER-1..4): parsed patterns, OR'ed, matched against what each source
 * shows its filters (FILTER-3). The matcher itself is the event pattern matcher the simulated services share.
 */
import type { FilterCriteria } from '../discovery/functionConfig';
import { checkPattern, InvalidPatternError, matchesPattern } from '../services/eventPattern';

export { InvalidPatternError } from '../services/eventPattern';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface CompiledFilters {
  patterns: Array<Record<string, unknown>>;
  /** FILTER-1: filters are OR'ed; no filters means everything passes. */
  matches(event: unknown): boolean;
}

/**
 * Checks a mapping's FilterCriteria (FILTER-1: up to 5 filters, raisable to 10). The patterns are the parsed JSON
 * discovery read (`Filters[].Pattern`); they are never turned back into text.
 */
export function compileFilterCriteria(criteria: FilterCriteria | undefined): CompiledFilters {
  const filters = criteria?.patterns ?? [];
  if (filters.length > 10)
    throw new InvalidPatternError(
      `FilterCriteria has ${filters.length} filters; Lambda allows at most 10 (5 by default).`,
    );
  const patterns = filters.map((parsed, i) => {
    if (!isObject(parsed)) throw new InvalidPatternError(`Filter ${i + 1}: the pattern must be a JSON object.`);
    checkPattern(parsed);
    return parsed;
  });
  return {
    patterns,
    matches: (event) => patterns.length === 0 || patterns.some((p) => matchesPattern(p, event)),
  };
}

/** FILTER-3: SQS filters see `body` parsed as JSON when it is JSON, as the string otherwise. */
export function sqsFilterView(record: Record<string, unknown>): Record<string, unknown> {
  return { ...record, body: parseJsonOr(record.body) };
}

/** FILTER-3: Kinesis filters see `data` base64-decoded, then parsed when it is JSON. */
export function kinesisFilterView(
  record: { kinesis: { data: string } } & Record<string, unknown>,
): Record<string, unknown> {
  const decoded = Buffer.from(record.kinesis.data, 'base64').toString('utf8');
  return { ...record, data: parseJsonOr(decoded), kinesis: { ...record.kinesis, data: parseJsonOr(decoded) } };
}

function parseJsonOr(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
