/**
 * HTTP front benchmark (measures, never asserts): a warm request through the front (HTTP client on keep-alive ->
 * route -> API Gateway event -> engine -> execution environment -> response) against a warm sync invoke of the same
 * function through the same engine, interleaved so that both see the same machine. The difference is what the
 * front adds; serverless-offline's figure for its HTTP path on this machine class is 0.47 ms p50. The front answers
 * its client when the record is final, before the store's fsync that a sync invoke waits for, so it can come out
 * below the invoke; the bare runtime invoke (no engine, no store) is measured too, to show what the rest costs.
 *   npx tsx bench/http.bench.ts
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { serveWorkspace } from '../test/unit/endpoints/httpFrontHarness';
import { measureSteal } from './cpuSteal';
import { reportMetrics, type MetricRow } from './metricTable';

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  Ping:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: ping.handler
      Events:
        Rest:
          Type: Api
          Properties:
            Path: /ping/{id}
            Method: get
        Http:
          Type: HttpApi
          Properties:
            Path: /hping/{id}
            Method: get
`;

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
const r3 = (n: number) => Math.round(n * 1000) / 1000;

function get(agent: http.Agent, port: number, p: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const source = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-http-bench-'));
  fs.writeFileSync(path.join(source, 'template.yaml'), TEMPLATE);
  fs.writeFileSync(
    path.join(source, 'ping.js'),
    "exports.handler = async (e) => ({ statusCode: 200, body: e.pathParameters ? 'pong' : 'pong' });\n",
  );
  const served = await serveWorkspace(source, {}, { minify: true });
  const port = Number(new URL(served.front.url).port);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  // The event the front would send, built once: the direct invoke pays for nothing the front does.
  const directPayload = JSON.stringify({
    resource: '/ping/{id}',
    path: '/ping/1',
    httpMethod: 'GET',
    headers: { Host: '127.0.0.1' },
    pathParameters: { id: '1' },
    requestContext: { stage: 'Prod' },
    body: null,
    isBase64Encoded: false,
  });
  const direct = () => served.engine.invoke('Ping', directPayload, 'sync');
  // The runtime alone: no engine, no record, no store (what every path above is built on).
  const ping = served.account.function('Ping');
  const runtime = () => served.account.pool.invoke(ping, directPayload, { payloadIsJson: true });
  const rest = () => get(agent, port, '/ping/1?x=1');
  const httpApi = () => get(agent, port, '/hping/1?x=1');

  for (let i = 0; i < 300; i++) {
    await direct();
    const statuses = [await rest(), await httpApi()];
    if (statuses.some((s) => s !== 200)) throw new Error(`the front answered ${statuses.join(', ')}, not 200`);
  }
  const n = 2000;
  const times = { direct: [] as number[], rest: [] as number[], http: [] as number[], runtime: [] as number[] };
  const steal = measureSteal();
  for (let i = 0; i < n; i++) {
    let t = performance.now();
    await direct();
    times.direct.push(performance.now() - t);
    t = performance.now();
    await rest();
    times.rest.push(performance.now() - t);
    t = performance.now();
    await httpApi();
    times.http.push(performance.now() - t);
    t = performance.now();
    await runtime();
    times.runtime.push(performance.now() - t);
  }
  const stealPct = steal();
  const sorted = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, [...v].sort((a, b) => a - b)])) as Record<
    keyof typeof times,
    number[]
  >;
  const overheadRest = pct(sorted.rest, 50) - pct(sorted.direct, 50);
  const overheadHttp = pct(sorted.http, 50) - pct(sorted.direct, 50);
  const overRuntime = pct(sorted.rest, 50) - pct(sorted.runtime, 50);
  const rows: MetricRow[] = [
    ['warm runtime invoke p50 (ms, no engine, no record, no store)', '-', r3(pct(sorted.runtime, 50)), null],
    ['warm sync invoke p50 (ms, same engine, no HTTP)', '-', r3(pct(sorted.direct, 50)), null],
    ['warm sync invoke p99 (ms)', '-', r3(pct(sorted.direct, 99)), null],
    ['warm REST API request p50 (ms, through the front)', '-', r3(pct(sorted.rest, 50)), null],
    ['warm REST API request p99 (ms)', '-', r3(pct(sorted.rest, 99)), null],
    ['warm HTTP API request p50 (ms, through the front)', '-', r3(pct(sorted.http, 50)), null],
    ['warm HTTP API request p99 (ms)', '-', r3(pct(sorted.http, 99)), null],
    ['front overhead p50, REST (ms over the warm invoke)', '<= 0.3', r3(overheadRest), overheadRest <= 0.3],
    ['front overhead p50, HTTP API (ms over the warm invoke)', '<= 0.3', r3(overheadHttp), overheadHttp <= 0.3],
    ['REST API request over the bare runtime invoke p50 (ms: front + engine + record)', '-', r3(overRuntime), null],
    ['serverless-offline HTTP path p50 (ms, its figure on this machine class)', '-', 0.47, null],
    ['CPU steal during the run (%, host contention)', '-', stealPct ?? -1, null],
  ];
  reportMetrics('http', rows);
  agent.destroy();
  await served.dispose();
  fs.rmSync(source, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
