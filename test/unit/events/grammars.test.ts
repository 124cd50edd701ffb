import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

// The grammars' regexes are Oniguruma; the ones used here are also valid JavaScript, which lets us check them.
const SYNTAXES = resolve(__dirname, '../../../syntaxes');
type Rule = { match?: string; begin?: string };
const grammar = (f: string) =>
  JSON.parse(readFileSync(resolve(SYNTAXES, f), 'utf8')) as { scopeName: string; repository: Record<string, Rule> };

describe('TextMate grammars', () => {
  const log = grammar('lambda-log.tmLanguage.json');
  const re = (name: string) => new RegExp(log.repository[name].match!);

  it('lambda-log (source.lambda-log) matches START/END/REPORT lines and their metrics (NODE-8)', () => {
    assert.equal(log.scopeName, 'source.lambda-log');
    const report = 'REPORT RequestId: 8f507cfc-6b2d-4b8e-9f0d-6d1b6f3c3c1a\tDuration: 79.67 ms\tBilled Duration: 80 ms';
    assert.equal(re('platform').exec(report)![1], 'REPORT');
    assert.deepEqual(
      [...report.matchAll(new RegExp(log.repository.metric.match!, 'g'))].map((m) => [m[1], m[3], m[4]]),
      [
        ['Duration', '79.67', 'ms'],
        ['Billed Duration', '80', 'ms'],
      ],
    );
    assert.equal(re('request-id').exec(report)![2], '8f507cfc-6b2d-4b8e-9f0d-6d1b6f3c3c1a');
  });

  it('lambda-log matches Node and Python console lines with their level (NODE-8, PY-4)', () => {
    const node = re('node-console').exec(
      '2024-01-01T00:00:00.000Z\t8f507cfc-6b2d-4b8e-9f0d-6d1b6f3c3c1a\tERROR\tboom',
    )!;
    assert.deepEqual([node[2], node[3], node[4]], ['8f507cfc-6b2d-4b8e-9f0d-6d1b6f3c3c1a', 'ERROR', 'boom']);
    const py = re('python-console').exec(
      '[WARNING]\t2024-01-01T00:00:00.000Z\t8f507cfc-6b2d-4b8e-9f0d-6d1b6f3c3c1a\tlow disk',
    )!;
    assert.deepEqual([py[1], py[4]], ['WARNING', 'low disk']);
    assert.equal(re('error-type').exec('errorType: Runtime.ImportModuleError')![1], 'Runtime.ImportModuleError');
  });

  it('the placeholder injection finds {{...}} in JSON strings', () => {
    const g = grammar('event-template-placeholders.tmLanguage.json');
    assert.equal(g.scopeName, 'lambda-trigger.template-placeholders.injection');
    assert.equal(new RegExp(g.repository.placeholder.begin!).exec('"{{body | md5}}"')!.index, 1);
  });
});
