import * as assert from 'node:assert/strict';
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
