import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mayContainHandler, scanJsExports } from '../../../src/core/discovery/handlerExports';
import { scanPythonHandlers } from '../../../src/core/discovery/pythonHandlers';

const FIXTURES = path.resolve(__dirname, '../../fixtures/discovery/code');
const scan = (name: string) =>
  scanJsExports(path.join(FIXTURES, name), fs.readFileSync(path.join(FIXTURES, name), 'utf8'));
const brief = (e: {
  exportName: string;
  line: number;
  column: number;
  handlerLike: boolean;
  reason?: string;
  wrappedBy?: string;
}) => [e.exportName, e.line, e.column, e.handlerLike, e.reason ?? '-', e.wrappedBy ?? '-'].join(' ');

describe('discovery: JS/TS handler exports', () => {
  it('finds ESM forms: export const arrow, export async function, export { fn as handler }, middy(fn)', () => {
    const result = scan('esm-forms.mts');
    assert.equal(result.language, 'typescript');
    assert.deepEqual(result.exports.map(brief), [
      'handler 4 14 true signature -',
      'lambdaHandler 6 23 true signature -',
      'renamed 11 21 true signature -',
      'wrapped 16 14 true signature middy',
      'config 18 14 false - -',
      'helper 19 17 false - -',
    ]);
    assert.deepEqual(result.problems, []);
  });

  it('finds CommonJS forms: exports.x =, module.exports.x =, module.exports = { ... }', () => {
    assert.deepEqual(scan('cjs-forms.js').exports.map(brief), [
      'first 3 9 true signature -',
      'second 5 16 true signature -',
      'third 14 20 true signature -',
      'main 14 27 true name -',
      'notAHandler 14 53 false - -',
    ]);
  });

  it('finds a Powertools-decorated class method exported through bind()', () => {
    assert.deepEqual(scan('powertools.mts').exports.map(brief), ['entry 13 14 true signature powertools']);
  });

  it('recognises typed handlers, default exports and esbuild CommonJS output', () => {
    const text = [
      "import type { SQSHandler } from 'aws-lambda';",
      'export const consume: SQSHandler = async (records) => {};',
      'export default async function (event) { return event; }',
    ].join('\n');
    assert.deepEqual(scanJsExports('/x/typed.ts', text).exports.map(brief), [
      'consume 2 14 true signature -',
      'default 3 1 true signature -',
    ]);
    const bundled =
      'var x_exports = {};\n__export(x_exports, {\n  handler: () => handler\n});\nvar handler = async (event) => event;\n';
    assert.deepEqual(scanJsExports('/x/bundle.js', bundled).exports.map(brief), ['handler 3 3 true signature -']);
  });

  it('reports a syntax error with its line and still lists the exports it could read (NODE-3)', () => {
    const result = scanJsExports('/x/broken.js', 'exports.handler = async (event) => event;\nconst = 1;\n');
    assert.deepEqual(result.exports.map(brief), ['handler 1 9 true signature -']);
    assert.equal(result.problems.length, 1);
    assert.equal(result.problems[0].code, 'syntax-error');
    assert.equal(result.problems[0].line, 2);
  });

  it('reads past lines the parser cannot get over (a cookiecutter template) and lists the exports after them', () => {
    const text = [
      "import { Logger } from '@aws-lambda-powertools/logger';",
      '{%- if cookiecutter.tracing == "enabled" %}',
      "import { Tracer } from '@aws-lambda-powertools/tracer';",
      '{%- endif %}',
      'export const lambdaHandler = async (event: APIGatewayProxyEvent) => {',
      '  {%- if cookiecutter.tracing == "enabled" %}',
      '  tracer.putAnnotation("x", 1);',
      '  {%- endif %}',
      '  return { statusCode: 200 };',
      '};',
    ].join('\n');
    const result = scanJsExports('/x/app.ts', text);
    assert.deepEqual(result.exports.map(brief), ['lambdaHandler 5 14 true signature -']);
    assert.deepEqual(
      result.problems.map((p) => [p.code, p.line]),
      [['syntax-error', 2]],
    );
  });

  it('reads what compiled and modern code holds: tsc wrappers, JSX, decorators after export, import assertions', () => {
    const compiled = [
      '"use strict";',
      'Object.defineProperty(exports, "__esModule", { value: true });',
      'exports.handler = (0, core_1.default)(async (event, context) => ({ ok: true }));',
    ].join('\n');
    assert.deepEqual(scanJsExports('/x/app.js', compiled).exports.map(brief), [
      'handler 3 9 true signature (0, core_1.default)',
    ]);
    const jsx = 'export const handler = async (event) => ({ body: render(<Page title={event.path} />) });\n';
    assert.deepEqual(scanJsExports('/x/ssr.js', jsx).problems, []);
    const decorated = [
      'class Lambda {',
      '  @tracer.captureLambdaHandler()',
      '  public async handler(event: unknown, context: Context) { return event; }',
      '}',
      'export @sealed class Other {}',
      'const instance = new Lambda();',
      'export const entry = instance.handler.bind(instance);',
    ].join('\n');
    const scanned = scanJsExports('/x/app.ts', decorated);
    assert.deepEqual(scanned.problems, []);
    assert.deepEqual(scanned.exports.map(brief), ['Other 5 22 false - -', 'entry 7 14 true signature powertools']);
    const asserted =
      "import data from './data.json' assert { type: 'json' };\nexport const handler = (event) => data;\n";
    assert.deepEqual(scanJsExports('/x/app.mjs', asserted).problems, []);
  });

  it('lists value exports only: type-only exports and re-exports are not functions', () => {
    const text = [
      "export type { Handler } from './types';",
      "export { type Shape, makeHandler } from './factory';",
      'export type Event = { id: string };',
      'export interface Context { id: string }',
    ].join('\n');
    assert.deepEqual(
      scanJsExports('/x/index.ts', text).exports.map((e) => [e.exportName, e.reexport?.from]),
      [['makeHandler', './factory']],
    );
  });

  it('pre-filters files that cannot hold a handler', () => {
    assert.equal(mayContainHandler('export const add = (a, b) => a + b;'), false);
    assert.equal(mayContainHandler('export const handler = () => 1;'), true);
    assert.equal(mayContainHandler('export const f = (event) => 1;'), true);
  });
});

describe('discovery: Python handlers (PY-1)', () => {
  it('finds top-level defs only, skipping docstrings and nested functions, with multi-line parameters', () => {
    const result = scanPythonHandlers(fs.readFileSync(path.join(FIXTURES, 'app.py'), 'utf8'));
    assert.deepEqual(result.exports.map(brief), [
      'lambda_handler 9 5 true signature -',
      'process 13 11 true signature -',
      'helper 20 5 false - -',
    ]);
  });
});
