// Shared output of the benchmarks: a table of metric, target, measured (and whether the target is met).

/** Nearest-rank percentile of `values` (0..100). */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** rows: [metric, target, measured, verdict?] */
export function printTable(title, rows) {
  const widths = [0, 1, 2].map((i) =>
    Math.max(...rows.map((r) => String(r[i]).length), ['metric', 'target', 'measured'][i].length),
  );
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i] ?? 0)).join('  ');
  console.log(`\n${title}`);
  console.log(line(['metric', 'target', 'measured', '']));
  for (const row of rows) console.log(line(row));
}
