/**
 * Language server start (measures, never asserts): the production server bundle (dist/server.js, `npm run bench`
 * builds it) is spawned over IPC as the extension's language client spawns it, on a copy of examples/. Figures, from
 * the spawn: `ready` (the initialize answer), `first answer` (lambdaTrigger/serverStatus sent right after initialized:
 * it must not wait for the index) and `functions` (lambdaTrigger/functions: the built index). The server runs with the
 * same environment as this process (the extension host's, NODE_EXTRA_CA_CERTS included when set), as VS Code runs it.
 *   npx tsx bench/languageServer.bench.ts [--runs N]
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  createProtocolConnection,
  InitializedNotification,
  InitializeRequest,
  IPCMessageReader,
  IPCMessageWriter,
} from 'vscode-languageserver/node';
import { functionsRequest, serverStatusRequest } from '../src/shared/protocol';
import { measureSteal } from './cpuSteal';
import { reportMetrics, type MetricRow } from './metricTable';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '15' }, compare: { type: 'string' } },
});
const RUNS = Number(values.runs);
const root = path.join(__dirname, '..');
/** `--compare <dir>`: another build's dist/ (an older checkout), started alternately with this one's. */
const compareDist = values.compare;

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const at = (xs: number[], p: number): number => sorted(xs)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;
const r1 = (n: number): number => Math.round(n * 10) / 10;
const spread = (xs: number[]): string => `${r1(at(xs, 0.1))}–${r1(at(xs, 0.9))}`;

interface Sample {
  ready: number;
  firstAnswer: number;
  functions: number;
  count: number;
}

async function once(workspace: string, dist = path.join(root, 'dist'), linger = 0): Promise<Sample> {
  const t0 = performance.now();
  // No execArgv of this process (tsx's loader): the language client forks the server with none.
  const child = fork(path.join(dist, 'server.js'), ['--node-ipc'], {
    execArgv: [],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const connection = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  connection.listen();
  try {
    await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(workspace).href,
      workspaceFolders: [{ uri: pathToFileURL(workspace).href, name: 'examples' }],
      capabilities: { workspace: { workspaceFolders: true } },
      initializationOptions: { templatesDir: path.join(root, 'event-templates'), ignoreGlobs: [] },
    });
    const ready = performance.now() - t0;
    await connection.sendNotification(InitializedNotification.type, {});
    await connection.sendRequest(serverStatusRequest);
    const firstAnswer = performance.now() - t0;
    const results = await connection.sendRequest(functionsRequest);
    const functions = performance.now() - t0;
    const sample = { ready, firstAnswer, functions, count: results.reduce((n, r) => n + r.functions.length, 0) };
    await new Promise((resolve) => setTimeout(resolve, linger));
    return sample;
  } finally {
    connection.dispose();
    child.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(root, 'dist', 'server.js')))
    throw new Error('Build first: node scripts/build.mjs --production');
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-server-bench-'));
  fs.cpSync(path.join(root, 'examples'), workspace, { recursive: true });
  const steal = measureSteal();
  const samples: Sample[] = [];
  const compared: Sample[] = [];
  // The first start reads the files into the page cache, as any earlier session of the editor would have.
  await once(workspace, undefined, 1500);
  for (let i = 0; i < RUNS; i++) {
    samples.push(await once(workspace));
    if (compareDist) compared.push(await once(workspace, compareDist));
  }
  const ready = samples.map((s) => s.ready);
  const first = samples.map((s) => s.firstAnswer);
  const functions = samples.map((s) => s.functions);
  const rows: MetricRow[] = [
    [
      `server ready (initialize answered) p50, ms (p10–p90 ${spread(ready)})`,
      '<= 200',
      r1(at(ready, 0.5)),
      at(ready, 0.5) <= 200,
    ],
    [
      `first answer (serverStatus) p50, ms (p10–p90 ${spread(first)})`,
      '<= 300',
      r1(at(first, 0.5)),
      at(first, 0.5) <= 300,
    ],
    [`functions answered (index built) p50, ms (p10–p90 ${spread(functions)})`, '-', r1(at(functions, 0.5)), null],
    ['functions found in examples/', '-', samples[0]?.count ?? 0, null],
    ...(compareDist
      ? ([
          [
            `compared build: ready p50, ms (p10–p90 ${spread(compared.map((s) => s.ready))})`,
            '-',
            r1(
              at(
                compared.map((s) => s.ready),
                0.5,
              ),
            ),
            null,
          ],
          [
            `compared build: first answer p50, ms (p10–p90 ${spread(compared.map((s) => s.firstAnswer))})`,
            '-',
            r1(
              at(
                compared.map((s) => s.firstAnswer),
                0.5,
              ),
            ),
            null,
          ],
          [
            `compared build: functions p50, ms`,
            '-',
            r1(
              at(
                compared.map((s) => s.functions),
                0.5,
              ),
            ),
            null,
          ],
        ] as MetricRow[])
      : []),
    ['CPU steal during the run (%)', '-', steal() ?? -1, null],
  ];
  reportMetrics('languageServer', rows);
  fs.rmSync(workspace, { recursive: true, force: true });
}

void main();
