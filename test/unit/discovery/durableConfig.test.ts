/**
 * DURABLE-1: a DurableConfig (SAM, CloudFormation, SAM Globals, serverless.yml) marks a function durable, each value
 * with the line it came from; values outside Lambda's ranges are warnings at their line, and `list` shows it.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listCommand } from '../../../src/cli/commands/list';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';
import { readCloudFormationTemplate } from '../../../src/core/discovery/cloudFormationTemplate';
import { describeDurableConfig } from '../../../src/core/discovery/durableConfig';
import { readServerlessConfig } from '../../../src/core/discovery/serverlessConfig';
import { parseTemplateDocument } from '../../../src/core/discovery/templateDocument';
import { captureIO } from '../../support/cliIO';

const cfn = (lines: string[]) =>
  readCloudFormationTemplate(parseTemplateDocument('/w/template.yaml', lines.join('\n') + '\n'), {
    location: DEFAULT_LOCATION,
  });
const sls = (lines: string[]) =>
  readServerlessConfig(parseTemplateDocument('/w/serverless.yml', lines.join('\n') + '\n'), {
    location: DEFAULT_LOCATION,
  });

describe('discovery: durable functions (DurableConfig)', () => {
  it('DURABLE-1: SAM DurableConfig, and Globals for functions without their own, with their lines', () => {
    const { functions, problems } = cfn([
      'Transform: AWS::Serverless-2016-10-31',
      'Globals:',
      '  Function:',
      '    DurableConfig:',
      '      ExecutionTimeout: 86400',
      'Resources:',
      '  Own:',
      '    Type: AWS::Serverless::Function',
      '    Properties:',
      '      Handler: app.handler',
      '      Runtime: nodejs22.x',
      '      DurableConfig:',
      '        ExecutionTimeout: 3600',
      '        RetentionPeriodInDays: 7',
      '  FromGlobals:',
      '    Type: AWS::Serverless::Function',
      '    Properties:',
      '      Handler: app.handler',
      '      Runtime: nodejs22.x',
    ]);
    assert.deepEqual(problems, []);
    const own = functions.find((f) => f.name === 'Own')!;
    assert.deepEqual(own.durableConfig, { executionTimeout: 3600, retentionPeriodInDays: 7 });
    assert.deepEqual(own.origins['durableConfig.executionTimeout'], {
      file: '/w/template.yaml',
      line: 13,
      source: 'sam',
    });
    assert.deepEqual(own.origins['durableConfig.retentionPeriodInDays'], {
      file: '/w/template.yaml',
      line: 14,
      source: 'sam',
    });
    const fromGlobals = functions.find((f) => f.name === 'FromGlobals')!;
    assert.deepEqual(fromGlobals.durableConfig, { executionTimeout: 86400, retentionPeriodInDays: 14 });
    assert.equal(fromGlobals.origins['durableConfig.executionTimeout']?.line, 5);
    assert.deepEqual(fromGlobals.origins['durableConfig.retentionPeriodInDays'], { source: 'default' });
  });

  it('DURABLE-1: a CloudFormation function without DurableConfig is not durable; with one it is', () => {
    const { functions } = cfn([
      'Resources:',
      '  Plain:',
      '    Type: AWS::Lambda::Function',
      '    Properties: { Handler: a.handler, Runtime: nodejs22.x, Code: { ZipFile: x } }',
      '  Durable:',
      '    Type: AWS::Lambda::Function',
      '    Properties:',
      '      Handler: a.handler',
      '      Runtime: nodejs22.x',
      '      Code: { ZipFile: x }',
      '      DurableConfig: { ExecutionTimeout: 900, RetentionPeriodInDays: 90 }',
    ]);
    assert.equal(functions.find((f) => f.name === 'Plain')!.durableConfig, undefined);
    const durable = functions.find((f) => f.name === 'Durable')!;
    assert.deepEqual(durable.durableConfig, { executionTimeout: 900, retentionPeriodInDays: 90 });
    assert.equal(durable.origins.durableConfig?.source, 'cloudformation');
  });

  it('DURABLE-1: values outside Lambda ranges, or a missing ExecutionTimeout, are warnings at their line', () => {
    const { functions, problems } = cfn([
      'Resources:',
      '  TooLong:',
      '    Type: AWS::Lambda::Function',
      '    Properties:',
      '      Handler: a.handler',
      '      Runtime: nodejs22.x',
      '      Code: { ZipFile: x }',
      '      DurableConfig:',
      '        ExecutionTimeout: 40000000',
      '        RetentionPeriodInDays: 120',
      '  NoTimeout:',
      '    Type: AWS::Lambda::Function',
      '    Properties:',
      '      Handler: a.handler',
      '      Runtime: nodejs22.x',
      '      Code: { ZipFile: x }',
      '      DurableConfig: {}',
    ]);
    assert.deepEqual(
      problems.map((p) => [p.line, p.code, p.message]),
      [
        [
          9,
          'invalid-template',
          'TooLong: DurableConfig.ExecutionTimeout must be a whole number of seconds from 1 to 31622400 (found 40000000); the runner uses 31622400',
        ],
        [
          10,
          'invalid-template',
          'TooLong: DurableConfig.RetentionPeriodInDays must be a whole number of days from 1 to 90 (found 120); the runner uses 90',
        ],
        [
          17,
          'invalid-template',
          'NoTimeout: DurableConfig.ExecutionTimeout is required (1 to 31622400 seconds); the runner uses 31622400',
        ],
      ],
    );
    assert.deepEqual(functions.find((f) => f.name === 'TooLong')!.durableConfig, {
      executionTimeout: 31622400,
      retentionPeriodInDays: 90,
    });
  });

  it('DURABLE-1: serverless.yml durableConfig, with its lines', () => {
    const { functions, problems } = sls([
      'service: shop',
      'provider:',
      '  name: aws',
      '  runtime: nodejs22.x',
      'functions:',
      '  order:',
      '    handler: order.handler',
      '    durableConfig:',
      '      executionTimeout: 604800',
      '      retentionPeriodInDays: 3',
      '  plain:',
      '    handler: plain.handler',
    ]);
    assert.deepEqual(problems, []);
    const order = functions.find((f) => f.name === 'order')!;
    assert.deepEqual(order.durableConfig, { executionTimeout: 604800, retentionPeriodInDays: 3 });
    assert.deepEqual(order.origins['durableConfig.executionTimeout'], {
      file: '/w/serverless.yml',
      line: 9,
      source: 'serverless',
    });
    assert.equal(functions.find((f) => f.name === 'plain')!.durableConfig, undefined);
  });

  it('DURABLE-1: lambda-trigger list shows a durable function as such', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ltr-list-durable-'));
    try {
      fs.writeFileSync(
        path.join(root, 'template.yaml'),
        [
          'Transform: AWS::Serverless-2016-10-31',
          'Resources:',
          '  Orders:',
          '    Type: AWS::Serverless::Function',
          '    Properties:',
          '      Handler: app.handler',
          '      Runtime: nodejs22.x',
          '      DurableConfig: { ExecutionTimeout: 604800 }',
          '',
        ].join('\n'),
      );
      fs.writeFileSync(path.join(root, 'app.js'), 'exports.handler = async () => 1;\n');
      const io = captureIO(root);
      assert.equal(await listCommand.run([], io), 0);
      assert.match(io.out, /^ {2}durable {2}executions up to 7d, kept 14 days after they end$/m);
      assert.equal(
        describeDurableConfig({ executionTimeout: 5400, retentionPeriodInDays: 1 }),
        'executions up to 1h30m, kept 1 day after they end',
      );
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
