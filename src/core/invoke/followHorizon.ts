/**
 * The follow horizon: how far a run follows an event that does not settle. Some sources would retry a failing event
 * for hours or days (an SQS queue without a redrive policy returns a message until its retention period ends, 4 days
 * by default; a stream mapping with MaximumRetryAttempts -1 retries a batch until its records leave the stream a day
 * later): on the simulated clock that is thousands of deliveries in a row. A run follows such an event for a few
 * deliveries, then stops following it, leaves it where it is (the message in its queue, the records in their stream
 * behind the checkpoint) and says in the record what AWS would do next. Events whose source settles them within an
 * hour after that (a small maxReceiveCount, a MaximumRetryAttempts or maximum record age that soon runs out) are
 * followed to their end.
 */

/** Deliveries of one event a run follows when its source would retry it until it expires (the default). */
export const DEFAULT_FOLLOW_DELIVERIES = 5;
/**
 * A failing event AWS would still retry longer than this (simulated time) after the follow horizon is reached is not
 * followed further in this run.
 */
export const LONG_RETRY_MS = 3_600_000;
/** The range the setting and the CLI's --follow accept. */
export const MIN_FOLLOW_DELIVERIES = 1;
export const MAX_FOLLOW_DELIVERIES = 10_000;

/** The follow horizon as given (a setting, a flag), or undefined when it is not a whole number in range. */
export function parseFollowDeliveries(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= MIN_FOLLOW_DELIVERIES && n <= MAX_FOLLOW_DELIVERIES
    ? n
    : undefined;
}

/** What a record says when its run stopped following an event that is still failing (`InvocationRecord.unsettled`). */
export interface UnsettledEvent {
  /** What was counted: receives of SQS messages, or attempts of a stream, Kafka or MQ batch. */
  after: 'receives' | 'attempts';
  /** Receives (ApproximateReceiveCount) or invocations of the batch so far, earlier runs included. */
  count: number;
  /** How many of those this run followed before it stopped (the follow horizon). */
  followed: number;
  /** What AWS would do next, in words: "the message is received again every 30 s until ...". */
  awsContinues: string;
  /** Simulated time (ISO 8601) at which AWS would stop: the retention period or the maximum record age ends. */
  until?: string;
  /** The queue, stream (DynamoDB: table), Kafka topic or broker queue the event stays in. */
  leftIn: string;
  /** The message ids or sequence numbers that stay there. */
  ids: string[];
}

/** The one line both fronts show: "still failing after 5 receives; on AWS ...; the message stays in OrdersQueue". */
export function describeUnsettled(u: UnsettledEvent): string {
  const several = u.ids.length > 1;
  const what =
    u.after === 'receives'
      ? several
        ? `the ${u.ids.length} messages stay`
        : 'the message stays'
      : several
        ? `the ${u.ids.length} records stay`
        : 'the record stays';
  return `still failing after ${u.count} ${u.after === 'receives' ? plural(u.count, 'receive') : plural(u.count, 'attempt')}; on AWS ${u.awsContinues}; ${what} in ${u.leftIn}`;
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

/** A span of simulated time in words: "30 s", "5 minutes", "24 hours", "4 days". */
export function durationText(ms: number): string {
  const s = Math.round(ms / 1000);
  // Days from two on (a Kinesis stream keeps records "24 hours", an SQS queue "4 days"), as AWS words them.
  const units: Array<[number, string]> = [
    [2 * 86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, unit] of units) {
    const n = s / (unit === 'day' ? 86_400 : size);
    if (s >= size && Number.isInteger(n)) return `${n} ${plural(n, unit)}`;
  }
  if (s >= 3_600) return `${(s / 3_600).toFixed(1)} hours`;
  if (s >= 60) return `${(s / 60).toFixed(1)} minutes`;
  return `${s} s`;
}

/** A simulated instant as the line shows it: "2025-01-05 00:00 UTC". */
export function instantText(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
