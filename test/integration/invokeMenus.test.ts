/**
 * The context keys behind the "Invoke with…" submenu (src/shared/invokeMenu.ts): VS Code shows a source among the
 * configured triggers when the file is in its key. They are set from discovery, and follow it when a template changes.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { InvocationRecord } from '../../src/core/invoke/invocationRecord';
import { configuredTriggerContext, handlerFilesContext } from '../../src/shared/invokeMenu';
import { readyExtensionApi as api, workspaceFolderUri as folder } from '../support/extensionApi';
import { waitFor } from '../support/waitFor';

async function filesIn(key: string): Promise<readonly string[]> {
  const { menuContext } = await api();
  return menuContext.values().get(key) ?? [];
}

const source = (...parts: string[]): string => vscode.Uri.joinPath(folder(), 'sam-app', 'src', ...parts).fsPath;

describe('"Invoke with…" menus: context keys of the configured triggers, and the source commands', function () {
  this.timeout(120_000);

  it('are set for the examples: the order processor has SQS, the thumbnail S3, the create-order API API Gateway', async () => {
    const orders = source('order-processor', 'index.js');
    await waitFor('the order processor among the files with an SQS trigger', async () =>
      (await filesIn(configuredTriggerContext('sqs'))).includes(orders),
    );
    assert.ok((await filesIn(handlerFilesContext)).includes(orders));
    assert.ok((await filesIn(configuredTriggerContext('s3'))).includes(source('thumbnail', 'index.ts')));
    assert.ok((await filesIn(configuredTriggerContext('apigateway'))).includes(source('create-order', 'app.mjs')));
    assert.ok(
      !(await filesIn(configuredTriggerContext('s3'))).includes(orders),
      'no S3 trigger on the order processor',
    );
    assert.deepEqual(await filesIn(configuredTriggerContext('kafka')), [], 'no Kafka trigger in the examples');
  });

  it('"Invoke with SQS Event" on the order processor sends what its own SQS trigger sends, through its mapping', async () => {
    const { functions } = await api();
    const fn = await waitFor('OrderProcessorFunction in the index', () =>
      functions.all().find((f) => f.name === 'OrderProcessorFunction'),
    );
    const trigger = fn.triggers.find((t) => t.kind === 'sqs');
    assert.ok(trigger?.kind === 'sqs');
    const queue = trigger.queue.name ?? trigger.queue.logicalId;
    const records = await vscode.commands.executeCommand<InvocationRecord[]>(
      'lambdaTrigger.invokeWith.sqs',
      vscode.Uri.file(source('order-processor', 'index.js')),
    );
    const [record] = records;
    assert.equal(record?.functionName, 'OrderProcessorFunction');
    assert.equal(record.mode, 'batch', 'through the event source mapping of its trigger');
    const arn = (record.event as { Records: { eventSourceARN: string }[] }).Records[0]?.eventSourceARN;
    assert.ok(arn?.endsWith(`:${queue}`), `${arn} names the trigger's queue ${queue}`);
  });

  it('follow discovery: a template that gives a handler a Kinesis trigger adds it, deleting the template removes it', async () => {
    const dir = vscode.Uri.joinPath(folder(), 'menu-probe');
    const handler = vscode.Uri.joinPath(dir, 'index.js');
    const template = vscode.Uri.joinPath(dir, 'template.yaml');
    await vscode.workspace.fs.writeFile(handler, Buffer.from('exports.handler = async () => ({ ok: true });\n'));
    await vscode.workspace.fs.writeFile(
      template,
      Buffer.from(
        [
          'AWSTemplateFormatVersion: "2010-09-09"',
          'Transform: AWS::Serverless-2016-10-31',
          'Resources:',
          '  ProbeStream:',
          '    Type: AWS::Kinesis::Stream',
          '    Properties:',
          '      ShardCount: 1',
          '  MenuProbeFunction:',
          '    Type: AWS::Serverless::Function',
          '    Properties:',
          '      Handler: index.handler',
          '      Runtime: nodejs20.x',
          '      Events:',
          '        Records:',
          '          Type: Kinesis',
          '          Properties:',
          '            Stream: !GetAtt ProbeStream.Arn',
          '            StartingPosition: LATEST',
          '',
        ].join('\n'),
      ),
    );
    try {
      await waitFor('the probe among the files with a Kinesis trigger', async () =>
        (await filesIn(configuredTriggerContext('kinesis'))).includes(handler.fsPath),
      );
      await vscode.workspace.fs.delete(template);
      await waitFor(
        'the probe no longer among them',
        async () => !(await filesIn(configuredTriggerContext('kinesis'))).includes(handler.fsPath),
      );
    } finally {
      await vscode.workspace.fs.delete(dir, { recursive: true }).then(undefined, () => undefined);
    }
  });
});
