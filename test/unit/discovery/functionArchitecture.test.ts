/**
 * A function's instruction set (it sets the price of the cost estimate): exactly one of x86_64 or arm64, from the
 * function or SAM's Globals. A list of two, or a value Lambda does not know, is a warning at its line (CloudFormation
 * refuses it) and the runner carries on with the first known value, else x86_64.
 */
import * as assert from 'node:assert/strict';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';
import { readCloudFormationTemplate } from '../../../src/core/discovery/cloudFormationTemplate';
import { parseTemplateDocument } from '../../../src/core/discovery/templateDocument';

const FILE = '/w/template.yaml';

function read(lines: string[]) {
  const doc = parseTemplateDocument(FILE, lines.join('\n') + '\n');
  return readCloudFormationTemplate(doc, { location: DEFAULT_LOCATION });
}

const fn = (name: string, architectures?: string): string[] => [
  `  ${name}:`,
  '    Type: AWS::Serverless::Function',
  '    Properties:',
  '      Handler: app.handler',
  '      Runtime: nodejs22.x',
  ...(architectures ? [`      Architectures: ${architectures}`] : []),
];

describe('discovery: Architectures', () => {
  it('one value is the function architecture; SAM Globals give it to functions without their own', () => {
    const { functions, problems } = read([
      'Transform: AWS::Serverless-2016-10-31',
      'Globals:',
      '  Function:',
      '    Architectures: [arm64]',
      'Resources:',
      ...fn('OnGlobals'),
      ...fn('Own', '[x86_64]'),
    ]);
    assert.deepEqual(
      functions.map((f) => [f.name, f.architecture]),
      [
        ['OnGlobals', 'arm64'],
        ['Own', 'x86_64'],
      ],
    );
    assert.deepEqual(problems, []);
  });

  it('two values, or one Lambda does not know, are a warning at the line that sets them', () => {
    const { functions, problems } = read([
      'Transform: AWS::Serverless-2016-10-31',
      'Resources:',
      ...fn('Both', '[x86_64, arm64]'),
      ...fn('Unknown', '[riscv64]'),
    ]);
    assert.deepEqual(
      functions.map((f) => [f.name, f.architecture]),
      [
        ['Both', 'x86_64'],
        ['Unknown', undefined],
      ],
    );
    assert.deepEqual(
      problems.map((p) => [p.line, p.severity, p.code, p.message]),
      [
        [
          8,
          'warning',
          'invalid-template',
          'Both: Architectures must list exactly one of x86_64 or arm64 (found x86_64, arm64); the runner uses x86_64',
        ],
        [
          14,
          'warning',
          'invalid-template',
          'Unknown: Architectures must list exactly one of x86_64 or arm64 (found riscv64); the runner uses x86_64',
        ],
      ],
    );
  });
});
