/**
 * The opaque strings the durable execution APIs hand out: checkpoint tokens (DURABLE-6: valid only for the
 * invocation in flight, and only the latest), paging markers (DURABLE-11) and callback ids. Each is base64url JSON
 * that names what it belongs to, so a token of another execution, or a marker of another listing, is refused.
 */
import { randomBytes } from 'node:crypto';
import { INVALID_TOKEN_PREFIX, invalidParameter } from './durableWire';

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function decode(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export interface CheckpointToken {
  executionId: string;
  invocation: string;
  seq: number;
}

export const checkpointToken = (t: CheckpointToken): string => encode({ e: t.executionId, i: t.invocation, s: t.seq });

/** The token's parts, or an `Invalid Checkpoint Token` error for anything that is not one of ours. */
export function readCheckpointToken(text: unknown): CheckpointToken {
  const value = typeof text === 'string' && text !== '' ? decode(text) : undefined;
  if (!value || typeof value.e !== 'string' || typeof value.i !== 'string' || typeof value.s !== 'number')
    throw invalidParameter(`${INVALID_TOKEN_PREFIX}: the token is not one this service issued.`);
  return { executionId: value.e, invocation: value.i, seq: value.s };
}

/** A paging marker: which listing (`kind` and `of`), where the next page starts, and the state it pages. */
export interface PageMarker {
  kind: 'state' | 'history' | 'list';
  of: string;
  index: number;
  /** State pages: the token sequence the snapshot belongs to (a checkpoint makes the marker stale). */
  seq?: number;
}

export const pageMarker = (m: PageMarker): string =>
  encode({ k: m.kind, o: m.of, x: m.index, ...(m.seq !== undefined ? { s: m.seq } : {}) });

/** The marker's start index, or InvalidParameterValueException when it is not a marker of this listing. */
export function readPageMarker(
  text: string | null | undefined,
  kind: PageMarker['kind'],
  of: string,
  seq?: number,
): number {
  if (text === null || text === undefined || text === '') return 0;
  const value = decode(text);
  if (
    !value ||
    value.k !== kind ||
    value.o !== of ||
    typeof value.x !== 'number' ||
    !Number.isInteger(value.x) ||
    value.x < 0 ||
    (seq !== undefined && value.s !== seq)
  )
    throw invalidParameter(
      seq !== undefined
        ? 'Invalid Marker: it belongs to another listing, or the execution has checkpointed since it was issued.'
        : 'Invalid Marker: it does not belong to this listing.',
    );
  return value.x;
}

/** A callback id: the execution and operation it completes, and random bytes so that it cannot be guessed. */
export const callbackId = (executionId: string, operationId: string): string =>
  encode({ e: executionId, o: operationId, r: randomBytes(6).toString('hex') });

export function readCallbackId(text: string): { executionId: string; operationId: string } | undefined {
  const value = decode(text);
  if (!value || typeof value.e !== 'string' || typeof value.o !== 'string') return undefined;
  return { executionId: value.e, operationId: value.o };
}

/** MaxItems of a paged request: absent is `fallback`; otherwise a whole number from 1 to `max`. */
export function maxItemsOf(text: string | null | undefined, fallback: number, max: number): number {
  if (text === null || text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw invalidParameter(`MaxItems must be a whole number from 1 to ${max} (got ${JSON.stringify(text)}).`);
  return n;
}
