/** Latency figures of one round of a benchmark, and the spread of a figure over several rounds. */

export interface RoundFigures {
  p50: number;
  p99: number;
  perSecond: number;
}

/** The p-th percentile of sorted numbers (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** p50, p99 and calls per second of one round: each call's milliseconds, and the round's wall milliseconds. */
export function roundFigures(times: readonly number[], totalMs: number): RoundFigures {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), perSecond: (times.length / totalMs) * 1000 };
}

/** "lowest .. highest" of one figure over rounds. */
export function spreadText(rounds: readonly Partial<RoundFigures>[], key: keyof RoundFigures): string {
  const values = rounds.map((r) => r[key] ?? Number.NaN).sort((a, b) => a - b);
  const f = (n: number): string => String(Math.round(n * 1000) / 1000);
  return `${f(values[0])} .. ${f(values[values.length - 1])}`;
}

/** The median of several runs' figures (the upper one of an even count). */
export function medianOf(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

/** "lowest .. highest" of several runs' figures, each with `digits` decimals. */
export function rangeText(values: readonly number[], digits: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `${sorted[0].toFixed(digits)} .. ${sorted[sorted.length - 1].toFixed(digits)}`;
}
