/**
 * One edit of a large template (measures, never asserts): a SAM template of 200 functions (about 73 KB: handlers,
 * an environment variable, an SQS event, a queue each) in a workspace of their handler files; each edit changes one function's
 * property in the editor's text (`WorkspaceIndex.update(file, text)`, as the language server does on each keystroke)
 * and asks for the function list.
 *   npx tsx bench/templateEdit.bench.ts [--edits N]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { WorkspaceIndex } from '../src/core/discovery/workspaceIndex';
import { measureSteal } from './cpuSteal';
import { reportMetrics, type MetricRow } from './metricTable';

const FUNCTIONS = 200;

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const at = (xs: number[], p: number): number => sorted(xs)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;
const r2 = (n: number): number => Math.round(n * 100) / 100;

/** The template of `FUNCTIONS` functions, and their handler files under src/. */
export function largeTemplate(root: string): string {
  fs.mkdirSync(path.join(root, 'src'), { recursive: true });
  const resources: string[] = [];
  for (let i = 0; i < FUNCTIONS; i++) {
    fs.writeFileSync(
      path.join(root, 'src', `fn${i}.js`),
      `exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event) });\n`,
    );
    resources.push(
      `  Function${i}:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: fn${i}.handler
      Timeout: ${10 + (i % 20)}
      Environment:
        Variables:
          TABLE_NAME: !Ref Table
      Events:
        Messages:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue${i}.Arn
            BatchSize: 10
  Queue${i}:
    Type: AWS::SQS::Queue
`,
    );
  }
  const file = path.join(root, 'template.yaml');
  fs.writeFileSync(
    file,
    `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs20.x
    Architectures: [arm64]
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
${resources.join('')}`,
  );
  return file;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { edits: { type: 'string', default: '40' } } });
  const EDITS = Number(values.edits);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-template-edit-'));
  try {
    const file = largeTemplate(root);
    const text = fs.readFileSync(file, 'utf8');
    const index = new WorkspaceIndex({ root });
    await index.build();
    const found = index.functions().length;
    // Warm-up: the parser's and the linker's code is compiled by the time the edits are timed.
    for (let i = 0; i < 5; i++) {
      index.update(file, text.replace('Timeout: 10\n', `Timeout: ${900 - i}\n`));
      index.functions();
    }
    const steal = measureSteal();
    const times: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      // Typing in one function: its Timeout, in the middle of the file.
      const edited = text.replace(
        `Handler: fn100.handler\n      Timeout: 10`,
        `Handler: fn100.handler\n      Timeout: ${11 + i}`,
      );
      const t = performance.now();
      index.update(file, edited);
      index.functions();
      times.push(performance.now() - t);
    }
    const rows: MetricRow[] = [
      [`template size (KB)`, '-', Math.round(text.length / 1024), null],
      [`functions found`, '-', found, null],
      [
        `one edit of the template, p50, ms (p10–p90 ${r2(at(times, 0.1))}–${r2(at(times, 0.9))})`,
        '<= 20',
        r2(at(times, 0.5)),
        at(times, 0.5) <= 20,
      ],
      ['CPU steal during the edits (%)', '-', steal() ?? -1, null],
    ];
    reportMetrics('templateEdit', rows);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) void main();
