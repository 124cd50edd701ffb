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
