/**
 * CPU steal over a span of a benchmark: the share of time the hypervisor ran something else while this VM wanted
 * the CPU (Linux /proc/stat). Latency figures measured under heavy steal are the host's, not the code's; the
 * benchmarks print it next to their figures. Undefined where /proc/stat does not exist.
 */
import * as fs from 'node:fs';

function cpuTimes(): { steal: number; total: number } | undefined {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already counted in user)
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return { steal: fields[7] ?? 0, total };
  } catch {
    return undefined;
  }
}

/** Starts measuring; the returned function gives the steal percentage since then. */
export function measureSteal(): () => number | undefined {
  const start = cpuTimes();
  return () => {
    const end = cpuTimes();
    if (!start || !end || end.total === start.total) return undefined;
    return Math.round(((end.steal - start.steal) / (end.total - start.total)) * 1000) / 10;
  };
}
