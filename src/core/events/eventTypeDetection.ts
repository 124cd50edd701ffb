/** Guesses the event type of an arbitrary payload from the templates' `detect` conditions. */
import type { DetectCondition, DetectConditions, EventTemplateDefinition } from './eventTemplate';
import { isRecord } from './eventTemplate';
import { pointerTokens } from './eventSchema';

/** The marker a saved event file may carry to name its type; stripped before invocation. */
export const EVENT_TYPE_MARKER = '$eventType';

function valueAt(payload: unknown, path: readonly string[]): unknown {
  let cur: unknown = payload;
  for (const seg of path) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isRecord(cur)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}

type CompiledCondition = DetectCondition | { regex: RegExp };

function matches(v: unknown, c: CompiledCondition): boolean {
  if (typeof c !== 'object') return v === c;
  if ('regex' in c) return typeof v === 'string' && c.regex.test(v);
  if ('prefix' in c) return typeof v === 'string' && v.startsWith(c.prefix);
  if ('exists' in c) return (v !== undefined) === c.exists;
  if ('oneOf' in c) return c.oneOf.includes(v);
  return false;
}

interface CompiledDetector {
  readonly id: string;
  /** Exact values weigh 3, patterns/prefixes/lists 2, mere existence 1: the most specific template wins. */
  readonly score: number;
  readonly conditions: readonly { path: readonly string[]; cond: CompiledCondition }[];
}

function weight(c: DetectCondition): number {
  if (typeof c !== 'object') return 3;
  return 'exists' in c ? 1 : 2;
}

/** `a.b.0.c` splits on dots; a path starting with `/` is a JSON Pointer (for keys with dots: `/CodePipeline.job/id`). */
function splitPath(p: string): string[] {
  return p.startsWith('/') ? pointerTokens(p) : p.split('.');
}

export function compileDetectors(defs: readonly EventTemplateDefinition[]): CompiledDetector[] {
  return defs.flatMap((d) =>
    (Array.isArray(d.detect) ? (d.detect as DetectConditions[]) : [d.detect as DetectConditions]).map((set) => {
      const list = Object.entries(set);
      return {
        id: d.id,
        score: list.reduce((n, [, c]) => n + weight(c), 0),
        conditions: list.map(([p, cond]) => ({
          path: splitPath(p),
          cond: typeof cond === 'object' && 'pattern' in cond ? { regex: new RegExp(cond.pattern) } : cond,
        })),
      };
    }),
  );
}

/**
 * The id of the template whose conditions all hold, preferring the most specific one (`s3:put` over a generic
 * S3 notification); undefined when nothing matches. A `$eventType` marker naming a known type wins.
 */
export function detectEventType(detectors: readonly CompiledDetector[], payload: unknown): string | undefined {
  if (isRecord(payload) && typeof payload[EVENT_TYPE_MARKER] === 'string') {
    const marked = payload[EVENT_TYPE_MARKER];
    if (detectors.some((d) => d.id === marked)) return marked;
  }
  let best: CompiledDetector | undefined;
  for (const d of detectors) {
    if (best && d.score <= best.score) continue;
    if (d.conditions.every((c) => matches(valueAt(payload, c.path), c.cond))) best = d;
  }
  return best?.id;
}

/** A copy of a saved payload without the `$eventType` marker: what the handler receives. */
export function stripEventTypeMarker(payload: unknown): unknown {
  if (!isRecord(payload) || !(EVENT_TYPE_MARKER in payload)) return payload;
  const { [EVENT_TYPE_MARKER]: _marker, ...rest } = payload;
  return rest;
}
