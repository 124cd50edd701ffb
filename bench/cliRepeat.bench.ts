/**
 * The CLI's cost of each extra invoke of `lambda-trigger invoke <fn> --repeat N` (measures, never asserts): the invoke
 * command run in this process on a workspace with one plain Node.js handler, its real store and a real execution
 * environment, with N = 1 and N = 1 + EXTRA; the difference over EXTRA is what each extra invoke costs (the one-off
 * start, discovery and the cold start cancel out). Runs alternate; figures are medians with their spread.
 *   npx tsx bench/cliRepeat.bench.ts [runs]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CliIO } from '../src/cli/command';
import { invokeCommand } from '../src/cli/commands/invoke';
import { buildBootstraps } from '../test/unit/runtime/bootstrapBuild';
import { measureSteal } from './cpuSteal';
import { reportMetrics, type MetricRow } from './metricTable';

const RUNS = Number(process.argv[2] ?? 5);
const EXTRA = 2000;

async function runInvoke(root: string, bootstrapDir: string, repeat: number): Promise<number> {
  let printed = 0;
  const io: CliIO = {
    cwd: root,
    env: { LAMBDA_TRIGGER_BOOTSTRAP_DIR: bootstrapDir },
    stdout: (text: string) => void (printed += text.length),
    stderr: () => undefined,
    readStdin: () => Promise.resolve(''),
  };
  const t0 = performance.now();
  const code = await invokeCommand.run(
    ['handler-handler', '--root', root, '--payload', path.join(root, 'event.json'), '--repeat', String(repeat)],
    io,
  );
  const ms = performance.now() - t0;
  if (code !== 0 || printed === 0) throw new Error(`invoke --repeat ${repeat} exited ${code}`);
  return ms;
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-cli-repeat-'));
  fs.writeFileSync(path.join(root, 'handler.js'), 'exports.handler = async () => ({ ok: true });\n');
  fs.writeFileSync(path.join(root, 'event.json'), '{"n":1}\n');
  const bootstrapDir = await buildBootstraps({ minify: true });
  const steal = measureSteal();
  const perInvoke: number[] = [];
  const single: number[] = [];
  try {
    await runInvoke(root, bootstrapDir, 10); // warm-up: JIT, the store exists
    for (let i = 0; i < RUNS; i++) {
      const one = await runInvoke(root, bootstrapDir, 1);
      const many = await runInvoke(root, bootstrapDir, 1 + EXTRA);
      single.push(one);
      perInvoke.push((many - one) / EXTRA);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  const sorted = [...perInvoke].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const r3 = (n: number): number => Math.round(n * 1000) / 1000;
  const rows: MetricRow[] = [
    ['invoke --repeat: cost of each extra invoke (ms)', '<= 0.3', r3(median), median <= 0.3],
    ['invoke --repeat 1 in this process (ms)', '-', r3([...single].sort((a, b) => a - b)[single.length >> 1]), null],
    ['CPU steal over the runs (%, host contention)', '-', steal() ?? -1, null],
  ];
  reportMetrics('cliRepeat', rows);
  console.log(`spread over ${RUNS} runs of ${EXTRA} extra invokes: ${r3(sorted[0])} .. ${r3(sorted.at(-1)!)} ms`);
}

void main();
