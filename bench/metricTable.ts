/**
 * The output of a TypeScript benchmark: a tab-separated table of metric, target, measured and verdict on stdout, and
 * the same rows in bench/results/<name>.json.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** metric, target ('-' for none), measured, whether the target is met (null: no target). */
export type MetricRow = [metric: string, target: string, measured: number, met: boolean | null];

export function reportMetrics(name: string, rows: readonly MetricRow[]): void {
  const verdict = (ok: boolean | null) => (ok === null ? undefined : ok ? 'meets' : 'misses');
  console.log(['metric', 'target', 'measured', 'verdict'].join('\t'));
  for (const [m, t, v, ok] of rows) console.log([m, t, v, verdict(ok) ?? ''].join('\t'));
  const outDir = path.join(__dirname, 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    metrics: rows.map(([metric, target, measured, ok]) => ({ metric, target, measured, verdict: verdict(ok) })),
  };
  fs.writeFileSync(path.join(outDir, `${name}.json`), JSON.stringify(results, null, 2) + '\n');
}
