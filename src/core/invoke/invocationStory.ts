/**
 * One story per event: the records an event's life produced, in the order they started. An SQS message's
 * receives, its redrive to a dead-letter queue and its replays; an async event and the functions its destinations
 * invoked. Records are linked by `storyId` (the story's first record), set by the history as they are saved.
 */
import { totalCost, type InvocationCost } from './invocationCost';
import type { InvocationRecord, InvocationStatus } from './invocationRecord';

export interface InvocationStory {
  /** The first record's id (also the id its later records carry as `storyId`). */
  id: string;
  /** Oldest first. The first record may have been dropped from a long history: then the oldest one kept leads. */
  records: InvocationRecord[];
  /** What the story shows: running while any record is; else the latest record's status. */
  status: InvocationStatus;
  /** Records that failed or were refused. */
  failures: number;
  /** The sum of its records' costs (requests, billed GB-seconds, USD). */
  cost?: Pick<InvocationCost, 'requests' | 'billedGbSeconds' | 'estimatedUsd'>;
}

export const storyIdOf = (record: Pick<InvocationRecord, 'id' | 'storyId'>): string => record.storyId ?? record.id;

const IN_FLIGHT: ReadonlySet<InvocationStatus> = new Set(['running', 'queued']);

/** Groups records (in any order) into stories, newest story first (by its latest record). */
export function groupStories(records: readonly InvocationRecord[]): InvocationStory[] {
  const byId = new Map<string, InvocationRecord[]>();
  for (const record of records) {
    const id = storyIdOf(record);
    const list = byId.get(id);
    if (list) list.push(record);
    else byId.set(id, [record]);
  }
  const stories = [...byId].map(([id, list]) => storyOf(id, list));
  return stories.sort(newestFirst);
}

/** ISO times compare as plain strings (localeCompare is far slower, and means nothing here). */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The story with the latest news first. */
export const newestFirst = (a: InvocationStory, b: InvocationStory): number => compare(latestStart(b), latestStart(a));

/** A story from its records (any order). */
export function storyOf(id: string, records: readonly InvocationRecord[]): InvocationStory {
  const sorted =
    records.length === 1
      ? [...records]
      : [...records].sort(
          (a, b) => compare(a.start.simulated, b.start.simulated) || compare(a.start.wall, b.start.wall),
        );
  const last = sorted[sorted.length - 1];
  const costs = sorted.flatMap((r) => (r.cost ? [r.cost] : []));
  return {
    id,
    records: sorted,
    status: sorted.some((r) => IN_FLIGHT.has(r.status)) ? 'running' : last.status,
    failures: sorted.filter((r) => r.status === 'failed' || r.status === 'rejected').length,
    ...(costs.length > 0 ? { cost: totalCost(costs) } : {}),
  };
}

function latestStart(story: InvocationStory): string {
  return story.records[story.records.length - 1].start.wall;
}

/**
 * What a record is within its story, in a few words: `receive 2` of an SQS message, `replay`, `destination`,
 * or the record's mode for the story's first record.
 */
export function partLabel(record: InvocationRecord, story: InvocationStory): string {
  switch (record.source?.type) {
    case 'sqs': {
      const receives = story.records.filter(
        (r) =>
          r.source?.type === 'sqs' && r.functionName === record.functionName && r.source.arn === record.source?.arn,
      );
      return receives.length > 1 ? `receive ${receives.indexOf(record) + 1}` : 'receive';
    }
    case 'replay':
      return 'replay';
    case 'destination':
      return 'destination';
    default:
      return record.mode;
  }
}
