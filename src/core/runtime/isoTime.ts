/**
 * ISO 8601 text of a time in epoch ms, remembered for the last time asked: a warm invocation stamps its log lines,
 * its outcome and its record with the same few milliseconds, and formatting a Date costs more than the rest of a
 * line. Each formatter keeps its own last value, so that two clocks (simulated and wall) do not undo each other.
 */
export function isoFormatter(): (ms: number) => string {
  let lastMs = Number.NaN;
  let lastText = '';
  return (ms) => {
    if (ms !== lastMs) {
      lastText = new Date(ms).toISOString(); // throws RangeError for an invalid time, as Date's own does
      lastMs = ms;
    }
    return lastText;
  };
}

const wallTime = isoFormatter();

/** The wall clock now, as ISO text (e.g. 2025-01-01T00:00:00.000Z). */
export function isoNow(): string {
  return wallTime(Date.now());
}

/** A wall-clock time in epoch ms (a child's `at`, say), as ISO text. */
export function isoWall(ms: number): string {
  return wallTime(ms);
}
