/**
 * DURABLE-1: a function is durable when its definition carries a DurableConfig (SAM and CloudFormation
 * `DurableConfig`, serverless.yml `durableConfig`): how long one execution may run in all, and how many days a
 * closed execution stays readable. Values outside Lambda's ranges are reported at their line; the runner then uses
 * the nearest value Lambda accepts, so the function still runs as a durable one.
 */
import { toNumber } from './eventSourceProperties';
import type { DurableConfig } from './functionConfig';

/** Seconds: one 366-day year. */
export const MAX_EXECUTION_TIMEOUT_SECONDS = 31_622_400;
export const MIN_RETENTION_DAYS = 1;
export const MAX_RETENTION_DAYS = 90;
export const DEFAULT_RETENTION_DAYS = 14;

export interface DurableConfigReading {
  config: DurableConfig;
  /** What is wrong with the values as written (empty when nothing is). */
  problems: Array<{ field: 'ExecutionTimeout' | 'RetentionPeriodInDays'; message: string }>;
}

/**
 * The DurableConfig written as `{ executionTimeout, retentionPeriodInDays }` (already resolved), with `label` (the
 * function's name and the property's spelling) in each problem's message.
 */
export function readDurableConfig(
  label: string,
  executionTimeout: unknown,
  retentionPeriodInDays: unknown,
  spelling: { timeout: string; retention: string },
): DurableConfigReading {
  const problems: DurableConfigReading['problems'] = [];
  const timeout = toNumber(executionTimeout);
  let seconds = MAX_EXECUTION_TIMEOUT_SECONDS;
  if (executionTimeout === undefined)
    problems.push({
      field: 'ExecutionTimeout',
      message: `${label}: ${spelling.timeout} is required (1 to ${MAX_EXECUTION_TIMEOUT_SECONDS} seconds); the runner uses ${MAX_EXECUTION_TIMEOUT_SECONDS}`,
    });
  else if (
    timeout === undefined ||
    !Number.isInteger(timeout) ||
    timeout < 1 ||
    timeout > MAX_EXECUTION_TIMEOUT_SECONDS
  )
    problems.push({
      field: 'ExecutionTimeout',
      message: `${label}: ${spelling.timeout} must be a whole number of seconds from 1 to ${MAX_EXECUTION_TIMEOUT_SECONDS} (found ${JSON.stringify(executionTimeout)}); the runner uses ${clampedTimeout(timeout)}`,
    });
  if (timeout !== undefined) seconds = clampedTimeout(timeout);
  let days = DEFAULT_RETENTION_DAYS;
  if (retentionPeriodInDays !== undefined) {
    const value = toNumber(retentionPeriodInDays);
    if (value === undefined || !Number.isInteger(value) || value < MIN_RETENTION_DAYS || value > MAX_RETENTION_DAYS) {
      days =
        value === undefined ? DEFAULT_RETENTION_DAYS : clamp(Math.round(value), MIN_RETENTION_DAYS, MAX_RETENTION_DAYS);
      problems.push({
        field: 'RetentionPeriodInDays',
        message: `${label}: ${spelling.retention} must be a whole number of days from ${MIN_RETENTION_DAYS} to ${MAX_RETENTION_DAYS} (found ${JSON.stringify(retentionPeriodInDays)}); the runner uses ${days}`,
      });
    } else days = value;
  }
  return { config: { executionTimeout: seconds, retentionPeriodInDays: days }, problems };
}

function clampedTimeout(value: number | undefined): number {
  return value === undefined
    ? MAX_EXECUTION_TIMEOUT_SECONDS
    : clamp(Math.round(value), 1, MAX_EXECUTION_TIMEOUT_SECONDS);
}

const clamp = (n: number, min: number, max: number): number => Math.min(max, Math.max(min, n));

/** How lists show it: `durable: executions up to 7d, kept 14 days`. */
export function describeDurableConfig(config: DurableConfig): string {
  return `executions up to ${durationText(config.executionTimeout)}, kept ${config.retentionPeriodInDays} day${config.retentionPeriodInDays === 1 ? '' : 's'} after they end`;
}

/** `90s`, `15m`, `2h30m`, `7d`: the largest units that say it exactly (seconds left as they are). */
export function durationText(seconds: number): string {
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}s`);
  return parts.join('');
}
