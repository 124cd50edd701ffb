/**
 * Discovery benchmark: cold index of a generated 10,000-file workspace, re-index after one edit, memory, and a
 * naive full re-parse (every file through the parser, no pre-filter, no incremental update) side by side.
 * Run: npx tsx bench/discovery.bench.ts
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import { scanJsExports } from '../src/core/discovery/handlerExports';
import { scanPythonHandlers } from '../src/core/discovery/pythonHandlers';
import { parseTemplateDocument } from '../src/core/discovery/templateDocument';
import { WorkspaceIndex } from '../src/core/discovery/workspaceIndex';

const FILES = 10_000;
const SERVICES = 20;

function generate(root: string): { edited: string; template: string } {
  let written = 0;
  let edited = '';
  let template = '';
  for (let s = 0; s < SERVICES && written < FILES; s++) {
    const svc = path.join(root, `services/svc${s}`);
    fs.mkdirSync(path.join(svc, 'src/lib'), { recursive: true });
    const fns: string[] = [];
    for (let h = 0; h < 10; h++) {
      const ts = h % 3 === 0;
      const py = h % 5 === 4;
      const file = py ? `src/h${h}.py` : `src/h${h}.${ts ? 'ts' : 'js'}`;
      const body = py
        ? `import json\n\ndef lambda_handler(event, context):\n    return {"statusCode": 200, "body": json.dumps(event)}\n`
        : ts
          ? `import type { SQSEvent, Context } from 'aws-lambda';\nimport { util0 } from './lib/util0';\nexport const handler = async (event: SQSEvent, context: Context) => {\n  for (const r of event.Records) util0(r.body);\n  return { ok: context.awsRequestId };\n};\n`
          : `const { util0 } = require('./lib/util0');\nexports.handler = async (event, context) => {\n  util0(event);\n  return context.functionName;\n};\n`;
      fs.writeFileSync(path.join(svc, file), body);
      written++;
      fns.push(
        `  Fn${h}:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n      Handler: h${h}.${py ? 'lambda_handler' : 'handler'}\n      Runtime: ${py ? 'python3.12' : 'nodejs20.x'}\n      Events:\n        Q:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt Queue${h}.Arn\n            BatchSize: 10\n  Queue${h}:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: 60\n`,
      );
    }
    template = path.join(svc, 'template.yaml');
    fs.writeFileSync(
      template,
      `Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Timeout: 10\nResources:\n${fns.join('')}`,
    );
    written++;
    edited = path.join(svc, 'src/h0.ts');
  }
  // The bulk: library modules (JS/TS/Python) of realistic size, as most files in a real repository are.
  for (let i = 0; written < FILES; i++, written++) {
    const svc = path.join(root, `services/svc${i % SERVICES}/src/lib`);
    const kind = i % 10;
    const name = `util${i}`;
    if (kind < 4) {
      fs.writeFileSync(
        path.join(svc, `${name}.ts`),
        `export interface Item${i} { id: string; qty: number }\nexport function ${name}(x: unknown): string {\n  return JSON.stringify(x).slice(0, ${i % 50});\n}\nexport const sum${i} = (a: Item${i}[]) => a.reduce((n, it) => n + it.qty, 0);\n`,
      );
    } else if (kind < 8) {
      fs.writeFileSync(
        path.join(svc, `${name}.js`),
        `'use strict';\nfunction ${name}(x) {\n  return String(x).toUpperCase();\n}\nmodule.exports = { ${name}, value: ${i} };\n`,
      );
    } else {
      fs.writeFileSync(
        path.join(svc, `${name}.py`),
        `def ${name}(x, y):\n    return x + y\n\n\nclass Thing${i}:\n    def run(self, event, context):\n        return None\n`,
      );
    }
  }
  // Ignored folders with plenty inside, to show they cost nothing.
  fs.mkdirSync(path.join(root, 'node_modules/big/lib'), { recursive: true });
  for (let i = 0; i < 500; i++)
    fs.writeFileSync(path.join(root, `node_modules/big/lib/m${i}.js`), 'exports.handler = async (event) => event;\n');
  return { edited, template };
}

function walkAll(dir: string, out: string[]): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules') continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) walkAll(full, out);
    else out.push(full);
  }
  return out;
}

/** The comparison: parse every file fully with the same parsers, no pre-filter, nothing reused. */
function naiveFullParse(root: string): number {
  let exports = 0;
  for (const file of walkAll(root, [])) {
    const text = fs.readFileSync(file, 'utf8');
    if (file.endsWith('.py')) exports += scanPythonHandlers(text).exports.length;
    else if (/\.(ts|js)$/.test(file)) exports += scanJsExports(file, text).exports.length;
    else if (file.endsWith('.yaml')) exports += parseTemplateDocument(file, text).problems.length;
  }
  return exports;
}

/** Memory as the language server would see it: the index bundled like the server, in a plain node process. */
function serverProcessMemory(root: string): { rss: number; heapUsed: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'discovery-mem-'));
  try {
    const entry = path.join(dir, 'entry.ts');
    fs.writeFileSync(
      entry,
      `import { WorkspaceIndex } from ${JSON.stringify(path.resolve(__dirname, '../src/core/discovery/workspaceIndex'))};\n` +
        `void (async () => { const i = new WorkspaceIndex({ root: process.argv[2] }); await i.build(); i.functions(); (globalThis as any).gc?.(); const m = process.memoryUsage(); process.stdout.write(JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed })); })();\n`,
    );
    const out = path.join(dir, 'entry.js');
    buildSync({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: out,
      logLevel: 'silent',
    });
    return JSON.parse(execFileSync(process.execPath, ['--expose-gc', out, root], { encoding: 'utf8' })) as {
      rss: number;
      heapUsed: number;
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'discovery-bench-'));
  try {
    const { edited, template } = generate(root);

    // First build also pays for loading and JIT-warming the parser; reported separately.
    let t = process.hrtime.bigint();
    const first = new WorkspaceIndex({ root });
    await first.build();
    const firstFunctions = first.functions().length;
    const firstColdMs = ms(t);

    const colds: number[] = [];
    let index = first;
    for (let i = 0; i < 3; i++) {
      t = process.hrtime.bigint();
      index = new WorkspaceIndex({ root });
      await index.build();
      index.functions();
      colds.push(ms(t));
    }
    const mem = serverProcessMemory(root);

    const edits: number[] = [];
    const original = fs.readFileSync(edited, 'utf8');
    for (let i = 0; i < 20; i++) {
      const text = `${original}\nexport const extra${i} = async (event: unknown) => event;\n`;
      t = process.hrtime.bigint();
      index.update(edited, text);
      index.functions();
      index.handlersIn(edited);
      edits.push(ms(t));
    }
    const templateEdits: number[] = [];
    const templateText = fs.readFileSync(template, 'utf8');
    for (let i = 0; i < 10; i++) {
      t = process.hrtime.bigint();
      index.update(template, templateText.replace('Timeout: 10', `Timeout: ${11 + i}`));
      index.functions();
      templateEdits.push(ms(t));
    }

    const naive: number[] = [];
    for (let i = 0; i < 2; i++) {
      t = process.hrtime.bigint();
      naiveFullParse(root);
      naive.push(ms(t));
    }

    const rows = [
      {
        metric: 'cold index, 10,000 files (median of 3)',
        target: '<= 1000 ms',
        measured: median(colds),
        unit: 'ms',
        meets: median(colds) <= 1000,
      },
      {
        metric: 'first cold index incl. parser load/JIT',
        target: '(info)',
        measured: firstColdMs,
        unit: 'ms',
        meets: true,
      },
      {
        metric: 're-index after one code edit (median of 20)',
        target: '<= 20 ms',
        measured: median(edits),
        unit: 'ms',
        meets: median(edits) <= 20,
      },
      {
        metric: 're-index after one template edit (median of 10)',
        target: '<= 20 ms',
        measured: median(templateEdits),
        unit: 'ms',
        meets: median(templateEdits) <= 20,
      },
      {
        metric: 'naive full re-parse of every file (median of 2)',
        target: '(comparison)',
        measured: median(naive),
        unit: 'ms',
        meets: true,
      },
      {
        metric: 'server-like process RSS after index',
        target: '<= 150 MB',
        measured: mem.rss / 1048576,
        unit: 'MB',
        meets: mem.rss / 1048576 <= 150,
      },
      {
        metric: 'its JS heap used after index',
        target: '(info)',
        measured: mem.heapUsed / 1048576,
        unit: 'MB',
        meets: true,
      },
    ];
    console.log(`workspace: ${FILES} files (+500 in node_modules), ${firstFunctions} functions found\n`);
    console.log(['metric'.padEnd(50), 'target'.padEnd(14), 'measured'.padEnd(14), 'result'].join(''));
    for (const r of rows) {
      console.log(
        [
          r.metric.padEnd(50),
          r.target.padEnd(14),
          `${r.measured.toFixed(1)} ${r.unit}`.padEnd(14),
          r.meets ? 'meets' : 'MISSES',
        ].join(''),
      );
    }
    fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
    fs.writeFileSync(
      path.join(__dirname, 'results/discovery.json'),
      `${JSON.stringify({ date: new Date().toISOString(), node: process.version, files: FILES, functions: firstFunctions, rows }, null, 2)}\n`,
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

void main();
