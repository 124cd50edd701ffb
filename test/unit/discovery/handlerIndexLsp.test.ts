import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { WorkspaceIndex } from '../../../src/core/discovery/workspaceIndex';
import { discoveryDiagnostics } from '../../../src/server/handlerIndex/discoveryDiagnostics';
import { handlerCodeLenses } from '../../../src/server/handlerIndex/handlerCodeLenses';

const ROOT = path.resolve(__dirname, '../../fixtures/discovery/sam');

describe('discovery: code lenses and diagnostics', () => {
  it('puts Invoke, Invoke with…, Debug and one lens per emulated trigger above the handler export', async () => {
    const index = new WorkspaceIndex({ root: ROOT });
    await index.build();
    const file = path.join(ROOT, 'src/orders/index.js');
    const lenses = handlerCodeLenses(index, pathToFileURL(file).toString());
    assert.deepEqual(
      lenses.map((l) => `${l.range.start.line}:${l.range.start.character} ${l.command?.command} ${l.command?.title}`),
      [
        '0:8 lambdaTrigger.invoke Invoke',
        '0:8 lambdaTrigger.invokeWith Invoke with…',
        '0:8 lambdaTrigger.debug Debug',
        '0:8 lambdaTrigger.invokeTrigger SQS OrdersQueue, batch 5',
        '0:8 lambdaTrigger.invokeTrigger Kinesis tx, batch 100',
        '0:8 lambdaTrigger.invokeTrigger HTTP API POST /orders',
        '0:8 lambdaTrigger.invokeTrigger Schedule rate(1 day)',
      ],
    );
    assert.deepEqual(lenses[3].command?.arguments, [
      {
        functionName: 'OrdersFunction',
        functionId: 'template.yaml#OrdersFunction',
        handlerFile: file,
        exportName: 'handler',
        triggerIndex: 0,
      },
    ]);
  });

  it('DURABLE-1: says a durable function is one, with its configuration, in a lens that shows the invocations', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ltr-durable-lens-'));
    try {
      fs.writeFileSync(
        path.join(root, 'template.yaml'),
        [
          'Transform: AWS::Serverless-2016-10-31',
          'Resources:',
          '  Orders:',
          '    Type: AWS::Serverless::Function',
          '    Properties:',
          '      Handler: flow.handler',
          '      Runtime: nodejs22.x',
          '      DurableConfig:',
          '        ExecutionTimeout: 604800',
          '        RetentionPeriodInDays: 3',
          '',
        ].join('\n'),
      );
      fs.writeFileSync(path.join(root, 'flow.js'), 'exports.handler = async () => ({});\n');
      const index = new WorkspaceIndex({ root });
      await index.build();
      const lenses = handlerCodeLenses(index, pathToFileURL(path.join(root, 'flow.js')).toString());
      assert.deepEqual(lenses.map((l) => `${l.command?.command} ${l.command?.title}`).slice(3), [
        'lambdaTrigger.showInvocations Durable: executions up to 7d, kept 3 days after they end',
      ]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('turns template problems into diagnostics on the template, 0-based', async () => {
    const index = new WorkspaceIndex({ root: ROOT });
    await index.build();
    const diagnostics = discoveryDiagnostics(index, pathToFileURL(path.join(ROOT, 'template.yaml')).toString());
    assert.deepEqual(
      diagnostics.map((d) => `${d.range.start.line} ${d.severity} ${d.code}`),
      [
        '76 2 unsupported-event',
        '8 2 deprecated-runtime',
        '83 2 runtime-mismatch',
        '89 1 handler-not-found',
        '94 1 handler-outside-workspace',
      ],
    );
    assert.equal(diagnostics[0].source, 'lambda-trigger');
  });
});
